"""Set the host faults of a stopped stand-in's state file.

    standin_hosts.py STATE [HOST ...]

The named hosts (CloudStack host names: the stand-in names a host by its
address) stay Disconnected after cancelHostMaintenance
(faults.hosts_stay_disconnected); with no HOST, no fault, and every host is
Up and Enabled again (what an operator's fix of the host would bring).
"""

import json
import sys


def main(path, hosts):
    with open(path, encoding="utf-8") as src:
        state = json.load(src)
    state.setdefault("faults", {})["hosts_stay_disconnected"] = list(hosts)
    if not hosts:
        for host in state.get("hosts", []):
            host["state"] = "Up"
            host["resourcestate"] = "Enabled"
    with open(path, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
