# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology model of cloudstack.infra (plain Python, no Ansible import).

The inventory is read once, after the CS001 shape check (topology_schema),
into typed objects: sites, zones (networks, pods, secondary storage),
pods, clusters (hypervisor, hosts, primary storage) and hosts. This is the
only place that walks ``cloudstack_zones``; the rules (topology.py) and the
per-host views (``Model.host_view``) read the objects.

``Model(groups, hostvars, global_vars)`` takes the *sanitised* data the
shape check returns (``topology.build_model`` runs both): groups as lists of
host names, host variables and globals checked against their specs
(addresses and networks as ``ipaddress`` objects). Nothing here raises on
such data.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as ST
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S

ASSUMED_SITE = "(assumed site)"
ISCSI_PORT = 3260

G_MGMT = "cloudstack_management"
G_DB_PRIMARY = "cloudstack_db_primary"
G_DB_REPLICAS = "cloudstack_db_replicas"
G_LB = "cloudstack_lb"
G_NFS = "cloudstack_nfs"
G_ISCSI = "cloudstack_iscsi_targets"
G_FIREWALL = "cloudstack_firewall"
# the hosts that run Prometheus and Alertmanager (monitoring_plan)
G_MONITORING = "cloudstack_monitoring"
CONTRACT_GROUPS = (G_MGMT, G_DB_PRIMARY, G_DB_REPLICAS, G_LB, G_NFS, G_ISCSI,
                   G_FIREWALL, G_MONITORING) + \
    tuple(D.HYPERVISOR_GROUPS.values())


def hypervisor_name(name):
    """The canonical hypervisor name (vSphere -> VMware), or None."""
    if not isinstance(name, str):
        return None
    return D.HYPERVISOR_ALIASES.get(name.strip().lower())


def zone_pods(zone):
    """The pod mappings of a zone mapping (the rules' raw reads go
    through here: the model is the one walk of cloudstack_zones)."""
    return [p for p in (zone.get("pods") or []) if p]


def listed_hosts(zones):
    """Host names listed in clusters, read defensively (any shape: before
    the shape check, e.g. to know whose variables to read)."""
    hosts = set()
    for zone in zones if isinstance(zones, (list, tuple)) else ():
        pods = zone.get("pods") if isinstance(zone, dict) else None
        for pod in pods if isinstance(pods, (list, tuple)) else ():
            clusters = pod.get("clusters") if isinstance(pod, dict) else None
            for cl in clusters if isinstance(clusters, (list, tuple)) else ():
                listed = cl.get("hosts") if isinstance(cl, dict) else None
                if isinstance(listed, (list, tuple)):
                    hosts.update(h for h in listed if isinstance(h, str))
    return hosts


def portal_addresses(hostvars, storage_networks):
    """Portal addresses of an iSCSI target host (its variables): its
    storage interfaces on the named storage networks, else its management
    address."""
    hostvars = hostvars or {}
    ips = [str(si["address"])
           for si in hostvars.get("cloudstack_storage_interfaces") or []
           if si and si.get("network") in storage_networks
           and si.get("address")]
    if not ips and hostvars.get("cloudstack_management_address") is not None:
        ips.append(str(hostvars["cloudstack_management_address"]))
    return ips


def _text(value):
    return None if value is None else str(value)


# The share of a network a default range takes (its upper part): a pod's
# reserved system range, the upper quarter of its management network; a
# public range and a basic zone's pod guest range, the upper half.
SYSTEM_RANGE_SHARE = 4
PUBLIC_RANGE_SHARE = 2


def upper_range(cidr, share):
    """(first, last) address of the upper 1/share of an IPv4 network's host
    addresses (the broadcast address excluded), or None when the network is
    not IPv4 or too small (fewer than 4 addresses)."""
    if cidr is None or cidr.version != 4 or cidr.num_addresses < 4:
        return None
    size = cidr.num_addresses
    first = cidr.network_address + (size - max(size // share, 2))
    return first, cidr.broadcast_address - 1


def given_range(raw, start_key, end_key):
    """(start, end) when both keys are set, None when neither, and
    (start or None, end or None) when only one is (the rules report it)."""
    start, end = raw.get(start_key), raw.get(end_key)
    if start is None and end is None:
        return None
    return start, end


class Network(object):
    """A network of a zone (or a pod's range): cidr and gateway."""

    __slots__ = ("kind", "name", "cidr", "gateway", "raw")

    def __init__(self, kind, raw, name=None):
        self.kind = kind
        self.raw = raw
        self.name = name if name is not None else raw.get("name")
        self.cidr = raw.get("cidr")
        self.gateway = raw.get("gateway")

    @property
    def label(self):
        if self.kind == "storage":
            return "storage %s" % (self.name if self.name is not None
                                   else "[?]")
        return self.kind

    def to_dict(self):
        out = {"cidr": _text(self.cidr), "gateway": _text(self.gateway),
               "prefix": self.cidr.prefixlen if self.cidr is not None
               else None}
        if self.kind == "storage":
            out["name"] = self.name
        return out


class Site(object):
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name


class Zone(object):
    """A zone: networks, pods, clusters, secondary storage."""

    __slots__ = ("index", "name", "site", "network_type", "security_groups",
                 "management", "storage", "public", "guest", "pods",
                 "clusters", "secondary_storage", "raw", "path")

    def __init__(self, index, raw, default_site):
        self.index = index
        self.raw = raw
        self.path = "cloudstack_zones[%d]" % index
        self.name = raw.get("name", "zone[%d]" % index)
        self.site = raw.get("site", default_site)
        self.network_type = raw.get("network_type")
        self.security_groups = raw.get("security_groups")
        nets = raw.get("networks") or {}
        self.management = Network("management", nets["management"]) \
            if nets.get("management") else None
        self.public = Network("public", nets["public"]) \
            if nets.get("public") else None
        self.guest = Network("guest", nets["guest"]) \
            if nets.get("guest") else None
        self.storage = []
        for i, s in enumerate(nets.get("storage") or []):
            if s:
                self.storage.append(Network("storage", s, s.get(
                    "name", "[%d]" % i)))
        self.secondary_storage = [s for s in raw.get("secondary_storage")
                                  or [] if s]
        self.pods = []
        self.clusters = []

    def public_range(self):
        """The public IP range (start, end): the public network's start/end,
        else the upper half of its cidr; None without a public network."""
        if self.public is None:
            return None
        return given_range(self.public.raw, "start", "end") or \
            upper_range(self.public.cidr, PUBLIC_RANGE_SHARE)

    def networks(self):
        """[(label, Network)] in a stable order: management, public, guest,
        storage."""
        out = []
        for net in (self.management, self.public, self.guest):
            if net is not None:
                out.append((net.label, net))
        for net in self.storage:
            out.append((net.label, net))
        return out

    def storage_network(self, name):
        for net in self.storage:
            if net.raw.get("name") == name:
                return net
        return None

    def view(self):
        return {
            "name": self.name, "site": self.site,
            "network_type": self.network_type,
            "security_groups": bool(self.security_groups),
            "networks": {
                "management": self.management.to_dict()
                if self.management else None,
                "public": self.public.to_dict() if self.public else None,
                "guest": self.guest.to_dict() if self.guest else None,
                "storage": [n.to_dict() for n in self.storage],
            },
        }


class Pod(object):
    __slots__ = ("index", "name", "zone", "cidr", "gateway", "clusters",
                 "raw")

    def __init__(self, index, raw, zone):
        self.index = index
        self.raw = raw
        self.zone = zone
        self.name = raw.get("name", "pod[%d]" % index)
        self.cidr = raw.get("cidr")
        self.gateway = raw.get("gateway")
        self.clusters = []

    def network(self):
        """(cidr, gateway) of the pod's management range: its own, else the
        zone's management network's."""
        zone_net = self.zone.management
        cidr = self.cidr if self.cidr is not None else (
            zone_net.cidr if zone_net else None)
        gateway = self.gateway if self.gateway is not None else (
            zone_net.gateway if zone_net else None)
        return cidr, gateway

    def system_range(self):
        """The pod's reserved system range (start, end): start/end, else the
        upper quarter of the pod's management network."""
        return given_range(self.raw, "start", "end") or \
            upper_range(self.network()[0], SYSTEM_RANGE_SHARE)

    def guest_range(self):
        """A basic zone's pod range of the shared guest network:
        guest_start/guest_end, else (the zone's only pod) the upper half of
        the guest network; None otherwise."""
        given = given_range(self.raw, "guest_start", "guest_end")
        if given or self.zone.guest is None or len(self.zone.pods) != 1:
            return given
        return upper_range(self.zone.guest.cidr, PUBLIC_RANGE_SHARE)

    def view(self):
        return {"name": self.name, "cidr": _text(self.cidr),
                "gateway": _text(self.gateway)}


class Cluster(object):
    """A cluster; ``hosts`` are the valid host names as listed (duplicates
    kept), ``host_problems`` [(index, value)] the entries that are not."""

    __slots__ = ("index", "name", "zone", "pod", "raw", "location", "path",
                 "hypervisor", "hypervisor_raw", "hosts", "hosts_state",
                 "host_problems", "primary_storage", "multipath")

    def __init__(self, index, raw, zone, pod):
        self.index = index
        self.raw = raw
        self.zone = zone
        self.pod = pod
        self.name = raw.get("name", "cluster[%d]" % index)
        self.location = "%s/%s/%s" % (zone.name, pod.name, self.name)
        self.path = "%s.pods[%d].clusters[%d]" % (zone.path, pod.index, index)
        self.hypervisor_raw = raw.get("hypervisor")
        self.hypervisor = hypervisor_name(self.hypervisor_raw)
        hosts_raw = raw.get("hosts")
        self.hosts = []
        self.host_problems = []
        if hosts_raw is None:
            self.hosts_state = "missing"
        elif hosts_raw == []:
            self.hosts_state = "empty"
        elif not isinstance(hosts_raw, (list, tuple)):
            self.hosts_state = "not a list"
        else:
            self.hosts_state = "ok"
            for i, h in enumerate(hosts_raw):
                if isinstance(h, str) and h:
                    self.hosts.append(h)
                else:
                    self.host_problems.append((i, h))
        self.primary_storage = [p for p in raw.get("primary_storage") or []
                                if p]
        self.multipath = any(p.get("multipath") for p in self.primary_storage)

    def walk(self):
        """The tuple the rules read: (zone index, zone dict, pod dict,
        cluster dict, location, path)."""
        return (self.zone.index, self.zone.raw, self.pod.raw, self.raw,
                self.location, self.path)


class Host(object):
    """A host of the inventory, placed in the topology."""

    __slots__ = ("name", "groups", "vars", "zone", "pod", "cluster",
                 "hypervisor", "site", "management_address",
                 "storage_interfaces", "bonds")

    def __init__(self, model, name):
        self.name = name
        self.groups = model.host_groups.get(name, [])
        self.vars = model.hostvars.get(name) or {}
        self.cluster = model.placed.get(name)
        self.zone = self.cluster.zone if self.cluster else None
        self.pod = self.cluster.pod if self.cluster else None
        hvs = model.hypervisor_groups.get(name) or []
        self.hypervisor = self.cluster.hypervisor if self.cluster and \
            self.cluster.hypervisor else (hvs[0] if hvs else None)
        self.site = model.host_site(name)
        self.management_address = self.vars.get(
            "cloudstack_management_address")
        self.storage_interfaces = [s for s in self.vars.get(
            "cloudstack_storage_interfaces") or [] if s]
        self.bonds = [b for b in self.vars.get("cloudstack_bonds") or []
                      if b]


class Model(object):
    """The inventory read once. See the module docstring."""

    def __init__(self, groups, hostvars, global_vars):
        self.groups = groups or {}
        self.hostvars = hostvars if hostvars is not None else {}
        self.globals = global_vars or {}
        self.sites = [Site(s["name"]) for s in self.globals.get(
            "cloudstack_sites") or [] if s and s.get("name")]
        self.site_names = [s.name for s in self.sites]
        self.default_site = self.site_names[0] \
            if len(self.site_names) == 1 else ASSUMED_SITE
        self.known = set()
        self.host_groups = {}
        for name, hosts in self.groups.items():
            for h in hosts:
                self.known.add(h)
                self.host_groups.setdefault(h, []).append(name)
        self.known.update(h for h in self.hostvars
                          if isinstance(h, str) and h)
        self._inherit()
        self.hypervisor_groups = {}
        for hv, group in D.HYPERVISOR_GROUPS.items():
            for h in self.group(group):
                self.hypervisor_groups.setdefault(h, []).append(hv)
        self.zones = []
        self.clusters = []
        self.placed = {}        # host -> its (first) cluster
        self.duplicates = []    # (host, first cluster, cluster listing again)
        self._walk()
        self._hosts = {}
        self._views = {}

    # -- construction ----------------------------------------------------

    def _inherit(self):
        """Host-level keys set for all hosts (group_vars/all) apply to every
        known host that does not set its own."""
        inherited = [(k, self.globals[k]) for k in S.HOST_SPECS
                     if k in self.globals]
        if inherited:
            for h in self.known:
                hv = self.hostvars.setdefault(h, {})
                for key, value in inherited:
                    hv.setdefault(key, value)

    def _walk(self):
        for zi, raw in enumerate(self.globals.get("cloudstack_zones") or []):
            if not raw:
                continue
            zone = Zone(zi, raw, self.default_site)
            self.zones.append(zone)
            for pi, praw in enumerate(raw.get("pods") or []):
                if not praw:
                    continue
                pod = Pod(pi, praw, zone)
                zone.pods.append(pod)
                for ci, craw in enumerate(praw.get("clusters") or []):
                    if not craw:
                        continue
                    cl = Cluster(ci, craw, zone, pod)
                    pod.clusters.append(cl)
                    zone.clusters.append(cl)
                    self.clusters.append(cl)
                    seen = set()
                    for h in cl.hosts:
                        if h in seen or h in self.placed:
                            first = cl if h in seen else self.placed[h]
                            self.duplicates.append((h, first, cl))
                            continue
                        seen.add(h)
                        self.placed[h] = cl

    # -- lookups -----------------------------------------------------------

    def group(self, name):
        return list(self.groups.get(name) or [])

    def zone_of(self, name):
        cl = self.placed.get(name)
        return cl.zone if cl else None

    def cluster_of(self, name):
        return self.placed.get(name)

    def host_site(self, name):
        """cloudstack_site, else the zone's site, else the default site: the
        single (or, with several, the first) site of cloudstack_sites, or
        the assumed site. A host without a site is never a site of its
        own."""
        site = (self.hostvars.get(name) or {}).get("cloudstack_site")
        if site is not None:
            return site
        zone = self.zone_of(name)
        if zone is not None:
            return zone.site
        return self.site_names[0] if self.site_names else ASSUMED_SITE

    def host(self, name):
        h = self._hosts.get(name)
        if h is None:
            h = self._hosts[name] = Host(self, name)
        return h

    def effective(self, name, key, default=None):
        """A host's value of a key: its own (host or group vars), else the
        global one."""
        hv = self.hostvars.get(name) or {}
        if key in hv:
            return hv[key]
        return self.globals.get(key, default)

    def iqn_prefix(self):
        return self.globals.get("cloudstack_iscsi_initiator_iqn_prefix",
                                D.ISCSI_INITIATOR_IQN_PREFIX)

    def initiator_iqn(self, name):
        """cloudstack_iscsi_initiator_iqn, or the name the storage planner
        derives (and the iSCSI target allows)."""
        iqn = (self.hostvars.get(name) or {}).get(
            "cloudstack_iscsi_initiator_iqn")
        return iqn or ST.default_initiator_iqn(name, self.iqn_prefix())

    def portals(self, target_host, zone):
        """Portal addresses of an LIO target host for a zone: its storage
        interfaces on the zone's storage networks, else its management
        address (what the storage planner derives)."""
        return portal_addresses(self.hostvars.get(target_host),
                                set(n.raw.get("name") for n in zone.storage))

    def lio_server(self, pool):
        """The cloudstack_iscsi_targets host serving an iscsi pool, or None
        (an external SAN, or ambiguous: CS210)."""
        targets = self.group(G_ISCSI)
        server = pool.get("server")
        if server is None:
            return targets[0] if len(targets) == 1 else None
        return server if server in targets else None

    def address(self, name):
        """A host's cloudstack_management_address as text, or None."""
        return _text((self.hostvars.get(name) or {}).get(
            "cloudstack_management_address"))

    def management_addresses(self):
        out = []
        for h in self.group(G_MGMT):
            addr = self.address(h)
            if addr is not None and addr not in out:
                out.append(addr)
        return out

    def monitoring_sources(self):
        """Who scrapes the exporters: the cloudstack_monitoring hosts'
        management addresses, then cloudstack_monitoring_sources (text,
        without duplicates; empty when nothing is monitored)."""
        out = []
        for h in self.group(G_MONITORING):
            addr = self.address(h)
            if addr is not None and addr not in out:
                out.append(addr)
        for src in self.globals.get("cloudstack_monitoring_sources") or []:
            text = None if src is None else str(src).strip()
            if text and text not in out:
                out.append(text)
        return out

    # -- per-host view -----------------------------------------------------

    def host_view(self, name):
        """What the roles need to know about one host, as JSON-able data."""
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self._host_view(name)
        return view

    def _host_view(self, name):
        h = self.host(name)
        zone, pod, cl = h.zone, h.pod, h.cluster
        mgmt_net = zone.management.to_dict() if zone and zone.management \
            else None
        ifaces = []
        for si in h.storage_interfaces:
            net = zone.storage_network(si.get("network")) if zone else None
            ifaces.append({
                "network": si.get("network"), "device": si.get("device"),
                "address": _text(si.get("address")),
                "cidr": _text(net.cidr) if net else None,
                "prefix": net.cidr.prefixlen if net and net.cidr is not None
                else None,
                "gateway": _text(net.gateway) if net else None})
        return {
            "name": name,
            "groups": sorted(h.groups),
            "site": h.site,
            "zone": zone.view() if zone else None,
            "pod": pod.view() if pod else None,
            "cluster": {"name": cl.name, "hypervisor": cl.hypervisor,
                        "hosts": list(cl.hosts),
                        "multipath": cl.multipath} if cl else None,
            "hypervisor": h.hypervisor,
            "management_address": _text(h.management_address),
            "management_network": mgmt_net,
            "management_device": h.vars.get("cloudstack_management_device"),
            "guest_device": h.vars.get("cloudstack_guest_device"),
            "storage_interfaces": ifaces,
            "bonds": [{"name": b.get("name"), "mode": b.get("mode"),
                       "members": list(b.get("members") or [])}
                      for b in h.bonds],
            "initiator_iqn": self.initiator_iqn(name),
            "iscsi_portals": self._iscsi_portals(h),
            "nfs_exports": self._nfs_exports(name),
            "management_servers": self.management_addresses(),
            "firewall_sources": self._firewall_sources(h),
            "monitoring_sources": self.monitoring_sources(),
        }

    def _iscsi_portals(self, h):
        out = []
        if h.cluster is None:
            return out
        for pool in h.cluster.primary_storage:
            if not ST.is_lio_pool(pool):
                continue
            server = self.lio_server(pool)
            if server is None:
                continue
            for ip in self.portals(server, h.zone):
                out.append({"pool": pool.get("name"),
                            "target": pool.get("target"), "server": server,
                            "address": ip, "port": ISCSI_PORT})
        return out

    def _nfs_exports(self, name):
        """The exports of an NFS server (what storage_topology.nfs_exports
        derives), from the model: every secondary storage and nfs primary
        storage whose server is this host, with its clients (the host's
        cloudstack_nfs_export_clients, else the zones' management and
        storage networks). Paths CS205/CS208 refuse are left out."""
        if name not in self.group(G_NFS):
            return []
        clients = self.effective(name, "cloudstack_nfs_export_clients")
        try:
            exports = ST.nfs_exports(self, name, clients)
        except ST.StorageError:
            return []       # an export without clients
        return [{"path": e["path"], "kind": e["kind"],
                 "clients": list(e["clients"]), "zones": list(e["zones"]),
                 "names": list(e["names"])} for e in exports]

    def _firewall_sources(self, h):
        out = list(self.management_addresses())
        for src in self.effective(h.name, "cloudstack_host_allowed_sources")\
                or []:
            if src is not None and str(src) not in out:
                out.append(str(src))
        if h.cluster is not None:
            for peer in h.cluster.hosts:
                if peer == h.name:
                    continue
                addr = self.address(peer)
                if addr is not None and addr not in out:
                    out.append(addr)
        return out
