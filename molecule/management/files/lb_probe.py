"""Test client of molecule/load_balancer (runs on a client container).

Talks to the VIP the way users and agents do and prints one JSON object:
  http    N HTTP(S) requests; with --sticky the first answer's session cookie
          is sent with the N that follow (UI stickiness)
  tcp     N TCP connections, each reading the stand-in's banner (8250)
  refused is a port closed to this client (no HTTP answer)?
  loop    --count requests at --rate per second (one thread each, a fixed
          schedule, no retry): how many were answered and by whom
  stats   haproxy's statistics as CSV: the status of every server
Python 3 standard library only.
"""
import argparse
import http.client
import json
import socket
import ssl
import sys
import threading
import time
from urllib.parse import urlsplit


def _connection(url, timeout, cafile):
    parts = urlsplit(url)
    if parts.scheme == "https":
        context = ssl.create_default_context(cafile=cafile) if cafile else ssl._create_unverified_context()
        return http.client.HTTPSConnection(parts.hostname, parts.port or 443, timeout=timeout, context=context)
    return http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)


def request(url, timeout, cafile=None, cookie=None):
    """One GET: (server, set-cookie value of JSESSIONID or None, status)."""
    parts = urlsplit(url)
    conn = _connection(url, timeout, cafile)
    try:
        headers = {"Connection": "close"}
        if cookie:
            headers["Cookie"] = cookie
        conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""), headers=headers)
        resp = conn.getresponse()
        body = resp.read()
        server = resp.getheader("X-Standin-Server")
        if server is None:
            try:
                server = json.loads(body).get("server")
            except ValueError:
                server = None
        cookies = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
        session = next((c.split(";", 1)[0] for c in cookies if c.startswith("JSESSIONID=")), None)
        return server, session, resp.status
    finally:
        conn.close()


def cmd_http(args):
    out = {"url": args.url, "servers": [], "errors": [], "cookie": None, "first": None}
    cookie = None
    if args.sticky:
        server, session, _status = request(args.url, args.timeout, args.cafile)
        out["first"] = server
        out["cookie"] = session
        cookie = session
    for _attempt in range(args.count):
        try:
            server, _session, status = request(args.url, args.timeout, args.cafile, cookie)
            out["servers"].append(server if status == 200 else "status-%s" % status)
        except (OSError, http.client.HTTPException) as err:
            out["errors"].append(repr(err))
    return out


def cmd_tcp(args):
    out = {"servers": [], "errors": []}
    for _attempt in range(args.count):
        try:
            with socket.create_connection((args.host, args.port), timeout=args.timeout) as sock:
                data = b""
                while True:
                    chunk = sock.recv(256)
                    if not chunk:
                        break
                    data += chunk
            words = data.decode(errors="replace").split()
            out["servers"].append(words[1] if len(words) > 1 else data.decode(errors="replace"))
        except OSError as err:
            out["errors"].append(repr(err))
    return out


def cmd_refused(args):
    try:
        server, _session, status = request(args.url, args.timeout, args.cafile)
        return {"url": args.url, "answered": True, "detail": "HTTP %s from %s" % (status, server)}
    except (OSError, http.client.HTTPException) as err:
        return {"url": args.url, "answered": False, "detail": repr(err)}


def cmd_loop(args):
    results = [None] * args.count
    start = time.monotonic()

    def one(i):
        begin = time.monotonic() - start
        try:
            server, _session, status = request(args.url, args.timeout, args.cafile)
            results[i] = {"t": round(begin, 2), "server": server if status == 200 else None,
                          "error": None if status == 200 else "HTTP %s" % status}
        except (OSError, http.client.HTTPException) as err:
            results[i] = {"t": round(begin, 2), "server": None, "error": repr(err)}

    threads = []
    for i in range(args.count):
        delay = start + i / args.rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=one, args=(i,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    servers = {}
    for r in results:
        if r["server"]:
            servers[r["server"]] = servers.get(r["server"], 0) + 1
    lost = [r for r in results if r["server"] is None]
    tail = results[-args.tail:]
    return {"url": args.url, "sent": args.count, "answered": args.count - len(lost), "lost": len(lost),
            "servers": servers, "failures": lost[:20],
            "tail": len(tail), "tail_answered": len([r for r in tail if r["server"]]),
            "seconds": round(time.monotonic() - start, 2)}


def cmd_stats(args):
    parts = urlsplit(args.url)
    conn = _connection(args.url, args.timeout, None)
    try:
        conn.request("GET", parts.path + ";csv", headers={"Connection": "close"})
        text = conn.getresponse().read().decode()
    finally:
        conn.close()
    lines = text.splitlines()
    header = lines[0].lstrip("# ").split(",")
    out = {}
    for line in lines[1:]:
        row = dict(zip(header, line.split(",")))
        if row.get("svname") in ("FRONTEND", "BACKEND") or not row.get("pxname"):
            continue
        out.setdefault(row["pxname"], {})[row["svname"]] = row.get("status")
    return {"url": args.url, "servers": out}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("http", "refused", "loop", "stats"):
        p = sub.add_parser(name)
        p.add_argument("--url", required=True)
        p.add_argument("--cafile")
        p.add_argument("--timeout", type=float, default=3.0)
        if name == "http":
            p.add_argument("--count", type=int, default=10)
            p.add_argument("--sticky", action="store_true")
        if name == "loop":
            p.add_argument("--count", type=int, default=200)
            p.add_argument("--rate", type=float, default=20.0)
            p.add_argument("--tail", type=int, default=40, help="report how many of the last TAIL were answered")
    p = sub.add_parser("tcp")
    p.add_argument("--host", required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--count", type=int, default=20)
    p.add_argument("--timeout", type=float, default=3.0)
    args = parser.parse_args()
    out = {"http": cmd_http, "tcp": cmd_tcp, "refused": cmd_refused, "loop": cmd_loop,
           "stats": cmd_stats}[args.command](args)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
