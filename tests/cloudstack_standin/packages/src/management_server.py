"""STAND-IN for tests only: the CloudStack management server.

This is NOT CloudStack and nothing it answers is proof of CloudStack
behaviour. cloudstack-management.service runs it as
`python3 /usr/lib/cloudstack-standin/management_server.py --version V`.

Before it listens it checks, as a real server would fail on them:
db.properties and the key file exist, the key decrypts db.properties'
encrypt.secret and password, `SELECT 1` works with those credentials, and
the database key matches the one setup-databases --deploy-as stored (the
stand-in's `standin.dbkey.check` row). Any failure: a message in
/var/log/cloudstack/management/management-server.log and exit 1.

Then it registers itself in cloud.mshost and listens on 0.0.0.0:
8080 HTTP (/client/api answers listCapabilities for any query, /client/
a small HTML page), 8250 and 9090 a one-line greeting, 8096 (only with
STANDIN_INTEGRATION_PORT=8096 in /etc/default/cloudstack-management) like
8080, also when the `integration.api.port` row of cloud.configuration
names a port (as CloudStack's global setting does), 8443 (only with STANDIN_HTTPS=1) like 8080 in PLAIN HTTP, not TLS.
Every HTTP answer has `X-Standin-Server: <hostname>` and, when the request
had no JSESSIONID cookie, `Set-Cookie: JSESSIONID=...; Path=/client;
HttpOnly`. SIGTERM stops it.
"""

import json
import logging
import secrets
import signal
import socket
import socketserver
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import standin_common as common

LOG_FILE = "/var/log/cloudstack/management/management-server.log"
HOSTNAME = socket.gethostname()
LOG = logging.getLogger("standin-management")


class Handler(BaseHTTPRequestHandler):
    """listCapabilities for /client/api, a page for /client/, 404 elsewhere."""

    server_version = "CloudStack-STANDIN"
    version = "unknown"

    def _send(self, status, body, content_type):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Standin-Server", HOSTNAME)
        if "JSESSIONID=" not in self.headers.get("Cookie", ""):
            self.send_header("Set-Cookie", "JSESSIONID=%s; Path=/client; HttpOnly" % secrets.token_hex(16))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_GET(self):  # pylint: disable=invalid-name
        path = self.path.split("?", 1)[0]
        if path.startswith("/client/api"):
            body = {"listcapabilitiesresponse": {"capability": {"cloudstackversion": self.version, "standin": True},
                                                 "server": HOSTNAME}, "server": HOSTNAME}
            self._send(200, json.dumps(body), "application/json; charset=UTF-8")
        elif path in ("/client", "/client/", "/client/index.html"):
            self._send(200, "<!DOCTYPE html><html><head><title>Apache CloudStack STAND-IN</title></head><body>"
                            "<p>STAND-IN for tests only, not CloudStack %s</p><p>server: %s</p></body></html>\n"
                       % (self.version, HOSTNAME), "text/html; charset=UTF-8")
        else:
            self._send(404, json.dumps({"errortext": "not found", "server": HOSTNAME}), "application/json")

    do_POST = do_GET  # pylint: disable=invalid-name
    do_HEAD = do_GET  # pylint: disable=invalid-name

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        LOG.info("http %s %s", self.address_string(), format % args)


def greeting_server(port, word):
    class Greeter(socketserver.BaseRequestHandler):
        def handle(self):
            self.request.sendall(("STANDIN-%s %s\n" % (word, HOSTNAME)).encode())

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    server = socketserver.ThreadingTCPServer(("0.0.0.0", port), Greeter)
    server.daemon_threads = True
    return server


def http_server(port, version):
    handler = type("VersionedHandler", (Handler,), {"version": version})
    ThreadingHTTPServer.allow_reuse_address = True
    return ThreadingHTTPServer(("0.0.0.0", port), handler)


def check_database(props, password, dbkey):
    """Raise ValueError when the database does not answer or holds another
    key; return the integration API port the configuration table asks for
    (CloudStack's integration.api.port global setting; 0: closed)."""
    host, port, user = props.get("db.cloud.host", "localhost"), props.get("db.cloud.port", "3306"), \
        props.get("db.cloud.username", "cloud")
    # db.cloud.useSSL=true: TLS or no connection (CloudStack appends useSSL=true to the JDBC URL)
    ssl = "require" if props.get("db.cloud.useSSL", "false").strip().lower() == "true" else "prefer"
    result = common.mysql(host, port, user, password, "SELECT 1;", timeout=20, ssl=ssl)
    if result.returncode != 0:
        raise ValueError("cannot connect to the database %s@%s:%s: %s" % (user, host, port, result.stderr.strip()))
    result = common.mysql(host, port, user, password,
                          "SELECT value FROM `cloud`.`configuration` WHERE name='standin.dbkey.check';", timeout=20,
                          ssl=ssl)
    stored = result.stdout.strip() if result.returncode == 0 else ""
    if stored and stored != common.key_check(dbkey):
        raise ValueError("the database key (-k) in db.properties is not the one the database was deployed with")
    msid = zlib.crc32(HOSTNAME.encode()) & 0x7FFFFFFF
    sql = ("REPLACE INTO `cloud`.`mshost` (id, msid, name, service_ip) VALUES (%d, %d, '%s', '%s');"
           % (msid, msid, HOSTNAME.replace("'", ""), props.get("cluster.node.IP", "").replace("'", "")))
    result = common.mysql(host, port, user, password, sql, timeout=20, ssl=ssl)
    if result.returncode != 0:
        LOG.warning("could not register in cloud.mshost: %s", result.stderr.strip())
    result = common.mysql(host, port, user, password,
                          "SELECT value FROM `cloud`.`configuration` WHERE name='integration.api.port';",
                          timeout=20, ssl=ssl)
    value = result.stdout.strip() if result.returncode == 0 else ""
    return int(value) if value.isdigit() else 0


def main(argv=None):
    opts = common.service_start("management server", LOG_FILE, argv)
    try:
        props, password, dbkey = common.load_config()
        integration_port = check_database(props, password, dbkey)
    except (ValueError, OSError) as exc:
        LOG.error("STAND-IN management server %s refuses to start: %s", HOSTNAME, exc)
        sys.stderr.write("STAND-IN management server refuses to start: %s\n" % exc)
        return 1
    defaults = common.read_defaults()
    servers = [http_server(8080, opts.version), greeting_server(8250, "AGENT-PORT"),
               greeting_server(9090, "CLUSTER-PORT")]
    if integration_port > 0 or defaults.get("STANDIN_INTEGRATION_PORT") == "8096":
        servers.append(http_server(integration_port or 8096, opts.version))
    if defaults.get("STANDIN_HTTPS") == "1":
        servers.append(http_server(8443, opts.version))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for thread in threads:
        thread.start()
    ports = [s.server_address[1] for s in servers]
    LOG.info("STAND-IN management server %s started (version %s, ports %s)", HOSTNAME, opts.version, ports)
    stop.wait()
    for server in servers:
        server.shutdown()
        server.server_close()
    LOG.info("STAND-IN management server %s stopped", HOSTNAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
