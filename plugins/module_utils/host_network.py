# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The network plan of a KVM host (plain Python).

No Ansible import at module level: the role calls these functions through the
thin filter plugins/filter/host_network.py (``cloudstack.infra.host_network_plan``)
and tests/unit/test_host_network.py calls them directly.

Input: a host's *view* (what ``cloudstack.infra.topology_host_view`` returns
per host; until it exists, roles/kvm_host/vars/main.yml builds the same dict
as ``__kvm_host_view``)::

    {"name": "kvm1",
     "management_address": "10.10.0.21",
     "management_network": {"cidr": "10.10.0.0/24", "gateway": "10.10.0.1", "prefix": 24},
     "storage_interfaces": [{"network": "storage-a", "device": "eth3", "address": "10.20.0.21",
                             "cidr": "10.20.0.0/24", "prefix": 24, "gateway": "10.20.0.1"}],
     "bonds": [{"name": "bond0", "mode": "active-backup", "members": ["eth1", "eth2"]}],
     "management_device": "bond0",
     "guest_device": "bond0.200"}

and the role's *options* (``management_bridge``, ``guest_bridge``,
``management_gateway``: None for the management network's gateway, "" for no
default route).

Output of :func:`interface_plan`: one dict per interface, in bring-up order
(NICs, bonds, VLANs, storage NICs, bridges), every key always present:

    kind              nic | bond | vlan | storage | bridge
    name              the kernel interface name
    members           bond: its NICs
    mode              bond: the Linux bonding mode
    miimon            bond: link monitoring interval (ms)
    lacp_rate         bond 802.3ad: "fast"
    xmit_hash_policy  bond 802.3ad: "layer3+4"
    parent            vlan: the raw device
    vlan_id           vlan: the 802.1Q id (int)
    addresses         ["address/prefix", ...]
    gateway           default route via this address (management bridge only)
    ports             bridge: its port
    mtu               when the view gives one (bonds), else None
    master            the bond or bridge this interface is a port of, or None
    port_type         "bond" | "bridge" | None (the kind of master)
    network           storage: the storage network's name; bridges: management | guest
    cidr              storage: the storage network's CIDR
    stp, forward_delay  bridge: False, 0

:func:`network_plan` adds what each of the three stacks prints
(ifupdown files, netplan sections, NetworkManager profiles with masters first).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress
import re

DEFAULT_BOND_MODE = "active-backup"
BOND_MIIMON = 100
LACP_MODE = "802.3ad"
LACP_RATE = "fast"
LACP_HASH_POLICY = "layer3+4"
# Without an Ethernet setting community.general.nmcli reports a bond profile
# as changed on every run (it compares the absent setting with "auto"):
# NetworkManager bond profiles get this MTU unless the view gives one.
NM_BOND_MTU = 1500
DEFAULT_OPTIONS = {
    "management_bridge": "cloudbr0",
    "guest_bridge": "cloudbr1",
    "management_gateway": None,
}
_KEYS = ("kind", "name", "members", "mode", "miimon", "lacp_rate", "xmit_hash_policy", "parent",
         "vlan_id", "addresses", "gateway", "ports", "mtu", "master", "port_type", "network", "cidr",
         "stp", "forward_delay")
# A Linux interface name: 1-15 characters, no '/', ':' or white space.
_IFNAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$")


class HostNetworkError(ValueError):
    """Bad input; the message names the value and the fix."""

    def __init__(self, host, what, value, fix):
        self.host = host
        self.what = what
        self.value = value
        self.fix = fix
        super(HostNetworkError, self).__init__(
            "%s: %s is %s; %s" % (host or "(unnamed host)", what, _show(value), fix))


def _show(value):
    if value is None or value == "":
        return "not set"
    if isinstance(value, str):
        return "'%s'" % value
    if isinstance(value, (list, tuple)):
        return "[%s]" % ", ".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s: %s" % (k, _show(v)) for k, v in value.items())
    if isinstance(value, (bool, int, float)):
        return str(value)
    return "a %s" % type(value).__name__.lstrip("_")


def _text(value):
    return "" if value is None else str(value)


def _entry(kind, name, **values):
    out = dict((k, None) for k in _KEYS)
    out.update(members=[], addresses=[], ports=[])
    out.update(values)
    out["kind"] = kind
    out["name"] = name
    return out


class _Reader(object):
    """Checks and reads the view, naming the host in every error."""

    def __init__(self, view):
        if not isinstance(view, dict):
            raise HostNetworkError(None, "the host view", view,
                                   "pass the dict cloudstack.infra.topology_host_view returns "
                                   "(in kvm_host: __kvm_host_view)")
        self.view = view
        self.host = _text(view.get("name"))

    def fail(self, what, value, fix):
        raise HostNetworkError(self.host, what, value, fix)

    def ifname(self, what, value, fix):
        name = _text(value)
        if not _IFNAME_RE.match(name):
            self.fail(what, value, fix)
        return name

    def prefix(self, what, net):
        """The prefix length of a network dict {cidr, prefix}."""
        prefix = net.get("prefix")
        if not (prefix is None or prefix is False or prefix == ""):   # False: Ansible's ipaddr of no CIDR
            text = _text(prefix).lstrip("/")
            if text.isdigit() and text.isascii() and 0 <= int(text) <= 32:
                return int(text)
            self.fail("the prefix of %s" % what, prefix, "write a prefix length from 0 to 32")
        cidr = _text(net.get("cidr"))
        try:
            return ipaddress.IPv4Network(cidr, strict=False).prefixlen
        except ValueError:
            self.fail("the CIDR of %s" % what, net.get("cidr"),
                      "give the network an IPv4 CIDR such as 10.10.0.0/24 in cloudstack_zones")
        return None  # not reached

    def address(self, what, value, fix):
        try:
            return str(ipaddress.IPv4Address(_text(value)))
        except ValueError:
            self.fail(what, value, fix)
        return None  # not reached

    def vlan(self, name):
        """(raw device, id) of a VLAN device name <dev>.<id>, or None."""
        if "." not in name:
            return None
        parent, _sep, vid = name.rpartition(".")
        if not parent or "." in parent or not (vid.isdigit() and vid.isascii()) or not 1 <= int(vid) <= 4094:
            self.fail("VLAN device", name,
                      "write <device>.<id> with an 802.1Q id from 1 to 4094, e.g. bond0.200")
        return parent, int(vid)


def _options(options):
    if options is None:
        options = {}
    if not isinstance(options, dict):
        raise HostNetworkError(None, "the options of the network plan", options,
                               "pass a dict such as {management_bridge: cloudbr0, guest_bridge: cloudbr1}")
    out = dict(DEFAULT_OPTIONS)
    for key, value in options.items():
        if key not in DEFAULT_OPTIONS:
            raise HostNetworkError(None, "network plan option", key,
                                   "use one of %s" % ", ".join(sorted(DEFAULT_OPTIONS)))
        out[key] = value
    return out


def interface_plan(view, options=None):
    """The host's interfaces in bring-up order (see the module docstring).

    Raises HostNetworkError naming the value and the fix.
    """
    rd = _Reader(view)
    opts = _options(options)
    mgmt_bridge = rd.ifname("kvm_host_management_bridge", opts["management_bridge"],
                            "name the management bridge like cloudbr0")
    guest_bridge = rd.ifname("kvm_host_guest_bridge", opts["guest_bridge"], "name the guest bridge like cloudbr1")
    if mgmt_bridge == guest_bridge:
        rd.fail("kvm_host_guest_bridge", guest_bridge, "give the guest bridge another name than the management "
                "bridge (%s)" % mgmt_bridge)

    # ---- management network and address
    mgmt_net = view.get("management_network") or {}
    if not isinstance(mgmt_net, dict):
        rd.fail("the management network", mgmt_net, "give the zone networks.management: {cidr, gateway}")
    mgmt_address = rd.address("cloudstack_management_address", view.get("management_address"),
                              "set the host's IPv4 management address in host_vars")
    mgmt_prefix = rd.prefix("the zone's management network", mgmt_net)
    gateway = opts["management_gateway"]
    if gateway is None:
        gateway = mgmt_net.get("gateway")
    gateway = _text(gateway)
    if gateway:
        gateway = rd.address("kvm_host_management_gateway", gateway,
                             "give an IPv4 address (default: the zone's management gateway), "
                             "or \"\" for no default route on %s" % mgmt_bridge)

    # ---- devices of the bridges
    mgmt_dev = rd.ifname("cloudstack_management_device", view.get("management_device"),
                         "set the NIC, bond or VLAN (e.g. bond0, eth0, bond0.200) %s is bridged to" % mgmt_bridge)
    guest_dev = _text(view.get("guest_device"))
    if guest_dev:
        guest_dev = rd.ifname("cloudstack_guest_device", guest_dev,
                              "set the NIC, bond or VLAN %s is bridged to, or leave it empty" % guest_bridge)
    guest_wanted = bool(guest_dev) and guest_dev != mgmt_dev
    bridge_of = {mgmt_dev: mgmt_bridge}
    if guest_wanted:
        bridge_of[guest_dev] = guest_bridge

    # ---- bonds
    bonds = view.get("bonds") or []
    if not isinstance(bonds, list):
        rd.fail("cloudstack_bonds", bonds, "write a list of {name, mode, members}")
    bond_names = []
    member_of = {}
    for bond in bonds:
        if not isinstance(bond, dict):
            rd.fail("an entry of cloudstack_bonds", bond, "write {name: bond0, mode: active-backup, members: [eth1, eth2]}")
        name = rd.ifname("the name of a bond", bond.get("name"), "name bonds bond0, bond1, ...")
        if name in bond_names:
            rd.fail("bond name", name, "give every bond of cloudstack_bonds its own name")
        bond_names.append(name)
        members = bond.get("members")
        if not isinstance(members, list) or not members:
            rd.fail("the members of bond %s" % name, members, "list the bond's NICs, e.g. [eth1, eth2]")
        for member in members:
            nic = rd.ifname("a member of bond %s" % name, member, "list NIC names such as eth1")
            if nic in member_of:
                rd.fail("NIC %s" % nic, "in %s and %s" % (member_of[nic], name),
                        "give every bond its own members")
            member_of[nic] = name
    for nic in member_of:
        if nic in bond_names:
            rd.fail("a member of bond %s" % member_of[nic], nic, "bond NICs, not another bond")

    # ---- VLANs (the bridges' devices that are <dev>.<id>)
    vlans = []
    for dev in (mgmt_dev, guest_dev if guest_wanted else ""):
        parsed = rd.vlan(dev) if dev else None
        if parsed and dev not in [v[0] for v in vlans]:
            vlans.append((dev, parsed[0], parsed[1]))

    for dev in [mgmt_dev] + ([guest_dev] if guest_wanted else []) + [v[1] for v in vlans]:
        if dev in member_of:
            rd.fail("bridge or VLAN device %s" % dev, "a member of %s" % member_of[dev],
                    "use the bond (%s) or a VLAN of it instead of its member" % member_of[dev])

    # Bare NICs that are a bridge port or a VLAN's raw device (in this order:
    # management device, guest device, VLAN raw devices).
    plain = []
    for dev in [mgmt_dev, guest_dev] + [v[1] for v in vlans]:
        if dev and "." not in dev and dev not in bond_names and dev not in plain:
            plain.append(dev)

    # ---- storage NICs
    storage = view.get("storage_interfaces") or []
    if not isinstance(storage, list):
        rd.fail("cloudstack_storage_interfaces", storage, "write a list of {network, device, address}")
    taken = dict((n, "a member of %s" % b) for n, b in member_of.items())
    taken.update((b, "a bond") for b in bond_names)
    taken.update((d, "a port of %s" % b) for d, b in bridge_of.items())
    taken.update((v[1], "the raw device of VLAN %s" % v[0]) for v in vlans)
    storage_entries = []
    for st in storage:
        if not isinstance(st, dict):
            rd.fail("an entry of cloudstack_storage_interfaces", st,
                    "write {network: storage-a, device: eth3, address: 10.20.0.21}")
        net_name = _text(st.get("network"))
        dev = rd.ifname("the device of storage interface %s" % (net_name or "?"), st.get("device"),
                        "name the NIC (outside any bond) that carries storage network %s" % (net_name or "?"))
        if dev in taken:
            rd.fail("storage device %s" % dev, taken[dev],
                    "give storage network %s a NIC of its own, outside bonds and bridges" % net_name)
        taken[dev] = "the device of storage network %s" % net_name
        address = rd.address("the address of storage interface %s" % dev, st.get("address"),
                             "set an IPv4 address inside storage network %s" % net_name)
        prefix = rd.prefix("storage network %s" % net_name, st)
        storage_entries.append(_entry(
            "storage", dev, addresses=["%s/%d" % (address, prefix)], network=net_name,
            cidr=_text(st.get("cidr")) or str(ipaddress.IPv4Network("%s/%d" % (address, prefix), strict=False))))

    # ---- the plan, in bring-up order
    plan = []
    for bond in bonds:
        for nic in bond["members"]:
            plan.append(_entry("nic", _text(nic), master=_text(bond["name"]), port_type="bond"))
    for nic in plain:
        plan.append(_entry("nic", nic, master=bridge_of.get(nic), port_type="bridge" if nic in bridge_of else None))
    for bond in bonds:
        name = _text(bond["name"])
        mode = _text(bond.get("mode")) or DEFAULT_BOND_MODE
        mtu = bond.get("mtu")
        if mtu not in (None, ""):
            if not (_text(mtu).isdigit() and _text(mtu).isascii() and 68 <= int(_text(mtu)) <= 65535):
                rd.fail("the MTU of bond %s" % name, mtu, "write an integer from 68 to 65535, or leave it out")
            mtu = int(_text(mtu))
        else:
            mtu = None
        lacp = mode == LACP_MODE
        plan.append(_entry(
            "bond", name, members=[_text(m) for m in bond["members"]], mode=mode, miimon=BOND_MIIMON,
            lacp_rate=LACP_RATE if lacp else None, xmit_hash_policy=LACP_HASH_POLICY if lacp else None,
            mtu=mtu, master=bridge_of.get(name), port_type="bridge" if name in bridge_of else None))
    for dev, parent, vid in vlans:
        plan.append(_entry("vlan", dev, parent=parent, vlan_id=vid, master=bridge_of.get(dev),
                           port_type="bridge" if dev in bridge_of else None))
    plan.extend(storage_entries)
    plan.append(_entry("bridge", mgmt_bridge, ports=[mgmt_dev], addresses=["%s/%d" % (mgmt_address, mgmt_prefix)],
                       gateway=gateway or None, network="management", stp=False, forward_delay=0))
    if guest_wanted:
        plan.append(_entry("bridge", guest_bridge, ports=[guest_dev], network="guest", stp=False, forward_delay=0))
    return plan


def netplan_sections(plan):
    """The plan split into netplan's sections, each in plan order."""
    return {
        "ethernets": [i for i in plan if i["kind"] in ("nic", "storage")],
        "bonds": [i for i in plan if i["kind"] == "bond"],
        "vlans": [i for i in plan if i["kind"] == "vlan"],
        "bridges": [i for i in plan if i["kind"] == "bridge"],
    }


def ifupdown_files(plan):
    """The interfaces that get a file in /etc/network/interfaces.d, in ifup order.

    Bond members are written in their bond's file; a bare NIC that is a
    bridge port or a VLAN's raw device is brought up by its bridge or VLAN.
    """
    return [i for i in plan if i["kind"] != "nic"]


def _nm_port(iface):
    if iface["port_type"] == "bridge":
        return {"slave_type": "bridge", "master": iface["master"]}
    if iface["port_type"] == "bond":
        return {"slave_type": "bond", "master": iface["master"]}
    return {"method4": "disabled", "method6": "disabled"}


def nm_connections(plan):
    """NetworkManager profiles (arguments of community.general.nmcli), masters first.

    Bridges, then each bond followed by its members, bare NICs, VLANs and
    storage NICs. Keys that a profile does not set are absent.
    """
    out = []
    for br in (i for i in plan if i["kind"] == "bridge"):
        prof = {"name": br["name"], "type": "bridge", "stp": bool(br["stp"]), "method6": "disabled"}
        if br["addresses"]:
            prof.update(method4="manual", ip4=br["addresses"][0])
            if br["gateway"]:
                prof["gw4"] = br["gateway"]
        else:
            prof["method4"] = "disabled"
        out.append(prof)
    by_name = dict((i["name"], i) for i in plan)
    for bond in (i for i in plan if i["kind"] == "bond"):
        prof = {"name": bond["name"], "type": "bond", "mode": bond["mode"], "miimon": bond["miimon"],
                "mtu": bond["mtu"] or NM_BOND_MTU}
        if bond["xmit_hash_policy"]:
            prof["xmit_hash_policy"] = bond["xmit_hash_policy"]
        prof.update(_nm_port(bond))
        out.append(prof)
        for member in bond["members"]:
            prof = {"name": member, "type": "ethernet"}
            prof.update(_nm_port(by_name[member]))
            out.append(prof)
    for nic in (i for i in plan if i["kind"] == "nic" and i["port_type"] != "bond"):
        prof = {"name": nic["name"], "type": "ethernet"}
        prof.update(_nm_port(nic))
        out.append(prof)
    for vlan in (i for i in plan if i["kind"] == "vlan"):
        prof = {"name": vlan["name"], "type": "vlan", "vlandev": vlan["parent"], "vlanid": vlan["vlan_id"]}
        prof.update(_nm_port(vlan))
        out.append(prof)
    for st in (i for i in plan if i["kind"] == "storage"):
        out.append({"name": st["name"], "type": "ethernet", "method4": "manual", "method6": "disabled",
                    "ip4": st["addresses"][0]})
    return out


def network_plan(view, options=None):
    """The interface plan and what each network stack prints from it.

    ``interfaces``: :func:`interface_plan`; ``ifupdown``: the interfaces with a
    file, in ifup order; ``netplan``: {ethernets, bonds, vlans, bridges};
    ``networkmanager``: the nmcli profiles, masters first.
    """
    plan = interface_plan(view, options)
    return {
        "interfaces": plan,
        "ifupdown": ifupdown_files(plan),
        "netplan": netplan_sections(plan),
        "networkmanager": nm_connections(plan),
    }
