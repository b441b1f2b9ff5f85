# -*- coding: utf-8 -*-
"""Unit tests of plugins/module_utils/host_network.py (the KVM host's interface
plan), its filter and the three network stacks' templates.

fixtures/host_network/<host>/ holds, per host, the view the role builds
(view.json, from roles/kvm_host/vars/main.yml), the role options
(options.json) and the files the role wrote before the plan existed
(ifupdown/NN-<interface>, netplan.yaml, nm.json: the NetworkManager profiles
that the role read back with from_yaml): the templates printing the plan must
write exactly those. Hosts: hardware_lab-kvm and network_stacks-np (the
molecule scenarios' hosts), syn-lacp (two bonds, 802.3ad, VLAN of the second
bond, two storage NICs), syn-plain (bare NICs), syn-same (guest on the
management NIC), syn-vlanplain (a VLAN of a bare NIC, gateway override).
"""

from __future__ import absolute_import, division, print_function

import copy
import json
import os

import jinja2
import pytest
import yaml

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.filter import host_network as filt
from ansible_collections.cloudstack.infra.plugins.module_utils import host_network as hn
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as st
from ansible_collections.cloudstack.infra.plugins.filter import storage_filters

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, "fixtures", "host_network")
TEMPLATES = os.path.join(ROOT, "roles", "kvm_host", "templates")
HOSTS = sorted(os.listdir(FIXTURES))


def load(host, name):
    with open(os.path.join(FIXTURES, host, name)) as f:
        return json.load(f)


# The molecule/network_stacks netplan host: bond + VLAN of the bond + storage NIC.
BOND_VIEW = {
    "name": "np",
    "management_address": "172.30.68.21",
    "management_network": {"cidr": "172.30.68.0/24", "gateway": "172.30.68.254", "prefix": 24},
    "storage_interfaces": [{"network": "storage-a", "device": "eth3", "address": "172.30.69.21",
                            "cidr": "172.30.69.0/24", "prefix": 24, "gateway": "172.30.69.254"}],
    "bonds": [{"name": "bond0", "mode": "active-backup", "members": ["eth1", "eth2"]}],
    "management_device": "bond0",
    "guest_device": "bond0.200",
}


def view(**changes):
    out = copy.deepcopy(BOND_VIEW)
    out.update(changes)
    return out


def summary(plan):
    return [(i["kind"], i["name"], i["master"]) for i in plan]


# ---------------------------------------------------------------- the plan

@pytest.mark.parametrize("changes, options, expected", [
    # bond + VLAN of the bond + storage NIC, in bring-up order
    ({}, {"management_gateway": ""}, [
        ("nic", "eth1", "bond0"), ("nic", "eth2", "bond0"), ("bond", "bond0", "cloudbr0"),
        ("vlan", "bond0.200", "cloudbr1"), ("storage", "eth3", None),
        ("bridge", "cloudbr0", None), ("bridge", "cloudbr1", None)]),
    # bare NICs under both bridges
    ({"bonds": [], "management_device": "eth0", "guest_device": "eth1"}, {}, [
        ("nic", "eth0", "cloudbr0"), ("nic", "eth1", "cloudbr1"), ("storage", "eth3", None),
        ("bridge", "cloudbr0", None), ("bridge", "cloudbr1", None)]),
    # guest on the management device: no guest bridge
    ({"bonds": [], "management_device": "eth0", "guest_device": "eth0", "storage_interfaces": []}, {}, [
        ("nic", "eth0", "cloudbr0"), ("bridge", "cloudbr0", None)]),
    # no guest device at all
    ({"guest_device": "", "storage_interfaces": []}, {}, [
        ("nic", "eth1", "bond0"), ("nic", "eth2", "bond0"), ("bond", "bond0", "cloudbr0"),
        ("bridge", "cloudbr0", None)]),
    # VLAN of a bare NIC: the raw NIC is in the plan without a master
    ({"bonds": [], "management_device": "eth0.100", "guest_device": "eth1", "storage_interfaces": []}, {}, [
        ("nic", "eth1", "cloudbr1"), ("nic", "eth0", None), ("vlan", "eth0.100", "cloudbr0"),
        ("bridge", "cloudbr0", None), ("bridge", "cloudbr1", None)]),
    # both bridges on VLANs of one bond
    ({"management_device": "bond0.100", "guest_device": "bond0.200", "storage_interfaces": []},
     {"management_bridge": "br-mgmt", "guest_bridge": "br-guest"}, [
        ("nic", "eth1", "bond0"), ("nic", "eth2", "bond0"), ("bond", "bond0", None),
        ("vlan", "bond0.100", "br-mgmt"), ("vlan", "bond0.200", "br-guest"),
        ("bridge", "br-mgmt", None), ("bridge", "br-guest", None)]),
], ids=["bond-vlan-storage", "plain-nics", "guest-on-mgmt-nic", "no-guest", "vlan-of-plain-nic", "two-vlans"])
def test_plan_order_and_masters(changes, options, expected):
    assert summary(hn.interface_plan(view(**changes), options)) == expected


def test_plan_fields():
    plan = dict((i["name"], i) for i in hn.interface_plan(BOND_VIEW, {"management_gateway": ""}))
    assert set(plan["eth1"]) == set(hn._KEYS)   # every key present in every entry
    assert plan["bond0"]["members"] == ["eth1", "eth2"]
    assert plan["bond0"]["mode"] == "active-backup"
    assert plan["bond0"]["miimon"] == 100
    assert plan["bond0"]["lacp_rate"] is None and plan["bond0"]["xmit_hash_policy"] is None
    assert plan["bond0"]["port_type"] == "bridge"
    assert plan["bond0"]["mtu"] is None
    assert (plan["bond0.200"]["parent"], plan["bond0.200"]["vlan_id"]) == ("bond0", 200)
    assert plan["eth3"]["addresses"] == ["172.30.69.21/24"]
    assert (plan["eth3"]["network"], plan["eth3"]["cidr"]) == ("storage-a", "172.30.69.0/24")
    assert plan["eth3"]["gateway"] is None   # storage NICs never get a default route
    assert plan["cloudbr0"]["addresses"] == ["172.30.68.21/24"]
    assert plan["cloudbr0"]["ports"] == ["bond0"]
    assert plan["cloudbr0"]["gateway"] is None
    assert (plan["cloudbr0"]["stp"], plan["cloudbr0"]["forward_delay"]) == (False, 0)
    assert plan["cloudbr1"]["addresses"] == [] and plan["cloudbr1"]["ports"] == ["bond0.200"]


@pytest.mark.parametrize("net, options, gateway, address", [
    ({"cidr": "10.1.0.0/22", "gateway": "10.1.0.1", "prefix": 22}, {}, "10.1.0.1", "172.30.68.21/22"),
    ({"cidr": "10.1.0.0/22", "gateway": "10.1.0.1"}, {"management_gateway": None}, "10.1.0.1", "172.30.68.21/22"),
    ({"cidr": "10.1.0.0/22", "gateway": "10.1.0.1"}, {"management_gateway": ""}, None, "172.30.68.21/22"),
    ({"cidr": "10.1.0.0/22", "gateway": "10.1.0.1"}, {"management_gateway": "10.1.0.9"}, "10.1.0.9", "172.30.68.21/22"),
    ({"cidr": "", "gateway": "", "prefix": 23}, {}, None, "172.30.68.21/23"),
    # Ansible's ipaddr('prefix') of an empty CIDR is False: taken as "no prefix"
    ({"cidr": "10.1.0.0/24", "gateway": "", "prefix": False}, {}, None, "172.30.68.21/24"),
], ids=["zone-gateway", "gateway-none", "no-default-route", "gateway-override", "prefix-only", "prefix-false"])
def test_management_bridge_gateway(net, options, gateway, address):
    mgmt = hn.interface_plan(view(management_network=net), options)[-2]
    assert mgmt["name"] == "cloudbr0"
    assert (mgmt["gateway"], mgmt["addresses"]) == (gateway, [address])


def test_lacp_bond_and_mtu():
    bonds = [{"name": "bond0", "mode": "802.3ad", "members": ["eno1", "eno2"], "mtu": 9000},
             {"name": "bond1", "members": ["eno3", "eno4"]}]
    plan = dict((i["name"], i) for i in hn.interface_plan(view(bonds=bonds, guest_device="bond1.300")))
    assert (plan["bond0"]["lacp_rate"], plan["bond0"]["xmit_hash_policy"], plan["bond0"]["mtu"]) == (
        "fast", "layer3+4", 9000)
    assert (plan["bond1"]["mode"], plan["bond1"]["mtu"]) == ("active-backup", None)
    nm = dict((p["name"], p) for p in hn.nm_connections(list(plan.values())))
    assert nm["bond0"]["mtu"] == 9000 and nm["bond1"]["mtu"] == hn.NM_BOND_MTU
    assert "xmit_hash_policy" not in nm["bond1"]


def test_storage_prefix_from_cidr():
    st_if = [{"network": "storage-b", "device": "eth4", "address": "10.21.0.5", "cidr": "10.21.0.0/25"}]
    entry = hn.interface_plan(view(storage_interfaces=st_if))[4]
    assert (entry["kind"], entry["addresses"], entry["cidr"]) == ("storage", ["10.21.0.5/25"], "10.21.0.0/25")


@pytest.mark.parametrize("changes, options, message", [
    ({"management_address": None}, {}, "np: cloudstack_management_address is not set; set the host's IPv4"),
    ({"management_address": "10.0.0.300"}, {}, "cloudstack_management_address is '10.0.0.300'"),
    ({"management_network": {"cidr": "", "gateway": ""}}, {},
     "the CIDR of the zone's management network is not set; give the network an IPv4 CIDR"),
    ({"management_network": {"cidr": "10.0.0.0/24", "prefix": 40}}, {}, "prefix of the zone's management network is 40"),
    ({"management_device": ""}, {}, "cloudstack_management_device is not set; set the NIC, bond or VLAN"),
    ({"guest_device": "bond0.5000"}, {}, "VLAN device is 'bond0.5000'; write <device>.<id> with an 802.1Q id from 1 to 4094"),
    ({"guest_device": "bond0.x"}, {}, "VLAN device is 'bond0.x'"),
    ({"bonds": [{"name": "bond0", "members": ["eth1", "eth2"]}, {"name": "bond1", "members": ["eth2", "eth5"]}]}, {},
     "NIC eth2 is 'in bond0 and bond1'; give every bond its own members"),
    ({"bonds": [{"name": "bond0", "members": ["eth1"]}, {"name": "bond0", "members": ["eth2"]}]}, {},
     "bond name is 'bond0'; give every bond of cloudstack_bonds its own name"),
    ({"bonds": [{"name": "bond0", "members": []}]}, {}, "the members of bond bond0 is []; list the bond's NICs"),
    ({"bonds": [{"name": "bond0", "members": "eth1 eth2"}]}, {}, "the members of bond bond0 is 'eth1 eth2'"),
    ({"bonds": {"name": "bond0"}}, {}, "cloudstack_bonds is {name: 'bond0'}; write a list"),
    ({"management_device": "eth1"}, {}, "bridge or VLAN device eth1 is 'a member of bond0'; use the bond (bond0)"),
    ({"guest_device": "eth2.200"}, {}, "bridge or VLAN device eth2 is 'a member of bond0'"),
    ({"storage_interfaces": [{"network": "storage-a", "device": "eth2", "address": "10.20.0.1", "prefix": 24}]}, {},
     "storage device eth2 is 'a member of bond0'; give storage network storage-a a NIC of its own"),
    ({"storage_interfaces": [{"network": "a", "device": "eth3", "address": "10.20.0.1", "prefix": 24},
                             {"network": "b", "device": "eth3", "address": "10.21.0.1", "prefix": 24}]}, {},
     "storage device eth3 is 'the device of storage network a'"),
    ({"storage_interfaces": [{"network": "storage-z", "device": "eth3", "address": "10.20.0.1"}]}, {},
     "the CIDR of storage network storage-z is not set"),
    ({"storage_interfaces": [{"network": "storage-a", "device": "eth3", "address": "", "prefix": 24}]}, {},
     "the address of storage interface eth3 is not set; set an IPv4 address inside storage network storage-a"),
    ({}, {"management_gateway": "gw"}, "kvm_host_management_gateway is 'gw'; give an IPv4 address"),
    ({}, {"guest_bridge": "cloudbr0"}, "kvm_host_guest_bridge is 'cloudbr0'; give the guest bridge another name"),
    ({}, {"management_bridge": "cloud bridge"}, "kvm_host_management_bridge is 'cloud bridge'"),
    ({"management_device": "eth0:1"}, {}, "cloudstack_management_device is 'eth0:1'"),
    ({"management_address": 10}, {}, "cloudstack_management_address is 10;"),
    ({}, {"bridge": "cloudbr0"}, "network plan option is 'bridge'; use one of guest_bridge, management_bridge"),
], ids=lambda v: None)
def test_refusals_name_value_and_fix(changes, options, message):
    with pytest.raises(hn.HostNetworkError) as err:
        hn.interface_plan(view(**changes), options)
    assert message in str(err.value)


@pytest.mark.parametrize("bad", [None, [], "kvm1"])
def test_view_must_be_a_dict(bad):
    with pytest.raises(hn.HostNetworkError, match="the host view is .*topology_host_view"):
        hn.interface_plan(bad)


# ------------------------------------------------- what each stack prints

def test_network_plan_stacks():
    out = hn.network_plan(BOND_VIEW, {"management_gateway": ""})
    assert [i["name"] for i in out["ifupdown"]] == ["bond0", "bond0.200", "eth3", "cloudbr0", "cloudbr1"]
    assert [i["kind"] for i in out["ifupdown"]] == ["bond", "vlan", "storage", "bridge", "bridge"]
    np = out["netplan"]
    assert [i["name"] for i in np["ethernets"]] == ["eth1", "eth2", "eth3"]
    assert [i["name"] for i in np["bonds"]] == ["bond0"]
    assert [i["name"] for i in np["vlans"]] == ["bond0.200"]
    assert [i["name"] for i in np["bridges"]] == ["cloudbr0", "cloudbr1"]
    assert out["networkmanager"] == load("network_stacks-np", "nm.json")


def test_nm_masters_before_ports():
    for host in HOSTS:
        profiles = hn.network_plan(load(host, "view.json"), load(host, "options.json"))["networkmanager"]
        seen = set()
        for p in profiles:
            if "master" in p:
                assert p["master"] in seen, (host, p)
            seen.add(p["name"])


def _render(name, **variables):
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return env.get_template(name).render(ansible_managed="Ansible managed", **variables)


@pytest.mark.parametrize("host", HOSTS)
def test_templates_print_the_same_files(host):
    """The three stacks write byte for byte what the role wrote before the plan."""
    plan = filt.host_network_plan(load(host, "view.json"), load(host, "options.json"))
    netplan = _render("netplan.yaml.j2", inventory_hostname=host, __kvm_host_plan=plan)
    with open(os.path.join(FIXTURES, host, "netplan.yaml")) as f:
        assert netplan == f.read()
    assert yaml.safe_load(netplan)["network"]["version"] == 2
    expected = sorted(os.listdir(os.path.join(FIXTURES, host, "ifupdown")))
    assert ["%02d-%s" % (n, i["name"]) for n, i in enumerate(plan["ifupdown"])] == expected
    for name, iface in zip(expected, plan["ifupdown"]):
        with open(os.path.join(FIXTURES, host, "ifupdown", name)) as f:
            assert _render("ifupdown/%s.j2" % iface["kind"], item=iface) == f.read(), name
    assert plan["networkmanager"] == load(host, "nm.json")
    json.dumps(plan)   # plain data, nothing Ansible-specific


def test_filter_turns_errors_into_filter_errors():
    with pytest.raises(AnsibleFilterError, match="^cloudstack.infra.host_network_plan: np: cloudstack_management_device"):
        filt.host_network_plan(view(management_device=None))
    assert filt.FilterModule().filters()["host_network_plan"] is filt.host_network_plan


# ------------------------------------------------------ iSCSI initiator name

@pytest.mark.parametrize("name, ok", [
    ("iqn.2025-01.org.cloudstack.infra:kvm1", True),
    ("iqn.2025-01.lab.hardware-lab:kvm", True),
    ("iqn.2025-01.lab.cloudstack", True),
    ("iqn.2025-01.lab:kvm1", False),       # the old kvm_host regex accepted it, LIO refuses it
    ("iqn.2025-13.lab.example:kvm1", False),
    ("iqn.2025-01.Lab.Example:kvm1", False),
    ("iqn.2025-01.lab.example:kvm 1", False),
    ("eui.02004567A425678D", False),
    ("", False),
    (None, False),
    (["iqn.2025-01.lab.example:kvm1"], False),
])
def test_kvm_host_iqn_check_is_the_planners(name, ok):
    """kvm_host's validate.yml checks with storage_iqn_valid, the planner's IQN_RE."""
    assert storage_filters.FilterModule().filters()["storage_iqn_valid"](name) is ok
    if isinstance(name, str):
        assert (st.IQN_RE.match(name) is not None) is ok
    with open(os.path.join(ROOT, "roles", "kvm_host", "tasks", "validate.yml")) as f:
        assert "kvm_host_iscsi_initiator_iqn | cloudstack.infra.storage_iqn_valid" in f.read()


@pytest.mark.parametrize("host", ["kvm1", "network_stacks-np", "KVM-2.example.org"])
def test_default_initiator_name_passes_the_check(host):
    assert storage_filters.storage_iqn_valid(st.default_initiator_iqn(host))


def test_kvm_host_default_initiator_name_is_the_targets():
    """kvm_host's default is iscsi_target's: the same filter, prefix and fallback."""
    with open(os.path.join(ROOT, "roles", "kvm_host", "defaults", "main.yml")) as f:
        default = yaml.safe_load(f)["kvm_host_iscsi_initiator_iqn"]
    assert "cloudstack_iscsi_initiator_iqn | default('', true)" in default
    assert "cloudstack.infra.storage_iscsi_initiator_iqn" in default
    assert "cloudstack_iscsi_initiator_iqn_prefix | default('iqn.2025-01.org.cloudstack.infra')" in default
    # iscsi_target's ACLs hold the model's initiator names: the same default
    from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import Model
    model = Model({}, {"kvm1": {}}, {"cloudstack_iscsi_initiator_iqn_prefix": "iqn.2024-05.lab.example"})
    assert model.initiator_iqn("kvm1") == st.default_initiator_iqn("kvm1", "iqn.2024-05.lab.example")
    assert Model({}, {"kvm1": {}}, {}).initiator_iqn("kvm1") == st.default_initiator_iqn("kvm1")
