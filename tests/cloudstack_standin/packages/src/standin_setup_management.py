"""STAND-IN for tests only: cloudstack-setup-management.

This is NOT CloudStack's tool and nothing it does is proof of CloudStack
behaviour. It records its argv in /var/log/cloudstack-standin/
setup-management.jsonl, needs /etc/cloudstack/management/db.properties
(exit 1 otherwise), and unless --no-start enables and (re)starts
cloudstack-management.service with systemctl, then waits a little for port
8080 and fails (exit 1) when the service failed to start. --https,
--tomcat7 and other options are accepted and only recorded.
"""

import argparse
import socket
import subprocess
import sys
import time

import standin_common as common

SERVICE = "cloudstack-management.service"


def build_parser():
    parser = argparse.ArgumentParser(prog="cloudstack-setup-management",
                                     description="STAND-IN for tests only of CloudStack's cloudstack-setup-management")
    parser.add_argument("--https", action="store_true")
    parser.add_argument("--tomcat7", action="store_true")
    parser.add_argument("--no-start", dest="no_start", action="store_true")
    return parser


def _systemctl(*args):
    return subprocess.run(["systemctl"] + list(args), capture_output=True, text=True, check=False)


def wait_started(timeout=15.0):
    """True when port 8080 answers, False when the unit failed or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", 8080), timeout=1):
                return True
        except OSError:
            pass
        if _systemctl("is-failed", "--quiet", SERVICE).returncode == 0:
            return False
        time.sleep(0.3)
    return False


def main(argv, version):
    opts, unknown = build_parser().parse_known_args(argv)
    record = {"argv": argv, "unknown": unknown, "https": opts.https, "no_start": opts.no_start, "version": version}
    try:
        common.read_properties(common.DB_PROPERTIES)
    except OSError as exc:
        common.log_call("setup-management", dict(record, result="failed", error=str(exc)))
        sys.stderr.write("cloudstack-setup-management (STAND-IN): cannot read %s (%s); run "
                         "cloudstack-setup-databases first\n" % (common.DB_PROPERTIES, exc.strerror))
        return 1
    if opts.no_start:
        common.log_call("setup-management", dict(record, result="configured"))
        print("STAND-IN cloudstack-setup-management: configured, not started (--no-start)")
        return 0
    for args in (("daemon-reload",), ("enable", SERVICE), ("restart", SERVICE)):
        result = _systemctl(*args)
        if result.returncode != 0:
            common.log_call("setup-management", dict(record, result="failed", error=result.stderr.strip()))
            sys.stderr.write("cloudstack-setup-management (STAND-IN): systemctl %s failed: %s\n"
                             % (" ".join(args), result.stderr.strip()))
            return 1
    if not wait_started():
        common.log_call("setup-management", dict(record, result="failed", error="service did not start"))
        sys.stderr.write("cloudstack-setup-management (STAND-IN): %s did not start; see "
                         "/var/log/cloudstack/management/management-server.log\n" % SERVICE)
        return 1
    common.log_call("setup-management", dict(record, result="started"))
    print("STAND-IN cloudstack-setup-management %s: %s enabled and started" % (version, SERVICE))
    return 0
