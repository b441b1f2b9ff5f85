"""STAND-IN listeners for molecule/nat_firewall. NOT CloudStack.

Plays the management server behind the firewall (HTTP on 8080, HTTPS with a
self-signed certificate on 8443, bare TCP listeners on 8096, 8250, 3306, 22)
and the Internet-side far end (bare TCP on 9000). Every accepted connection
is appended to the log as "port=<local port> peer=<remote address>", which is
what the verify step reads: who arrived, from which address.

usage: standin.py LOG [http:PORT] [https:PORT:CERT:KEY] [tcp:PORT] ...
"""

import http.server
import socket
import socketserver
import ssl
import sys
import threading

LOG = sys.argv[1]
LOCK = threading.Lock()
NAME = socket.gethostname()


def record(port, peer):
    with LOCK, open(LOG, 'a') as log:
        log.write('port=%d peer=%s\n' % (port, peer))


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server API)
        port = self.server.server_address[1]
        record(port, self.client_address[0])
        body = ('cloudstack management STAND-IN (not CloudStack) on %s port %d; you are %s\n'
                % (NAME, port, self.client_address[0])).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Banner(socketserver.BaseRequestHandler):
    def handle(self):
        port = self.server.server_address[1]
        record(port, self.client_address[0])
        self.request.sendall(('STAND-IN %s port %d\n' % (NAME, port)).encode())


class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    servers = []
    for spec in sys.argv[2:]:
        kind, rest = spec.split(':', 1)
        if kind == 'http':
            servers.append(Server(('0.0.0.0', int(rest)), Handler))
        elif kind == 'https':
            port, cert, key = rest.split(':')
            srv = Server(('0.0.0.0', int(port)), Handler)
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
            servers.append(srv)
        elif kind == 'tcp':
            servers.append(TCPServer(('0.0.0.0', int(rest)), Banner))
        else:
            raise SystemExit('unknown listener %r' % spec)
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    threading.Event().wait()


if __name__ == '__main__':
    main()
