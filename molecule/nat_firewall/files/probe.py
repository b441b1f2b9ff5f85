"""Client probe for molecule/nat_firewall: one line of JSON per target.

usage: probe.py TIMEOUT KIND:HOST:PORT ...   KIND = http | https | tcp
Prints {"target": ..., "ok": bool, "body" or "error": ...}. A TLS probe does
not verify the stand-in's self-signed certificate (it is not CloudStack's).
"""

import json
import socket
import ssl
import sys
import urllib.request

TIMEOUT = float(sys.argv[1])
for target in sys.argv[2:]:
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
        print(json.dumps({'target': target, 'ok': True, 'body': body}))
    except Exception as exc:  # every failure is a result here
        print(json.dumps({'target': target, 'ok': False, 'error': '%s: %s' % (type(exc).__name__, exc)}))
