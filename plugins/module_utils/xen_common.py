# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python logic behind the cloudstack.infra.xen_* modules.

Nothing here imports Ansible: every function takes a ``run`` callable with
the signature of ``AnsibleModule.run_command`` (``run(argv) -> (rc, out,
err)``), so that unit tests drive the real logic with recorded ``xe`` and
``xen-cmdline`` output.

Every ``ensure_*`` function reads first and writes only what differs. Writes
go through ``Xe.write``, which records the command line and, in check mode,
does not run it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

DOM0_MEM_RE = re.compile(r"^(?:dom0_mem=)?(?P<value>\S*)$")
SIZE_RE = re.compile(r"^(?P<num>\d+)(?P<unit>[bBkKmMgG]?)$")
NOT_IN_DB = "<not in database>"
BOND_MODES = ("balance-slb", "active-backup", "lacp")

# Options of every module that drives the xe CLI (documented once in the doc
# fragment cloudstack.infra.xen_cli).
XE_CLI_ARGUMENT_SPEC = dict(
    xe=dict(type="path", default="/opt/xensource/bin/xe"),
    inventory=dict(type="path", default="/etc/xensource-inventory"),
)


class XenCommandError(Exception):
    """An xe / xen-cmdline command failed."""

    def __init__(self, argv, rc, out, err):
        self.argv = list(argv)
        self.rc = rc
        self.out = out
        self.err = err
        super(XenCommandError, self).__init__(
            "command '%s' failed (rc=%s): %s" % (" ".join(argv), rc, (err or out).strip()))


class XenError(Exception):
    """Bad input or a host state the module refuses to change."""


class Xe(object):
    """Runs one CLI (xe by default), separating reads from writes."""

    def __init__(self, run, binary="xe", check_mode=False):
        self.run = run
        self.binary = binary
        self.check_mode = check_mode
        self.commands = []  # write commands issued (or that would be, in check mode)

    def _argv(self, args):
        return [self.binary] + [str(a) for a in args]

    def try_read(self, *args):
        argv = self._argv(args)
        rc, out, err = self.run(argv)
        return rc, out, err

    def read(self, *args):
        argv = self._argv(args)
        rc, out, err = self.run(argv)
        if rc != 0:
            raise XenCommandError(argv, rc, out, err)
        return out.strip()

    def write(self, *args):
        argv = self._argv(args)
        self.commands.append(" ".join(argv))
        if self.check_mode:
            return ""
        rc, out, err = self.run(argv)
        if rc != 0:
            raise XenCommandError(argv, rc, out, err)
        return out.strip()


def parse_minimal(out):
    """``xe ... --minimal`` prints a comma-separated list (empty: none)."""
    out = (out or "").strip()
    if not out:
        return []
    return [item.strip() for item in out.split(",") if item.strip()]


def parse_semicolon_list(out):
    """Set-valued params (e.g. ``slaves``) print ``a; b``."""
    out = (out or "").strip()
    if not out or out == NOT_IN_DB:
        return []
    return [item.strip() for item in out.split(";") if item.strip()]


def read_inventory_uuid(text):
    """Host UUID from /etc/xensource-inventory (``INSTALLATION_UUID='...'``)."""
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("INSTALLATION_UUID="):
            value = line.split("=", 1)[1].strip().strip("'\"")
            if value:
                return value
    raise XenError("INSTALLATION_UUID not found in the xensource inventory: "
                   "is this a XenServer / XCP-ng dom0?")


# ---------------------------------------------------------------- dom0 memory

def resolve_host_uuid(uuid, inventory_path):
    """The host UUID given, else this dom0's, read from the XenServer inventory file."""
    if uuid:
        return uuid
    try:
        with open(inventory_path) as handle:
            return read_inventory_uuid(handle.read())
    except (IOError, OSError) as exc:
        raise XenError("cannot read %s (%s): run on a XenServer / XCP-ng dom0 or give uuid"
                       % (inventory_path, exc))


def format_dom0_mem(memory_mb, max_mb=None):
    """``dom0_mem`` value for a fixed size: ``2940M,max:2940M``."""
    memory_mb = int(memory_mb)
    max_mb = memory_mb if max_mb is None else int(max_mb)
    if memory_mb <= 0 or max_mb < memory_mb:
        raise XenError("dom0 memory %s MB / max %s MB is not valid: use a positive "
                       "size with max >= size" % (memory_mb, max_mb))
    return "%dM,max:%dM" % (memory_mb, max_mb)


def _to_mb(size):
    m = SIZE_RE.match(size.strip())
    if not m:
        return None
    num = int(m.group("num"))
    unit = m.group("unit").upper()
    # Xen sizes without a unit are kB.
    factor = {"B": 1.0 / (1024 * 1024), "K": 1.0 / 1024, "": 1.0 / 1024,
              "M": 1, "G": 1024}[unit]
    return num * factor


def parse_dom0_mem(out):
    """Parse ``xen-cmdline --get-xen dom0_mem`` output.

    Returns ``(raw, size_mb, max_mb)``; raw is ``None`` when dom0_mem is not
    set on the Xen command line (empty output). size/max are ``None`` when
    they cannot be read (e.g. ``min:`` only).
    """
    text = (out or "").strip()
    if not text:
        return None, None, None
    # xen-cmdline prints "dom0_mem=<value>"; a line per key asked.
    line = text.splitlines()[-1].strip()
    m = DOM0_MEM_RE.match(line)
    if not m or not m.group("value"):
        return None, None, None
    raw = m.group("value")
    size_mb = max_mb = None
    for part in raw.split(","):
        if part.startswith("max:"):
            max_mb = _to_mb(part[4:])
        elif part.startswith("min:"):
            continue
        else:
            size_mb = _to_mb(part)
    return raw, size_mb, max_mb


def ensure_dom0_memory(xen_cmdline, memory_mb, max_mb=None):
    """Read dom0_mem and set it when it differs. Returns a result dict."""
    wanted = format_dom0_mem(memory_mb, max_mb)
    before_raw, before_size, before_max = parse_dom0_mem(
        xen_cmdline.read("--get-xen", "dom0_mem"))
    want_size = float(int(memory_mb))
    want_max = float(int(memory_mb if max_mb is None else max_mb))
    changed = not (before_size == want_size and before_max == want_max)
    if changed:
        xen_cmdline.write("--set-xen", "dom0_mem=%s" % wanted)
    return {
        "changed": changed,
        "reboot_required": changed,
        "before": before_raw,
        "after": wanted if changed else before_raw,
        "dom0_mem": wanted,
        "commands": list(xen_cmdline.commands),
        "diff": {"before": "dom0_mem=%s\n" % (before_raw or ""),
                 "after": "dom0_mem=%s\n" % (wanted if changed else before_raw or "")},
    }


# ----------------------------------------------------------- network backend

def parse_network_backend(text):
    """/etc/xensource/network.conf holds one word: ``bridge`` or ``openvswitch``."""
    word = (text or "").strip().lower()
    if word in ("vswitch", "openvswitch"):
        return "openvswitch"
    if word == "bridge":
        return "bridge"
    return word or None


def ensure_network_backend(switch, current_text, backend):
    """``switch`` runs xe-switch-network-backend; current_text is network.conf."""
    if backend not in ("bridge", "openvswitch"):
        raise XenError("network backend '%s' is not valid: use bridge or openvswitch" % backend)
    before = parse_network_backend(current_text)
    changed = before != backend
    if changed:
        switch.write(backend)
    return {
        "changed": changed,
        "reboot_required": changed,
        "before": before,
        "after": backend,
        "commands": list(switch.commands),
        "diff": {"before": "%s\n" % (before or ""), "after": "%s\n" % backend},
    }


# ------------------------------------------------------------- params, maps

def get_param(xe, cls, uuid, name):
    return xe.read("%s-param-get" % cls, "uuid=%s" % uuid, "param-name=%s" % name)


def get_map_key(xe, cls, uuid, name, key):
    """Value of a map key, or None when the key is absent."""
    rc, out, err = xe.try_read("%s-param-get" % cls, "uuid=%s" % uuid,
                               "param-name=%s" % name, "param-key=%s" % key)
    if rc == 0:
        return out.strip()
    if "not found" in (err + out).lower() or "key_not_found" in (err + out).lower():
        return None
    raise XenCommandError(xe._argv(["%s-param-get" % cls, "uuid=%s" % uuid,
                                    "param-name=%s" % name, "param-key=%s" % key]),
                          rc, out, err)


def ensure_map_keys(xe, cls, uuid, name, wanted):
    """Set map keys (e.g. other-config) that differ; one param-set for all."""
    before = {}
    sets = []
    for key in sorted(wanted):
        value = "%s" % wanted[key]
        current = get_map_key(xe, cls, uuid, name, key)
        before[key] = current
        if current != value:
            sets.append("%s:%s=%s" % (name, key, value))
    if sets:
        xe.write("%s-param-set" % cls, "uuid=%s" % uuid, *sets)
    after = dict((k, "%s" % v) for k, v in wanted.items())
    return bool(sets), before, after


def ensure_param(xe, cls, uuid, name, value):
    current = get_param(xe, cls, uuid, name)
    value = "%s" % value
    if current != value:
        xe.write("%s-param-set" % cls, "uuid=%s" % uuid, "%s=%s" % (name, value))
        return True, current
    return False, current


def find_pif(xe, host_uuid, device):
    pifs = parse_minimal(xe.read("pif-list", "host-uuid=%s" % host_uuid,
                                 "device=%s" % device, "--minimal"))
    if len(pifs) != 1:
        raise XenError("device '%s' has %d PIFs on host %s (expected 1): check the "
                       "device name in cloudstack_bonds / cloudstack_storage_interfaces"
                       % (device, len(pifs), host_uuid))
    return pifs[0]


def pool_master(xe):
    masters = parse_minimal(xe.read("pool-list", "params=master", "--minimal"))
    return masters[0] if masters else None


# --------------------------------------------------------------------- bonds

def ensure_bond(xe, host_uuid, name, devices, mode):
    """Bond ``devices`` on a network labelled ``name`` (created if absent)."""
    if mode not in BOND_MODES:
        raise XenError("bond '%s': mode '%s' is not a XenServer bond mode: use one of %s"
                       % (name, mode, ", ".join(BOND_MODES)))
    if len(devices) < 2:
        raise XenError("bond '%s' needs at least two devices, got %s" % (name, devices))
    result = {"changed": False, "network": name, "mode": mode, "created": False}
    pifs = [find_pif(xe, host_uuid, d) for d in devices]
    networks = parse_minimal(xe.read("network-list", "name-label=%s" % name, "--minimal"))
    if len(networks) > 1:
        raise XenError("more than one network is labelled '%s': labels must be unique" % name)
    if networks:
        net = networks[0]
        masters = parse_minimal(xe.read("pif-list", "host-uuid=%s" % host_uuid,
                                        "network-uuid=%s" % net, "--minimal"))
        bond = None
        for master in masters:
            bonds = parse_minimal(xe.read("bond-list", "master=%s" % master, "--minimal"))
            if bonds:
                bond = bonds[0]
        if bond:
            slaves = parse_semicolon_list(get_param(xe, "bond", bond, "slaves"))
            if sorted(slaves) != sorted(pifs):
                raise XenError(
                    "bond on network '%s' has members %s, wanted %s (devices %s): "
                    "re-bonding cuts traffic, destroy the bond by hand first"
                    % (name, sorted(slaves), sorted(pifs), devices))
            changed, before_mode = ensure_param(xe, "bond", bond, "mode", mode)
            result.update(changed=changed, bond=bond, before_mode=before_mode)
            return result
    else:
        net = xe.write("network-create", "name-label=%s" % name) or "<new network>"
    for pif in pifs:
        slave_of = get_param(xe, "pif", pif, "bond-slave-of")
        if slave_of and slave_of != NOT_IN_DB:
            raise XenError("PIF %s is already a member of bond %s: a NIC cannot be in "
                           "two bonds" % (pif, slave_of))
    bond = xe.write("bond-create", "network-uuid=%s" % net,
                    "pif-uuids=%s" % ",".join(pifs), "mode=%s" % mode)
    result.update(changed=True, created=True, bond=bond or None)
    return result


# -------------------------------------------------------------- storage PIFs

def ensure_storage_pif(xe, host_uuid, device, label, address, netmask, gateway=None):
    """A dedicated storage NIC: unique network label, static IP, purpose set."""
    changes = []
    pif = find_pif(xe, host_uuid, device)
    slave_of = get_param(xe, "pif", pif, "bond-slave-of")
    if slave_of and slave_of != NOT_IN_DB:
        raise XenError("storage device '%s' is a bond member (bond %s): storage NICs "
                       "must stay outside any bond" % (device, slave_of))
    net = get_param(xe, "pif", pif, "network-uuid")
    same_label = parse_minimal(xe.read("network-list", "name-label=%s" % label, "--minimal"))
    others = [n for n in same_label if n != net]
    if others:
        raise XenError("network label '%s' is already used by network %s: storage "
                       "network labels must be unique" % (label, ", ".join(others)))
    changed, before_label = ensure_param(xe, "network", net, "name-label", label)
    if changed:
        changes.append("label")
    cur = {
        "mode": get_param(xe, "pif", pif, "IP-configuration-mode"),
        "ip": get_param(xe, "pif", pif, "IP"),
        "netmask": get_param(xe, "pif", pif, "netmask"),
        "gateway": get_param(xe, "pif", pif, "gateway"),
    }
    want_gw = gateway or ""
    if (cur["mode"].lower() != "static" or cur["ip"] != address
            or cur["netmask"] != netmask or (gateway and cur["gateway"] != want_gw)):
        args = ["pif-reconfigure-ip", "uuid=%s" % pif, "mode=static",
                "IP=%s" % address, "netmask=%s" % netmask]
        if gateway:
            args.append("gateway=%s" % gateway)
        xe.write(*args)
        changes.append("ip")
    changed = ensure_map_keys(xe, "pif", pif, "other-config",
                              {"management_purpose": label})[0]
    if changed:
        changes.append("management_purpose")
    changed = ensure_param(xe, "pif", pif, "disallow-unplug", "true")[0]
    if changed:
        changes.append("disallow-unplug")
    return {
        "changed": bool(changes),
        "pif": pif,
        "network": net,
        "changes": changes,
        "before": {"label": before_label, "ip": cur["ip"], "netmask": cur["netmask"],
                   "mode": cur["mode"]},
        "after": {"label": label, "ip": address, "netmask": netmask, "mode": "Static"},
    }


# ----------------------------------------------------------- module main()

def values_text(values, prefix=""):
    """A diff side: one ``<prefix>key=value`` line per key, sorted."""
    return "".join("%s%s=%s\n" % (prefix, k, values[k]) for k in sorted(values))


def run_module(module, apply, tool="xe", host=False, missing=None):
    """The xen_* modules' main() once: ``module`` is their AnsibleModule.

    ``tool`` names the parameter holding the binary to drive; ``missing``
    (a message) refuses a run where that binary does not exist; ``host``
    resolves the host UUID (parameters ``uuid`` and ``inventory``).
    ``apply(xe, params, host_uuid)`` returns the result dict; its ``diff``
    is shown in diff mode only. A XenServer error fails the module.
    """
    params = module.params
    binary = params[tool]
    if missing is not None and not os.path.exists(binary):
        module.fail_json(msg=missing % binary)
    xe = Xe(module.run_command, binary=binary, check_mode=module.check_mode)
    try:
        uuid = resolve_host_uuid(params["uuid"], params["inventory"]) if host else None
        result = apply(xe, params, uuid)
    except (XenCommandError, XenError) as exc:
        module.fail_json(msg=str(exc))
    diff = result.pop("diff", None)
    if diff is not None and module._diff:
        result["diff"] = diff
    module.exit_json(**result)
