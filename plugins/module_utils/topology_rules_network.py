# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Network rules: CIDRs, gateways, addresses, bonds, bridges, sites."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import bisect
import fnmatch
import re

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, WARNING, G_FIREWALL, MAX_LISTED, _names, _group, _broken, _did_you_mean, _overlap, _zone_networks, _pod_networks)


@rule("CS301", ERROR, "overlapping CIDRs",
      "Each network of a zone, and each zone's management network, has its "
      "own CIDR block.", "network", reads=("cloudstack_zones",))
@rule("CS302", ERROR, "address outside its network",
      "Gateways and host addresses lie inside their networks, gateways at a "
      "host address of the network.", "network",
      reads=("cloudstack_zones", "cloudstack_management_address",
             "cloudstack_storage_interfaces"))
@rule("CS303", ERROR, "duplicate IP address",
      "Every interface has its own address, never a gateway's.", "network",
      reads=("cloudstack_zones", "cloudstack_management_address",
             "cloudstack_storage_interfaces"))
@rule("CS304", ERROR, "multipath networks share a CIDR or gateway",
      "MPIO needs two CIDR blocks, each with its own gateway.", "network",
      reads=("cloudstack_zones",))
@rule("CS305", ERROR, "bad bond",
      "Bonds have at least two NICs, a NIC is in one bond, and storage "
      "(MPIO) interfaces are never bond members.", "network",
      reads=("cloudstack_bonds", "cloudstack_storage_interfaces"))
@rule("CS306", ERROR, "KVM bridge device name not recognised",
      "KVM bridges sit on devices whose names the CloudStack agent "
      "recognises.", "network",
      reads=("cloudstack_management_device", "cloudstack_guest_device"))
def network_rules(ctx):
    _network_rules(ctx, ctx.zones, ctx.host_zone, ctx.model.hypervisor_groups,
                   ctx.host_cluster)
    _kvm_address_rules(ctx)


def _kvm_address_rules(ctx):
    """CS302: kvm_host needs an IPv4 management address on every KVM host
    of a cluster (its bridge cloudbr0 carries it); a host in no cluster is
    a CS103 already."""
    missing, not_v4 = [], []
    for h, kinds in ctx.model.hypervisor_groups.items():
        if "KVM" not in kinds or h not in ctx.model.placed or ctx.bad(
                "cloudstack_management_address", (h,)):
            continue
        addr = ctx.host(h).get("cloudstack_management_address")
        if addr is None:
            missing.append(h)
        elif addr.version != 4:
            not_v4.append(h)
    if missing:
        ctx.add("CS302", _names(missing), "%d KVM host(s) without "
                "cloudstack_management_address: %s" % (
                    len(missing), _names(missing)),
                "set cloudstack_management_address (an IPv4 address in the "
                "zone's management network) in host_vars")
    if not_v4:
        ctx.add("CS302", _names(not_v4), "KVM host(s) %s have a management "
                "address that is not IPv4" % _names(not_v4),
                "give each KVM host an IPv4 cloudstack_management_address "
                "(the KVM role configures IPv4 on cloudbr0)")


@rule("CS307", WARNING, "several sites without site-to-site VPN",
      "Zones at several sites are joined by a site-to-site VPN so that "
      "their servers reach each other.", "network",
      reads=("cloudstack_zones", "cloudstack_site_vpn"))
def site_vpn_rules(ctx):
    _site_vpn(ctx, [z.site for z in ctx.model.zones])


def _gateway_rule(ctx, zone_name, label, net):
    """CS302: a gateway outside its CIDR, or at its network or broadcast
    address (IPv4 with room for hosts: prefix under 31)."""
    gw = net.get("gateway")
    cidr = net.get("cidr")
    if gw is None or cidr is None:
        return
    where = "%s/%s" % (zone_name, label)
    if gw not in cidr:
        ctx.add("CS302", where, "gateway %s of the %s network of zone %s is "
                "outside its CIDR %s" % (gw, label, zone_name, cidr),
                "use a gateway inside %s or fix the CIDR" % cidr)
    elif cidr.version == 4 and cidr.prefixlen < 31 and gw in (
            cidr.network_address, cidr.broadcast_address):
        ctx.add("CS302", where, "gateway %s of the %s network of zone %s is "
                "the %s address of %s" % (
                    gw, label, zone_name, "network" if
                    gw == cidr.network_address else "broadcast", cidr),
                "use a host address of %s as the gateway (e.g. %s)" % (
                    cidr, cidr.network_address + 1))


def _zone_gateways(zone):
    """{gateway address: label} of every network and pod of a zone."""
    out = {}
    for label, n in _zone_networks(zone) + _pod_networks(zone):
        if n.get("gateway") is not None:
            out.setdefault(n["gateway"], label)
    for i, pod in enumerate(M.zone_pods(zone)):
        if pod.get("gateway") is not None and "cidr" not in pod:
            out.setdefault(pod["gateway"], "pod %s" % pod.get(
                "name", "[%d]" % i))
    return out


def _multipath_zone(ctx, zone):
    for z in ctx.model.zones:
        if z.raw is zone:
            return any(c.multipath for c in z.clusters)
    return False


def _network_rules(ctx, zones, host_zone, hv_groups, host_cluster):
    mgmt_nets = []
    for zi, zone in enumerate(zones):
        if not zone:
            continue
        name = zone.get("name", "zone[%d]" % zi)
        nets = [(label, n) for label, n in _zone_networks(zone)
                if "cidr" in n]
        multipath = _multipath_zone(ctx, zone)
        for label, n in _zone_networks(zone) + _pod_networks(zone):
            _gateway_rule(ctx, name, label, n)
        for i in range(len(nets)):
            for j in range(i + 1, len(nets)):
                (la, a), (lb, b) = nets[i], nets[j]
                same_storage = (multipath and la.startswith("storage")
                                and lb.startswith("storage"))
                if same_storage and a["cidr"] == b["cidr"]:
                    continue  # reported as CS304 below
                if _overlap(a["cidr"], b["cidr"]):
                    ctx.add("CS301", name, "zone %s: %s network %s overlaps "
                            "%s network %s" % (name, la, a["cidr"], lb,
                                               b["cidr"]),
                            "give every network of a zone its own "
                            "non-overlapping CIDR block")
        if multipath:
            stor = [(la, n) for la, n in nets if la.startswith("storage")]
            for i in range(len(stor)):
                for j in range(i + 1, len(stor)):
                    (la, a), (lb, b) = stor[i], stor[j]
                    shared = []
                    if a["cidr"] == b["cidr"]:
                        shared.append("CIDR %s" % a["cidr"])
                    if a.get("gateway") is not None and \
                            a.get("gateway") == b.get("gateway"):
                        shared.append("gateway %s" % a["gateway"])
                    if shared:
                        ctx.add("CS304", name, "zone %s uses multipath but "
                                "its %s and %s share %s" % (
                                    name, la, lb, " and ".join(shared)),
                                "MPIO needs two CIDR blocks, each with its "
                                "own gateway")
        mg = (zone.get("networks") or {}).get("management") or {}
        if "cidr" in mg:
            mgmt_nets.append((name, mg["cidr"]))
    for i in range(len(mgmt_nets)):
        for j in range(i + 1, len(mgmt_nets)):
            (za, a), (zb, b) = mgmt_nets[i], mgmt_nets[j]
            if _overlap(a, b):
                ctx.add("CS301", "%s, %s" % (za, zb), "management network %s "
                        "of zone %s overlaps management network %s of zone %s"
                        % (a, za, b, zb),
                        "give each zone its own management CIDR block")

    broken = set(id(z) for zi, z in enumerate(zones)
                 if z and _broken(ctx, "cloudstack_zones[%d]" % zi))
    # per-host address rules
    addresses = {}
    gateways = {}       # id(zone) -> {gateway: label}
    for h in ctx.hv:
        hv = ctx.hv[h]
        zone = host_zone.get(h)
        if zone is not None:
            zgw = gateways.get(id(zone))
            if zgw is None:
                zgw = gateways[id(zone)] = _zone_gateways(zone)
            _host_gateway_rule(ctx, h, hv, zone, zgw)
        ma = hv.get("cloudstack_management_address")
        if ma is not None:
            addresses.setdefault(ma, []).append(
                "%s cloudstack_management_address" % h)
            if zone is not None and h in hv_groups:
                mg = (zone.get("networks") or {}).get("management") or {}
                if "cidr" in mg and ma not in mg["cidr"]:
                    ctx.add("CS302", h, "management address %s of hypervisor "
                            "host %s is outside management network %s of zone "
                            "%s" % (ma, h, mg["cidr"], zone.get("name")),
                            "give %s an address inside %s" % (h, mg["cidr"]))
        storage = {}
        if zone is not None:
            for s in (zone.get("networks") or {}).get("storage") or []:
                if s and "name" in s:
                    storage[s["name"]] = s
        for i, si in enumerate(hv.get("cloudstack_storage_interfaces") or []):
            if not si:
                continue
            addr = si.get("address")
            if addr is not None:
                addresses.setdefault(addr, []).append(
                    "%s cloudstack_storage_interfaces[%d]" % (h, i))
            if zone is None:
                continue
            net = storage.get(si.get("network"))
            if net is None and id(zone) in broken:
                continue    # e.g. `netwroks:`, already a CS001
            if net is None:
                ctx.add("CS302", h, "storage interface %s of host %s names "
                        "storage network %s, which zone %s does not have (%s)"
                        % (si.get("device"), h, si.get("network"),
                           zone.get("name"), ", ".join(sorted(storage))
                           or "no storage networks"),
                        "use a storage network name of zone %s%s" % (
                            zone.get("name"),
                            _did_you_mean(si.get("network"), storage)))
            elif addr is not None and "cidr" in net and addr not in net["cidr"]:
                ctx.add("CS302", h, "storage address %s of host %s is outside "
                        "storage network %s (%s)" % (
                            addr, h, si.get("network"), net["cidr"]),
                        "give %s an address inside %s" % (h, net["cidr"]))
        _bond_rules(ctx, h, hv)
        if h in hv_groups and "KVM" in hv_groups[h] or \
                host_cluster.get(h, (None, None))[1] == "KVM":
            for key in ("cloudstack_management_device",
                        "cloudstack_guest_device"):
                dev = hv.get(key)
                if dev is not None and not any(
                        fnmatch.fnmatchcase(dev, p)
                        for p in D.KVM_BRIDGE_DEVICE_PATTERNS):
                    ctx.add("CS306", h, "%s %s of KVM host %s is not a name "
                            "the CloudStack agent recognises (%s)" % (
                                key, dev, h,
                                ", ".join(D.KVM_BRIDGE_DEVICE_PATTERNS)),
                            "rename the interface (udev/systemd .link) or use "
                            "a bond/VLAN device with a recognised name, e.g. "
                            "bond0")
    dups = [a for a, users in addresses.items() if len(users) > 1]
    for addr in sorted(dups, key=lambda a: (a.version, a)):
        users = addresses[addr]
        if users:
            ctx.add("CS303", _names(u.split()[0] for u in users),
                    "IP address %s is on %d interfaces: %s" % (
                        addr, len(users), "; ".join(users[:MAX_LISTED])),
                    "give every interface its own address")


def _host_gateway_rule(ctx, h, hv, zone, zgw):
    """CS303: a host of a zone using one of the zone's gateway addresses."""
    if not zgw:
        return
    used = [("cloudstack_management_address",
             hv.get("cloudstack_management_address"))]
    for i, si in enumerate(hv.get("cloudstack_storage_interfaces") or []):
        if si:
            used.append(("cloudstack_storage_interfaces[%d]" % i,
                         si.get("address")))
    for key, addr in used:
        if addr is not None and addr in zgw:
            ctx.add("CS303", h, "%s of host %s is %s, the gateway of the %s "
                    "network of zone %s" % (key, h, addr, zgw[addr],
                                            zone.get("name")),
                    "give %s its own address; the gateway's address belongs "
                    "to the router" % h)


def _bond_rules(ctx, h, hv):
    bonds = [b for b in hv.get("cloudstack_bonds") or [] if b]
    member_of = {}
    kinds = set(ctx.hv_groups.get(h, ()))
    kinds.add(ctx.host_cluster.get(h, (None, None))[1])
    modes = {}
    if "KVM" in kinds:
        modes["KVM"] = D.KVM_BOND_MODES
    if "XenServer" in kinds:
        modes["XenServer"] = D.XEN_BOND_MODES
    for b in bonds:
        mode = b.get("mode", D.DEFAULT_BOND_MODE)
        for hyper, allowed in sorted(modes.items()):
            if mode not in allowed:
                ctx.add("CS305", h, "bond %s of %s host %s has mode %s, which "
                        "the %s role does not configure" % (
                            b.get("name"), hyper, h, mode, hyper),
                        "use one of: %s" % ", ".join(allowed))
        if "KVM" in modes and not re.match(D.KVM_BOND_NAME,
                                           b.get("name") or ""):
            ctx.add("CS305", h, "bond %s of KVM host %s is not named bondN"
                    % (b.get("name"), h),
                    "name it bond0, bond1, ...: the CloudStack agent "
                    "recognises bridge devices named bond*")
        members = [m for m in b.get("members") or [] if m]
        if len(set(members)) < 2:
            ctx.add("CS305", h, "bond %s of host %s has %d member(s) (%s)" % (
                b.get("name"), h, len(set(members)),
                ", ".join(members) or "none"),
                "give bond %s at least two NICs, or drop the bond"
                % b.get("name"))
        for m in sorted(set(members)):
            if m in member_of:
                ctx.add("CS305", h, "NIC %s of host %s is in bonds %s and %s"
                        % (m, h, member_of[m], b.get("name")),
                        "a NIC can be a member of one bond only")
            else:
                member_of[m] = b.get("name")
    for si in hv.get("cloudstack_storage_interfaces") or []:
        if si and si.get("device") in member_of:
            ctx.add("CS305", h, "storage interface %s of host %s is a member "
                    "of bond %s" % (si["device"], h, member_of[si["device"]]),
                    "storage (MPIO) interfaces are separate NICs, never bond "
                    "members")


def _site_vpn(ctx, zone_sites):
    distinct = sorted(set(zone_sites))
    if len(distinct) < 2:
        return
    fws = _group(ctx.groups, G_FIREWALL)
    lacking = []
    for h in fws:
        vpn = ctx.host(h).get("cloudstack_site_vpn",
                              ctx.g.get("cloudstack_site_vpn")) or {}
        if not vpn.get("enabled"):
            lacking.append(h)
    if not fws or lacking:
        ctx.add("CS307", G_FIREWALL, "zones span %d sites (%s) but %s" % (
            len(distinct), ", ".join(distinct),
            "there is no firewall in cloudstack_firewall" if not fws else
            "cloudstack_site_vpn.enabled is not true on %s" % _names(lacking)),
            "set cloudstack_site_vpn: {enabled: true, ...} on the firewalls "
            "so that servers in different zones reach each other")


@rule("CS308", ERROR, "IP range outside its network or on a used address",
      "CloudStack hands out a pod's reserved system range, the public range "
      "and a basic zone's guest ranges: each lies inside its network, "
      "spares the gateway and every host, and overlaps no other range.",
      "network", reads=("cloudstack_zones", "cloudstack_management_address",
                        "cloudstack_storage_interfaces",
                        "cloudstack_lb_vip"))
def range_rules(ctx):
    used = {}
    for name in sorted(ctx.model.known):
        hv = ctx.model.hostvars.get(name) or {}
        addr = hv.get("cloudstack_management_address")
        if addr is not None:
            used.setdefault(addr, name)
        for si in hv.get("cloudstack_storage_interfaces") or []:
            if si and si.get("address") is not None:
                used.setdefault(si["address"], name)
    vip = ctx.g.get("cloudstack_lb_vip")
    if vip is not None:
        used.setdefault(vip, "cloudstack_lb_vip")
    for zone in ctx.model.zones:
        ranges = []
        if zone.public is not None and zone.network_type != "basic":
            ranges.append(("%s/public" % zone.name, "networks.public "
                           "start/end", zone.public_range(),
                           zone.public.cidr, zone.public.gateway))
        for pod in zone.pods:
            cidr, gateway = pod.network()
            ranges.append(("%s/%s" % (zone.name, pod.name), "the pod's "
                           "start/end", pod.system_range(), cidr, gateway))
            if zone.network_type == "basic" and zone.guest is not None:
                ranges.append(("%s/%s/guest" % (zone.name, pod.name),
                               "the pod's guest_start/guest_end",
                               pod.guest_range(), zone.guest.cidr,
                               zone.guest.gateway))
        _check_ranges(ctx, ranges, used)


def _check_ranges(ctx, ranges, used):
    checked = []
    # the used addresses sorted once per IP version, each range then a slice
    # of them (bisect): a scan of every address per range was quadratic
    ordered = {}
    for a, h in sorted(used.items(), key=lambda item: (item[0].version, item[0], item[1])):
        ordered.setdefault(a.version, ([], []))
        ordered[a.version][0].append(a)
        ordered[a.version][1].append((a, h))
    for where, keys, pair, cidr, gateway in ranges:
        if pair is None:
            if keys.startswith("the pod's guest"):
                ctx.add("CS308", where, "%s has no guest range (a basic "
                        "zone's pods other than a single one need their "
                        "own)" % where, "set %s" % keys)
            continue
        start, end = pair
        if start is None or end is None:
            ctx.add("CS308", where, "%s sets one end of its range only"
                    % where, "set both ends of %s" % keys)
            continue
        if cidr is not None and (start.version != cidr.version or end.version
                                 != cidr.version or start not in cidr
                                 or end not in cidr):
            ctx.add("CS308", where, "range %s-%s of %s is not inside %s"
                    % (start, end, where, cidr),
                    "choose %s inside %s" % (keys, cidr))
            continue
        if start.version != end.version or start > end:
            ctx.add("CS308", where, "range %s-%s of %s starts after it ends"
                    % (start, end, where), "swap or fix %s" % keys)
            continue
        if gateway is not None and gateway.version == start.version and \
                start <= gateway <= end:
            ctx.add("CS308", where, "range %s-%s of %s holds its gateway %s"
                    % (start, end, where, gateway),
                    "move %s off the gateway" % keys)
        keys, pairs = ordered.get(start.version, ([], []))
        inside = pairs[bisect.bisect_left(keys, start):bisect.bisect_right(keys, end)]
        if inside:
            listed = ", ".join("%s (%s)" % (a, h)
                               for a, h in inside[:MAX_LISTED])
            ctx.add("CS308", where, "range %s-%s of %s holds %s" % (
                start, end, where, listed),
                "move %s off the addresses the inventory uses" % keys)
        for other, ostart, oend in checked:
            if ostart.version == start.version and start <= oend and \
                    ostart <= end:
                ctx.add("CS308", where, "range %s-%s of %s overlaps %s's "
                        "%s-%s" % (start, end, where, other, ostart, oend),
                        "give each range its own addresses")
        checked.append((where, start, end))


@rule("CS309", ERROR, "basic zone without a guest gateway",
      "A basic zone's shared guest network, which the cloud role registers "
      "with the pods' guest ranges, has a CIDR and a gateway.", "network",
      reads=("cloudstack_zones",))
def basic_zone_rules(ctx):
    for zone in ctx.model.zones:
        problem = basic_zone_guest_problem(zone)
        if problem is not None and not _broken(ctx, zone.path):
            ctx.add("CS309", zone.name, problem,
                    "add networks.guest: {cidr: ..., gateway: ...} to zone "
                    "%s (its shared guest network)" % zone.name)


def basic_zone_guest_problem(zone):
    """Why a basic zone's shared guest network cannot be registered (no
    networks.guest, or one without gateway), or None (also for an advanced
    zone). CS308 checks the pods' guest ranges once the network is there."""
    if zone.network_type != "basic":
        return None
    if zone.guest is None:
        return "basic zone %s has no networks.guest (its shared guest " \
            "network)" % zone.name
    if zone.guest.gateway is None:
        return "basic zone %s has networks.guest without a gateway" \
            % zone.name
    return None


def _interfaces(model, name):
    """A host's storage interfaces that are mappings (the model's list)."""
    if not isinstance(name, str):
        return []
    return [si for si in model.host(name).storage_interfaces
            if isinstance(si, dict)]


def storage_address(model, server, zone, hosts):
    """(address, network) CloudStack reaches a storage server at: its
    interface on a storage network of the zone that every host in ``hosts``
    also has an interface on (all the zone's cluster hosts when hosts is
    None); else (its management address, None)."""
    names = [n.raw.get("name") for n in zone.storage]
    own = dict((si.get("network"), si.get("address"))
               for si in _interfaces(model, server))
    members = hosts if hosts is not None else [
        h for c in zone.clusters for h in c.hosts]
    for net in names:
        if own.get(net) is None:
            continue
        if all(any(si.get("network") == net for si in _interfaces(model, h))
               for h in members):
            return str(own[net]), net
    return (model.address(server) if isinstance(server, str) else None), None


def storage_devices(model, hosts, network):
    """The set of devices the hosts use for a storage network."""
    return set(si["device"] for h in hosts for si in _interfaces(model, h)
               if si.get("network") == network
               and isinstance(si.get("device"), str) and si["device"])


def storage_traffic(model, zone):
    """(network, KVM hosts, their devices for it) of the storage network
    that carries a zone's Storage traffic (the first secondary storage
    reached over a storage network of the zone), or None."""
    for sec in zone.secondary_storage:
        if not isinstance(sec, dict):
            continue
        net = storage_address(model, sec.get("server"), zone, None)[1]
        if net is None:
            continue
        kvm = [h for c in zone.clusters if c.hypervisor == "KVM"
               for h in c.hosts]
        return net, kvm, storage_devices(model, kvm, net)
    return None


@rule("CS310", ERROR, "KVM hosts use different devices for the storage "
      "traffic network",
      "The KVM hosts of a zone reach the storage network that carries its "
      "Storage traffic through one device name: CloudStack labels the "
      "traffic with it.", "network",
      reads=("cloudstack_zones", "cloudstack_storage_interfaces",
             "cloudstack_management_address"))
def storage_traffic_rules(ctx):
    for zone in ctx.model.zones:
        found = storage_traffic(ctx.model, zone)
        if found is None:
            continue
        net, kvm, devices = found
        if not kvm or len(devices) == 1:
            continue
        if any(ctx.bad("cloudstack_storage_interfaces", (h,)) for h in kvm):
            continue    # malformed: already a CS001
        ctx.add("CS310", "%s/storage %s" % (zone.name, net),
                "the KVM hosts of zone %s use %s for storage network %s, "
                "which carries the zone's Storage traffic (labelled with one "
                "device)" % (zone.name, ", ".join(sorted(devices)) or
                             "no device", net),
                "give every KVM host of zone %s the same "
                "cloudstack_storage_interfaces[].device for network %s"
                % (zone.name, net))
