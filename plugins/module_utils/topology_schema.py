# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shape checks of the topology (rule CS001, "malformed input").

Plain Python, no Ansible import. ``check(value, spec, path, problems)``
walks a value against a small spec and returns a sanitised copy: anything
malformed is reported (with its path in the tree, e.g.
``cloudstack_zones[0].pods[1].clusters[0].hypervisr``) and left out of the
copy, so that the rules behind it only ever see well-typed data and never
raise. A list item that is malformed becomes ``None`` so indexes in later
messages stay the indexes the operator wrote.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import ipaddress

INVALID = object()


class Problem(object):
    """One malformed-input finding: a path in the tree and what is wrong."""

    __slots__ = ("path", "message", "hint")

    def __init__(self, path, message, hint):
        self.path = path
        self.message = message
        self.hint = hint

    def __repr__(self):
        return "Problem(%r, %r)" % (self.path, self.message)


def suggest(word, candidates, cutoff=0.75):
    """The closest candidate to ``word`` or None (difflib)."""
    lower = {}
    for cand in candidates:
        lower.setdefault(str(cand).lower(), cand)
    match = difflib.get_close_matches(str(word).lower(), list(lower), n=1,
                                      cutoff=cutoff)
    return lower[match[0]] if match else None


def _distance(a, b):
    """Levenshtein distance (small strings only)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1,
                           prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def typo_of(name, known, max_distance=2):
    """The known variable an unknown ``name`` is most likely a typo of.

    Stricter than suggest(): other roles own variables such as
    cloudstack_db_port or cloudstack_site_vpn_psk, which must not be taken
    for typos; a typo is at most two edits away and not an extension
    (``<known>_...``) of a known name.
    """
    best = None
    for cand in known:
        if name.startswith(cand + "_"):
            return None
        dist = _distance(name, cand)
        if dist <= max_distance and (best is None or dist < best[0]):
            best = (dist, cand)
    return best[1] if best else None


def type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def _show(value):
    text = repr(value) if not isinstance(value, str) else "'%s'" % value
    return text if len(text) <= 60 else text[:57] + "..."


# Spec constructors -------------------------------------------------------

def Dict(keys, required=(), open_keys=False):
    """A mapping: keys is {name: spec}; open_keys allows keys not listed."""
    return {"t": "dict", "keys": keys, "required": tuple(required),
            "open": open_keys}


def List(items, min_items=0):
    return {"t": "list", "items": items, "min": min_items}


def Scalar(kind, **kw):
    spec = {"t": kind}
    spec.update(kw)
    return spec


STR = Scalar("str")
BOOL = Scalar("bool")
INT0 = Scalar("int", min=0)
INT1 = Scalar("int", min=1)
NUM_POS = Scalar("num", gt=0)
IP = Scalar("ip")
CIDR = Scalar("cidr")
PORT = Scalar("int", min=1, max=65535)


def Enum(choices, fold=False):
    return Scalar("enum", choices=tuple(choices), fold=fold)


def _fail(problems, path, message, hint):
    problems.append(Problem(path, message, hint))
    return INVALID


def _bool(value, path, problems):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (
            "true", "yes", "false", "no"):
        return value.strip().lower() in ("true", "yes")
    return _fail(problems, path,
                 "%s must be a boolean, got %s %s" % (
                     path, type_name(value), _show(value)),
                 "write true or false")


def _int(value, spec, path, problems):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return _fail(problems, path, "%s must be an integer, got %s %s" % (
            path, type_name(value), _show(value)), "write a whole number")
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return _fail(problems, path, "%s must be an integer, got %s" % (
                path, _show(value)), "write a whole number")
    if "min" in spec and value < spec["min"]:
        return _fail(problems, path, "%s must be >= %d, got %d" % (
            path, spec["min"], value), "use a value of at least %d"
            % spec["min"])
    if "max" in spec and value > spec["max"]:
        return _fail(problems, path, "%s must be <= %d, got %d" % (
            path, spec["max"], value), "use a value of at most %d"
            % spec["max"])
    return value


def _num(value, spec, path, problems):
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _fail(problems, path, "%s must be a number, got %s %s" % (
            path, type_name(value), _show(value)), "write a number such as 1.0")
    if "gt" in spec and not value > spec["gt"]:
        return _fail(problems, path, "%s must be > %s, got %s" % (
            path, spec["gt"], value), "use a positive number")
    return value


def _ip(value, path, problems):
    if not isinstance(value, str):
        return _fail(problems, path, "%s must be an IP address string, got "
                     "%s %s" % (path, type_name(value), _show(value)),
                     "quote the address, e.g. '10.10.0.21'")
    try:
        if ":" not in value:
            return ipaddress.IPv4Address(value.strip())
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return _fail(problems, path, "%s is not an IP address: %s" % (
            path, _show(value)), "write a single address such as 10.10.0.21 "
            "(no prefix length)")


def _cidr(value, path, problems):
    if not isinstance(value, str):
        return _fail(problems, path, "%s must be a CIDR string, got %s %s" % (
            path, type_name(value), _show(value)),
            "write a network such as 10.10.0.0/24")
    text = value.strip()
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return _fail(problems, path, "%s is not a CIDR network: %s" % (
                path, _show(value)), "write a network such as 10.10.0.0/24")
        return _fail(problems, path, "%s has host bits set: %s" % (
            path, _show(value)), "did you mean %s?" % loose)


def _enum(value, spec, path, problems):
    choices = spec["choices"]
    if isinstance(value, str):
        if value in choices:
            return value
        if spec.get("fold"):
            for choice in choices:
                if choice.lower() == value.strip().lower():
                    return choice
    near = suggest(value, choices, 0.6) if isinstance(value, str) else None
    hint = ("did you mean '%s'?" % near) if near else (
        "use one of: %s" % ", ".join(choices))
    return _fail(problems, path, "%s: unknown value %s (known: %s)" % (
        path, _show(value), ", ".join(choices)), hint)


def check(value, spec, path, problems):
    """Sanitised copy of ``value`` (INVALID when unusable); appends Problems."""
    kind = spec["t"]
    if kind == "dict":
        if not isinstance(value, dict):
            return _fail(problems, path, "%s must be a mapping, got %s %s" % (
                path, type_name(value), _show(value)),
                "write it as key: value pairs")
        out = {}
        keys = spec["keys"]
        for key in value:
            sub = "%s.%s" % (path, key) if path else str(key)
            if key not in keys:
                if spec["open"]:
                    out[key] = value[key]
                    continue
                near = suggest(key, keys)
                hint = ("did you mean `%s`?" % near) if near else (
                    "known keys: %s" % ", ".join(sorted(keys)))
                _fail(problems, sub, "unknown key `%s` at %s" % (key, sub),
                      hint)
                continue
            checked = check(value[key], keys[key], sub, problems)
            if checked is not INVALID:
                out[key] = checked
        for key in spec["required"]:
            if key not in value:
                sub = "%s.%s" % (path, key) if path else key
                _fail(problems, sub, "required key `%s` is missing at %s" % (
                    key, path or "top level"), "add `%s`" % key)
        return out
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            return _fail(problems, path, "%s must be a list, got %s %s" % (
                path, type_name(value), _show(value)),
                "write it as a YAML list (- item)")
        out = []
        for index, item in enumerate(value):
            checked = check(item, spec["items"], "%s[%d]" % (path, index),
                            problems)
            out.append(None if checked is INVALID else checked)
        if len(value) < spec["min"]:
            _fail(problems, path, "%s must have at least %d item(s), got %d"
                  % (path, spec["min"], len(value)),
                  "add at least %d entry" % spec["min"])
        return out
    if kind in ("any", "hv"):
        return value
    if value is None:
        return _fail(problems, path, "%s is empty (null)" % path,
                     "give it a value or remove the key")
    if kind == "str":
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        return _fail(problems, path, "%s must be a non-empty string, got %s %s"
                     % (path, type_name(value), _show(value)), "write a name")
    if kind == "bool":
        return _bool(value, path, problems)
    if kind == "int":
        return _int(value, spec, path, problems)
    if kind == "num":
        return _num(value, spec, path, problems)
    if kind == "ip":
        return _ip(value, path, problems)
    if kind == "cidr":
        return _cidr(value, path, problems)
    if kind == "enum":
        return _enum(value, spec, path, problems)
    raise ValueError("unknown spec kind %r" % kind)


# The contract's inventory shape ------------------------------------------

NETWORK = Dict({"cidr": CIDR, "gateway": IP}, required=("cidr",))
STORAGE_NETWORK = Dict({"name": STR, "cidr": CIDR, "gateway": IP},
                       required=("name", "cidr"))

FEATURE_KEYS = ("network_throttling", "security_groups_basic_zone", "iscsi",
                "fibre_channel", "local_disk", "ha", "snapshots_local_disk",
                "local_disk_as_data_disk", "workload_balancing",
                "live_migration", "link_local_vr")

PRIMARY_STORAGE = Dict({
    "name": STR,
    "type": Enum(("nfs", "iscsi", "fc", "shared_mountpoint", "local", "smb",
                  "clvm", "vmfs", "presetup"), fold=True),
    "server": STR,
    "path": STR,
    "target": STR,
    "lun": INT0,
    "size_tb": NUM_POS,
    "multipath": BOOL,
    "tags": List(STR),
}, required=("name", "type"))

CLUSTER = Dict({
    "name": STR,
    "hypervisor": Scalar("hv"),           # checked by CS104, not here
    "hosts": Scalar("any"),               # checked by CS107/CS103
    "max_instances_per_host": INT1,
    "host_failures_to_tolerate": INT0,
    "planned_instances": INT0,
    "instance_memory_mb": INT1,
    "overprovisioning": Dict({"cpu": NUM_POS, "memory": NUM_POS,
                              "storage": NUM_POS}),
    "features": List(Enum(FEATURE_KEYS)),
    "primary_storage": List(PRIMARY_STORAGE),
}, required=("name", "hypervisor", "max_instances_per_host"))

POD = Dict({
    "name": STR,
    "clusters": List(CLUSTER),
    "gateway": IP,
    "cidr": CIDR,
}, required=("name", "clusters"))

ZONE = Dict({
    "name": STR,
    "site": STR,
    "network_type": Enum(("basic", "advanced"), fold=True),
    "security_groups": BOOL,
    "networks": Dict({
        "management": NETWORK,
        "storage": List(STORAGE_NETWORK),
        "public": NETWORK,
        "guest": NETWORK,
    }, required=("management",)),
    "secondary_storage": List(Dict({"server": STR, "path": STR,
                                    "size_gb": NUM_POS},
                                   required=("server", "path", "size_gb"))),
    "pods": List(POD),
    "dns": List(IP),
    "internal_dns": List(IP),
}, required=("name", "networks", "pods"))

BOND = Dict({"name": STR, "mode": STR, "members": List(STR)},
            required=("name", "members"))
STORAGE_INTERFACE = Dict({"network": STR, "device": STR, "address": IP},
                         required=("network", "device", "address"))
FORWARD = Dict({"port": PORT, "to_port": PORT,
                "proto": Enum(("tcp", "udp"), fold=True)},
               required=("port",), open_keys=True)

# Global (group_vars/all) keys the validator reads.
GLOBAL_SPECS = {
    "cloudstack_version": STR,
    "cloudstack_sites": List(Dict({"name": STR}, required=("name",),
                                  open_keys=True)),
    "cloudstack_mgmt_lb_external": BOOL,
    "cloudstack_zones": List(ZONE, min_items=1),
    "cloudstack_cluster_max_hosts": Scalar("any"),   # checked in the engine
    "cloudstack_db_max_connections": INT1,
    "cloudstack_db_dr": BOOL,
    "cloudstack_site_vpn": Dict({"enabled": BOOL}, open_keys=True),
    "cloudstack_host_allowed_sources": List(STR),
    "cloudstack_nfs_export_clients": List(STR),
    "cloudstack_firewall_forwards": List(FORWARD),
}

# Per-host keys the validator reads (any of the global keys may also be set
# per host or per group; they are checked with the same specs).
HOST_SPECS = {
    "cloudstack_management_address": IP,
    "cloudstack_bonds": List(BOND),
    "cloudstack_management_device": STR,
    "cloudstack_guest_device": STR,
    "cloudstack_storage_interfaces": List(STORAGE_INTERFACE),
    "cloudstack_xen_dom0_memory_mb": INT1,
    "cloudstack_site": STR,
}

SECRET_KEYS = ("cloudstack_db_password", "cloudstack_db_root_password",
               "cloudstack_db_replication_password")

KNOWN_KEYS = tuple(sorted(set(GLOBAL_SPECS) | set(HOST_SPECS)
                          | set(SECRET_KEYS)))
