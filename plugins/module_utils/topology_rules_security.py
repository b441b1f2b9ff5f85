# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Security rules: exposure, firewall forwards, VPN, secrets."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils import firewall_rules as FW
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, G_MGMT, G_DB_PRIMARY, G_DB_REPLICAS, G_LB, G_NFS, G_FIREWALL, _names, _group, _effective, _to_networks, _zone_networks)

# CS501: the contract's ports plus those the firewall planner also refuses
# (SSH)
FORBIDDEN_FORWARD_PORTS = tuple(sorted(set(D.FORBIDDEN_PUBLIC_PORTS)
                                       | set(FW.FORBIDDEN_PORTS)))


@rule("CS501", ERROR, "internal port forwarded from the Internet",
      "Only the UI/API ports face the Internet; internal ports (API 8096, "
      "system VMs, cluster, MySQL, libvirt, NFS, SSH) never do.", "security",
      reads=("cloudstack_firewall_forwards",))
@rule("CS502", ERROR, "NFS export open too widely",
      "Storage is exported only to the zones' management and storage "
      "networks.", "security",
      reads=("cloudstack_nfs_export_clients", "cloudstack_zones"))
@rule("CS503", ERROR, "hosts open to any source",
      "Hypervisor hosts and the monitoring exporters accept connections "
      "only from well-known entities.", "security",
      reads=("cloudstack_host_allowed_sources",
             "cloudstack_monitoring_sources"))
@rule("CS504", ERROR, "password left at a well-known default",
      "No secret keeps a well-known default value.", "security",
      reads=D.SECRET_VARS)
def security_rules(ctx):
    _security_rules(ctx, ctx.zones)


@rule("CS505", ERROR, "duplicate firewall forward",
      "Each public port and protocol is forwarded once.", "security",
      reads=("cloudstack_firewall_forwards",))
@rule("CS506", ERROR, "firewall forward target unknown",
      "The firewall forwards the UI/API to the load balancers' virtual "
      "address, or to the single management server.", "security",
      reads=("cloudstack_lb_vip", "cloudstack_mgmt_lb_external",
             "cloudstack_management_address"))
@rule("CS507", ERROR, "site-to-site VPN cannot be built",
      "A site-to-site VPN joins firewalls at different sites over its own "
      "tunnel network.", "security",
      reads=("cloudstack_site_vpn", "cloudstack_site", "cloudstack_zones"))
def firewall_plan_rules(ctx):
    _firewall_plan_rules(ctx, ctx.zones)


def _covered(net, union):
    rest = [net]
    for u in union:
        nxt = []
        for r in rest:
            if r.version != u.version or not r.overlaps(u):
                nxt.append(r)
            elif r.subnet_of(u):
                continue
            else:
                nxt.extend(r.address_exclude(u))
        rest = nxt
        if not rest:
            return True
    return not rest


def _whole_space(nets):
    """Whether networks (of one IP version) together cover every address."""
    collapsed = list(ipaddress.collapse_addresses(nets))
    return len(collapsed) == 1 and collapsed[0].prefixlen == 0


def _anywhere(ctx, key, value, where, what, hint):
    """CS503: a list of sources with "anywhere" in it (0.0.0.0/0, ::/0,
    0.0.0.0) or whose entries together cover a whole address space."""
    nets = {4: [], 6: []}
    for i, src in enumerate(value or []):
        net = _to_networks(src)
        if net is None:
            continue
        if net.prefixlen == 0 or (net.num_addresses == 1 and
                                  net.network_address.is_unspecified):
            ctx.add("CS503", where, "%s[%d] is %s: %s" % (key, i, src, what),
                    hint)
            nets[net.version] = None
        elif nets[net.version] is not None:
            nets[net.version].append(net)
    for version in (4, 6):
        if nets[version] and _whole_space(nets[version]):
            ctx.add("CS503", where, "%s together cover the whole IPv%d "
                    "address space (%s): %s" % (
                        key, version,
                        _names(str(n) for n in nets[version]), what), hint)


def _security_rules(ctx, zones):
    fws = _group(ctx.groups, G_FIREWALL)
    for value, where in ctx.scoped("cloudstack_firewall_forwards", fws):
        for i, fwd in enumerate(value or []):
            if not fwd:
                continue
            bad = [p for p in (fwd.get("port"), fwd.get("to_port"))
                   if p in FORBIDDEN_FORWARD_PORTS]
            if bad:
                ctx.add("CS501", where, "cloudstack_firewall_forwards[%d] "
                        "forwards %s -> %s; port %s must never face the "
                        "Internet" % (i, fwd.get("port"),
                                      fwd.get("to_port", fwd.get("port")),
                                      bad[0]),
                        "forward only the UI/API ports (80 -> 8080, 443 -> "
                        "8443); reach %s over the management network or a VPN"
                        % bad[0])
    union = []
    for zone in zones:
        if not zone:
            continue
        nets = zone.get("networks") or {}
        if (nets.get("management") or {}).get("cidr"):
            union.append(nets["management"]["cidr"])
        for s in nets.get("storage") or []:
            if s and s.get("cidr"):
                union.append(s["cidr"])
    nfs = _group(ctx.groups, G_NFS)
    for value, where in ctx.scoped("cloudstack_nfs_export_clients", nfs):
        for i, client in enumerate(value or []):
            text = str(client).strip()
            net = None if text in ("*", "") else _to_networks(text)
            if net is not None and net.prefixlen == 0:
                net = None
            why = None
            if net is None:
                why = ("%r allows any client" % text) if text in (
                    "*", "0.0.0.0/0", "::/0", "") or _to_networks(text) \
                    is not None else "%r is not an IP range" % text
            elif not _covered(net, union) and not ctx.bad_paths \
                    and not ctx.zones_broken:
                why = ("%s is not inside any zone's management or storage "
                       "network (%s)" % (net, ", ".join(
                           str(u) for u in union) or "none"))
            if why:
                ctx.add("CS502", where, "cloudstack_nfs_export_clients[%d]: %s"
                        % (i, why),
                        "name only the machines that mount the storage, "
                        "inside the zones' management and storage networks,"
                        " or unset the list (the default: the hypervisor "
                        "hosts, the pods' system ranges and, for secondary "
                        "storage, the management servers)")
    hv_hosts = []
    for group in D.HYPERVISOR_GROUPS.values():
        hv_hosts.extend(_group(ctx.groups, group))
    for value, where in ctx.scoped("cloudstack_host_allowed_sources",
                                   hv_hosts):
        _anywhere(ctx, "cloudstack_host_allowed_sources", value, where,
                  "hypervisor hosts would accept connections from anywhere",
                  "list only the sources that need the hosts (e.g. "
                  "monitoring); management servers are always allowed")
    for value, where in ctx.scoped("cloudstack_monitoring_sources", ()):
        _anywhere(ctx, "cloudstack_monitoring_sources", value, where,
                  "every host's exporters (node, mysqld, CloudStack's) "
                  "would accept scrapes from anywhere",
                  "list only the monitoring software's addresses; the "
                  "cloudstack_monitoring hosts are always allowed")
    db_side = (_group(ctx.groups, G_MGMT) + _group(ctx.groups, G_DB_PRIMARY)
               + _group(ctx.groups, G_DB_REPLICAS))
    for key in D.SECRET_VARS:
        for value, where in ctx.scoped(key, db_side):
            text = "" if value is None else str(value)
            if text.strip().lower() in D.WEAK_SECRETS:
                ctx.add("CS504", where, "%s is left at a well-known default "
                        "(one of: password, cloud, changeme, root, empty)"
                        % key,
                        "set %s from Ansible Vault or an AWX credential to a "
                        "generated secret" % key)


def _firewall_plan_rules(ctx, zones):
    """CS505 (duplicate forward), CS506 (no forward target), CS507 (site
    VPN that cannot be built)."""
    fws = _group(ctx.groups, G_FIREWALL)
    if not fws:
        return
    for value, where in ctx.scoped("cloudstack_firewall_forwards", fws):
        seen = {}
        for i, fwd in enumerate(value or []):
            if not fwd or "port" not in fwd:
                continue
            key = (fwd["port"], fwd.get("proto", "tcp"))
            if key in seen:
                ctx.add("CS505", where, "cloudstack_firewall_forwards[%d] "
                        "forwards %s/%d again (already in [%d])" % (
                            i, key[1], key[0], seen[key]),
                        "keep one entry per public port and protocol")
            else:
                seen[key] = i
    lbs = _group(ctx.groups, G_LB)
    mgmt = _group(ctx.groups, G_MGMT)
    external = _effective(ctx, "cloudstack_mgmt_lb_external", fws, False)
    if lbs or external:
        vip = _effective(ctx, "cloudstack_lb_vip", fws, None)
        why = ("%s has %s" % (G_LB, _names(lbs))) if lbs else \
            "cloudstack_mgmt_lb_external is true"
        if vip is None and lbs:
            pass        # CS409 names the missing VIP of the load balancers
        elif vip is None and not ctx.bad("cloudstack_lb_vip", fws):
            ctx.add("CS506", G_FIREWALL, "%s but cloudstack_lb_vip is not "
                    "set: the firewalls have nowhere to forward to" % why,
                    "set cloudstack_lb_vip to the load balancers' virtual "
                    "address")
        elif vip is not None and vip.version != 4:
            ctx.add("CS506", G_FIREWALL, "cloudstack_lb_vip %s is not an "
                    "IPv4 address; the firewall forwards IPv4 only" % vip,
                    "use the load balancers' virtual IPv4 address")
    elif len(mgmt) == 1:
        addr = ctx.host(mgmt[0]).get("cloudstack_management_address")
        if addr is not None and addr.version != 4:
            ctx.add("CS506", G_FIREWALL, "the firewall forwards to the "
                    "management server %s, whose address %s is not IPv4"
                    % (mgmt[0], addr),
                    "give %s an IPv4 cloudstack_management_address" % mgmt[0])
    _site_vpn_plan(ctx, zones, fws)


def _site_vpn_plan(ctx, zones, fws):
    zone_sites = []
    for zone in zones:
        if zone:
            site = zone.get("site") or FW.DEFAULT_SITE
            if site not in zone_sites:
                zone_sites.append(site)
    single = zone_sites[0] if len(zone_sites) == 1 else None
    fw_site = {}
    for h in fws:
        fw_site[h] = ctx.host(h).get("cloudstack_site") or single
    nets = []
    for zone in zones:
        if not zone:
            continue
        for label, n in _zone_networks(zone):
            if label != "public" and n.get("cidr") is not None:
                nets.append(n["cidr"])
    for h in fws:
        vpn = ctx.host(h).get("cloudstack_site_vpn",
                              ctx.g.get("cloudstack_site_vpn")) or {}
        if not vpn.get("enabled"):
            continue
        if fw_site[h] is None:
            ctx.add("CS507", h, "cloudstack_site_vpn is enabled on firewall "
                    "%s but it has no cloudstack_site and the zones span "
                    "several sites" % h, "set cloudstack_site on %s" % h)
        elif not any(fw_site[o] not in (None, fw_site[h])
                     for o in fws if o != h):
            ctx.add("CS507", h, "cloudstack_site_vpn is enabled on firewall "
                    "%s but no firewall of %s sits at a site other than %s"
                    % (h, G_FIREWALL, fw_site[h]),
                    "add the other sites' firewalls (with cloudstack_site) "
                    "or disable the VPN")
    for vpn, where in ctx.scoped("cloudstack_site_vpn", fws):
        if not vpn or not vpn.get("enabled"):
            continue
        port = vpn.get("port", D.SITE_VPN_PORT)
        if FW._port(port) is None:
            ctx.add("CS507", where, "cloudstack_site_vpn.port is %s, not a "
                    "port number" % S._show(port),
                    "a UDP port number from 1 to 65535 (default %d)"
                    % D.SITE_VPN_PORT)
        tunnel_text = vpn.get("tunnel_cidr", D.SITE_VPN_TUNNEL_CIDR)
        tunnel = FW._ipv4_net(tunnel_text)
        if tunnel is None:
            ctx.add("CS507", where, "cloudstack_site_vpn.tunnel_cidr is %s, "
                    "not an IPv4 network in CIDR form" % S._show(
                        tunnel_text),
                    "an unused IPv4 network such as %s"
                    % D.SITE_VPN_TUNNEL_CIDR)
            continue
        if len(fws) >= tunnel.num_addresses - 1:
            ctx.add("CS507", where, "cloudstack_site_vpn.tunnel_cidr %s has "
                    "no address for each of the %d firewalls" % (
                        tunnel, len(fws)),
                    "use a larger tunnel network, e.g. a /24")
        for net in nets:
            if net.version == 4 and net.overlaps(tunnel):
                ctx.add("CS507", where, "cloudstack_site_vpn.tunnel_cidr %s "
                        "overlaps the zone network %s" % (tunnel, net),
                        "choose an unused tunnel network")
                break
