"""Client probe for molecule/nat_firewall: one line of JSON per target.

usage: probe.py TIMEOUT KIND:HOST:PORT ...   KIND = http | https | tcp
Prints {"target": ..., "ok": bool, "body" or "error": ...}, one line per
target in the order given. The targets are tried at the same time (each with
its own TIMEOUT): a dropped one costs TIMEOUT once, not once per target. A TLS
probe does not verify the stand-in's self-signed certificate (it is not
CloudStack's).
"""

import json
import socket
import ssl
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = float(sys.argv[1])


def probe(target):
    kind, host, port = target.split(':')
    try:
        if kind in ('http', 'https'):
            ctx = ssl._create_unverified_context() if kind == 'https' else None  # stand-in's self-signed cert
            with urllib.request.urlopen('%s://%s:%s/' % (kind, host, port), timeout=TIMEOUT, context=ctx) as r:
                body = r.read().decode()
        else:
            with socket.create_connection((host, int(port)), timeout=TIMEOUT) as s:
                s.settimeout(TIMEOUT)
                body = s.recv(200).decode()
        return {'target': target, 'ok': True, 'body': body}
    except Exception as exc:  # every failure is a result here
        return {'target': target, 'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc)}


targets = sys.argv[2:]
with ThreadPoolExecutor(max_workers=max(1, len(targets))) as pool:
    for result in pool.map(probe, targets):
        print(json.dumps(result))
