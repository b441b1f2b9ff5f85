"""Set the running instances of one cluster in a stopped stand-in's state file.

    seed_vms.py STATE CLUSTER COUNT

Replaces the virtual machines seeded on CLUSTER's first host by COUNT
running ones (STAND-IN state: tests/cloudstack_standin/server.py reads
virtualmachines from its state file at start).
"""

import json
import sys
import uuid


def main(path, cluster, count):
    with open(path, encoding="utf-8") as src:
        state = json.load(src)
    hosts = [h for h in state["hosts"] if h["clustername"] == cluster]
    if not hosts:
        raise SystemExit("no host of cluster %s in %s" % (cluster, path))
    host = hosts[0]
    keep = [vm for vm in state.get("virtualmachines", []) if not vm["name"].startswith("capacity-%s-" % cluster)]
    for n in range(count):
        keep.append({"id": str(uuid.uuid4()), "name": "capacity-%s-%03d" % (cluster, n), "displayname": "seeded",
                     "state": "Running", "zoneid": host["zoneid"], "zonename": host["zonename"],
                     "podid": host["podid"], "hostid": host["id"], "hostname": host["name"],
                     "clusterid": host["clusterid"], "hypervisor": host["hypervisor"]})
    state["virtualmachines"] = keep
    with open(path, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
