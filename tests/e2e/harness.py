"""The small test runner the end-to-end scripts share: register tests with @test, run them each in a
fresh temp folder, print 'ok'/'FAIL' per test and 'N passed, M failed', exit non-zero on a failure."""
import argparse, http.client, json, os, re, shutil, subprocess, sys, tempfile, traceback

TESTS = []


def test(f):
    TESTS.append(f)
    return f


def parse_bin():
    """The --bin argument, as an absolute path."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--bin', required=True)
    return os.path.abspath(ap.parse_args().bin)


def run_all(prefix):
    passed = failed = 0
    for t in TESTS:
        tmp = tempfile.mkdtemp(prefix=prefix)
        try:
            t(tmp)
            passed += 1
            print(f'ok   {t.__name__}')
        except Exception:
            failed += 1
            print(f'FAIL {t.__name__}')
            traceback.print_exc()
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f'{passed} passed, {failed} failed')
    sys.exit(1 if failed else 0)


class ServeProcess:
    """`panocarbon serve --port 0 ...` (cmd) started in `cwd`, its port read from the first line it prints
    ("listening on http://HOST:PORT"), stopped on exit (SIGTERM; a server still running 20 s later fails)."""

    def __init__(self, cmd, env, cwd):
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=cwd)
        line = self.p.stdout.readline()
        m = re.match(r'listening on http://([^\s]+):(\d+)$', line.strip())
        if not m:
            self.p.kill()
            raise AssertionError(f'no "listening on" line first: {line!r} {self.p.stderr.read()}')
        self.host, self.port = m.group(1), int(m.group(2))

    def request(self, method, path, body=None, headers=None, timeout=900):
        """(status, headers dict with lower-case names, body bytes). The path is sent as given (no normalising)."""
        c = http.client.HTTPConnection('127.0.0.1', self.port, timeout=timeout)
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault('Content-Type', 'application/json')
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                self.p.kill()
                raise AssertionError('the server did not stop within 20 s of SIGTERM')
        return self.p.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
