"""The small test runner the end-to-end scripts share: register tests with @test, run them each in a
fresh temp folder, print 'ok'/'FAIL' per test and 'N passed, M failed', exit non-zero on a failure."""
import argparse, os, shutil, sys, tempfile, traceback

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
