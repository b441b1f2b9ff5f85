"""STAND-IN for tests only: the CloudStack usage server.

This is NOT CloudStack and nothing it does is proof of CloudStack
behaviour. cloudstack-usage.service runs it. It refuses to start (exit 1,
message in /var/log/cloudstack/usage/usage.log) unless
/etc/cloudstack/usage/db.properties and /etc/cloudstack/usage/key (the
package's postinst links them to the management server's files, as the
real package does) exist and the key decrypts db.properties. Running, it
only sleeps until SIGTERM.
"""

import logging
import signal
import socket
import sys
import threading

import standin_common as common

LOG_FILE = "/var/log/cloudstack/usage/usage.log"
LOG = logging.getLogger("standin-usage")


def main(argv=None):
    opts = common.service_start("usage server", LOG_FILE, argv)
    try:
        common.load_config(common.ETC_USAGE + "/db.properties", common.ETC_USAGE + "/key")
    except (ValueError, OSError) as exc:
        LOG.error("STAND-IN usage server refuses to start: %s", exc)
        sys.stderr.write("STAND-IN usage server refuses to start: %s\n" % exc)
        return 1
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    LOG.info("STAND-IN usage server started on %s (version %s)", socket.gethostname(), opts.version)
    stop.wait()
    LOG.info("STAND-IN usage server stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
