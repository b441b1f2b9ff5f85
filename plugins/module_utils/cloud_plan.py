# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python plan of the API tier (no Ansible import at module level).

``plan_cloud(model, host)`` derives, from the topology model the engine
accepted, what the ``cloudstack.infra.cloud`` role registers through
CloudStack's API, in CloudStack's order: per zone the zone itself, its
physical networks and their traffic types (labels: the hosts' bridges),
public IP ranges, pods with their reserved system range, clusters (a
XenServer cluster through its pool master), hosts, primary storage per
cluster and secondary storage; then the settings (over-provisioning
factors per cluster and pool, local storage for system VMs, the per-host
instance limit per hypervisor, the custom disk-offering bounds, ``host``
from the management tier) and the disk offerings; and one capacity row per
cluster (the CS601/CS604 arithmetic) for the capacity guard.

``capacity_actions(rows, live, reenable)`` compares those rows with the
instance counts CloudStack reports and says, per cluster, whether the
capacity guard disables allocation, enables it again (only with the
opt-in), or leaves it alone.

The rules run first (CS108, CS211, CS308 and the others); what they cannot
know is a ``PlanError`` naming the inventory value and the fix.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import host_network as HN
from ansible_collections.cloudstack.infra.plugins.module_utils import management_plan as MP
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import G_MGMT, G_NFS
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules_capacity import (
    capacity_warn_from)

# the hosts' bridges (kvm_host's defaults; a XenServer network of the same
# name-label carries the traffic on XenServer)
MANAGEMENT_LABEL = HN.DEFAULT_OPTIONS["management_bridge"]
GUEST_LABEL = HN.DEFAULT_OPTIONS["guest_bridge"]

NETWORK_TYPES = {"basic": "Basic", "advanced": "Advanced"}
SG_OFFERING = "DefaultSharedNetworkOfferingWithSGService"
SHARED_OFFERING = "DefaultSharedNetworkOffering"
CUSTOM_OFFERING = "Custom"
# the plan's flat lists; every entry names its zone
FLAT_KEYS = ("physical_networks", "traffic_types", "ip_ranges", "zone_pods",
             "zone_clusters", "hosts", "primary_storage",
             "secondary_storage", "zone_settings", "cluster_settings",
             "storage_settings")
API_PORT = MP.PORT_API
API_PATH = "/client/api"


class PlanError(ValueError):
    """What the inventory does not say and the plan needs (names the value
    and the fix)."""


def _ratio(value, default=1.0):
    return "%s" % float(default if value is None else value)


def _netmask(cidr):
    return str(cidr.netmask) if cidr is not None else None


def _range(pair):
    return (None, None) if not pair else (
        None if pair[0] is None else str(pair[0]),
        None if pair[1] is None else str(pair[1]))


def _storage_address(model, server, zone, hosts):
    """The address CloudStack reaches an NFS server at: its interface on a
    storage network of the zone that every host in ``hosts`` also has an
    interface on (all of them when hosts is None), else its management
    address."""
    names = [n.raw.get("name") for n in zone.storage]
    own = dict((si.get("network"), si.get("address")) for si in
               (model.hostvars.get(server) or {}).get(
                   "cloudstack_storage_interfaces") or [] if si)
    for net in names:
        if own.get(net) is None:
            continue
        members = hosts if hosts is not None else [
            h for c in zone.clusters for h in c.hosts]
        if all(any(si.get("network") == net for si in
                   (model.hostvars.get(h) or {}).get(
                       "cloudstack_storage_interfaces") or [] if si)
               for h in members):
            return str(own[net]), net
    return model.address(server), None


def _device_for(model, hosts, network):
    """The one device the hosts use for a storage network, or None when
    they disagree or none has one."""
    devices = set()
    for h in hosts:
        for si in (model.hostvars.get(h) or {}).get(
                "cloudstack_storage_interfaces") or []:
            if si and si.get("network") == network and si.get("device"):
                devices.add(si["device"])
    return devices.pop() if len(devices) == 1 else None


def _traffic(zone, model):
    """The physical networks of a zone with their traffic types."""
    advanced = zone.network_type != "basic"
    management = {"name": "%s-management" % zone.name,
                  "isolation": None, "vlan": None,
                  "traffic": [{"type": "Management",
                               "kvm_label": MANAGEMENT_LABEL,
                               "xen_label": MANAGEMENT_LABEL}]}
    guest = {"name": "%s-guest" % zone.name,
             "isolation": "VLAN" if advanced else None,
             "vlan": (zone.guest.raw.get("vlan_range")
                      if advanced and zone.guest is not None else None),
             "traffic": []}
    if advanced:
        guest["traffic"].append({"type": "Public", "kvm_label": GUEST_LABEL,
                                 "xen_label": GUEST_LABEL})
    guest["traffic"].append({"type": "Guest", "kvm_label": GUEST_LABEL,
                             "xen_label": GUEST_LABEL})
    nets = [management, guest]
    # secondary storage reached over a storage network: storage traffic on
    # it, labelled with the device the zone's KVM hosts use for it
    for sec in zone.secondary_storage:
        net = _storage_address(model, sec.get("server"), zone, None)[1]
        if net is None:
            continue
        kvm = [h for c in zone.clusters if c.hypervisor == "KVM"
               for h in c.hosts]
        device = _device_for(model, kvm, net)
        if kvm and device is None:
            raise PlanError(
                "zone %s: the KVM hosts do not use one device for storage "
                "network %s (cloudstack_storage_interfaces[].device), which "
                "the Storage traffic label needs; give them the same device "
                "name" % (zone.name, net))
        nets.append({"name": "%s-storage" % zone.name, "isolation": None,
                     "vlan": None,
                     "traffic": [{"type": "Storage",
                                  "kvm_label": device or net,
                                  "xen_label": net}]})
        break
    return nets


def _pool_url(model, zone, cluster, pool):
    kind = pool.get("type")
    name = pool.get("name")
    path = pool.get("path")
    if kind == "nfs":
        address = _storage_address(model, pool.get("server"), zone,
                                   cluster.hosts)[0]
        return "nfs://%s%s" % (address, path)
    if kind == "shared_mountpoint":
        return "SharedMountPoint://localhost%s" % path
    if kind == "clvm":
        return "clvm://localhost%s" % path
    if kind == "presetup":
        return "presetup://localhost%s" % (path or "/" + name)
    if kind == "smb":
        return "cifs://%s%s" % (model.address(pool.get("server")), path)
    if kind == "iscsi":
        portal = pool.get("portal")
        if portal is None:
            lio = model.lio_server(pool)
            portals = model.portals(lio, zone) if lio else []
            portal = portals[0] if portals else None
        if portal is None:
            raise PlanError(
                "%s: iSCSI pool %s has no portal: set its portal (the "
                "target's address) or serve its target from a "
                "cloudstack_iscsi_targets host" % (cluster.location, name))
        return "iscsi://%s/%s/%d" % (portal, pool.get("target"),
                                     pool.get("lun", 0))
    raise PlanError(
        "%s: primary storage %s of type %s is not registered by "
        "cloudstack.infra.cloud (it registers nfs, shared_mountpoint, iscsi, "
        "clvm, presetup and smb; local storage needs no pool); register it "
        "by hand or change its type" % (cluster.location, name, kind))


def _zone_plan(model, zone):
    advanced = zone.network_type != "basic"
    mgmt = zone.management
    dns = [str(a) for a in zone.raw.get("dns") or []]
    if not dns and mgmt is not None and mgmt.gateway is not None:
        dns = [str(mgmt.gateway)]
    internal = [str(a) for a in zone.raw.get("internal_dns") or []] or dns
    zname = zone.name
    out = {"name": zname,
           "network_type": NETWORK_TYPES["basic" if not advanced
                                         else "advanced"],
           "security_groups": bool(zone.security_groups) and not advanced,
           "dns": dns[:2], "internal_dns": internal[:2],
           "guest_cidr": (str(zone.guest.cidr) if advanced and zone.guest
                          is not None and zone.guest.cidr is not None
                          else None),
           "local_storage": any(p.get("type") == "local" for c in
                                zone.clusters for p in c.primary_storage),
           "guest_network": None}
    lists = dict((k, []) for k in FLAT_KEYS)
    for net in _traffic(zone, model):
        lists["physical_networks"].append(dict(net, zone=zname))
        for t in net["traffic"]:
            lists["traffic_types"].append(dict(t, zone=zname,
                                               physical_network=net["name"]))
    if not dns:
        raise PlanError("zone %s has no DNS server: set its dns (a list of "
                        "addresses)" % zone.name)
    if advanced and zone.public is not None:
        start, end = _range(zone.public_range())
        vlan = zone.public.raw.get("vlan")
        lists["ip_ranges"].append({
            "zone": zname, "kind": "public", "pod": None,
            "gateway": str(zone.public.gateway) if zone.public.gateway
            is not None else None,
            "netmask": _netmask(zone.public.cidr), "start": start,
            "end": end, "vlan": "untagged" if vlan is None else str(vlan),
            "for_virtual_network": True})
    if not advanced:
        if zone.guest is None or zone.guest.gateway is None:
            raise PlanError("basic zone %s needs networks.guest with cidr "
                            "and gateway (its shared guest network)"
                            % zone.name)
        out["guest_network"] = {
            "name": "%s-guest" % zone.name,
            "offering": SG_OFFERING if zone.security_groups
            else SHARED_OFFERING,
            "gateway": str(zone.guest.gateway),
            "netmask": _netmask(zone.guest.cidr)}
    for pod in zone.pods:
        cidr, gateway = pod.network()
        start, end = _range(pod.system_range())
        lists["zone_pods"].append({
            "zone": zname, "name": pod.name,
            "gateway": None if gateway is None else str(gateway),
            "netmask": _netmask(cidr), "start": start, "end": end})
        if not advanced:
            gstart, gend = _range(pod.guest_range())
            if gstart is None or gend is None:
                raise PlanError(
                    "basic zone %s, pod %s: set guest_start and guest_end "
                    "(its range of the shared guest network; only a zone's "
                    "single pod gets the upper half by default)"
                    % (zone.name, pod.name))
            lists["ip_ranges"].append({
                "zone": zname, "kind": "guest", "pod": pod.name,
                "gateway": str(zone.guest.gateway),
                "netmask": _netmask(zone.guest.cidr), "start": gstart,
                "end": gend, "vlan": "untagged",
                "for_virtual_network": False})
    for cl in zone.clusters:
        hosts = []
        for h in cl.hosts:
            if h not in hosts:
                hosts.append(h)
        xen = cl.hypervisor == "XenServer"
        master = hosts[0] if xen and hosts else None
        over = cl.raw.get("overprovisioning") or {}
        lists["zone_clusters"].append({
            "zone": zname, "name": cl.name, "pod": cl.pod.name, "hypervisor": cl.hypervisor,
            "url": "http://%s" % model.address(master) if master else None,
            "hosts": hosts, "cpu_factor": _ratio(over.get("cpu")),
            "memory_factor": _ratio(1.0)})
        for h in hosts:
            address = model.address(h)
            lists["hosts"].append({
                "zone": zname, "name": h, "address": address, "url": "http://%s" % address,
                "pod": cl.pod.name, "cluster": cl.name,
                "hypervisor": cl.hypervisor, "pool_master": h == master})
        for pool in cl.primary_storage:
            if pool.get("type") == "local":
                continue
            lists["primary_storage"].append({
                "zone": zname, "name": pool.get("name"), "pod": cl.pod.name,
                "cluster": cl.name, "scope": "cluster",
                "hypervisor": cl.hypervisor,
                "url": _pool_url(model, zone, cl, pool),
                "storage_factor": (_ratio(over["storage"])
                                   if over.get("storage") is not None
                                   else None),
                "tags": list(pool.get("tags") or [])})
    for i, sec in enumerate(zone.secondary_storage):
        address = _storage_address(model, sec.get("server"), zone, None)[0]
        lists["secondary_storage"].append({
            "zone": zname, "name": "%s-secondary%d" % (zone.name, i + 1),
            "url": "nfs://%s%s" % (address, sec.get("path"))})
    if out["local_storage"]:
        lists["zone_settings"].append({"zone": zname,
                                       "name": "system.vm.use.local.storage",
                                       "value": "true"})
    over = [(cl, cl.raw.get("overprovisioning") or {}) for cl in
            zone.clusters]
    for cl, factors in over:
        for name, value in (("cpu.overprovisioning.factor",
                             _ratio(factors.get("cpu"))),
                            ("mem.overprovisioning.factor", _ratio(1.0))):
            lists["cluster_settings"].append({"zone": zname,
                                              "cluster": cl.name,
                                              "name": name, "value": value})
    for pool in lists["primary_storage"]:
        if pool["storage_factor"] is not None:
            lists["storage_settings"].append({
                "zone": zname, "storage": pool["name"],
                "name": "storage.overprovisioning.factor",
                "value": pool["storage_factor"]})
    return out, lists


def _offerings(model):
    out = [{"name": CUSTOM_OFFERING,
            "display_text": "Custom size (%d-%d GB)" % (
                D.DISK_OFFERING_MIN_GB, D.DISK_OFFERING_MAX_GB),
            "customized": True, "disk_size": None, "storage_type": "shared",
            "tags": []}]
    for o in model.globals.get("cloudstack_disk_offerings") or []:
        if not o:
            continue
        out.append({"name": o["name"],
                    "display_text": o.get("display_text") or o["name"],
                    "customized": False, "disk_size": o["disk_size_gb"],
                    "storage_type": o.get("storage_type", "shared"),
                    "tags": list(o.get("tags") or [])})
    return out


def capacity_row(zone, pod, cluster, hosts, tolerate, limit):
    """One cluster's capacity: safe = (N - f) x limit (0 when N - f < 1),
    threshold = the smallest whole count at or above CS604's ratio of it."""
    usable = hosts - tolerate
    safe = usable * limit if usable > 0 else 0
    return {"zone": zone, "pod": pod, "cluster": cluster, "hosts": hosts,
            "tolerate": tolerate, "limit": limit, "safe": safe,
            "threshold": capacity_warn_from(safe)}


def limits_and_capacity(model):
    """([{hypervisor, limit}], [capacity row per cluster]): the per-host
    instance limits and the capacity rows (monitoring_plan's cluster alerts
    read the same rows)."""
    limits, capacity, seen_hv = [], [], set()
    for cl in model.clusters:
        limit = cl.raw.get("max_instances_per_host")
        if limit is None:
            continue
        if cl.hypervisor and cl.hypervisor not in seen_hv:
            seen_hv.add(cl.hypervisor)
            limits.append({"hypervisor": cl.hypervisor, "limit": limit})
        capacity.append(capacity_row(
            cl.zone.name, cl.pod.name, cl.name, len(set(cl.hosts)),
            cl.raw.get("host_failures_to_tolerate", D.DEFAULT_HOST_FAILURES),
            limit))
    return limits, capacity


def exporter_settings(model):
    """CloudStack's Prometheus exporter (global settings), only when the
    inventory is monitored (cloudstack_monitoring hosts or
    cloudstack_monitoring_sources): enabled, on its port, open to the
    monitoring sources' addresses (the setting takes addresses, not
    networks; without any, CloudStack's default 127.0.0.1)."""
    sources = model.monitoring_sources()
    if not sources:
        return []
    addresses = []
    for src in sources:
        net = ipaddress.ip_network(src.strip(), strict=False)
        if net.num_addresses == 1 and str(net.network_address) not in \
                addresses:
            addresses.append(str(net.network_address))
    return [{"name": "prometheus.exporter.enable", "value": "true"},
            {"name": "prometheus.exporter.port",
             "value": str(D.CLOUDSTACK_EXPORTER_PORT)},
            {"name": "prometheus.exporter.allowed.ips",
             "value": ",".join(addresses) or "127.0.0.1"}]


def plan_cloud(model, host=None):
    """The API tier's plan (JSON-able dict); see the module docstring."""
    mgmt = model.group(G_MGMT)
    host = host or (mgmt[0] if mgmt else None)
    plan = dict((k, []) for k in FLAT_KEYS)
    plan["zones"] = []
    for zone in model.zones:
        zplan, lists = _zone_plan(model, zone)
        plan["zones"].append(zplan)
        for key in FLAT_KEYS:
            plan[key].extend(lists[key])
    settings = [
        {"name": "custom.diskoffering.size.min",
         "value": str(D.DISK_OFFERING_MIN_GB)},
        {"name": "custom.diskoffering.size.max",
         "value": str(D.DISK_OFFERING_MAX_GB)}]
    api_url = model.globals.get("cloudstack_api_url")
    if mgmt:
        management = MP.plan_management(model, host)
        for name in ("host", "indirect.agent.lb.algorithm"):
            value = management["host_setting"].get(name)
            if value is not None:
                settings.append({"name": name, "value": value})
        if api_url is None:
            front = management["lb"]["vip"] if management["lb"] else (
                management["servers"][0]["address"]
                if management["servers"] else None)
            if front is not None:
                api_url = "http://%s:%d%s" % (front, API_PORT, API_PATH)
    settings.extend(exporter_settings(model))
    limits, capacity = limits_and_capacity(model)
    plan.update({
        "version": str(model.globals.get("cloudstack_version")
                       or MP.DEFAULT_VERSION),
        "api_url": api_url, "settings": settings,
        "hypervisor_limits": limits, "disk_offerings": _offerings(model),
        "capacity": capacity, "nfs_servers": model.group(G_NFS)})
    return plan


def expected_names(plan):
    """What the plan lists, per kind, as cloud_unlisted_info compares it:
    zones, pods (zone/pod), clusters (zone/pod/cluster), hosts (addresses),
    storage_pools (zone/name), image_stores (urls)."""
    return {
        "zones": [z["name"] for z in plan["zones"]],
        "pods": ["%s/%s" % (p["zone"], p["name"]) for p in plan["zone_pods"]],
        "clusters": ["%s/%s/%s" % (c["zone"], c["pod"], c["name"])
                     for c in plan["zone_clusters"]],
        "hosts": [h["address"] for h in plan["hosts"]],
        "storage_pools": ["%s/%s" % (p["zone"], p["name"])
                          for p in plan["primary_storage"]],
        "image_stores": [s["url"] for s in plan["secondary_storage"]]}


def capacity_actions(rows, live, reenable=False):
    """Per planned cluster: the live instance count and allocation state,
    and the guard's action: ``disable`` (at or above the threshold and
    enabled), ``enable`` (below it, disabled, and only with ``reenable``),
    ``keep``, or ``missing`` (CloudStack does not have the cluster).

    live: [{zone, pod, cluster, instances, allocation}] as
    cloud_capacity_info returns them."""
    index = {}
    for item in live or []:
        index[(item.get("zone"), item.get("cluster"))] = item
    out = []
    for row in rows or []:
        row = dict(row)
        item = index.get((row["zone"], row["cluster"]))
        if item is None:
            row.update(instances=None, allocation=None, action="missing",
                       reason="CloudStack has no cluster %s in zone %s"
                       % (row["cluster"], row["zone"]))
            out.append(row)
            continue
        count = int(item.get("instances") or 0)
        state = str(item.get("allocation") or "")
        enabled = state.lower() == "enabled"
        row.update(instances=count, allocation=state)
        if count >= row["threshold"]:
            row.update(action="disable" if enabled else "keep",
                       reason="%d instances, at or above %d (0.9 x (%d - %d) "
                       "x %d)" % (count, row["threshold"], row["hosts"],
                                  row["tolerate"], row["limit"]))
        elif not enabled and reenable:
            row.update(action="enable",
                       reason="%d instances, below %d, and capacity_reenable "
                       "is set" % (count, row["threshold"]))
        elif not enabled:
            row.update(action="keep",
                       reason="%d instances, below %d; allocation stays "
                       "disabled without capacity_reenable"
                       % (count, row["threshold"]))
        else:
            row.update(action="keep", reason="%d instances, below %d"
                       % (count, row["threshold"]))
        out.append(row)
    return out
