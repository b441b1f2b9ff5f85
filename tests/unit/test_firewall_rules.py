# -*- coding: utf-8 -*-
"""Unit tests of plugins/module_utils/firewall_rules.py (plain pytest).

The last tests run the restore script through the real nft in a private
network namespace (unshare -n) when root and nft are available: they load the
role's tables, fail a load, restore, and compare listings; an operator's table
in the same namespace must come through untouched.
"""

from __future__ import absolute_import, division, print_function

import copy
import os
import shutil
import subprocess

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import firewall_rules as fr
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import Model

ZONES = [
    {"name": "z1", "site": "dc1",
     "networks": {"management": {"cidr": "10.10.0.0/24", "gateway": "10.10.0.1"},
                  "storage": [{"name": "sa", "cidr": "10.20.0.0/24", "gateway": "10.20.0.1"},
                              {"name": "sb", "cidr": "10.21.0.0/24", "gateway": "10.21.0.1"}],
                  "public": {"cidr": "203.0.113.0/24", "gateway": "203.0.113.1"},
                  "guest": {"cidr": "10.30.0.0/16"}}},
    {"name": "z2", "site": "dc2",
     "networks": {"management": {"cidr": "10.110.0.0/24", "gateway": "10.110.0.1"},
                  "guest": {"cidr": "10.130.0.0/16"}}},
]
KNOBS = ("forwards", "forbidden_extra", "forward_target", "masquerade_sources", "admin_cidrs",
         "vpn_address")


def model(host="fw1", host_site="dc1", zones=None, management_addresses=("10.10.0.10",),
          lb_hosts=(), lb_vip=None, lb_external=None, vpn=None, firewalls=None,
          vpn_port=None, vpn_tunnel_cidr=None, inventory_forwards=None):
    """The model of the old spec's inventory keys (the engine accepted it:
    CS401, CS501, CS505-CS507 are tested in test_topology_rules.py)."""
    firewalls = dict(firewalls or {host: host_site})
    hostvars = dict((h, {"cloudstack_site": s} if s else {}) for h, s in firewalls.items())
    mgmt = []
    for i, addr in enumerate(management_addresses):
        mgmt.append("mgmt%d" % (i + 1))
        hostvars["mgmt%d" % (i + 1)] = {"cloudstack_management_address": addr}
    g = {"cloudstack_zones": copy.deepcopy(ZONES if zones is None else zones)}
    if lb_vip is not None:
        g["cloudstack_lb_vip"] = lb_vip
    if lb_external is not None:
        g["cloudstack_mgmt_lb_external"] = lb_external
    if vpn is not None:
        vpn = dict(vpn)
        if vpn_port is not None:
            vpn["port"] = vpn_port
        if vpn_tunnel_cidr is not None:
            vpn["tunnel_cidr"] = vpn_tunnel_cidr
        g["cloudstack_site_vpn"] = vpn
    if inventory_forwards is not None:
        g["cloudstack_firewall_forwards"] = inventory_forwards
    groups = {"cloudstack_firewall": sorted(firewalls), "cloudstack_management": mgmt,
              "cloudstack_lb": list(lb_hosts)}
    return Model(groups, hostvars, g)


def plan(**kw):
    knobs = dict((k, kw.pop(k)) for k in KNOBS if k in kw)
    host = kw.get("host", "fw1")
    return fr.firewall_plan(model(**kw), host, knobs)


def test_defaults_forward_80_443_to_the_single_management_server():
    result = plan()
    assert result["errors"] == []
    assert result["target"] == "10.10.0.10"
    assert result["forwards"] == [{"port": 80, "to_port": 8080, "proto": "tcp"},
                                  {"port": 443, "to_port": 8443, "proto": "tcp"}]
    # only the local site's management + storage networks are masqueraded
    assert result["masquerade_sources"] == ["10.10.0.0/24", "10.20.0.0/24", "10.21.0.0/24"]
    assert result["admin_cidrs"] == ["10.10.0.0/24"]
    assert result["vpn"]["enabled"] is False


@pytest.mark.parametrize("port", sorted(fr.FORBIDDEN_PORTS))
def test_every_forbidden_port_is_refused_as_port_and_as_to_port(port):
    # the role's nat_firewall_forwards (the inventory's forwards are CS501)
    for entry in ({"port": port, "to_port": 8080}, {"port": 8081, "to_port": port}):
        result = plan(forwards=[entry])
        assert len(result["errors"]) == 1, result["errors"]
        assert str(port) in result["errors"][0] and "CS501" in result["errors"][0]


def test_inventory_forwards_are_taken_as_the_engine_accepted_them():
    result = plan(inventory_forwards=[{"port": 443, "to_port": 8443, "proto": "tcp"}])
    assert result["errors"] == [] and result["forwards"] == [{"port": 443, "to_port": 8443, "proto": "tcp"}]
    # the role's extra forbidden ports still apply to them
    result = plan(inventory_forwards=[{"port": 8000, "to_port": 8080}], forbidden_extra=[8000])
    assert "cloudstack_firewall_forwards[0].port is 8000" in result["errors"][0]


def test_extra_forbidden_ports_add_to_the_list():
    result = plan(forwards=[{"port": 8000, "to_port": 8080}], forbidden_extra=[8000])
    assert "8000" in result["errors"][0]
    assert 8000 in result["forbidden_ports"] and 3306 in result["forbidden_ports"]


@pytest.mark.parametrize("entry,needle", [
    ({"port": 0, "to_port": 8080}, ".port is 0"),
    ({"port": 80, "to_port": 70000}, ".to_port is 70000"),
    ({"port": 80, "to_port": 8080, "proto": "icmp"}, "tcp or udp"),
    ({"port": "http", "to_port": 8080}, "'http'"),
    ({"port": 80, "to_port": 8080, "dest": "x"}, "unknown key(s) dest"),
    ("80:8080", "not a mapping"),
])
def test_bad_forward_entries_name_the_value(entry, needle):
    result = plan(forwards=[entry])
    assert any(needle in e and "nat_firewall_forwards[0]" in e for e in result["errors"]), result["errors"]


def test_duplicate_public_port_is_an_error_but_tcp_and_udp_may_share_it():
    dup = [{"port": 443, "to_port": 8443}, {"port": 443, "to_port": 9443}]
    assert "again" in plan(forwards=dup)["errors"][0]
    ok = [{"port": 443, "to_port": 8443}, {"port": 443, "to_port": 8443, "proto": "udp"}]
    assert plan(forwards=ok)["errors"] == []


def test_string_ports_are_accepted_as_numbers():
    result = plan(forwards=[{"port": "443", "to_port": "8443"}])
    assert result["errors"] == [] and result["forwards"][0]["port"] == 443


def test_load_balancer_vip_is_the_target():
    # a load balancer without a VIP is CS506
    assert plan(lb_hosts=["lb1"], lb_vip="10.10.0.5")["target"] == "10.10.0.5"
    result = plan(lb_external=True, lb_vip="10.10.0.6")
    assert result["errors"] == [] and result["target"] == "10.10.0.6"


def test_several_management_servers_without_lb_have_no_target():
    # refused by the engine (CS401); the plan has no target and says so
    result = plan(management_addresses=["10.10.0.10", "10.10.0.11"])
    assert result["target"] is None and "nat_firewall_forward_target" in result["errors"][0]
    assert plan(management_addresses=["10.10.0.10", "10.10.0.11"], forwards=[])["errors"] == []


def test_explicit_target_wins_and_is_checked():
    assert plan(forward_target="10.10.0.99")["target"] == "10.10.0.99"
    assert "nat_firewall_forward_target" in plan(forward_target="mgmt1")["errors"][0]


def test_admin_cidrs_refuse_everyone_and_junk():
    errs = plan(admin_cidrs=["0.0.0.0/0"])["errors"]
    assert "everyone" in errs[0]
    errs = plan(admin_cidrs=["10.10.0.1/24"])["errors"]
    assert "host bits zero" in errs[0]
    assert plan(admin_cidrs=["192.168.9.0/24"])["admin_cidrs"] == ["192.168.9.0/24"]


def test_the_plan_has_no_lockout_check_of_its_own():
    # the check moved to host_firewall (ssh_guard): the plan refuses no controller
    assert "controller_address" not in fr.firewall_plan.__doc__
    assert plan()["errors"] == []


V4 = ["10.10.0.0/24", "192.0.2.7"]
V6 = ["fd00:10::/64", "2001:db8::7"]


@pytest.mark.parametrize("connection, ssh_connection, sources, verdict, address", [
    # the table does not filter SSH, or the connection is not SSH: the guard does not apply
    ("ssh", "198.51.100.7 50000 10.10.0.5 22", None, "skip", None),
    ("community.docker.docker", "", V4, "skip", None),
    ("docker", "", V4, "skip", None),
    ("local", "", V4, "skip", None),
    ("ansible.builtin.local", "", [], "skip", None),
    # SSH connections, by any of their names (none: Ansible's default, ssh)
    ("ssh", "10.10.0.50 50000 10.10.0.5 22", V4, "admitted", "10.10.0.50"),
    ("ansible.builtin.ssh", "192.0.2.7 50000 10.10.0.5 22", V4, "admitted", "192.0.2.7"),
    ("smart", "198.51.100.7 50000 10.10.0.5 22", V4, "locked-out", "198.51.100.7"),
    (None, "198.51.100.7 50000 10.10.0.5 22", V4, "locked-out", "198.51.100.7"),
    ("paramiko", "10.10.1.1 50000 10.10.0.5 22", V4, "locked-out", "10.10.1.1"),
    ("ansible.netcommon.libssh", "10.10.0.1 50000 10.10.0.5 22", V4, "admitted", "10.10.0.1"),
    # host bits in a source, a single address as a source
    ("ssh", "10.10.0.50 50000 10.10.0.5 22", ["10.10.0.1/24"], "admitted", "10.10.0.50"),
    ("ssh", "192.0.2.8 50000 10.10.0.5 22", V4, "locked-out", "192.0.2.8"),
    # IPv6: networks, addresses, zone ids, never matched against IPv4 sources
    ("ssh", "fd00:10::99 50000 fd00:10::5 22", V6, "admitted", "fd00:10::99"),
    ("ssh", "2001:db8::7 50000 fd00:10::5 22", V6, "admitted", "2001:db8::7"),
    ("ssh", "2001:db8::8 50000 fd00:10::5 22", V6, "locked-out", "2001:db8::8"),
    ("ssh", "fd00:10::99 50000 fd00:10::5 22", V4, "locked-out", "fd00:10::99"),
    ("ssh", "fe80::1%eth0 50000 fe80::2%eth0 22", ["fe80::/64"], "admitted", "fe80::1"),
    # an IPv4-mapped IPv6 client is its IPv4 address
    ("ssh", "::ffff:10.10.0.50 50000 ::ffff:10.10.0.5 22", V4, "admitted", "10.10.0.50"),
    ("ssh", "::ffff:198.51.100.7 50000 ::ffff:10.10.0.5 22", V4 + V6, "locked-out", "198.51.100.7"),
    # an empty list admits nobody on SSH
    ("ssh", "10.10.0.50 50000 10.10.0.5 22", [], "locked-out", "10.10.0.50"),
    # SSH, but the address cannot be read: fail closed, whatever the sources
    ("ssh", "", V4, "unreadable", None),
    ("ssh", None, ["0.0.0.0/0"], "unreadable", None),
    ("ssh", "   ", V4, "unreadable", None),
    ("ssh", "10.10.0.50", V4, "unreadable", None),
    ("ssh", "not-an-address 50000 10.10.0.5 22", V4, "unreadable", None),
    ("ssh", "10.10.0.50 port 10.10.0.5 22", V4, "unreadable", None),
    # a source that is neither an address nor a network
    ("ssh", "10.10.0.50 50000 10.10.0.5 22", ["10.10.0.0/24", "mgmt-net"], "bad-sources", "10.10.0.50"),
    ("ssh", "10.10.0.50 50000 10.10.0.5 22", "10.10.0.0/24", "bad-sources", None),
])
def test_ssh_guard(connection, ssh_connection, sources, verdict, address):
    result = fr.ssh_guard(connection, ssh_connection, sources)
    assert (result["verdict"], result["address"]) == (verdict, address)


def test_ssh_guard_names_the_bad_sources():
    result = fr.ssh_guard("ssh", "10.10.0.50 1 10.10.0.5 22", ["10.10.0.0/24", "mgmt-net", "10.0.0.0/33"])
    assert result["invalid"] == ["mgmt-net", "10.0.0.0/33"]


@pytest.mark.parametrize("address, sources, admitted", [
    ("10.0.0.1", ["10.0.0.0/8"], True),
    ("10.0.0.1", ["10.0.0.1"], True),
    ("10.0.0.1", ["10.0.0.2", "11.0.0.0/8"], False),
    ("2001:db8::1", ["2001:db8::/32"], True),
    ("2001:db8::1", ["10.0.0.0/8"], False),
    ("[2001:db8::1]", ["2001:db8::1/128"], True),
    ("", ["0.0.0.0/0"], False),
    (None, ["::/0"], False),
])
def test_address_within(address, sources, admitted):
    assert fr.address_within(address, sources) == (admitted, [])


def test_single_site_without_site_names():
    zones = [dict(z) for z in ZONES[:1]]
    zones[0].pop("site")
    result = plan(zones=zones, host_site="")
    assert result["errors"] == [] and result["site"] == fr.DEFAULT_SITE
    assert "10.20.0.0/24" in result["masquerade_sources"]


def test_vpn_peers_routes_and_addresses():
    fws = {"fw1": "dc1", "fw2": "dc2", "fw3": "dc2"}
    result = plan(vpn={"enabled": True}, firewalls=fws, vpn_port=51820, vpn_tunnel_cidr="10.255.255.0/24")
    assert result["errors"] == []
    vpn = result["vpn"]
    # one peer per other site: its first firewall by name
    assert vpn["peers"] == [{"host": "fw2", "site": "dc2", "networks": ["10.110.0.0/24", "10.130.0.0/16"]}]
    assert vpn["local_networks"] == ["10.10.0.0/24", "10.20.0.0/24", "10.21.0.0/24", "10.30.0.0/16"]
    assert vpn["remote_networks"] == ["10.110.0.0/24", "10.130.0.0/16"]
    assert vpn["address"] == "10.255.255.1/24" and vpn["port"] == 51820
    other = plan(host="fw3", host_site="dc2", vpn={"enabled": True}, firewalls=fws,
                 vpn_tunnel_cidr="10.255.255.0/24")
    assert other["vpn"]["address"] == "10.255.255.3/24" and other["vpn"]["port"] == 51820
    assert other["vpn"]["peers"][0]["host"] == "fw1"
    assert plan(vpn={"enabled": True}, firewalls=fws, vpn_address="10.255.255.9/24")["vpn"]["address"] \
        == "10.255.255.9/24"


FACTS = {
    "interfaces": ["lo", "eth0", "eth1"],
    "eth0": {"device": "eth0", "ipv4": {"address": "172.30.71.10", "netmask": "255.255.255.0"}},
    "eth1": {"device": "eth1", "ipv4": {"address": "172.30.72.10"},
             "ipv4_secondaries": [{"address": "172.30.72.11"}]},
    "lo": {"device": "lo", "ipv4": {"address": "127.0.0.1"}},
    "default_ipv4": {"address": "172.30.71.10", "interface": "eth0"},
}


def test_interface_lookup_from_facts():
    assert fr.interface_for_address(FACTS, "172.30.72.10") == "eth1"
    assert fr.interface_for_address(FACTS, "172.30.72.11") == "eth1"
    assert fr.interface_for_address(FACTS, "172.30.71.10") == "eth0"
    assert fr.interface_for_address(FACTS, "10.9.9.9") is None
    assert fr.interface_for_address(FACTS, "junk") is None
    assert fr.interface_ipv4(FACTS, "eth1") == "172.30.72.10"
    assert fr.interface_ipv4(FACTS, "eth7") is None


def test_restore_script_names_only_the_role_tables():
    tables = [("inet", "cloudstack_nat"), ("ip", "cloudstack_nat")]
    script = fr.restore_script(tables, {"inet cloudstack_nat": "table inet cloudstack_nat {\n}\n",
                                        "ip cloudstack_nat": ""})
    lines = script.splitlines()
    assert lines[:4] == ["table inet cloudstack_nat", "delete table inet cloudstack_nat",
                         "table ip cloudstack_nat", "delete table ip cloudstack_nat"]
    assert "table inet cloudstack_nat {" in script
    assert "flush" not in script
    assert "table ip cloudstack_nat {" not in script  # did not exist before: stays removed


NFT = shutil.which("nft") or "/usr/sbin/nft"
UNSHARE = shutil.which("unshare")
REAL_NFT = (os.geteuid() == 0 and os.path.exists(NFT) and UNSHARE is not None
            and subprocess.run([UNSHARE, "-n", NFT, "list", "ruleset"], capture_output=True, check=False).returncode == 0)

OPERATOR = """table inet operator_keep {
    chain input {
        type filter hook input priority 10; policy accept;
        tcp dport 7777 counter packets 0 bytes 0 accept
    }
}
"""
GOOD = """table inet cloudstack_nat
delete table inet cloudstack_nat
table inet cloudstack_nat {
    chain input {
        type filter hook input priority filter; policy drop;
        tcp dport 22 accept
    }
}
"""
# What a run may have loaded before failing: a different role table, plus
# the NAT table that did not exist when the listings were saved.
OTHER = """table inet cloudstack_nat
delete table inet cloudstack_nat
table inet cloudstack_nat {
    chain input {
        type filter hook input priority filter; policy accept;
    }
}
table ip cloudstack_nat {
    chain postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        masquerade
    }
}
"""
# The kernel refuses a jump to a missing chain: this load fails.
BAD = """table inet cloudstack_nat
delete table inet cloudstack_nat
table inet cloudstack_nat {
    chain input {
        type filter hook input priority filter; policy accept;
        tcp dport 80 jump nowhere
    }
}
"""


@pytest.mark.skipif(not REAL_NFT, reason="needs root, nft and unshare -n (real kernel nf_tables)")
def test_restore_script_with_real_nft_in_a_private_netns(tmp_path):
    tables = [("inet", "cloudstack_nat"), ("ip", "cloudstack_nat")]
    for name, text in (("operator", OPERATOR), ("good", GOOD), ("other", OTHER), ("bad", BAD)):
        (tmp_path / (name + ".nft")).write_text(text)
    # In one private namespace: operator table + role table, save the role's
    # listings, change the role's tables, fail a load, then wait for restore.nft
    # (written here by the code under test) and load it.
    script = tmp_path / "run.sh"
    script.write_text(
        "set -u\n"
        "cd %s\n"
        "nft -f operator.nft && nft -f good.nft || exit 9\n"
        "nft list table inet cloudstack_nat > saved_inet.txt; echo $? > saved_inet.rc\n"
        "nft list table ip cloudstack_nat > saved_ip.txt 2>/dev/null; echo $? > saved_ip.rc\n"
        "nft list ruleset > before.txt\n"
        "nft -f other.nft || exit 8\n"
        "nft -f bad.nft 2> bad.err; echo $? > bad.tmp; mv bad.tmp bad.rc\n"
        "nft list ruleset > changed.txt\n"
        "for i in $(seq 600); do [ -f restore.nft ] && break; sleep 0.05; done\n"
        "nft -f restore.nft; echo $? > restore.rc\n"
        "nft list ruleset > after.txt\n" % tmp_path)
    proc = subprocess.Popen([UNSHARE, "-n", "bash", str(script)])
    for _attempt in range(600):
        if (tmp_path / "bad.rc").exists() or proc.poll() is not None:
            break
        subprocess.run(["sleep", "0.05"], check=True)
    saved = {"inet cloudstack_nat": (tmp_path / "saved_inet.txt").read_text(),
             "ip cloudstack_nat": (tmp_path / "saved_ip.txt").read_text()}
    (tmp_path / "restore.tmp").write_text(fr.restore_script(tables, saved))
    (tmp_path / "restore.tmp").rename(tmp_path / "restore.nft")
    assert proc.wait(timeout=60) == 0
    assert (tmp_path / "bad.rc").read_text().strip() != "0", "the deliberately bad load must fail"
    assert (tmp_path / "saved_ip.rc").read_text().strip() == "1"   # no ip table existed
    assert (tmp_path / "restore.rc").read_text().strip() == "0"
    before = (tmp_path / "before.txt").read_text()
    changed = (tmp_path / "changed.txt").read_text()
    after = (tmp_path / "after.txt").read_text()
    assert changed != before and "masquerade" in changed   # the restore has something to undo
    assert after == before
    assert "operator_keep" in after and "tcp dport 7777" in after
    assert "table ip cloudstack_nat" not in after and "jump nowhere" not in after


def test_forbidden_ports_are_the_contracts_plus_ssh():
    from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data
    assert fr.FORBIDDEN_PORTS == topology_data.FORBIDDEN_PUBLIC_PORTS + (fr.SSH_PORT,)
    assert fr.SSH_PORT == 22
    assert 22 not in topology_data.FORBIDDEN_PUBLIC_PORTS


def test_extra_forbidden_ports_given_as_strings_are_refused_too():
    # inventory values may be strings; the plan listed them as forbidden but
    # the forward check compared them as strings and let the forward through
    result = plan(forwards=[{"port": 8000, "to_port": 8080}], forbidden_extra=["8000"])
    assert len(result["errors"]) == 1 and "8000" in result["errors"][0] and "CS501" in result["errors"][0]
    assert 8000 in result["forbidden_ports"]


def test_unset_forwards_are_the_one_default_and_an_empty_list_is_none():
    result = plan(forwards=None)
    assert result["forwards"] == [dict(f) for f in fr.DEFAULT_FORWARDS]
    assert result["forwards"] == [{"port": 80, "to_port": 8080, "proto": "tcp"},
                                  {"port": 443, "to_port": 8443, "proto": "tcp"}]
    result = plan(forwards=[])
    assert result["errors"] == [] and result["forwards"] == []


def test_cidr_lists_explicit_empty_or_derived():
    result = plan(masquerade_sources=[], admin_cidrs=[])
    assert result["errors"] == []
    assert result["masquerade_sources"] == [] and result["admin_cidrs"] == []
    result = plan(masquerade_sources=None, admin_cidrs=None)
    assert "10.10.0.0/24" in result["masquerade_sources"] and result["admin_cidrs"] == ["10.10.0.0/24"]


def test_the_filter_is_thin_and_refuses_sources_that_are_not_a_list():
    from ansible_collections.cloudstack.infra.plugins.filter.firewall_filters import FilterModule
    guard = FilterModule().filters()["firewall_ssh_guard"]
    assert guard("10.10.0.50 1 10.10.0.5 22", ["10.10.0.0/24"], "ssh")["verdict"] == "admitted"
    assert guard("", None, "ssh")["verdict"] == "skip"
    with pytest.raises(Exception, match="must be a list"):
        guard("10.10.0.50 1 10.10.0.5 22", "10.10.0.0/24", "ssh")
