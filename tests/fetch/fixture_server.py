"""A loopback HTTP server for the `data fetch` tests: serves files by path (and query) in the layouts of the
publishers (a Zenodo records API, the OECD's fileview2.aspx addresses, www.wiod.org, raw GitHub files), with
HTTP Range support and faults to order: a connection dropped after N bytes, Range ignored, an HTML page in
place of a file, 404 for anything not served. Binds 127.0.0.1 on a free port; never contacts anything.

    srv = FixtureServer(); srv.start()
    srv.files['/path?query'] = b'bytes'
    srv.faults['/path?query'] = {'drop_after': 1000, 'times': 1}     # or {'ignore_range': True}, {'html': True},
                                                                     # {'slow': {'chunk': 4096, 'delay': 0.05}}
    srv.base  # http://127.0.0.1:PORT
    srv.log   # [(method, path, range header or None, status)]
"""
import re, socket, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):  # quiet
        pass

    def _send(self, status, body, headers=(), content_type='application/octet-stream', drop_after=None, slow=None):
        srv = self.server.owner
        with srv.lock:
            srv.log.append(('GET', self.path, self.headers.get('Range'), status))
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if drop_after is not None and drop_after < len(body):
            self.wfile.write(body[:drop_after])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        if slow:  # {'chunk': bytes, 'delay': seconds}: a slow line, for runs that are killed or raced
            for i in range(0, len(body), slow['chunk']):
                try:
                    self.wfile.write(body[i:i + slow['chunk']])
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(slow['delay'])
            return
        self.wfile.write(body)

    def do_GET(self):
        srv = self.server.owner
        path = self.path
        if srv.prefix and path.startswith(srv.prefix):
            path = path[len(srv.prefix):]
        with srv.lock:
            body = srv.files.get(path)
            fault = dict(srv.faults.get(path, {}))
            if fault.get('times') is not None:
                if fault['times'] <= 0:
                    fault = {}
                else:
                    srv.faults[path]['times'] -= 1
        if body is None:
            return self._send(404, b'<html><body>404 Not Found</body></html>', content_type='text/html')
        ctype = 'text/html' if fault.get('html') else 'application/octet-stream'
        if fault.get('html'):
            body = b'<!DOCTYPE html><html><body>Please accept the licence</body></html>'
        rng = self.headers.get('Range')
        total = len(body)
        if rng and not fault.get('ignore_range'):
            m = re.fullmatch(r'bytes=(\d+)-(\d*)', rng.strip())
            if m:
                start = int(m.group(1))
                end = int(m.group(2)) if m.group(2) else total - 1
                if start >= total:
                    return self._send(416, b'', [('Content-Range', f'bytes */{total}')])
                end = min(end, total - 1)
                part = body[start:end + 1]
                return self._send(206, part, [('Content-Range', f'bytes {start}-{end}/{total}'),
                                              ('Accept-Ranges', 'bytes')], ctype, fault.get('drop_after'),
                                  fault.get('slow'))
        self._send(200, body, [('Accept-Ranges', 'bytes')], ctype, fault.get('drop_after'), fault.get('slow'))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client that hangs up is part of the tests
        pass


class FixtureServer:
    def __init__(self, prefix=''):
        self.files, self.faults, self.log = {}, {}, []
        self.prefix = prefix
        self.lock = threading.Lock()
        self.httpd = _QuietServer(('127.0.0.1', 0), _Handler)
        self.httpd.owner = self
        self.port = self.httpd.server_address[1]
        self.base = f'http://127.0.0.1:{self.port}'

    def start(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def requests_for(self, path):
        with self.lock:
            return [e for e in self.log if e[1] == self.prefix + path]


def closed_port():
    """A loopback port with nothing listening on it (for 'server down')."""
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port
