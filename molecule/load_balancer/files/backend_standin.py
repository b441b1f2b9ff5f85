# STAND-IN for a CloudStack management server (NOT CloudStack): the backend
# of molecule/load_balancer. It mimics the contract of the management-server
# stand-in, as far as the load balancer sees it:
#   8080 and 8096 (HTTP): every response carries the header
#       X-Standin-Server: <hostname> and a JSON body with "server": <hostname>;
#       a request without a JSESSIONID cookie gets
#       Set-Cookie: JSESSIONID=<random>; Path=/client; HttpOnly;
#       GET /client/api?command=listCapabilities answers 200 (JSON).
#   8250: on connect writes "STANDIN-AGENT-PORT <hostname>\n" and closes.
#   9090: on connect writes "STANDIN-CLUSTER-PORT <hostname>\n" and closes.
# Python 3 standard library only.
import json
import secrets
import socket
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HOSTNAME = socket.gethostname()


class Handler(BaseHTTPRequestHandler):
    server_version = "CloudStackStandin/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # keep the journal quiet
        pass

    def _answer(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        body = {"server": HOSTNAME, "port": self.server.server_address[1],
                "path": url.path, "standin": True}
        if url.path == "/client/api" and query.get("command") == ["listCapabilities"]:
            body["listcapabilitiesresponse"] = {"capability": {"cloudstackversion": "4.22.0.0-standin"}}
        data = json.dumps(body).encode() + b"\n"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Standin-Server", HOSTNAME)
        if "JSESSIONID=" not in self.headers.get("Cookie", ""):
            self.send_header("Set-Cookie", "JSESSIONID=%s; Path=/client; HttpOnly" % secrets.token_hex(16))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer
    do_HEAD = _answer


class Banner(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(self.server.banner)


class BannerServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    servers = []
    for port in (8080, 8096):
        httpd = ThreadingHTTPServer(("0.0.0.0", port), Handler)
        httpd.daemon_threads = True
        servers.append(httpd)
    for port, name in ((8250, "AGENT"), (9090, "CLUSTER")):
        tcp = BannerServer(("0.0.0.0", port), Banner)
        tcp.banner = ("STANDIN-%s-PORT %s\n" % (name, HOSTNAME)).encode()
        servers.append(tcp)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    threading.Event().wait()


if __name__ == "__main__":
    main()
