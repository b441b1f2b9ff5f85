# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who may reach which port of which host (plain Python, no Ansible import).

``plan_exposure(model, host, options)`` derives, from the topology model
(topology_model.Model), the services ``host`` exposes for every tier it
belongs to: one row per service with its tier, name, ports, protocol, the
sources admitted (addresses/CIDRs; ``None``: everyone, only the load
balancers' published ports) and the reason. ``render_nft(plan, table)``
prints a policy-drop ``inet`` input table that admits exactly those rows
(plus loopback, established/related, ICMP/ND and DHCP replies): the
database and load_balancer roles load it through
cloudstack.infra.host_firewall (docs/firewall.md, "What each tier exposes").

The rows of the management servers come from management_plan (the one
planner of that tier), the exporters' from monitoring_plan, NFS clients from
the storage planner: this module only gathers them per host, so that a
host carrying several tiers (the lab's management server is also the
database primary) gets one table admitting all of them.

``admin_sources(model, host)``: who administers a host over SSH (and reads
the load balancers' statistics) - the management servers' addresses and
cloudstack_host_allowed_sources, as the kvm_host table has always admitted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils import firewall_rules as FR
from ansible_collections.cloudstack.infra.plugins.module_utils import management_plan as MP
from ansible_collections.cloudstack.infra.plugins.module_utils import monitoring_plan as MON
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as ST
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import (
    G_DB_PRIMARY, G_DB_REPLICAS, G_FIREWALL, G_LB, G_MGMT, G_NFS)

SSH_PORT = 22
VRRP_PROTOCOL = 112
NFS_FIXED_PORTS = (111, 2049)
# the options and their defaults (the roles pass their own values)
DEFAULTS = {
    "ssh_port": SSH_PORT,
    "db_port": MP.DB_PORT,
    # what roles/load_balancer publishes on the VIP (load_balancer_http_port,
    # load_balancer_https_port)
    "lb_ports": [80, 443],
    # None: the published ports from everyone
    "lb_client_sources": None,
    # haproxy's statistics page (None: off) and who reads it besides the
    # admin sources
    "lb_stats_port": 8404,
    "lb_stats_sources": [],
    # kvm_host: libvirt's listening ports, VNC and migration ranges
    "kvm_libvirt_ports": [16514],
    "kvm_vnc_ports": "5900-6100",
    "kvm_migration_ports": "49152-49215",
    # nfs_server_ports (statd, mountd, lockd, rquotad) besides 111 and 2049
    "nfs_tcp_ports": [662, 892, 32803, 875],
    "nfs_udp_ports": [662, 892, 32769, 875],
    # nat_firewall_admin_cidrs (None: the local zones' management networks)
    "nat_admin_cidrs": None,
    "version": None,
}


NULLABLE = ("lb_client_sources", "lb_stats_port", "nat_admin_cidrs")


class ExposureError(ValueError):
    """An option the planner cannot use (named in the message)."""


def _unique(items):
    out = []
    for item in items:
        if item is not None and str(item) not in out:
            out.append(str(item))
    return out


def _options(options):
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise ExposureError("the options must be a mapping, got %s"
                            % type(options).__name__)
    unknown = sorted(set(options) - set(DEFAULTS))
    if unknown:
        raise ExposureError("unknown option(s) %s; known: %s"
                            % (", ".join(unknown), ", ".join(sorted(DEFAULTS))))
    out = dict(DEFAULTS)
    # null keeps its meaning for these (everyone, off, derived); the others
    # fall back to their default
    out.update((k, v) for k, v in options.items() if v is not None or k in NULLABLE)
    for key in ("lb_client_sources", "lb_stats_sources"):
        value = out[key]
        if value is None:
            continue
        if not isinstance(value, (list, tuple)):
            raise ExposureError("%s must be a list of addresses or networks, got %r"
                                % (key, value))
        for src in value:
            try:
                ipaddress.ip_network(str(src), strict=False)
            except ValueError:
                raise ExposureError("%s: %r is not an address or network; "
                                    "write e.g. 192.0.2.10 or 198.51.100.0/24"
                                    % (key, src))
    return out


def admin_sources(model, host):
    """Who administers ``host`` (SSH): the management servers' addresses,
    then cloudstack_host_allowed_sources (text, no duplicates)."""
    return _unique(list(model.management_addresses())
                   + list(model.effective(host, "cloudstack_host_allowed_sources") or []))


def _row(tier, name, ports, sources, reason, protocol="tcp"):
    return {"tier": tier, "name": name, "protocol": protocol,
            "ports": list(ports), "sources": None if sources is None else _unique(sources),
            "reason": reason}


def _db_hosts(model):
    return _unique(model.group(G_DB_PRIMARY) + model.group(G_DB_REPLICAS))


def _database(model, host, opt):
    others = [model.address(h) for h in _db_hosts(model) if h != host]
    return [
        _row("database", "ssh", [opt["ssh_port"]], admin_sources(model, host),
             "administration: the management servers and cloudstack_host_allowed_sources"),
        _row("database", "mysql", [opt["db_port"]],
             list(model.management_addresses()) + others,
             "the management servers (cloud user) and the other database hosts (replication)"),
    ]


def _hypervisor_addresses(model):
    return _unique(model.address(h) for h in sorted(model.placed))


def _load_balancer(model, host, opt):
    plan = MP.plan_management(model, host, opt["version"])
    lb = plan["lb"] or {}
    nets = plan["management_networks"]
    rows = [
        _row("load_balancer", "ssh", [opt["ssh_port"]], admin_sources(model, host),
             "administration: the management servers and cloudstack_host_allowed_sources"),
        _row("load_balancer", "published", list(opt["lb_ports"]), opt["lb_client_sources"],
             "the UI and API on the VIP (HTTP, HTTPS): the cloud's users"
             + ("" if opt["lb_client_sources"] is None else " (load_balancer_firewall_client_sources)")),
        _row("load_balancer", "agent", list(plan["ports"]["agent"]),
             nets + _hypervisor_addresses(model),
             "the agents on the VIP: hypervisor hosts and system VMs (the management networks)"),
        _row("load_balancer", "vrrp", [], lb.get("peers") or [],
             "keepalived's VRRP adverts (unicast) from the other load balancer(s)",
             protocol="vrrp"),
    ]
    if plan["integration_api"] and plan["ports"]["integration"]:
        rows.append(_row("load_balancer", "integration", list(plan["ports"]["integration"]), nets,
                         "the unauthenticated integration API: the management networks only"))
    if opt["lb_stats_port"]:
        rows.append(_row("load_balancer", "stats", [opt["lb_stats_port"]],
                         admin_sources(model, host) + list(opt["lb_stats_sources"] or []),
                         "haproxy's statistics page: the admin sources (and load_balancer_firewall_stats_sources)"))
    return rows


def _management(model, host, opt):
    plan = MP.plan_management(model, host, opt["version"])
    why = {"ssh": "administration: cloudstack_host_allowed_sources and the management networks",
           "api": "the UI and API: the load balancers (or the NAT firewall) and the admin sources",
           "agent": "the agents: hypervisor hosts, system VMs (the management networks), the load balancers",
           "cluster": "the other management servers (cluster port)",
           "integration": "the integration API: the management networks"}
    rows = []
    for cls in ("ssh", "api", "agent", "cluster", "integration"):
        ports = plan["ports"].get(cls) or []
        if ports:
            rows.append(_row("management", cls, list(ports), plan["sources"].get(cls) or [], why[cls]))
    return rows


def _kvm(model, host, opt):
    h = model.host(host)
    peers = [model.address(p) for p in (h.cluster.hosts if h.cluster else []) if p != host]
    peers = [p for p in peers if p is not None]
    sources = admin_sources(model, host) + [p for p in peers if p not in admin_sources(model, host)]
    rows = [_row("kvm", "ssh-vnc-migration",
                 [opt["ssh_port"], opt["kvm_vnc_ports"], opt["kvm_migration_ports"]], sources,
                 "administration, VNC and migration: the management servers, "
                 "cloudstack_host_allowed_sources and the cluster's other hosts")]
    if opt["kvm_libvirt_ports"]:
        libvirt = list(model.management_addresses())
        libvirt += [p for p in peers if p not in libvirt]
        rows.append(_row("kvm", "libvirt", list(opt["kvm_libvirt_ports"]), libvirt,
                         "libvirt (TLS; plain TCP only when asked): the cluster's other hosts and "
                         "the management servers, never cloudstack_host_allowed_sources"))
    return rows


def _nfs(model, host, opt):
    clients = model.effective(host, "cloudstack_nfs_export_clients")
    try:
        exports = ST.nfs_exports(model, host, clients)
    except ST.StorageError:
        exports = []
    v4, v6 = ST.firewall_clients(exports)
    sources = list(v4) + list(v6)
    tcp = sorted(set(int(p) for p in list(NFS_FIXED_PORTS) + list(opt["nfs_tcp_ports"])))
    udp = sorted(set(int(p) for p in list(NFS_FIXED_PORTS) + list(opt["nfs_udp_ports"])))
    why = "rpcbind, nfsd and the fixed NFS ports: the export clients"
    return [_row("nfs", "nfs", tcp, sources, why), _row("nfs", "nfs", udp, sources, why, protocol="udp")]


def _nat(model, host, opt):
    plan = FR.firewall_plan(model, host, {"admin_cidrs": opt["nat_admin_cidrs"]})
    return [_row("nat", "ssh", [opt["ssh_port"]], plan["admin_cidrs"],
                 "administration (LAN side): nat_firewall_admin_cidrs, else the site's management networks")]


def _monitoring(model, host):
    sources = model.monitoring_sources()
    if not sources:
        return []
    plan = MON.plan_monitoring(model)
    rows = []
    target = next((t for t in plan["targets"] if t.get("host") == host), None)
    ports = [plan["ports"][e] for e in (target or {}).get("exporters") or []]
    if ports:
        rows.append(_row("monitoring", "exporters", ports, sources,
                         "the exporters (%s): the monitoring sources"
                         % ", ".join((target or {}).get("exporters") or [])))
    if host in plan["servers"]:
        rows.append(_row("monitoring", "prometheus", [plan["ports"]["prometheus"]], sources,
                         "Prometheus: the monitoring sources"))
    return rows


def plan_exposure(model, host, options=None):
    """What ``host`` exposes (JSON-able dict): its tiers, its services
    (rows, see the module docstring), the SSH sources the table admits
    (None when no row filters SSH) and the admin sources."""
    opt = _options(options)
    groups = set(model.host(host).groups)
    # (tier, is the host in it, its rows), in the order the table lists them
    members = (
        ("database", host in _db_hosts(model), _database),
        ("load_balancer", host in model.group(G_LB), _load_balancer),
        ("management", host in model.group(G_MGMT), _management),
        ("kvm", "cloudstack_kvm_hosts" in groups, _kvm),
        ("nfs", host in model.group(G_NFS), _nfs),
        ("nat", host in model.group(G_FIREWALL), _nat),
    )
    rows = []
    tiers = []
    for tier, member, plan in members:
        if member:
            tiers.append(tier)
            rows.extend(plan(model, host, opt))
    rows.extend(_monitoring(model, host))
    ssh = [r for r in rows if r["protocol"] == "tcp" and opt["ssh_port"] in r["ports"]]
    ssh_sources = _unique(s for r in ssh for s in (r["sources"] or [])) if ssh else None
    return {"host": host, "address": model.address(host), "tiers": tiers,
            "services": rows, "ssh_port": opt["ssh_port"], "ssh_sources": ssh_sources,
            "admin_sources": admin_sources(model, host)}


def _family(sources):
    v4, v6 = [], []
    for src in sources:
        (v6 if ":" in src else v4).append(src)
    return v4, v6


def _set(items):
    items = [str(i) for i in items]
    return items[0] if len(items) == 1 else "{ %s }" % ", ".join(items)


def render_nft(plan, table, extra_rules=None):
    """A policy-drop ``table inet <table>`` admitting the plan's rows only."""
    lines = [
        "# Rendered from cloudstack.infra.exposure_plan for %s (tiers: %s);" % (
            plan["host"], ", ".join(plan["tiers"]) or "none"),
        "# loaded by cloudstack.infra.host_firewall. Each port from its planned sources only;",
        "# established/related, loopback, ICMP/ND and DHCP replies pass, everything else is dropped.",
        "table inet %s {" % table,
        "\tchain input {",
        "\t\ttype filter hook input priority filter; policy drop;",
        "\t\tct state established,related accept",
        "\t\tct state invalid drop",
        "\t\tiif \"lo\" accept",
        # ICMP and ICMPv6 by number: a host without /etc/protocols (netbase)
        # cannot resolve ipv6-icmp
        "\t\tmeta l4proto { 1, 58 } accept",
        "\t\tudp sport 67 udp dport 68 accept",
        "\t\tudp sport 547 udp dport 546 accept",
    ]
    for row in plan["services"]:
        lines.append("\t\t# %s %s: %s" % (row["tier"], row["name"], row["reason"]))
        if row["protocol"] == "vrrp":
            match = "meta l4proto %d" % VRRP_PROTOCOL
        else:
            match = "%s dport %s" % (row["protocol"], _set(row["ports"]))
        if row["sources"] is None:
            lines.append("\t\t%s accept" % match)
            continue
        v4, v6 = _family(row["sources"])
        if not v4 and not v6:
            lines.append("\t\t# (no source: closed)")
        for saddr, nets in (("ip", v4), ("ip6", v6)):
            if nets:
                lines.append("\t\t%s saddr %s %s accept" % (saddr, _set(nets), match))
    for rule in extra_rules or []:
        lines.append("\t\t%s" % rule)
    lines += ["\t\tcounter drop", "\t}", "}", ""]
    return "\n".join(lines)
