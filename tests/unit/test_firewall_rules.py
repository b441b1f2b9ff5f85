# -*- coding: utf-8 -*-
"""Unit tests of plugins/module_utils/firewall_rules.py (plain pytest).

The last tests run the restore script through the real nft in a private
network namespace (unshare -n) when root and nft are available: they load the
role's tables, fail a load, restore, and compare listings; an operator's table
in the same namespace must come through untouched.
"""

from __future__ import absolute_import, division, print_function

import copy
import importlib.util
import os
import shutil
import subprocess

import pytest

_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "plugins", "module_utils", "firewall_rules.py")
_SPEC = importlib.util.spec_from_file_location("firewall_rules", _PATH)
fr = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(fr)

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


def spec(**kw):
    base = {"host": "fw1", "host_site": "dc1", "zones": copy.deepcopy(ZONES), "forwards": None,
            "management_addresses": ["10.10.0.10"], "masquerade_sources": None, "admin_cidrs": None}
    base.update(kw)
    return base


def test_defaults_forward_80_443_to_the_single_management_server():
    plan = fr.firewall_plan(spec())
    assert plan["errors"] == []
    assert plan["target"] == "10.10.0.10"
    assert plan["forwards"] == [{"port": 80, "to_port": 8080, "proto": "tcp"},
                                {"port": 443, "to_port": 8443, "proto": "tcp"}]
    # only the local site's management + storage networks are masqueraded
    assert plan["masquerade_sources"] == ["10.10.0.0/24", "10.20.0.0/24", "10.21.0.0/24"]
    assert plan["admin_cidrs"] == ["10.10.0.0/24"]
    assert plan["vpn"]["enabled"] is False


@pytest.mark.parametrize("port", sorted(fr.FORBIDDEN_PORTS))
def test_every_forbidden_port_is_refused_as_port_and_as_to_port(port):
    for entry in ({"port": port, "to_port": 8080}, {"port": 8081, "to_port": port}):
        plan = fr.firewall_plan(spec(forwards=[entry]))
        assert len(plan["errors"]) == 1, plan["errors"]
        assert str(port) in plan["errors"][0] and "CS501" in plan["errors"][0]


def test_extra_forbidden_ports_add_to_the_list():
    plan = fr.firewall_plan(spec(forwards=[{"port": 8000, "to_port": 8080}], forbidden_extra=[8000]))
    assert "8000" in plan["errors"][0]
    assert 8000 in plan["forbidden_ports"] and 3306 in plan["forbidden_ports"]


@pytest.mark.parametrize("entry,needle", [
    ({"port": 0, "to_port": 8080}, ".port is 0"),
    ({"port": 80, "to_port": 70000}, ".to_port is 70000"),
    ({"port": 80, "to_port": 8080, "proto": "icmp"}, "tcp or udp"),
    ({"port": "http", "to_port": 8080}, "'http'"),
    ({"port": 80, "to_port": 8080, "dest": "x"}, "unknown key(s) dest"),
    ("80:8080", "not a mapping"),
])
def test_bad_forward_entries_name_the_value(entry, needle):
    plan = fr.firewall_plan(spec(forwards=[entry]))
    assert any(needle in e for e in plan["errors"]), plan["errors"]


def test_duplicate_public_port_is_an_error_but_tcp_and_udp_may_share_it():
    dup = [{"port": 443, "to_port": 8443}, {"port": 443, "to_port": 9443}]
    assert "again" in fr.firewall_plan(spec(forwards=dup))["errors"][0]
    ok = [{"port": 443, "to_port": 8443}, {"port": 443, "to_port": 8443, "proto": "udp"}]
    assert fr.firewall_plan(spec(forwards=ok))["errors"] == []


def test_string_ports_are_accepted_as_numbers():
    plan = fr.firewall_plan(spec(forwards=[{"port": "443", "to_port": "8443"}]))
    assert plan["errors"] == [] and plan["forwards"][0]["port"] == 443


def test_load_balancer_needs_its_vip():
    plan = fr.firewall_plan(spec(lb_hosts=["lb1", "lb2"], management_addresses=["10.10.0.10", "10.10.0.11"]))
    assert plan["target"] is None
    assert "cloudstack_lb_vip is not set" in plan["errors"][0] and "lb1" in plan["errors"][0]
    plan = fr.firewall_plan(spec(lb_hosts=["lb1"], lb_vip="10.10.0.5"))
    assert plan["errors"] == [] and plan["target"] == "10.10.0.5"
    plan = fr.firewall_plan(spec(lb_external=True, lb_vip="10.10.0.6"))
    assert plan["target"] == "10.10.0.6"
    assert "not an IPv4" in fr.firewall_plan(spec(lb_hosts=["lb1"], lb_vip="vip"))["errors"][0]


def test_several_management_servers_without_lb_is_refused():
    plan = fr.firewall_plan(spec(management_addresses=["10.10.0.10", "10.10.0.11"]))
    assert "found 2 management server(s)" in plan["errors"][0]
    assert "found 0" in fr.firewall_plan(spec(management_addresses=[]))["errors"][0]


def test_explicit_target_wins_and_is_checked():
    assert fr.firewall_plan(spec(forward_target="10.10.0.99"))["target"] == "10.10.0.99"
    assert "nat_firewall_forward_target" in fr.firewall_plan(spec(forward_target="mgmt1"))["errors"][0]


def test_admin_cidrs_refuse_everyone_and_junk():
    errs = fr.firewall_plan(spec(admin_cidrs=["0.0.0.0/0"]))["errors"]
    assert "everyone" in errs[0]
    errs = fr.firewall_plan(spec(admin_cidrs=["10.10.0.1/24"]))["errors"]
    assert "host bits zero" in errs[0]
    assert fr.firewall_plan(spec(admin_cidrs=["192.168.9.0/24"]))["admin_cidrs"] == ["192.168.9.0/24"]


def test_lockout_check_only_for_ssh_and_only_outside_admin_networks():
    errs = fr.firewall_plan(spec(controller_address="198.51.100.7", ssh_managed=True))["errors"]
    assert "would cut this connection" in errs[0] and "198.51.100.7" in errs[0]
    assert fr.firewall_plan(spec(controller_address="10.10.0.50", ssh_managed=True))["errors"] == []
    assert fr.firewall_plan(spec(controller_address="198.51.100.7", ssh_managed=False))["errors"] == []


def test_single_site_without_site_names():
    zones = [dict(z) for z in ZONES[:1]]
    zones[0].pop("site")
    plan = fr.firewall_plan(spec(zones=zones, host_site=""))
    assert plan["errors"] == [] and plan["site"] == fr.DEFAULT_SITE
    assert "10.20.0.0/24" in plan["masquerade_sources"]


def test_vpn_peers_routes_and_addresses():
    fws = {"fw1": "dc1", "fw2": "dc2", "fw3": "dc2"}
    plan = fr.firewall_plan(spec(vpn={"enabled": True}, firewalls=fws, vpn_port=51820,
                                 vpn_tunnel_cidr="10.255.255.0/24"))
    assert plan["errors"] == []
    vpn = plan["vpn"]
    # one peer per other site: its first firewall by name
    assert vpn["peers"] == [{"host": "fw2", "site": "dc2", "networks": ["10.110.0.0/24", "10.130.0.0/16"]}]
    assert vpn["local_networks"] == ["10.10.0.0/24", "10.20.0.0/24", "10.21.0.0/24", "10.30.0.0/16"]
    assert vpn["remote_networks"] == ["10.110.0.0/24", "10.130.0.0/16"]
    assert vpn["address"] == "10.255.255.1/24" and vpn["port"] == 51820
    other = fr.firewall_plan(spec(host="fw3", host_site="dc2", vpn={"enabled": True}, firewalls=fws,
                                  vpn_port=51820, vpn_tunnel_cidr="10.255.255.0/24"))
    assert other["vpn"]["address"] == "10.255.255.3/24"
    assert other["vpn"]["peers"][0]["host"] == "fw1"


def test_vpn_errors():
    base = dict(vpn={"enabled": True}, vpn_port=51820, vpn_tunnel_cidr="10.255.255.0/24")
    errs = fr.firewall_plan(spec(firewalls={"fw1": "dc1"}, **base))["errors"]
    assert "no firewall in cloudstack_firewall sits at a site other than dc1" in errs[0]
    overlap = dict(base)
    overlap["vpn_tunnel_cidr"] = "10.10.0.0/16"
    errs = fr.firewall_plan(spec(firewalls={"fw1": "dc1", "fw2": "dc2"}, **overlap))["errors"]
    assert any("overlaps the zone network 10.10.0.0/24" in e for e in errs)
    bad_port = dict(base)
    bad_port["vpn_port"] = "x"
    errs = fr.firewall_plan(spec(firewalls={"fw1": "dc1", "fw2": "dc2"}, **bad_port))["errors"]
    assert any("VPN port" in e for e in errs)
    errs = fr.firewall_plan(spec(host_site="", firewalls={"fw1": "", "fw2": "dc2"}, **base))["errors"]
    assert any("has no cloudstack_site" in e for e in errs)


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
    plan = fr.firewall_plan(spec(forwards=[{"port": 8000, "to_port": 8080}], forbidden_extra=["8000"]))
    assert len(plan["errors"]) == 1 and "8000" in plan["errors"][0] and "CS501" in plan["errors"][0]
    assert 8000 in plan["forbidden_ports"]


def test_unset_forwards_are_the_one_default_and_an_empty_list_is_none():
    plan = fr.firewall_plan(spec(forwards=None))
    assert plan["forwards"] == [dict(f) for f in fr.DEFAULT_FORWARDS]
    assert plan["forwards"] == [{"port": 80, "to_port": 8080, "proto": "tcp"},
                                {"port": 443, "to_port": 8443, "proto": "tcp"}]
    plan = fr.firewall_plan(spec(forwards=[]))
    assert plan["errors"] == [] and plan["forwards"] == []


def test_cidr_lists_explicit_empty_or_derived():
    plan = fr.firewall_plan(spec(masquerade_sources=[], admin_cidrs=[]))
    assert plan["errors"] == []
    assert plan["masquerade_sources"] == [] and plan["admin_cidrs"] == []
    plan = fr.firewall_plan(spec(masquerade_sources=None, admin_cidrs=None))
    assert "10.10.0.0/24" in plan["masquerade_sources"] and plan["admin_cidrs"] == ["10.10.0.0/24"]
