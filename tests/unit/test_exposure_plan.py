"""The exposure planner (plugins/module_utils/exposure_plan.py and the
filters cloudstack.infra.exposure_plan / exposure_nftables): who may reach
which port of which host, per tier, over the rules' base topology (pytest
tables)."""
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudstack.infra.plugins.filter.exposure import FilterModule
from ansible_collections.cloudstack.infra.plugins.module_utils import exposure_plan as E
from ansible_collections.cloudstack.infra.plugins.module_utils import management_plan as MP
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T

from test_topology_rules import base  # noqa: E402 pylint: disable=wrong-import-order

MGMT = ["10.10.0.11", "10.10.0.12"]
NETS = ["10.10.0.0/24", "10.11.0.0/24"]
FILTERS = FilterModule().filters()


def model(*mutations):
    groups, hv, g = base()
    for m in mutations:
        m(groups, hv, g)
    return T.build_model(groups, hv, g)[1]


def rows(plan, name=None):
    return dict((r["name"], r) for r in plan["services"]) if name is None else \
        next(r for r in plan["services"] if r["name"] == name)


def allowed(groups, hv, g):
    g["cloudstack_host_allowed_sources"] = ["192.0.2.0/28"]


def monitored(groups, hv, g):
    groups["cloudstack_monitoring"] = ["mon1"]
    hv["mon1"] = {"cloudstack_management_address": "10.10.0.5"}
    g["cloudstack_monitoring_sources"] = ["198.51.100.0/24"]


@pytest.mark.parametrize("mutations,host,expected", [
    ((), "db1", MGMT),
    ((allowed,), "db1", MGMT + ["192.0.2.0/28"]),
    ((allowed,), "lb2", MGMT + ["192.0.2.0/28"]),
    ((allowed,), "kvm4", MGMT + ["192.0.2.0/28"]),
])
def test_admin_sources_management_servers_then_allowed_sources(mutations, host, expected):
    assert E.admin_sources(model(*mutations), host) == expected


@pytest.mark.parametrize("host,name,ports,protocol,sources", [
    # database: MySQL from the management servers and the other database hosts
    ("db1", "mysql", [3306], "tcp", MGMT + ["10.11.0.13"]),
    ("db2", "mysql", [3306], "tcp", MGMT + ["10.10.0.13"]),
    ("db1", "ssh", [22], "tcp", MGMT),
    # load balancer: published from everyone, VRRP from the peer only
    ("lb1", "published", [80, 443], "tcp", None),
    ("lb1", "vrrp", [], "vrrp", ["10.10.0.3"]),
    ("lb2", "vrrp", [], "vrrp", ["10.10.0.2"]),
    ("lb1", "stats", [8404], "tcp", MGMT),
    ("lb1", "ssh", [22], "tcp", MGMT),
    ("lb1", "agent", [8250], "tcp", NETS + ["10.10.0.21", "10.10.0.22", "10.10.0.23", "10.11.0.24", "10.11.0.25",
                                            "10.10.0.31", "10.10.0.32", "10.10.0.33"]),
    # kvm: the management servers and the cluster's other hosts
    ("kvm1", "ssh-vnc-migration", [22, "5900-6100", "49152-49215"], "tcp",
     MGMT + ["10.10.0.22", "10.10.0.23"]),
    ("kvm4", "ssh-vnc-migration", [22, "5900-6100", "49152-49215"], "tcp",
     MGMT + ["10.11.0.25"]),
    # libvirt: the cluster's other hosts and the management servers only
    ("kvm1", "libvirt", [16514], "tcp", MGMT + ["10.10.0.22", "10.10.0.23"]),
    ("kvm4", "libvirt", [16514], "tcp", MGMT + ["10.11.0.25"]),
    # NAT firewall, LAN side: SSH from the site's management networks
    ("fw1", "ssh", [22], "tcp", ["10.10.0.0/24"]),
])
def test_rows(host, name, ports, protocol, sources):
    row = rows(E.plan_exposure(model(), host), name)
    assert (row["ports"], row["protocol"], row["sources"]) == (ports, protocol, sources)
    assert row["reason"]


def test_database_host_exposes_nothing_else_and_ssh_sources():
    plan = E.plan_exposure(model(), "db1")
    assert plan["tiers"] == ["database"]
    assert sorted(rows(plan)) == ["mysql", "ssh"]
    assert plan["ssh_sources"] == MGMT


def test_no_integration_row_unless_the_api_is_on():
    assert "integration" not in rows(E.plan_exposure(model(), "lb1"))

    def on(groups, hv, g):
        g["cloudstack_mgmt_integration_api"] = True
    assert rows(E.plan_exposure(model(on), "lb1"), "integration")["sources"] == NETS


def test_management_rows_are_the_management_planners():
    m = model()
    plan = MP.plan_management(m, "mgmt1")
    got = rows(E.plan_exposure(m, "mgmt1"))
    for cls in ("ssh", "api", "agent", "cluster"):
        assert got[cls]["sources"] == plan["sources"][cls]
        assert got[cls]["ports"] == plan["ports"][cls]


def test_nfs_rows_are_the_export_clients():
    got = E.plan_exposure(model(), "nfs1")
    assert [r["protocol"] for r in got["services"]] == ["tcp", "udp"]
    assert all(2049 in r["ports"] and 111 in r["ports"] for r in got["services"])
    assert got["services"][0]["sources"]
    assert got["ssh_sources"] is None


def test_exporters_only_when_monitored():
    assert not [r for r in E.plan_exposure(model(), "db1")["services"] if r["tier"] == "monitoring"]
    row = rows(E.plan_exposure(model(monitored), "db1"), "exporters")
    assert row["ports"] == [9100, 9104] and row["sources"] == ["10.10.0.5", "198.51.100.0/24"]


@pytest.mark.parametrize("options,name,expected", [
    ({"lb_client_sources": ["203.0.113.0/24"]}, "published", ["203.0.113.0/24"]),
    ({"lb_ports": [8080, 8443]}, "published", None),
    ({"lb_stats_sources": ["10.10.0.254"]}, "stats", MGMT + ["10.10.0.254"]),
])
def test_lb_options(options, name, expected):
    row = rows(E.plan_exposure(model(), "lb1", options), name)
    assert row["sources"] == expected
    if "lb_ports" in options:
        assert row["ports"] == [8080, 8443]


def test_lb_stats_off():
    assert "stats" not in rows(E.plan_exposure(model(), "lb1", {"lb_stats_port": None, "lb_stats_sources": []}))
    assert "stats" in rows(E.plan_exposure(model(), "lb1", {"lb_stats_sources": None}))  # null: the default


@pytest.mark.parametrize("options,words", [
    ({"nope": 1}, ["nope", "lb_ports"]),
    ({"lb_client_sources": ["not-an-address"]}, ["lb_client_sources", "not-an-address", "192.0.2.10"]),
    ({"lb_stats_sources": "10.0.0.1"}, ["lb_stats_sources", "a list"]),
    ("x", ["mapping"]),
])
def test_bad_options_name_the_value(options, words):
    with pytest.raises(E.ExposureError) as err:
        E.plan_exposure(model(), "lb1", options)
    for word in words:
        assert word in str(err.value)


ESSENTIAL = re.compile(r"^(ct state|iif \"lo\"|meta l4proto \{ (icmp, ipv6-icmp|1, 58) \}|udp sport 67 |udp sport 547 )")


@pytest.mark.parametrize("host", ["db1", "lb1", "mgmt1", "kvm1", "nfs1", "fw1"])
def test_render_accepts_only_planned_sources(host):
    plan = E.plan_exposure(model(monitored), host)
    text = E.render_nft(plan, "t")
    assert "policy drop;" in text and text.count("table inet t {") == 1
    for line in (ln.strip() for ln in text.splitlines()):
        if not line.endswith("accept") or ESSENTIAL.match(line):
            continue
        if "saddr" not in line:
            assert line == "tcp dport { 80, 443 } accept", line
            continue
        sources = re.search(r"saddr (\{[^}]*\}|\S+)", line).group(1).strip("{} ").split(", ")
        ports = re.search(r"dport (\{[^}]*\}|\S+)", line)
        rowset = [r for r in plan["services"]
                  if (ports and r["protocol"] != "vrrp" and ports.group(1).strip("{} ") == ", ".join(map(str, r["ports"])))
                  or (not ports and r["protocol"] == "vrrp")]
        assert rowset, line
        assert set(sources) <= set(s for r in rowset for s in r["sources"]), line


def test_render_v6_sources_and_extra_rules():
    plan = {"host": "h", "tiers": ["database"], "services": [
        {"tier": "database", "name": "mysql", "protocol": "tcp", "ports": [3306],
         "sources": ["10.0.0.1", "2001:db8::/64"], "reason": "r"},
        {"tier": "database", "name": "none", "protocol": "tcp", "ports": [1], "sources": [], "reason": "r"}]}
    text = E.render_nft(plan, "t", ["tcp dport 8090 accept"])
    assert "\t\tip saddr 10.0.0.1 tcp dport 3306 accept" in text
    assert "\t\tip6 saddr 2001:db8::/64 tcp dport 3306 accept" in text
    assert "dport 1 " not in text and "(no source: closed)" in text
    assert text.index("tcp dport 8090 accept") < text.index("counter drop")


def test_filters():
    with pytest.raises(AnsibleFilterError, match="exposure_plan"):
        FILTERS["exposure_plan"]({}, {}, "")
    with pytest.raises(AnsibleFilterError, match="result of cloudstack.infra.exposure_plan"):
        FILTERS["exposure_nftables"]({}, "t")
    with pytest.raises(AnsibleFilterError, match="extra_rules"):
        FILTERS["exposure_nftables"]({"services": []}, "t", "x")


def test_libvirt_is_never_open_to_the_allowed_sources():
    # cloudstack_host_allowed_sources reaches SSH, VNC and migration, not libvirt
    # (kvm_host's libvirt set: the cluster's other hosts and the management servers)
    plan = E.plan_exposure(model(allowed), "kvm4")
    assert "192.0.2.0/28" in rows(plan, "ssh-vnc-migration")["sources"]
    assert rows(plan, "libvirt")["sources"] == MGMT + ["10.11.0.25"]
