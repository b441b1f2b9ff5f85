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

import datetime
import difflib
import ipaddress
import math
import re

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D

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
    if not isinstance(word, str):
        return None
    lower = {}
    for cand in candidates:
        lower.setdefault(str(cand).lower(), cand)
    match = difflib.get_close_matches(str(word).lower(), list(lower), n=1,
                                      cutoff=cutoff)
    return lower[match[0]] if match else None


class NameIndex(object):
    """suggest() over many names (e.g. every host of the inventory) for many
    words, in near-linear time.

    suggest() runs difflib over every candidate: once per unknown host name
    that is n x m. Up to SMALL candidates this does exactly that. Beyond,
    an index of every name with one character deleted (and the name itself)
    finds the names within about two edits of a word (a deletion, insertion,
    substitution or swap on each side), and difflib ranks only those: the
    typos a "did you mean" is for.
    """

    SMALL = 500

    def __init__(self, candidates):
        self.lower = {}
        for cand in sorted(candidates):
            self.lower.setdefault(str(cand).lower(), cand)
        self.index = None
        if len(self.lower) > self.SMALL:
            self.index = {}
            for name in self.lower:
                for variant in self._variants(name):
                    self.index.setdefault(variant, []).append(name)

    @staticmethod
    def _variants(name):
        out = set([name])
        for i in range(len(name)):
            out.add(name[:i] + name[i + 1:])
        return out

    def suggest(self, word, cutoff=0.75):
        if not isinstance(word, str):
            return None
        word = word.lower()
        if self.index is None:
            pool = list(self.lower)
        else:
            pool = set()
            for variant in self._variants(word):
                pool.update(self.index.get(variant, ()))
            pool = sorted(pool)
        match = difflib.get_close_matches(word, pool, n=1, cutoff=cutoff)
        return self.lower[match[0]] if match else None


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


# Bounds: no real inventory comes near them, and they keep every number the
# rules compute with small (an integer of hundreds of digits cannot be
# turned into a float; one of thousands cannot even be printed).
MAX_COUNT = 10 ** 6          # instances, hosts, failures, connections, LUN
MAX_MB = 2 ** 30             # memory sizes in MiB (1 PiB)
MAX_GB = 10 ** 9             # secondary storage (1 EB)
MAX_TB = 10 ** 6             # primary storage (1 EB)
MAX_RATIO = 1000             # over-provisioning factors
MAX_INT = 10 ** 9            # any other whole number
BIG_DIGITS = 30              # numbers shown by their length beyond this

ASCII_INT = re.compile(r"^[+-]?[0-9]+$")
ASCII_NUM = re.compile(r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")


def type_name(value):
    """What a value is, in the operator's words (never a class name)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, datetime.datetime):
        return "a date and time"
    if isinstance(value, datetime.date):
        return "a date"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return "a value of another kind"


def _digits(value):
    """Number of decimal digits of an int, without str() (which refuses
    ints of more than 4300 digits)."""
    return max(1, int(abs(value).bit_length() * 0.30103) + 1)


def _render(value, budget, seen):
    """Bounded, class-name-free rendering of a value (for messages)."""
    if budget[0] <= 0:
        return "..."
    if value is None:
        text = "null"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = ("a %d-digit number" % _digits(value)) if abs(value) >= \
            10 ** BIG_DIGITS else "%d" % value
    elif isinstance(value, float):
        text = repr(float(value))
    elif isinstance(value, str):
        text = repr("" + value[:80])
    elif isinstance(value, datetime.datetime):
        text = value.isoformat()
    elif isinstance(value, datetime.date):
        text = value.isoformat()
    elif isinstance(value, (dict, list, tuple)):
        if id(value) in seen:
            return "(itself)"
        seen = seen | {id(value)}
        parts = []
        budget[0] -= 2
        items = value.items() if isinstance(value, dict) else \
            ((None, v) for v in value)
        for key, item in items:
            if budget[0] <= 0:
                parts.append("...")
                break
            part = _render(item, budget, seen)
            if isinstance(value, dict):
                part = "%s: %s" % (_render(key, budget, seen), part)
            parts.append(part)
        if isinstance(value, dict):
            return "{%s}" % ", ".join(parts)
        return "[%s]" % ", ".join(parts)
    else:
        text = type_name(value)
    budget[0] -= len(text) + 2
    return text


def _show(value):
    text = _render(value, [60], frozenset())
    return text if len(text) <= 60 else text[:57] + "..."


def key_text(key):
    """A mapping key as text for a path (keys may be of any type)."""
    if isinstance(key, str):
        return "" + key
    return _render(key, [40], frozenset())


def _got(value):
    """'got <what> <value>' for a message."""
    what = type_name(value)
    if value is None or isinstance(value, (dict, list, tuple)) and not value:
        return what if value is None else "an empty %s" % what[2:]
    if what == "a value of another kind" or isinstance(value, (bytes,
                                                               bytearray)):
        return what
    return "%s %s" % (what, _show(value))


# Spec constructors -------------------------------------------------------

def Dict(keys, required=(), open_keys=False, what="a mapping"):
    """A mapping: keys is {name: spec}; open_keys allows keys not listed."""
    return {"t": "dict", "keys": keys, "required": tuple(required),
            "open": open_keys, "what": what}


def List(items, min_items=0, what=None):
    """A list; ``what`` names its items ("zones": "a list of zones")."""
    return {"t": "list", "items": items, "min": min_items,
            "what": ("a list of %s" % what) if what else "a list"}


def Scalar(kind, **kw):
    spec = {"t": kind}
    spec.update(kw)
    return spec


def Nullable(spec):
    out = dict(spec)
    out["null"] = True
    return out


STR = Scalar("str")
BOOL = Scalar("bool")
INT0 = Scalar("int", min=0, max=MAX_COUNT)
INT1 = Scalar("int", min=1, max=MAX_COUNT)
MB = Scalar("int", min=1, max=MAX_MB)
NUM_POS = Scalar("num", gt=0, max=MAX_INT)
RATIO = Scalar("num", gt=0, max=MAX_RATIO)
IP = Scalar("ip")
CIDR = Scalar("cidr")
NET = Scalar("net")
PORT = Scalar("int", min=1, max=65535)
SECRET = Scalar("secret")


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
    return _fail(problems, path, "%s must be true or false, got %s" % (
        path, _got(value)), "write true or false")


def _bounds(value, spec, path, problems, low_key="min"):
    low = spec.get(low_key)
    high = spec.get("max", MAX_INT)
    if low is not None and value < low:
        return _fail(problems, path, "%s must be at least %s, got %s" % (
            path, low, _show(value)), "use a value of at least %s" % low)
    if value > high:
        return _fail(problems, path, "%s must be at most %s, got %s" % (
            path, high, _show(value)), "use a real size: at most %s" % high)
    return value


def _int(value, spec, path, problems):
    if isinstance(value, str):
        text = value.strip()
        if ASCII_INT.match(text):
            if len(text.lstrip("+-")) > 20:
                return _fail(problems, path, "%s must be at most %s, got a "
                             "%d-digit number" % (path, spec.get(
                                 "max", MAX_INT), len(text.lstrip("+-"))),
                             "use a real size")
            value = int(text)
        elif any(c.isdigit() for c in text) and all(
                c.isdigit() or c in "+-" for c in text) and len(text) <= 20:
            return _fail(problems, path, "%s must be a whole number written "
                         "with the digits 0-9, got %s" % (path, _show(value)),
                         "write the number with the digits 0-9")
    if isinstance(value, bool) or not isinstance(value, int):
        return _fail(problems, path, "%s must be a whole number, got %s" % (
            path, _got(value)), "write a whole number")
    return _bounds(value, spec, path, problems)


def _num(value, spec, path, problems):
    if isinstance(value, str):
        text = value.strip()
        if ASCII_NUM.match(text) and len(text) <= 40:
            value = float(text)
        elif any(c.isdigit() for c in text) and len(text) <= 40 and all(
                c.isdigit() or c in "+-.eE" for c in text):
            return _fail(problems, path, "%s must be a number written with "
                         "the digits 0-9, got %s" % (path, _show(value)),
                         "write the number with the digits 0-9, e.g. 1.5")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return _fail(problems, path, "%s must be a number, got %s" % (
            path, _got(value)), "write a number such as 1.0")
    if isinstance(value, float) and not math.isfinite(value):
        return _fail(problems, path, "%s must be a finite number, got %s" % (
            path, _show(value)), "write a number such as 1.0")
    if "gt" in spec and not value > spec["gt"]:
        return _fail(problems, path, "%s must be greater than %s, got %s" % (
            path, spec["gt"], _show(value)), "use a positive number")
    return _bounds(value, spec, path, problems)


def _ip(value, path, problems):
    if not isinstance(value, str):
        return _fail(problems, path, "%s must be an IPv4 or IPv6 address, "
                     "got %s" % (path, _got(value)),
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
        return _fail(problems, path, "%s must be a network in CIDR notation, "
                     "got %s" % (path, _got(value)),
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


def _net(value, path, problems):
    """An address or a network (host bits allowed), kept as written."""
    if isinstance(value, str):
        try:
            ipaddress.ip_network(value.strip(), strict=False)
            return value
        except ValueError:
            pass
    return _fail(problems, path, "%s must be an IP address or network (e.g. "
                 "10.10.0.50 or 10.10.0.0/24), got %s" % (path, _got(value)),
                 "write an address or a CIDR network; `any` is not allowed")


def _str(value, path, problems):
    if isinstance(value, str) and value.strip():
        return value
    if isinstance(value, int) and not isinstance(value, bool) and \
            abs(value) < 10 ** BIG_DIGITS:
        return "%d" % value
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    if isinstance(value, str):
        return _fail(problems, path, "%s must be non-empty text" % path,
                     "write a name")
    return _fail(problems, path, "%s must be text, got %s" % (
        path, _got(value)), "write a name")


def _secret(value, path, problems):
    """Secrets: text (or a number), or null; the value is never shown."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) >= 10 ** BIG_DIGITS:
            return _fail(problems, path, "%s must be text, got a very long "
                         "number" % path, "quote the secret")
        return "%r" % value
    return _fail(problems, path, "%s must be text, got %s (the value is not "
                 "shown)" % (path, type_name(value)),
                 "set %s to a single secret string (e.g. from Ansible Vault)"
                 % path)


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
    if isinstance(value, str):
        return _fail(problems, path, "%s: unknown value %s (known: %s)" % (
            path, _show(value), ", ".join(choices)), hint)
    return _fail(problems, path, "%s must be one of %s, got %s" % (
        path, ", ".join(choices), _got(value)), hint)


def expected(spec):
    """What a spec wants, in the operator's words."""
    kind = spec["t"]
    if kind in ("dict", "list"):
        return spec["what"]
    return {"str": "text", "bool": "true or false", "int": "a whole number",
            "num": "a number", "ip": "an IPv4 or IPv6 address",
            "cidr": "a network in CIDR notation", "secret": "text",
            "net": "an IP address or network", "enum": "one of %s" % ", ".join(
                spec.get("choices", ()))}.get(kind, "a value")


def _dict(value, spec, path, problems):
    if not isinstance(value, dict):
        return _fail(problems, path, "%s must be %s, got %s" % (
            path, spec["what"], _got(value)), "write it as key: value pairs")
    out = {}
    keys = spec["keys"]
    guessed = set()
    for key in value:
        sub = "%s.%s" % (path, key_text(key)) if path else key_text(key)
        if key not in keys:
            if spec["open"]:
                out[key] = value[key]
                continue
            near = suggest(key_text(key), keys)
            if near and near not in value:
                guessed.add(near)
            hint = ("did you mean `%s`?" % near) if near else (
                "known keys: %s" % ", ".join(sorted(keys)))
            _fail(problems, sub, "unknown key `%s` at %s" % (
                key_text(key), sub), hint)
            continue
        checked = check(value[key], keys[key], sub, problems)
        if checked is not INVALID:
            out[key] = checked
    for key in spec["required"]:
        # a misspelt key already said "did you mean `key`": one finding
        if key not in value and key not in guessed:
            sub = "%s.%s" % (path, key) if path else key
            _fail(problems, sub, "required key `%s` is missing at %s" % (
                key, path or "top level"), "add `%s`" % key)
    return out


def _list(value, spec, path, problems):
    if not isinstance(value, (list, tuple)):
        return _fail(problems, path, "%s must be %s, got %s" % (
            path, spec["what"], _got(value)),
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


def check(value, spec, path, problems):
    """Sanitised copy of ``value`` (INVALID when unusable); appends Problems."""
    kind = spec["t"]
    if kind == "dict":
        return _dict(value, spec, path, problems)
    if kind == "list":
        return _list(value, spec, path, problems)
    if kind in ("any", "hv"):
        return value
    if kind == "secret":
        return _secret(value, path, problems)
    if value is None:
        if spec.get("null"):
            return None
        return _fail(problems, path, "%s is empty (null); it must be %s" % (
            path, expected(spec)), "give it a value or remove the key")
    if kind == "str":
        return _str(value, path, problems)
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
    if kind == "net":
        return _net(value, path, problems)
    if kind == "enum":
        return _enum(value, spec, path, problems)
    raise ValueError("unknown spec kind %r" % kind)


# The contract's inventory shape ------------------------------------------

NETWORK = Dict({"cidr": CIDR, "gateway": IP}, required=("cidr",),
               what="a mapping with cidr and gateway")
# the public network: the range CloudStack hands to virtual routers
# (start..end; default: the upper half of cidr) and its VLAN
PUBLIC_NETWORK = Dict({"cidr": CIDR, "gateway": IP, "start": IP, "end": IP,
                       "vlan": Scalar("int", min=1, max=4094)},
                      required=("cidr",),
                      what="a mapping with cidr, gateway (start, end, vlan)")
# the guest network: cidr (advanced zones' guest CIDR, basic zones' shared
# guest network) and the VLAN range of isolated guest networks ("500-599")
GUEST_NETWORK = Dict({"cidr": CIDR, "gateway": IP, "vlan_range": STR},
                     required=("cidr",),
                     what="a mapping with cidr (gateway, vlan_range)")
STORAGE_NETWORK = Dict({"name": STR, "cidr": CIDR, "gateway": IP},
                       required=("name", "cidr"),
                       what="a storage network (name, cidr, gateway)")

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
    "size_tb": Scalar("num", gt=0, max=MAX_TB),
    "multipath": BOOL,
    "tags": List(STR, what="tags"),
    "portal": IP,
}, required=("name", "type"), what="a primary storage pool (a mapping)")

CLUSTER = Dict({
    "name": STR,
    "hypervisor": Scalar("hv"),           # checked by CS104, not here
    "hosts": Scalar("any"),               # checked by CS107/CS103
    "max_instances_per_host": INT1,
    "host_failures_to_tolerate": INT0,
    "planned_instances": INT0,
    "instance_memory_mb": MB,
    "overprovisioning": Dict({"cpu": RATIO, "memory": RATIO,
                              "storage": RATIO}),
    "features": List(Enum(FEATURE_KEYS), what="feature names"),
    "primary_storage": List(PRIMARY_STORAGE, what="primary storage pools"),
}, required=("name", "hypervisor", "max_instances_per_host"),
    what="a cluster (a mapping)")

POD = Dict({
    "name": STR,
    "clusters": List(CLUSTER, what="clusters"),
    "gateway": IP,
    "cidr": CIDR,
    # the pod's reserved system range (system VMs' management addresses;
    # default: the upper quarter of the pod's or zone's management network)
    "start": IP,
    "end": IP,
    # basic zones: the pod's range of the shared guest network
    "guest_start": IP,
    "guest_end": IP,
}, required=("name", "clusters"), what="a pod (a mapping)")

ZONE = Dict({
    "name": STR,
    "site": STR,
    "network_type": Enum(("basic", "advanced"), fold=True),
    "security_groups": BOOL,
    "networks": Dict({
        "management": NETWORK,
        "storage": List(STORAGE_NETWORK, what="storage networks"),
        "public": PUBLIC_NETWORK,
        "guest": GUEST_NETWORK,
    }, required=("management",)),
    "secondary_storage": List(Dict({"server": STR, "path": STR,
                                    "size_gb": Scalar("num", gt=0,
                                                      max=MAX_GB)},
                                   required=("server", "path", "size_gb")),
                              what="secondary storage entries"),
    "pods": List(POD, what="pods"),
    "dns": List(IP, what="IP addresses"),
    "internal_dns": List(IP, what="IP addresses"),
}, required=("name", "networks", "pods"), what="a zone (a mapping)")

BOND = Dict({"name": STR, "mode": STR, "members": List(STR, what="NIC names")},
            required=("name", "members"), what="a bond (a mapping)")
STORAGE_INTERFACE = Dict({"network": STR, "device": STR, "address": IP},
                         required=("network", "device", "address"),
                         what="a storage interface (a mapping)")
# the keys the firewall role reads (firewall_rules.normalize_forwards)
FORWARD = Dict({"port": PORT, "to_port": PORT,
                "proto": Enum(("tcp", "udp"), fold=True)},
               required=("port",), what="a forward (port, to_port, proto)")

# Global (group_vars/all) keys the validator reads.
GLOBAL_SPECS = {
    "cloudstack_version": STR,
    "cloudstack_sites": List(Dict({"name": STR}, required=("name",),
                                  open_keys=True, what="a site (a mapping)"),
                             what="sites"),
    "cloudstack_mgmt_lb_external": BOOL,
    "cloudstack_zones": List(ZONE, min_items=1, what="zones"),
    "cloudstack_cluster_max_hosts": Scalar("any"),   # checked in the engine
    "cloudstack_db_max_connections": INT1,
    "cloudstack_db_dr": BOOL,
    "cloudstack_site_vpn": Dict({"enabled": BOOL}, open_keys=True),
    "cloudstack_host_allowed_sources": List(NET, what="addresses or "
                                            "networks"),
    # external monitoring software that scrapes the exporters (besides the
    # cloudstack_monitoring hosts; rule CS503 refuses "anywhere")
    "cloudstack_monitoring_sources": List(NET, what="addresses or "
                                          "networks"),
    "cloudstack_nfs_export_clients": List(STR, what="clients"),
    "cloudstack_firewall_forwards": List(FORWARD, what="forwards"),
    "cloudstack_lb_vip": IP,
    "cloudstack_mgmt_https": BOOL,
    "cloudstack_mgmt_integration_api": BOOL,
    "cloudstack_iscsi_initiator_iqn_prefix": STR,
    # the API tier (cloudstack.infra.cloud): the endpoint and the operator's
    # disk offerings (sizes within CS211's bounds)
    "cloudstack_api_url": STR,
    "cloudstack_disk_offerings": List(Dict({
        "name": STR, "display_text": STR,
        "disk_size_gb": Scalar("int", min=0, max=MAX_COUNT),
        "storage_type": Enum(("shared", "local"), fold=True),
        "tags": List(STR, what="tags")},
        required=("name", "disk_size_gb"),
        what="a disk offering (name, disk_size_gb)"), what="disk offerings"),
}

# Per-host keys the validator reads (any of the global keys may also be set
# per host or per group; they are checked with the same specs).
HOST_SPECS = {
    "cloudstack_management_address": IP,
    "cloudstack_bonds": List(BOND, what="bonds"),
    "cloudstack_management_device": STR,
    "cloudstack_guest_device": STR,
    "cloudstack_storage_interfaces": List(STORAGE_INTERFACE,
                                          what="storage interfaces"),
    "cloudstack_xen_dom0_memory_mb": MB,
    "cloudstack_site": STR,
    "cloudstack_iscsi_initiator_iqn": STR,
    "cloudstack_usage_server": BOOL,
    # checked by CS407 (a whole number in 1..4294967295)
    "cloudstack_db_server_id": Scalar("any"),
    "database_server_id": Scalar("any"),
    # CS110: TLS of the database tier (the database role's), and its opt-out
    "database_tls": BOOL,
    "database_tls_insecure_ok": BOOL,
}

# Keys that describe the whole cloud: one value, set in group_vars/all (or
# with -e). A copy in a group's or host's variables would be what the roles
# of those hosts read while the validator checks the other one (CS002).
GLOBAL_ONLY_KEYS = ("cloudstack_zones", "cloudstack_sites",
                    "cloudstack_version", "cloudstack_mgmt_lb_external",
                    "cloudstack_cluster_max_hosts", "cloudstack_db_dr",
                    "cloudstack_mgmt_https", "cloudstack_mgmt_integration_api",
                    "cloudstack_disk_offerings",
                    "cloudstack_monitoring_sources")

SECRET_KEYS = D.SECRET_VARS

KNOWN_KEYS = tuple(sorted(set(GLOBAL_SPECS) | set(HOST_SPECS)
                          | set(SECRET_KEYS)))

# What cloudstack.infra.host_preflight returns (check_host_facts).
FACTS = Dict({
    "virtualization_flags": List(STR, what="CPU flags"),
    "cpu_model": Nullable(STR),
    "fqdn": Nullable(STR),
    "fqdn_resolves": BOOL,
    "time_synchronized": Nullable(BOOL),
    "time_source": Nullable(STR),
    "root_size_mb": Nullable(Scalar("int", min=0, max=MAX_MB)),
    "root_free_mb": Nullable(Scalar("int", min=0, max=MAX_MB)),
    "memtotal_mb": Nullable(Scalar("int", min=0, max=MAX_MB)),
}, what="a mapping of preflight facts (what host_preflight returns)")

# cloudstack_preflight_thresholds / the thresholds option; null: default.
THRESHOLDS = Dict({
    "root_min_free_gb": Nullable(Scalar("num", min=0, max=MAX_TB * 1024)),
    "root_max_used_percent": Nullable(Scalar("num", min=0, max=100)),
    "instance_memory_mb": Nullable(MB),
}, what="a mapping of thresholds (e.g. {root_min_free_gb: 20})")
