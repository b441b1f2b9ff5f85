"""STAND-IN for XenServer's `xe` CLI (NOT XenServer, NOT CloudStack).

Implements only the subcommands the cloudstack.infra xen_* modules issue, on a
JSON state file, and appends every invocation to /var/log/xe-standin.log so
that molecule verify can check which commands were issued. Its output formats
follow the documented xe formats (--minimal comma lists, single values from
*-param-get, "a; b" for set parameters, "Key K not found in map" errors); it
proves the role's task logic and idempotence, never XenServer's behaviour.
"""
import json
import os
import sys
import uuid as uuidlib

STATE = os.environ.get("XE_STANDIN_STATE", "/var/lib/xe-standin/state.json")
LOG = os.environ.get("XE_STANDIN_LOG", "/var/log/xe-standin.log")
NOT_IN_DB = "<not in database>"


def load():
    with open(STATE) as handle:
        return json.load(handle)


def save(state):
    tmp = STATE + ".tmp"
    with open(tmp, "w") as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
    os.rename(tmp, STATE)


def fail(msg, rc=1):
    sys.stderr.write(msg + "\n")
    sys.exit(rc)


def parse(args):
    kv, flags = {}, []
    for arg in args:
        if arg.startswith("--"):
            flags.append(arg)
        elif "=" in arg:
            key, value = arg.split("=", 1)
            kv[key] = value
        else:
            fail("Unknown argument: %s" % arg)
    return kv, flags


def new_uuid():
    return str(uuidlib.uuid4())


def fmt(value):
    if isinstance(value, list):
        return "; ".join(value)
    if isinstance(value, dict):
        return "; ".join("%s: %s" % kv for kv in sorted(value.items()))
    if value is None or value == "":
        return NOT_IN_DB if value is None else ""
    return str(value)


def main():
    argv = sys.argv[1:]
    with open(LOG, "a") as log:
        log.write("xe " + " ".join(argv) + "\n")
    if not argv:
        fail("Usage: xe <command> [args]")
    cmd, (kv, flags) = argv[0], parse(argv[1:])
    state = load()
    table_of = {"host": "hosts", "pif": "pifs", "network": "networks", "bond": "bonds"}

    if cmd.endswith("-list"):
        cls = cmd[:-5]
        if cls == "pool":
            print(state["pool_master"])
            return
        table = state[table_of[cls]]
        out = []
        for obj_uuid, obj in sorted(table.items()):
            if all(str(obj.get(k)) == v for k, v in kv.items() if k != "params"):
                out.append(obj_uuid)
        print(",".join(out))
        return

    if cmd.endswith("-param-get"):
        cls = cmd[:-10]
        obj = state[table_of[cls]].get(kv.get("uuid"))
        if obj is None:
            fail("The uuid you supplied was invalid.\ntype: %s\nuuid: %s" % (cls, kv.get("uuid")))
        value = obj.get(kv["param-name"])
        if "param-key" in kv:
            value = (value or {}).get(kv["param-key"])
            if value is None:
                fail("Error: Key %s not found in map" % kv["param-key"])
        print(fmt(value))
        return

    if cmd.endswith("-param-set"):
        cls = cmd[:-10]
        obj = state[table_of[cls]].get(kv.pop("uuid", None))
        if obj is None:
            fail("The uuid you supplied was invalid.")
        for key, value in kv.items():
            if ":" in key:
                mapname, mapkey = key.split(":", 1)
                obj.setdefault(mapname, {})[mapkey] = value
            else:
                obj[key] = value
        save(state)
        return

    if cmd == "network-create":
        net = new_uuid()
        state["networks"][net] = {"name-label": kv["name-label"], "other-config": {}}
        save(state)
        print(net)
        return

    if cmd == "bond-create":
        slaves = kv["pif-uuids"].split(",")
        host = state["pifs"][slaves[0]]["host-uuid"]
        master, bond = new_uuid(), new_uuid()
        state["pifs"][master] = {"device": "bond%d" % len(state["bonds"]), "host-uuid": host,
                                 "network-uuid": kv["network-uuid"], "bond-slave-of": None,
                                 "IP": "", "netmask": "", "gateway": "",
                                 "IP-configuration-mode": "None", "disallow-unplug": "false",
                                 "other-config": {}}
        for pif in slaves:
            state["pifs"][pif]["bond-slave-of"] = bond
        state["bonds"][bond] = {"master": master, "slaves": slaves,
                                "mode": kv.get("mode", "balance-slb")}
        save(state)
        print(bond)
        return

    if cmd == "pif-reconfigure-ip":
        pif = state["pifs"][kv["uuid"]]
        pif["IP-configuration-mode"] = kv["mode"].capitalize()
        pif["IP"] = kv.get("IP", "")
        pif["netmask"] = kv.get("netmask", "")
        pif["gateway"] = kv.get("gateway", "")
        save(state)
        return

    fail("Unknown command: %s" % cmd)


if __name__ == "__main__":
    main()
