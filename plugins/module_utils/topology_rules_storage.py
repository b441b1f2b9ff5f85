# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Storage rules: primary and secondary storage, NFS exports, iSCSI."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as ST
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, WARNING, G_NFS, G_ISCSI, _names, _group, _broken, _did_you_mean)


@rule("CS201", ERROR, "primary storage larger than 6 TB",
      "Primary storage mountpoints or LUNs do not exceed 6 TB.", "storage",
      reads=("cloudstack_zones",))
@rule("CS202", ERROR, "primary storage type not supported",
      "Primary storage uses a type the cluster's hypervisor supports.",
      "storage", reads=("cloudstack_zones",))
@rule("CS203", ERROR, "storage over-provisioning not supported",
      "Storage is over-provisioned only where the hypervisor and storage "
      "type support it.", "storage", reads=("cloudstack_zones",))
@rule("CS207", ERROR, "multipath without two storage interfaces",
      "Multipath storage (MPIO) uses two interfaces on two storage "
      "networks on every host.", "storage",
      reads=("cloudstack_zones", "cloudstack_storage_interfaces"))
def primary_storage_rules(ctx):
    for c in ctx.model.clusters:
        _cluster_storage(ctx, c.raw, c.hypervisor, c.location, c.path,
                         ctx.cluster_hosts[id(c)])


@rule("CS204", ERROR, "secondary storage missing or under 100 GB",
      "Every zone has secondary storage of at least 100 GB.", "storage",
      reads=("cloudstack_zones",))
@rule("CS206", ERROR, "storage server not in cloudstack_nfs",
      "Storage servers the topology names are NFS servers of the "
      "inventory.", "storage", reads=("cloudstack_zones",))
def zone_storage_rules(ctx):
    _zone_rules(ctx, ctx.zones, ctx.model.known)


@rule("CS205", ERROR, "storage path not absolute",
      "Storage paths are absolute, and an NFS server exports a dedicated "
      "directory, never '/'.", "storage", reads=("cloudstack_zones",))
@rule("CS208", ERROR, "one NFS path both primary and secondary storage",
      "Primary and secondary storage have their own directories.",
      "storage", reads=("cloudstack_zones",))
@rule("CS209", ERROR, "iSCSI name not an IQN that LIO accepts",
      "iSCSI initiators and targets have names the target software "
      "accepts, so that its ACLs admit exactly the cluster's hosts.",
      "storage", reads=("cloudstack_zones", "cloudstack_iscsi_initiator_iqn",
                        "cloudstack_iscsi_initiator_iqn_prefix"))
@rule("CS210", ERROR, "iSCSI pool the LIO targets cannot serve",
      "Each iSCSI pool served by the collection's targets has one target "
      "host, its own target name and a portal address.", "storage",
      reads=("cloudstack_zones", "cloudstack_storage_interfaces",
             "cloudstack_management_address"))
def storage_service_rules(ctx):
    _storage_service_rules(ctx, ctx.zones)


def _cluster_storage(ctx, cl, hv, loc, path, hosts):
    nfs = set(_group(ctx.groups, G_NFS))
    over = (cl.get("overprovisioning") or {}).get("storage")
    for i, ps in enumerate(cl.get("primary_storage") or []):
        if not ps:
            continue
        ploc = "%s/%s" % (loc, ps.get("name", "primary_storage[%d]" % i))
        ppath = "%s.primary_storage[%d]" % (path, i)
        stype = ps.get("type")
        size = ps.get("size_tb")
        if size is not None and size > D.PRIMARY_STORAGE_MAX_TB:
            ctx.add("CS201", ploc, "primary storage %s is %s TB; mountpoints "
                    "and LUNs should not exceed %d TB" % (
                        ps.get("name"), size, D.PRIMARY_STORAGE_MAX_TB),
                    "split it into several pools of at most %d TB each"
                    % D.PRIMARY_STORAGE_MAX_TB)
        if stype is None:
            continue
        if hv is not None:
            sev, why = D.storage_type_support(stype, hv)
            if sev:
                ctx.add("CS202", ploc, "primary storage %s has type %s, not "
                        "supported on %s (%s)%s" % (
                            ps.get("name"), stype, hv, why,
                            "; unverified" if sev == WARNING else ""),
                        _storage_hint(stype, hv), severity=sev)
            if over is not None and over > 1:
                sev, why = D.overprovisioning_support(stype, hv)
                if sev:
                    ctx.add("CS203", ploc, "storage over-provisioning %s on "
                            "%s pool %s: %s does not over-provision %s (%s)" % (
                                over, stype, ps.get("name"), hv, stype, why),
                            "set overprovisioning.storage: 1.0 for this "
                            "cluster, or use a pool type %s over-provisions"
                            % hv, severity=sev)
        if stype == "nfs":
            server = ps.get("server")
            if server is None:
                ctx.add("CS001", ppath + ".server", "%s: an nfs pool needs "
                        "`server`" % ppath, "add server: <host in "
                        "cloudstack_nfs>")
            elif server not in nfs:
                ctx.add("CS206", ploc, "NFS server %s of primary storage %s "
                        "is not in the cloudstack_nfs group" % (
                            server, ps.get("name")),
                        "add %s to cloudstack_nfs or fix the name%s" % (
                            server, _did_you_mean(server, nfs)))
        if ps.get("multipath"):
            for h in hosts:
                if ctx.bad("cloudstack_storage_interfaces", (h,)):
                    continue    # misspelt or malformed: already a CS001
                ifaces = [x for x in ctx.host(h).get(
                    "cloudstack_storage_interfaces") or [] if x]
                nets = set(x.get("network") for x in ifaces)
                if len(ifaces) < 2 or len(nets) < 2:
                    ctx.add("CS207", "%s/%s" % (loc, h), "primary storage %s "
                            "uses multipath but host %s has %d storage "
                            "interface(s) on %d distinct network(s) (%s)" % (
                                ps.get("name"), h, len(ifaces), len(nets),
                                ", ".join(sorted(str(n) for n in nets))
                                or "none"),
                            "give %s two cloudstack_storage_interfaces on two "
                            "different storage networks, or set multipath: "
                            "false" % h)


def _storage_hint(stype, hv):
    if stype in ("iscsi", "fc") and hv in ("KVM", "LXC"):
        return ("put a clustered filesystem (e.g. OCFS2) on the LUN, mount it "
                "at the same path on every host and use type "
                "shared_mountpoint")
    supported = [t for t in D.PRIMARY_STORAGE_TYPES
                 if D.storage_type_support(t, hv)[0] is None]
    if not supported:
        return "%s takes no primary storage in the seed's table" % hv
    return "use a type %s supports: %s" % (hv, ", ".join(supported))


def _zone_rules(ctx, zones, known):
    nfs = set(_group(ctx.groups, G_NFS))
    for zi, zone in enumerate(zones):
        if not zone:
            continue
        name = zone.get("name", "zone[%d]" % zi)
        sec = zone.get("secondary_storage")
        if not sec and _broken(ctx, "cloudstack_zones[%d]" % zi):
            continue    # e.g. `secondary_storge:`, already a CS001
        if not sec:
            ctx.add("CS204", name, "zone %s has no secondary storage" % name,
                    "add secondary_storage: [{server: <nfs host>, path: ..., "
                    "size_gb: >= %d}]" % D.SECONDARY_STORAGE_MIN_GB)
            continue
        for i, s in enumerate(sec):
            if not s:
                continue
            size = s.get("size_gb")
            if size is not None and size < D.SECONDARY_STORAGE_MIN_GB:
                ctx.add("CS204", "%s/secondary_storage[%d]" % (name, i),
                        "secondary storage %s:%s of zone %s is %s GB, under "
                        "the %d GB minimum" % (
                            s.get("server"), s.get("path"), name, size,
                            D.SECONDARY_STORAGE_MIN_GB),
                        "give it at least %d GB" % D.SECONDARY_STORAGE_MIN_GB)
            server = s.get("server")
            if server is not None and server not in nfs:
                ctx.add("CS206", "%s/secondary_storage[%d]" % (name, i),
                        "secondary storage server %s of zone %s is not in the "
                        "cloudstack_nfs group" % (server, name),
                        "add %s to cloudstack_nfs or fix the name%s" % (
                            server, _did_you_mean(server, nfs)))


def _storage_service_rules(ctx, zones):
    """CS205 (paths), CS208 (a path both primary and secondary), CS209
    (iSCSI names), CS210 (iSCSI pools the LIO targets cannot serve)."""
    nfs = set(_group(ctx.groups, G_NFS))
    targets = _group(ctx.groups, G_ISCSI)
    kinds = {}      # (server, path) -> {kind: location}
    for zi, zone in enumerate(zones):
        if not zone:
            continue
        name = zone.get("name", "zone[%d]" % zi)
        for i, sec in enumerate(zone.get("secondary_storage") or []):
            if not sec or sec.get("path") is None:
                continue
            loc = "%s/secondary_storage[%d]" % (name, i)
            if _storage_path_rule(ctx, loc, "secondary storage", sec["path"],
                                  True) and sec.get("server") in nfs:
                kinds.setdefault((sec.get("server"), sec["path"].rstrip("/")),
                                 {}).setdefault("secondary", loc)
    lio = []        # (zone, cluster, pool, location, server)
    for _zi, zone, _pod, cl, loc, _path in [c.walk() for c in ctx.model.clusters]:
        for i, ps in enumerate(cl.get("primary_storage") or []):
            if not ps:
                continue
            ploc = "%s/%s" % (loc, ps.get("name", "primary_storage[%d]" % i))
            stype = ps.get("type")
            if ps.get("path") is not None:
                export = stype == "nfs" and ps.get("server") in nfs
                if _storage_path_rule(ctx, ploc, "primary storage",
                                      ps["path"], export) and export:
                    kinds.setdefault((ps.get("server"),
                                      ps["path"].rstrip("/")),
                                     {}).setdefault("primary", ploc)
            if not ST.is_lio_pool(ps):
                continue        # iscsi, or shared_mountpoint on a LUN
            server = ps.get("server")
            if server is None and len(targets) > 1:
                ctx.add("CS210", ploc, "iscsi primary storage %s has no "
                        "`server` and %s holds %d hosts (%s)" % (
                            ps.get("name"), G_ISCSI, len(targets),
                            _names(targets)),
                        "add server: <one of %s> to the pool" % G_ISCSI)
                continue
            if server is None and targets:
                server = targets[0]
            if server is not None and server in targets:
                lio.append((zone, cl, ps, ploc, server))
    for (server, path), used in sorted(kinds.items(), key=lambda kv: (
            str(kv[0][0]), kv[0][1])):
        if len(used) > 1:
            ctx.add("CS208", used["primary"], "%s:%s is exported both as "
                    "primary storage (%s) and as secondary storage (%s)" % (
                        server, path or "/", used["primary"],
                        used["secondary"]),
                    "give primary and secondary storage their own "
                    "directories")
    _iscsi_name_rules(ctx, lio)


def _storage_path_rule(ctx, loc, what, path, export):
    """CS205; True when the path is usable."""
    if not path.startswith("/"):
        ctx.add("CS205", loc, "%s path %s is not absolute" % (
            what, S._show(path)),
            "write the absolute path on the server, e.g. /export/%s"
            % what.split()[0])
        return False
    if export and not path.rstrip("/"):
        ctx.add("CS205", loc, "%s path is '/': the server would export its "
                "whole filesystem" % what,
                "export a dedicated directory such as /export/%s"
                % what.split()[0])
        return False
    return True


def _iqn_prefix(ctx):
    return ctx.g.get("cloudstack_iscsi_initiator_iqn_prefix",
                     D.ISCSI_INITIATOR_IQN_PREFIX)


def initiator_iqn(name, hostvars_clean, prefix=None):
    """The initiator name of a host: cloudstack_iscsi_initiator_iqn, or the
    one storage_topology.default_initiator_iqn derives (the name the LIO
    targets allow)."""
    iqn = (hostvars_clean or {}).get("cloudstack_iscsi_initiator_iqn")
    if iqn:
        return iqn
    return ST.default_initiator_iqn(name, prefix or
                                    D.ISCSI_INITIATOR_IQN_PREFIX)


def _iscsi_name_rules(ctx, lio):
    prefix = _iqn_prefix(ctx)
    hint = ("write iqn.YYYY-MM.<reversed domain with a dot>[:name] in lower "
            "case, e.g. %s" % ST.default_initiator_iqn("kvm1",
                                                       D.ISCSI_INITIATOR_IQN_PREFIX))
    if "cloudstack_iscsi_initiator_iqn_prefix" in ctx.g and \
            not ST.IQN_RE.match(ST.default_initiator_iqn("host", prefix)):
        ctx.add("CS209", "cloudstack_iscsi_initiator_iqn_prefix",
                "cloudstack_iscsi_initiator_iqn_prefix %s does not give "
                "initiator names that LIO accepts" % S._show(prefix), hint)
    for value, where in ctx.scoped("cloudstack_iscsi_initiator_iqn",
                                   sorted(ctx.hv)):
        if not ST.IQN_RE.match(value):
            ctx.add("CS209", where, "cloudstack_iscsi_initiator_iqn %s is "
                    "not an IQN that LIO accepts" % S._show(value), hint)
    by_target = {}
    for zone, cl, ps, ploc, server in lio:
        wwn = ps.get("target")
        if wwn is None:
            ctx.add("CS210", ploc, "iscsi primary storage %s served by %s "
                    "has no `target`" % (ps.get("name"), server),
                    "add target: <an IQN for the LUN>, e.g. "
                    "iqn.2025-01.lab.example:%s" % ps.get("name"))
        elif not ST.IQN_RE.match(wwn):
            ctx.add("CS209", ploc, "iscsi primary storage %s served by %s "
                    "has target %s, not an IQN that LIO accepts" % (
                        ps.get("name"), server, S._show(wwn)),
                    "write iqn.YYYY-MM.<reversed domain with a dot>[:name] "
                    "in lower case, e.g. iqn.2025-01.lab.example:%s"
                    % ps.get("name"))
        else:
            other = by_target.setdefault((server, wwn), (ps.get("name"),
                                                         ploc))
            if other[0] != ps.get("name"):
                ctx.add("CS210", ploc, "target %s on %s is used by two "
                        "storage pools (%s, %s)" % (wwn, server, other[0],
                                                    ps.get("name")),
                        "one LUN per target: give each pool its own IQN")
        if not _portals(ctx, server, zone):
            ctx.add("CS210", ploc, "iSCSI target host %s has no portal "
                    "address for zone %s" % (server, zone.get("name")),
                    "give %s cloudstack_storage_interfaces on the zone's "
                    "storage networks or a cloudstack_management_address"
                    % server)


def _portals(ctx, host, zone):
    """The portal addresses of an iSCSI target host for a zone (as the
    storage planner derives them)."""
    hv = ctx.host(host)
    return M.portal_addresses(hv, set(
        s.get("name") for s in (zone.get("networks") or {}).get("storage")
        or [] if s))


# The pool types cloudstack.infra.cloud registers through the API
# (cloud_plan._pool_url); local storage needs no pool. CS213 refuses the
# others (fc, vmfs) where the hypervisor supports them (CS202 otherwise).
REGISTERED_POOL_TYPES = ("nfs", "shared_mountpoint", "iscsi", "clvm",
                         "presetup", "smb", "local")


def iscsi_portal(model, zone, pool):
    """The portal the cloud role registers an iscsi pool with: its
    ``portal``, else the first portal address of the cloudstack_iscsi_targets
    host serving it (Model.lio_server); None when there is neither (CS212;
    cloud_plan refuses the same)."""
    portal = pool.get("portal")
    if portal is None:
        lio = model.lio_server(pool)
        portals = model.portals(lio, zone) if lio else []
        portal = portals[0] if portals else None
    return portal


@rule("CS212", ERROR, "iSCSI pool without a portal",
      "Every iSCSI pool names the portal CloudStack logs in to: its own "
      "portal address, or a cloudstack_iscsi_targets host that serves it.",
      "storage", reads=("cloudstack_zones", "cloudstack_storage_interfaces",
                        "cloudstack_management_address"))
@rule("CS213", ERROR, "primary storage type the API tier cannot register",
      "Every primary storage pool has a type the cloud role registers "
      "through CloudStack's API (nfs, shared_mountpoint, iscsi, clvm, "
      "presetup, smb; local needs no pool).", "storage",
      reads=("cloudstack_zones",))
def pool_registration_rules(ctx):
    targets = _group(ctx.groups, G_ISCSI)
    for c in ctx.model.clusters:
        for i, ps in enumerate(c.raw.get("primary_storage") or []):
            if not isinstance(ps, dict) or not ps:
                continue
            stype = ps.get("type")
            if not isinstance(stype, str) or \
                    stype not in D.PRIMARY_STORAGE_TYPES:
                continue        # missing or unknown: CS001
            if c.hypervisor is not None and \
                    D.storage_type_support(stype, c.hypervisor)[0] == ERROR:
                continue        # not on this hypervisor at all: CS202
            ploc = "%s/%s" % (c.location, ps.get("name",
                                                 "primary_storage[%d]" % i))
            if stype not in REGISTERED_POOL_TYPES:
                ctx.add("CS213", ploc, "primary storage %s has type %s, which "
                        "cloudstack.infra.cloud does not register (it "
                        "registers %s)" % (ps.get("name"), stype,
                                           ", ".join(REGISTERED_POOL_TYPES)),
                        "register the pool by hand and leave it out of the "
                        "inventory, or change its type")
                continue
            if stype != "iscsi" or ps.get("portal") is not None:
                continue
            if ps.get("server") is None and len(targets) > 1:
                continue        # which target serves it: CS210
            lio = ctx.model.lio_server(ps)
            if lio is not None:
                continue        # served: CS210 names a target without portals
            ctx.add("CS212", ploc, "iscsi primary storage %s has no portal "
                    "and no cloudstack_iscsi_targets host serves it%s" % (
                        ps.get("name"), "" if ps.get("server") is None else
                        " (server %s is not in %s)" % (ps.get("server"),
                                                       G_ISCSI)),
                    "set portal: <the target's address> on the pool, or "
                    "serve its target from a %s host (server: <host>)"
                    % G_ISCSI)


@rule("CS211", ERROR, "disk offering outside 1..100 GB",
      "Block devices from 1 GB to 100 GB: the custom disk offering's "
      "bounds and every listed offering's size.", "storage",
      reads=("cloudstack_disk_offerings",))
def disk_offering_rules(ctx):
    seen = set()
    lo, hi = D.DISK_OFFERING_MIN_GB, D.DISK_OFFERING_MAX_GB
    for i, o in enumerate(ctx.g.get("cloudstack_disk_offerings") or []):
        if not o:
            continue
        where = "cloudstack_disk_offerings[%d]" % i
        name, size = o.get("name"), o.get("disk_size_gb")
        if size is not None and not lo <= size <= hi:
            ctx.add("CS211", where, "disk offering %s is %d GB, outside %d.."
                    "%d GB" % (name, size, lo, hi),
                    "give it a disk_size_gb from %d to %d (larger data "
                    "belongs on more volumes)" % (lo, hi))
        if name in seen:
            ctx.add("CS211", where, "disk offering %s is listed twice"
                    % name, "give each offering its own name")
        seen.add(name)
