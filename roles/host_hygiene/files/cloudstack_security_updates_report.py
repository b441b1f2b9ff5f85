"""Count the pending security updates for the node exporter's textfile collector.

    cloudstack-security-updates-report [--textfile-dir DIR] [--state-dir DIR]

(/usr/local/sbin/cloudstack-security-updates-report runs this file,
/usr/local/lib/cloudstack-infra/cloudstack_security_updates_report.py, with
/usr/bin/python3.)

Installed by cloudstack.infra.host_hygiene, run by its systemd timer. Reads
`apt-get -s dist-upgrade` (a simulation: nothing is installed, no network is
used; the package lists are as fresh as apt-daily.timer's last update) and
counts the packages whose new version comes from a security suite (origin
`Debian-Security:...` or a suite ending in `-security`). Writes atomically
DIR/cloudstack_security_updates.prom:

  cloudstack_security_updates_pending             number of pending security updates
  cloudstack_security_updates_pending_since_seconds
                                                  unix time since which at least one has been
                                                  pending without a break (0: none pending);
                                                  kept across runs in STATE-DIR/security_updates_since
  cloudstack_security_updates_check_timestamp_seconds   time of this check
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

PROM_FILE = "cloudstack_security_updates.prom"
SINCE_FILE = "security_updates_since"
# "Inst pkg [old] (new Origin:Version/suite [arch])"
INST = re.compile(r"^Inst (\S+)(?: \[[^\]]*\])? \((.*)\)")
SECURITY = re.compile(r"(Debian-Security:|[-/]security\b|-security[ ,\]])", re.IGNORECASE)


def pending_security(simulation):
    """The names of the packages apt would upgrade from a security suite."""
    out = []
    for line in simulation.splitlines():
        match = INST.match(line)
        if match and SECURITY.search(match.group(2)):
            out.append(match.group(1))
    return sorted(set(out))


def since(pending, previous, now):
    """The pending-since time: kept while updates stay pending, now when they start, 0 when none."""
    if not pending:
        return 0
    if previous and previous > 0:
        return previous
    return int(now)


def render(pending, since_value, now):
    return (
        "# HELP cloudstack_security_updates_pending Pending security updates (apt-get -s dist-upgrade).\n"
        "# TYPE cloudstack_security_updates_pending gauge\n"
        "cloudstack_security_updates_pending %d\n"
        "# HELP cloudstack_security_updates_pending_since_seconds Unix time since which security updates "
        "have been pending without a break (0: none pending).\n"
        "# TYPE cloudstack_security_updates_pending_since_seconds gauge\n"
        "cloudstack_security_updates_pending_since_seconds %d\n"
        "# HELP cloudstack_security_updates_check_timestamp_seconds Unix time of the last check.\n"
        "# TYPE cloudstack_security_updates_check_timestamp_seconds gauge\n"
        "cloudstack_security_updates_check_timestamp_seconds %d\n" % (pending, since_value, int(now)))


def _read_int(path):
    try:
        with open(path, encoding="utf-8") as src:
            return int(src.read().strip() or 0)
    except (OSError, ValueError):
        return 0


def _write(path, text, mode=0o644):
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--textfile-dir", default="/var/lib/prometheus/node-exporter")
    parser.add_argument("--state-dir", default="/var/lib/cloudstack-infra")
    args = parser.parse_args(argv)
    env = dict(os.environ, LC_ALL="C", DEBIAN_FRONTEND="noninteractive")
    run = subprocess.run(["apt-get", "-s", "-q", "dist-upgrade"], capture_output=True, text=True, env=env,
                         check=False)
    if run.returncode != 0:
        sys.stderr.write("apt-get -s dist-upgrade failed (%d): %s\n" % (run.returncode, run.stderr.strip()))
        return 1
    now = time.time()
    packages = pending_security(run.stdout)
    since_path = os.path.join(args.state_dir, SINCE_FILE)
    since_value = since(len(packages), _read_int(since_path), now)
    os.makedirs(args.state_dir, exist_ok=True)
    os.makedirs(args.textfile_dir, exist_ok=True)
    _write(since_path, "%d\n" % since_value)
    _write(os.path.join(args.textfile_dir, PROM_FILE), render(len(packages), since_value, now))
    print("%d pending security update(s)%s" % (len(packages), (": " + " ".join(packages)) if packages else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
