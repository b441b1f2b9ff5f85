"""TCP probes from a test container, all at once (one thread each): for each
argument ADDRESS,PORT[,SOURCE] print one JSON object per line with the
verdict: open, dropped (no answer in --timeout seconds: a firewall) or
refused (a reset: reachable, nothing listens). Python 3 standard library."""
import json
import socket
import sys
import threading

TIMEOUT = 3.0


def one(out, i, address, port, source):
    sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
    sock.settimeout(TIMEOUT)
    try:
        if source:
            sock.bind((source, 0))
        sock.connect((address, int(port)))
        out[i] = "open"
    except socket.timeout:
        out[i] = "dropped"
    except ConnectionRefusedError:
        out[i] = "refused"
    except OSError as exc:
        out[i] = "error: %s" % exc
    finally:
        sock.close()


def main(args):
    targets = [(a.split(",") + [""])[:3] for a in args]
    out = [None] * len(targets)
    threads = [threading.Thread(target=one, args=(out, i) + tuple(t)) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for (address, port, source), verdict in zip(targets, out):
        print(json.dumps({"address": address, "port": int(port), "source": source, "verdict": verdict}))


if __name__ == "__main__":
    main(sys.argv[1:])
