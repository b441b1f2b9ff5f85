# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the storage tier derives from the topology (plain Python).

No Ansible import at module level: the roles call these functions through the
thin filters in plugins/filter/storage_filters.py, and tests/unit/
test_storage_topology.py calls them directly.

NFS: which directories this host exports (every primary_storage of type nfs
and every secondary_storage whose ``server`` is this host, across all zones,
pods and clusters), to which clients, with which options; whether the
filesystems under them are big enough (secondary: at least 100 GB or the
size_gb the topology claims) and not too big (primary: at most 6 TB).

iSCSI: which targets this host serves (primary_storage entries of type iscsi),
their LUN, portals (one per storage network of the zone) and ACLs (the
initiator IQNs of the hosts of the clusters that use the LUN); and the
targetcli commands that turn the saved LIO configuration
(saveconfig.json) into that state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_data import (
    PRIMARY_STORAGE_MAX_TB as PRIMARY_MAX_TB,
    SECONDARY_STORAGE_MIN_GB as SECONDARY_MIN_GB,
)

# IQN syntax, once (topology_data); the storage_iqn_valid filter reads it here
IQN_RE = D.IQN_RE
GB = 1000 ** 3
TB = 1000 ** 4
# Filesystem sizes reported by statfs exclude the filesystem's own metadata
# (ext4 loses about 1.6 %, xfs about 0.5 % of the device): a filesystem on a
# 100 GB device is accepted as 100 GB when it reports at least this share.
FS_OVERHEAD_TOLERANCE = 0.95

NFS_BASE_OPTIONS = ("rw", "no_root_squash", "no_subtree_check")
ISCSI_PORT = 3260
# targetcli's per-ACL CHAP (one command: user and secret both ways); a
# command that carries secrets (is_secret_command) runs under no_log.
AUTH_CMD = ("%s/acls/%s set auth userid=%s password=%s mutual_userid=%s "
            "mutual_password=%s")


def is_secret_command(cmd):
    """True for a targetcli command of iscsi_plan that carries a secret."""
    return " set auth " in str(cmd)


def shown_command(cmd):
    """A targetcli command as it may be printed: secrets masked."""
    return re.sub(r"\b((?:mutual_)?password)=\S+", r"\1=********", str(cmd))


class StorageError(Exception):
    """Bad input the engine does not see (role knobs); the message names
    the value and the fix."""


def as_list(value):
    """None -> [], a list or tuple -> a list, anything else -> [value]."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def iter_primary_storage(model):
    """Yield (zone, pod, cluster, primary_storage entry) over the model
    (topology_model.Zone/Pod/Cluster objects, the entry a dict)."""
    for cluster in model.clusters:
        for ps in cluster.primary_storage:
            yield cluster.zone, cluster.pod, cluster, ps


def zone_client_networks(zone):
    """The CIDRs of a model zone's management and storage networks (what
    cloudstack_nfs_export_clients may name: rule CS502)."""
    out = []
    for net in ([zone.management] if zone.management else []) + zone.storage:
        if net.cidr is not None:
            out.append(str(net.cidr))
    return out


def _add_unique(out, values):
    for value in values:
        if value is not None and str(value) not in out:
            out.append(str(value))


def host_storage_addresses(model, name, zone):
    """The addresses a hypervisor host reaches an NFS server by: its
    cloudstack_management_address, then its cloudstack_storage_interfaces
    addresses on the zone's storage networks (text, no duplicates)."""
    host = model.host(name)
    out = []
    _add_unique(out, [host.management_address])
    nets = set(n.raw.get("name") for n in zone.storage)
    _add_unique(out, [si.get("address") for si in host.storage_interfaces
                      if si.get("network") in nets])
    return out


def pod_system_cidrs(pod):
    """The pod's reserved system range (Pod.system_range: the system VMs'
    addresses) as CIDRs; [] when the range is unknown or not IPv4/IPv6."""
    rng = pod.system_range()
    if not rng or rng[0] is None or rng[1] is None:
        return []
    try:
        first = ipaddress.ip_address(str(rng[0]))
        last = ipaddress.ip_address(str(rng[1]))
        return [str(n) for n in ipaddress.summarize_address_range(first, last)]
    except (TypeError, ValueError):
        return []


def default_export_clients(model, zone, kind, cluster=None):
    """The default clients of an export (cloudstack_nfs_export_clients
    unset): the addresses of the hypervisor hosts that use it
    (host_storage_addresses: a primary storage's cluster, every cluster of
    the zone for secondary storage); for secondary storage also the zone's
    pods' reserved system ranges (the secondary storage VM) and the
    management servers' addresses (the management server mounts secondary
    storage to seed the system VM templates)."""
    out = []
    clusters = [cluster] if cluster is not None else zone.clusters
    for cl in clusters:
        for name in cl.hosts:
            _add_unique(out, host_storage_addresses(model, name, zone))
    if kind == "secondary":
        for pod in zone.pods:
            _add_unique(out, pod_system_cidrs(pod))
        _add_unique(out, model.management_addresses())
    return out


def nfs_exports(model, host, export_clients=None, sync=False):
    """The exports of ``host``: a list of dicts sorted by path.

    ``model`` is a topology_model.Model the engine accepted (CS205 paths,
    CS208 primary/secondary on one path, CS502 clients are its rules).
    Each export: path, kind (primary | secondary), zones, names, clients,
    options, min_gb (secondary: the size the filesystem must at least
    have), size_tb (primary: the size the topology claims, if any).
    Raises StorageError when an export would have no client.
    """
    by_path = {}

    def add(zone, kind, entry, name, cluster=None):
        path = str(entry.get("path")).rstrip("/") or "/"
        clients = list(export_clients) if export_clients is not None \
            else default_export_clients(model, zone, kind, cluster)
        exp = by_path.setdefault(path, {
            "path": path, "kind": kind, "zones": [], "names": [],
            "clients": [], "min_gb": None, "size_tb": None})
        for key, value in (("zones", zone.name), ("names", name)):
            if value not in exp[key]:
                exp[key].append(value)
        for client in clients:
            if str(client) not in exp["clients"]:
                exp["clients"].append(str(client))
        if kind == "secondary":
            claimed = entry.get("size_gb")
            need = SECONDARY_MIN_GB if claimed is None else float(claimed)
            exp["min_gb"] = max(exp["min_gb"] or 0, need)
        elif entry.get("size_tb") is not None:
            exp["size_tb"] = max(exp["size_tb"] or 0,
                                 float(entry["size_tb"]))

    for zone in model.zones:
        for idx, ss in enumerate(zone.secondary_storage):
            if ss.get("server") == host and \
                    str(ss.get("type", "nfs")).lower() == "nfs" and \
                    ss.get("path") is not None:
                add(zone, "secondary", ss, "secondary[%d]" % idx)
    for zone, _pod, cluster, ps in iter_primary_storage(model):
        if str(ps.get("type", "")).lower() == "nfs" and \
                ps.get("server") == host and ps.get("path") is not None:
            add(zone, "primary", ps, ps.get("name"), cluster)

    options = ",".join(list(NFS_BASE_OPTIONS) + ["sync" if sync else "async"])
    out = []
    for path in sorted(by_path):
        exp = by_path[path]
        if not exp["clients"]:
            raise StorageError(
                "export %s on %s has no clients: no host of the clusters that "
                "use it (zone %s) has a cloudstack_management_address or "
                "storage interface address, and no pod has a system range; "
                "set the hosts' cloudstack_management_address or "
                "cloudstack_nfs_export_clients"
                % (path, host, ", ".join(str(z) for z in exp["zones"])))
        exp["options"] = options
        out.append(exp)
    return out


def export_line(export):
    """One /etc/exports line for an export dict from nfs_exports()."""
    return "%s %s" % (export["path"], " ".join(
        "%s(%s)" % (c, export["options"]) for c in export["clients"]))


def firewall_clients(exports):
    """(IPv4 CIDRs, IPv6 CIDRs) of all export clients, deduplicated, sorted."""
    v4, v6 = set(), set()
    for exp in exports:
        for c in exp["clients"]:
            net = ipaddress.ip_network(str(c), strict=False)
            (v4 if net.version == 4 else v6).add(net)
    return ([str(n) for n in sorted(v4)], [str(n) for n in sorted(v6)])


def mount_for_path(path, mounts):
    """The mount (dict with 'mount', 'size_total', ...) that holds ``path``.

    ``mounts`` is ansible_facts['mounts']; the longest mount point that is
    ``path`` or a parent of it wins (also for a path that does not exist yet:
    it will be created on that filesystem).
    """
    path = path.rstrip("/") or "/"
    best = None
    for m in as_list(mounts):
        mp = str(m.get("mount", "")).rstrip("/") or "/"
        if path == mp or mp == "/" or path.startswith(mp + "/"):
            if best is None or len(mp) > len(str(best.get("mount", "")).rstrip("/") or "/"):
                best = m
    return best


def size_problems(exports, mounts, host=""):
    """Fact check of the filesystems under the exports; list of messages.

    Secondary: the filesystem holding the export has at least min_gb
    (100 GB, or the size_gb the topology claims when given; a claim under
    100 GB is itself an error, CS204). Primary: the filesystem is not larger
    than 6 TB (CS201), and the claimed size_tb is not over 6 either.
    """
    problems = []
    where = (" on %s" % host) if host else ""
    for exp in exports:
        m = mount_for_path(exp["path"], mounts)
        if m is None:
            problems.append("no mounted filesystem holds %s%s; mount one there first"
                            % (exp["path"], where))
            continue
        size = int(m.get("size_total") or 0)
        if exp["kind"] == "secondary":
            # the claim itself (size_gb under 100) is the engine's CS204; the
            # filesystem is measured against at least the 100 GB minimum
            need = max(exp["min_gb"], SECONDARY_MIN_GB)
            if size < need * GB * FS_OVERHEAD_TOLERANCE:
                problems.append(
                    "secondary storage %s%s is on %s, a filesystem of %.1f GB; it needs at "
                    "least %s GB (%s); mount a bigger filesystem at %s or below"
                    % (exp["path"], where, m.get("mount"), size / float(GB), _fmt(need),
                       "the size_gb the topology claims" if need > SECONDARY_MIN_GB
                       else "the 100 GB minimum", exp["path"]))
        else:
            # a claimed size_tb over 6 TB is the engine's CS201; this is the
            # filesystem actually mounted there
            if size > PRIMARY_MAX_TB * TB:
                problems.append(
                    "primary storage %s%s is on %s, a filesystem of %.2f TB, over the %d TB "
                    "limit for a primary storage mountpoint; export a smaller "
                    "filesystem (several pools per cluster are better than one big one)"
                    % (exp["path"], where, m.get("mount"), size / float(TB), PRIMARY_MAX_TB))
    return problems


def _fmt(n):
    return ("%d" % n) if float(n).is_integer() else ("%s" % n)


# --------------------------------------------------------------------- iSCSI

_INI_SECTION = re.compile(r"^\s*\[([^\]]*)\]\s*$")


def ini_items_to_apply(items, text, attributes_ok=True, no_extra_spaces=True):
    """The items (dicts: section, option, value) an INI file with this text
    does not already hold exactly as community.general.ini_file with
    no_extra_spaces writes them: once, as the line ``option=value``, in the
    only ``[section]`` of that name. ``text`` None (no file, or unreadable)
    means all of them. When the file's owner or mode is wrong
    (``attributes_ok`` false) and every value is right, the first item is
    returned, so that one ini_file run puts them right. Comment lines
    (``#``, ``;``) are not options. ``no_extra_spaces`` false: the line
    ini_file writes without that option, ``option = value``."""
    items = list(items or [])
    if text is None:
        return items
    if not isinstance(text, str):
        raise StorageError("the file's text must be a string, got %s" % type(text).__name__)
    sections = {}
    current = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        head = _INI_SECTION.match(line)
        if head:
            current = head.group(1).strip()
            sections.setdefault(current, []).append([])
            continue
        if current is not None:
            sections[current][-1].append(line)
    out = []
    for item in items:
        if not isinstance(item, dict) or not {"section", "option", "value"} <= set(item):
            raise StorageError("each item needs section, option and value, got %r" % (item,))
        section, option, value = str(item["section"]), str(item["option"]), str(item["value"])
        blocks = sections.get(section, [])
        lines = [ln for block in blocks for ln in block]
        same_option = [ln for ln in lines if ln.split("=", 1)[0].strip() == option]
        line = ("%s=%s" if no_extra_spaces else "%s = %s") % (option, value)
        if len(blocks) != 1 or same_option != [line]:
            out.append(item)
    if not out and items and not attributes_ok:
        out.append(items[0])
    return out


def default_initiator_iqn(hostname, prefix="iqn.2025-01.org.cloudstack.infra"):
    """The initiator IQN a host gets when it sets no cloudstack_iscsi_initiator_iqn.

    ``<prefix>:<short host name>``, lower case, characters other than
    a-z 0-9 . - replaced by '-'.
    """
    short = str(hostname).split(".", maxsplit=1)[0].lower()
    return "%s:%s" % (prefix, re.sub(r"[^a-z0-9.-]", "-", short))


def is_lio_pool(ps):
    """True for a pool a LIO target can serve: type iscsi, or type
    shared_mountpoint with a ``target`` (the LUN under the clustered
    filesystem)."""
    stype = str(ps.get("type", "")).lower()
    return stype == "iscsi" or (stype == "shared_mountpoint"
                                and bool(ps.get("target")))


def lio_pools(model):
    """Yield (zone, cluster, pool) for every pool a LIO target of the
    inventory serves: type iscsi, and type shared_mountpoint with a
    ``target`` (the clustered filesystem's LUN), whose server
    (Model.lio_server) is a cloudstack_iscsi_targets host."""
    for zone, _pod, cluster, ps in iter_primary_storage(model):
        if is_lio_pool(ps):
            yield zone, cluster, ps


def iscsi_targets(model, host, luns=None, backstore_dir="/var/lib/iscsi_disks",
                  portals=None, chap=None):
    """The iSCSI targets ``host`` serves, sorted by IQN.

    ``model`` is a topology_model.Model the engine accepted (CS209 names,
    CS210 server, one target per pool and portal addresses are its rules).
    A pool (lio_pools) is served by Model.lio_server. Each target: wwn,
    name, backstore (fileio: file + size bytes, or block: dev), portals
    [ip], acls [initiator IQN of every host of the clusters that use the
    LUN]. ``luns`` maps a storage name to overrides {file, size_gb} or
    {device}; ``portals`` overrides the portal addresses (list of IPs).
    ``chap`` ({password, mutual_password, targets: {IQN: {password,
    mutual_password}}}) gives every target whose pool needs CHAP
    (chap_required) its CHAP credentials (chap_credentials; each ACL's
    user is the initiator's IQN, the target's mutual user its own IQN);
    None: no CHAP (``chap`` None).
    Raises StorageError for a LUN the role's knobs cannot size or a
    missing or unusable CHAP secret (the message never holds a secret).
    """
    luns = luns or {}
    by_wwn = {}
    for zone, cluster, ps in lio_pools(model):
        if model.lio_server(ps) != host:
            continue
        name = ps.get("name")
        wwn = str(ps.get("target"))
        t = by_wwn.get(wwn)
        if t is None:
            needs = chap_required(ps)
            t = by_wwn[wwn] = {"wwn": wwn, "name": _backstore_name(name),
                               "zones": [], "acls": [], "portals": [],
                               "size_tb": ps.get("size_tb"),
                               "chap_required": needs,
                               "chap": chap_credentials(chap, wwn)
                               if chap is not None and needs else None}
            t["backstore"] = _backstore(name, ps, luns.get(name) or {},
                                        backstore_dir)
        if zone.name not in t["zones"]:
            t["zones"].append(zone.name)
            for ip in (portals if portals is not None
                       else model.portals(host, zone)):
                if str(ip) not in t["portals"]:
                    t["portals"].append(str(ip))
        for member in cluster.hosts:
            iqn = str(model.initiator_iqn(member))
            if iqn not in t["acls"]:
                t["acls"].append(iqn)
    out = []
    for wwn in sorted(by_wwn):
        by_wwn[wwn]["acls"].sort()
        out.append(by_wwn[wwn])
    return out


# A CHAP secret: 12 (RFC 3720 7.2.1's minimum for a secret a person may
# have typed) to 255 characters (LIO's and open-iscsi's limit), and only
# characters that pass unquoted through targetcli's parser and iscsid.conf.
CHAP_SECRET_RE = re.compile(r"^[A-Za-z0-9_.,:@%+~^/-]{12,255}$")


def _chap_secret_problem(value, var):
    if value is None or str(value) == "":
        return ("%s is not set; give it a secret from Vault (12 to 255 "
                "characters), there is no default" % var)
    if not CHAP_SECRET_RE.match(str(value)):
        return ("%s is not a usable CHAP secret: it needs 12 to 255 "
                "characters, only letters, digits and _ . , : @ %% + ~ ^ / -"
                " (its value is not shown)" % var)
    return None


def chap_required(ps):
    """True for a pool whose LUN the hypervisor hosts log in to themselves
    (type shared_mountpoint: kvm_host's node records carry the CHAP
    credentials). A type iscsi pool is logged in to by CloudStack, whose
    createStoragePool carries no CHAP for an unmanaged iSCSI pool: its
    target keeps IQN ACLs (and the host firewall)."""
    return str(ps.get("type", "")).lower() == "shared_mountpoint"


def chap_credentials(chap, wwn):
    """The CHAP credentials of target ``wwn``: chap.targets[wwn]'s
    password/mutual_password, else chap's own. ``password``: the secret
    every initiator of the target presents (user: the initiator's IQN);
    ``mutual_password``: the secret the target answers with (mutual CHAP,
    user: the target's IQN). Raises StorageError naming the variable,
    never the value, when a secret is missing or unusable, or both are
    the same (RFC 3720 forbids one secret both ways)."""
    chap = chap if isinstance(chap, dict) else {}
    own = (chap.get("targets") or {}).get(wwn)
    if own is not None and not isinstance(own, dict):
        raise StorageError(
            "cloudstack_iscsi_chap_targets['%s'] must be a mapping with "
            "password and mutual_password" % wwn)
    out = {}
    for key, var in (("password", "cloudstack_iscsi_chap_password"),
                     ("mutual_password",
                      "cloudstack_iscsi_mutual_chap_password")):
        if own is not None and own.get(key) not in (None, ""):
            value = own.get(key)
            var = "cloudstack_iscsi_chap_targets['%s'].%s" % (wwn, key)
        else:
            value = chap.get(key)
            var = "%s (target %s)" % (var, wwn)
        problem = _chap_secret_problem(value, var)
        if problem:
            raise StorageError(problem)
        out[key] = str(value)
    if out["password"] == out["mutual_password"]:
        raise StorageError(
            "the CHAP secrets of target %s are the same both ways; give "
            "cloudstack_iscsi_mutual_chap_password another value than "
            "cloudstack_iscsi_chap_password" % wwn)
    out["mutual_userid"] = wwn
    return out


def chap_problems(chap, wwns):
    """The messages of chap_credentials for each target IQN of ``wwns``
    (one per target at most; [] when every target has usable secrets).
    They name variables, never a secret: a task may print them."""
    out = []
    for wwn in wwns:
        try:
            chap_credentials(chap, wwn)
        except StorageError as exc:
            out.append(str(exc))
    return out


def iscsi_initiator_sources(model, host):
    """The addresses of the initiators of the LIO pools ``host`` serves
    (the reverse of Model._iscsi_portals): every host of every cluster that
    uses such a pool, by host_storage_addresses (text, no duplicates, in
    topology order). The iSCSI target's firewall admits 3260 from these
    only."""
    out = []
    for zone, cluster, ps in lio_pools(model):
        if model.lio_server(ps) != host:
            continue
        for name in cluster.hosts:
            _add_unique(out, host_storage_addresses(model, name, zone))
    return out


def _number(value, what):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise StorageError("%s is %r; it must be a number" % (what, value))


def _backstore_name(name):
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(name))


def _backstore(name, ps, override, backstore_dir):
    if override.get("device"):
        return {"plugin": "block", "dev": str(override["device"])}
    size_gb = override.get("size_gb")
    if size_gb is None:
        if ps.get("size_tb") is None:
            raise StorageError(
                "iscsi primary storage %s has no size_tb and iscsi_target_luns gives it no "
                "size_gb or device; add one" % name)
        size = int(round(_number(ps["size_tb"], "size_tb of %s" % name) * TB))
    else:
        size = int(round(_number(size_gb, "iscsi_target_luns.%s.size_gb" % name) * GB))
    if size > PRIMARY_MAX_TB * TB:
        raise StorageError("LUN %s would be %.2f TB, over the %d TB limit for primary storage; split it"
                           % (name, size / float(TB), PRIMARY_MAX_TB))
    path = override.get("file") or "%s/%s.img" % (backstore_dir.rstrip("/"), _backstore_name(name))
    return {"plugin": "fileio", "dev": str(path), "size": size}


def _saved(saved):
    saved = saved or {}
    objs = {}
    for so in as_list(saved.get("storage_objects")):
        objs[(so.get("plugin"), so.get("name"))] = so
    targets = {}
    for t in as_list(saved.get("targets")):
        if t.get("fabric", "iscsi") == "iscsi":
            targets[t.get("wwn")] = t
    return objs, targets


def iscsi_plan(saved, targets, allow_recreate=False):
    """targetcli commands that bring the saved config to ``targets``.

    Returns {"commands": [...], "problems": [...], "shown": [...]}
    (shown: the commands with their secrets masked, for messages): problems are changes
    that would destroy a LUN's data (a backstore whose file/device or size
    differs) and that ``allow_recreate`` does not permit; when there is a
    problem, no command is returned at all.
    Only the listed targets and their backstores are managed; anything else in
    the configuration is left alone.
    """
    objs, saved_targets = _saved(saved)
    cmds, problems = [], []
    for t in targets:
        bs = t["backstore"]
        so = objs.get((bs["plugin"], t["name"]))
        other = [p for (p, n) in objs if n == t["name"] and p != bs["plugin"]]
        path = "/backstores/%s/%s" % (bs["plugin"], t["name"])
        create = True
        if so is not None:
            differs = []
            if so.get("dev") != bs["dev"]:
                differs.append("is on %s, the topology wants %s" % (so.get("dev"), bs["dev"]))
            if bs["plugin"] == "fileio" and int(so.get("size") or 0) != bs["size"]:
                differs.append("has %d bytes, the topology wants %d" % (int(so.get("size") or 0), bs["size"]))
            if differs:
                if allow_recreate:
                    cmds.append("/backstores/%s delete %s" % (bs["plugin"], t["name"]))
                else:
                    problems.append(
                        "LUN %s (%s) %s; re-creating it destroys its data: set "
                        "iscsi_target_recreate_luns: true to allow it, or change the topology back"
                        % (t["name"], t["wwn"], " and ".join(differs)))
            else:
                create = False
        if other:
            problems.append(
                "a %s backstore named %s already exists; the topology wants a %s one; "
                "remove it by hand or rename the storage" % (other[0], t["name"], bs["plugin"]))
        if create:
            if bs["plugin"] == "fileio":
                cmds.append("/backstores/fileio create name=%s file_or_dev=%s write_back=false"
                            % (t["name"], bs["dev"]))
            else:
                cmds.append("/backstores/block create name=%s dev=%s" % (t["name"], bs["dev"]))
        cmds.extend(_target_cmds(t, saved_targets.get(t["wwn"]), path, recreated=create))
    if problems:
        return {"commands": [], "problems": problems, "shown": []}
    return {"commands": cmds, "problems": [],
            "shown": [shown_command(c) for c in cmds]}


def _target_cmds(t, st, so_path, recreated):
    cmds = []
    base = "/iscsi/%s/tpg1" % t["wwn"]
    if st is None:
        cmds.append("/iscsi create %s" % t["wwn"])
        tpg = {}
    else:
        tpg = next((x for x in as_list(st.get("tpgs")) if x.get("tag") == 1), None)
        if tpg is None:
            cmds.append("/iscsi/%s create tag=1" % t["wwn"])
            tpg = {}
    attrs = tpg.get("attributes") or {}
    chap = t.get("chap")
    for key, want in (("authentication", 1 if chap else 0),
                      ("generate_node_acls", 0)):
        if attrs.get(key) != want:
            cmds.append("%s set attribute %s=%d" % (base, key, want))
    # LUN 0 -> the backstore (deleting the backstore removed the LUN with it)
    luns = {lun.get("index"): lun for lun in as_list(tpg.get("luns"))}
    lun0 = luns.get(0)
    # deleting a backstore (recreated) or LUN 0 also removes LUN 0 and the
    # ACLs' mapped LUNs that point at it
    lun_reset = lun0 is None or lun0.get("storage_object") != so_path or recreated
    if lun_reset:
        if lun0 is not None and lun0.get("storage_object") != so_path:
            cmds.append("%s/luns delete lun=0" % base)
        cmds.append("%s/luns create storage_object=%s lun=0 add_mapped_luns=false" % (base, so_path))
    gone = set(i for i in luns if i != 0) | (set([0]) if lun_reset else set())
    for idx in sorted(i for i in luns if i != 0):
        cmds.append("%s/luns delete lun=%d" % (base, idx))
    # portals
    have = {(p.get("ip_address"), int(p.get("port") or ISCSI_PORT)) for p in as_list(tpg.get("portals"))}
    want = {(ip, ISCSI_PORT) for ip in t["portals"]}
    for ip, port in sorted(have - want):
        cmds.append("%s/portals delete ip_address=%s ip_port=%d" % (base, ip, port))
    for ip, port in sorted(want - have):
        cmds.append("%s/portals create ip_address=%s ip_port=%d" % (base, ip, port))
    # ACLs, each with mapped LUN 0 -> tpg LUN 0
    acls = {a.get("node_wwn"): a for a in as_list(tpg.get("node_acls"))}
    for wwn in sorted(set(acls) - set(t["acls"])):
        cmds.append("%s/acls delete wwn=%s" % (base, wwn))
    for wwn in t["acls"]:
        acl = acls.get(wwn)
        if acl is None:
            cmds.append("%s/acls create wwn=%s add_mapped_luns=false" % (base, wwn))
            mapped = {}
        else:
            mapped = {m.get("index"): m for m in as_list(acl.get("mapped_luns"))}
        m0 = None if lun_reset else mapped.get(0)
        if m0 is None or m0.get("tpg_lun") != 0 or m0.get("write_protect"):
            if m0 is not None:
                cmds.append("%s/acls/%s delete mapped_lun=0" % (base, wwn))
            cmds.append("%s/acls/%s create mapped_lun=0 tpg_lun_or_backstore=lun0 write_protect=false"
                        % (base, wwn))
        for idx in sorted(i for i in mapped if i != 0):
            if mapped[idx].get("tpg_lun") in gone:
                continue  # went with its TPG LUN
            cmds.append("%s/acls/%s delete mapped_lun=%d" % (base, wwn, idx))
        if chap:
            want = {"chap_userid": wwn, "chap_password": chap["password"],
                    "chap_mutual_userid": chap["mutual_userid"],
                    "chap_mutual_password": chap["mutual_password"]}
            have = dict((k, (acl or {}).get(k) or "") for k in want)
            if have != want:
                cmds.append(AUTH_CMD % (base, wwn, wwn, chap["password"],
                                        chap["mutual_userid"],
                                        chap["mutual_password"]))
    # a TPG created above (new target or tag=1) is enabled by targetcli
    if tpg and tpg.get("enable") is not True:
        cmds.append("%s enable" % base)
    return cmds
