"""The monitoring planner (plugins/module_utils/monitoring_plan.py and the
filter cloudstack.infra.monitoring_plan): targets, sources, scrape
configuration, alert rules and their knobs (pytest tables over the rules'
base topology with a monitoring host)."""
import copy

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.cloudstack.infra.plugins.filter.monitoring import FilterModule
from ansible_collections.cloudstack.infra.plugins.module_utils import cloud_plan as CP
from ansible_collections.cloudstack.infra.plugins.module_utils import monitoring_plan as MON
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T

from test_topology_rules import base, cl  # noqa: E402 pylint: disable=wrong-import-order

ALERTS = {"CloudStackFilesystemFullSoon", "CloudStackFilesystemLowSpace",
          "CloudStackClusterInstancesAtThreshold", "CloudStackSecurityUpdatesPending",
          "CloudStackLibvirtCertExpiring", "CloudStackHostDown",
          "CloudStackManagementServerDown", "CloudStackReplicationStopped",
          "CloudStackReplicationLagging"}


def monitored(groups, hv, g):
    groups["cloudstack_monitoring"] = ["mon1"]
    hv["mon1"] = {"cloudstack_management_address": "10.10.0.5"}
    g["cloudstack_monitoring_sources"] = ["192.0.2.10", "10.10.0.5", "198.51.100.0/24"]


def inventory(*mutations):
    groups, hv, g = base()
    cl(g, 0, 1)["primary_storage"][0]["portal"] = "10.20.0.50"
    for m in mutations:
        m(groups, hv, g)
    return groups, hv, g


def model(*mutations):
    return T.build_model(*inventory(*mutations))[1]


def plan(*mutations, **knobs):
    return MON.plan_monitoring(model(*mutations), knobs)


def rules(p):
    return [r for group in p["rules"]["groups"] for r in group["rules"]]


def rule(p, name, index=0):
    found = [r for r in rules(p) if r["alert"] == name]
    assert len(found) == (2 if name == "CloudStackReplicationStopped" else 1)
    return found[index]


def test_keys_servers_sources_ports():
    p = plan(monitored)
    assert set(p) == {"servers", "sources", "ports", "targets", "scrape_configs", "rules", "clusters"}
    assert p["servers"] == ["mon1"]
    # the monitoring hosts first, then cloudstack_monitoring_sources, once each
    assert p["sources"] == ["10.10.0.5", "192.0.2.10", "198.51.100.0/24"]
    assert p["ports"] == {"node": 9100, "mysqld": 9104, "cloudstack": 9595,
                          "prometheus": 9090, "alertmanager": 9093}


def test_unmonitored_inventory_still_plans_but_has_no_sources():
    p = plan()
    assert p["servers"] == [] and p["sources"] == []
    assert p["targets"] and rules(p)
    assert model().host_view("kvm1")["monitoring_sources"] == []


def test_host_view_monitoring_sources_apart_from_firewall_sources():
    m = model(monitored)
    view = m.host_view("kvm1")
    assert view["monitoring_sources"] == ["10.10.0.5", "192.0.2.10", "198.51.100.0/24"]
    # a hypervisor's firewall_sources keep their meaning
    assert "192.0.2.10" not in view["firewall_sources"]
    assert view["firewall_sources"] == model().host_view("kvm1")["firewall_sources"]


@pytest.mark.parametrize("host,address,exporters", [
    ("mgmt1", "10.10.0.11", ["node", "cloudstack"]),
    ("db1", "10.10.0.13", ["node", "mysqld"]),
    ("db2", "10.11.0.13", ["node", "mysqld"]),
    ("lb1", "10.10.0.2", ["node"]),
    ("nfs1", "10.10.0.20", ["node"]),
    ("fw2", "10.11.0.1", ["node"]),
    ("mon1", "10.10.0.5", ["node"]),
    ("kvm4", "10.11.0.24", ["node"]),
    # XenServer's dom0 is no Debian the roles configure
    ("xen1", "10.10.0.31", []),
])
def test_targets(host, address, exporters):
    (t,) = [t for t in plan(monitored)["targets"] if t["host"] == host]
    assert t == {"host": host, "address": address, "exporters": exporters}


def test_every_host_once_and_hosts_without_address_left_out():
    def no_address(groups, hv, g):
        del hv["lb2"]["cloudstack_management_address"]
    p = plan(monitored, no_address)
    names = [t["host"] for t in p["targets"]]
    assert len(names) == len(set(names))
    assert "lb2" not in names
    assert set(names) == set(model(monitored).known) - {"lb2"}


def test_scrape_configs():
    p = plan(monitored)
    assert [j["job_name"] for j in p["scrape_configs"]] == ["node", "mysqld", "cloudstack"]
    jobs = dict((j["job_name"], j["static_configs"]) for j in p["scrape_configs"])
    kvm1 = [s for s in jobs["node"] if s["labels"]["host"] == "kvm1"]
    assert kvm1 == [{"targets": ["10.10.0.21:9100"],
                     "labels": {"host": "kvm1", "role": "kvm", "zone": "zone1", "cluster": "kvm-c1"}}]
    assert [s["targets"] for s in jobs["cloudstack"]] == [["10.10.0.11:9595"], ["10.10.0.12:9595"]]
    assert [(s["targets"], s["labels"]) for s in jobs["mysqld"]] == [
        (["10.10.0.13:9104"], {"host": "db1", "role": "db_primary"}),
        (["10.11.0.13:9104"], {"host": "db2", "role": "db_replica"})]
    assert len(jobs["node"]) == len([t for t in p["targets"] if "node" in t["exporters"]])


def test_ipv6_target_in_brackets():
    def v6(groups, hv, g):
        hv["nfs1"]["cloudstack_management_address"] = "2001:db8::20"
    (node,) = [j for j in plan(v6)["scrape_configs"] if j["job_name"] == "node"]
    assert ["[2001:db8::20]:9100"] in [s["targets"] for s in node["static_configs"]]


def test_cluster_thresholds_are_cloud_plans_capacity_rows():
    p = plan(monitored)
    capacity = CP.plan_cloud(model(monitored))["capacity"]
    assert [(c["zone"], c["pod"], c["cluster"], c["limit"], c["tolerate"], c["safe"], c["threshold"])
            for c in p["clusters"]] == [
        (r["zone"], r["pod"], r["cluster"], r["limit"], r["tolerate"], r["safe"], r["threshold"])
        for r in capacity]
    kvm = p["clusters"][0]
    assert kvm == {"zone": "zone1", "pod": "pod1", "cluster": "kvm-c1", "hypervisor": "KVM",
                   "hosts": ["kvm1", "kvm2", "kvm3"],
                   "addresses": ["10.10.0.21", "10.10.0.22", "10.10.0.23"],
                   "tolerate": 1, "limit": 50, "safe": 100, "threshold": 90}


def test_one_cluster_alert_per_cluster_at_its_threshold():
    p = plan(monitored)
    found = [r for r in rules(p) if r["alert"] == "CloudStackClusterInstancesAtThreshold"]
    assert [(r["labels"]["zone"], r["labels"]["cluster"]) for r in found] == [
        (c["zone"], c["cluster"]) for c in p["clusters"]]
    kvm = found[0]["expr"]
    assert kvm.endswith(">= 90")
    assert 'cloudstack_host_vms_total{zone="zone1",address=~"10\\\\.10\\\\.0\\\\.21|10\\\\.10\\\\.0\\\\.22|' \
        '10\\\\.10\\\\.0\\\\.23"}' in kvm
    assert 'hostname=~"kvm1|kvm2|kvm3"' in kvm
    assert kvm.startswith("sum(max by (zone, hostname, address) (")


def test_cluster_threshold_follows_the_inventory():
    def bigger(groups, hv, g):
        cl(g, 0, 0)["max_instances_per_host"] = 70
    (first, *_rest) = plan(bigger)["clusters"]
    # 0.9 x (3 - 1) x 70 = 126 (no float round-off to 127)
    assert (first["safe"], first["threshold"]) == (140, 126)


def test_alert_names_labels_and_default_knobs():
    p = plan(monitored)
    assert {r["alert"] for r in rules(p)} == ALERTS
    for r in rules(p):
        assert r["for"] == "10m"
        assert r["labels"]["severity"] in ("warning", "critical")
        assert r["annotations"]["summary"] and r["annotations"]["description"]
    assert rule(p, "CloudStackFilesystemLowSpace")["expr"].endswith("< 20")
    assert 'mountpoint=~"/"' in rule(p, "CloudStackFilesystemLowSpace")["expr"]
    assert "24 * 3600" in rule(p, "CloudStackFilesystemFullSoon")["expr"]
    assert "7 * 86400" in rule(p, "CloudStackSecurityUpdatesPending")["expr"]
    assert "30 * 86400" in rule(p, "CloudStackLibvirtCertExpiring")["expr"]
    assert rule(p, "CloudStackReplicationLagging")["expr"] == "mysql_slave_status_seconds_behind_master > 300"
    assert rule(p, "CloudStackHostDown")["expr"] == 'up{job="node"} == 0'
    assert rule(p, "CloudStackManagementServerDown")["expr"] == 'up{job="cloudstack"} == 0'


def test_knobs():
    p = plan(monitored, disk_free_percent=12.5, disk_mountpoints=["/", "/var/lib/mysql"], predict_hours=6,
             security_update_days=3, cert_days=14, replication_lag_seconds=60, alert_for="0s")
    assert all(r["for"] == "0s" for r in rules(p))
    low = rule(p, "CloudStackFilesystemLowSpace")["expr"]
    assert low.endswith("< 12.5") and 'mountpoint=~"/|/var/lib/mysql"' in low
    assert "6 * 3600" in rule(p, "CloudStackFilesystemFullSoon")["expr"]
    assert "3 * 86400" in rule(p, "CloudStackSecurityUpdatesPending")["expr"]
    assert "14 * 86400" in rule(p, "CloudStackLibvirtCertExpiring")["expr"]
    assert rule(p, "CloudStackReplicationLagging")["expr"].endswith("> 60")


@pytest.mark.parametrize("knobs,needle", [
    ({"disk_free": 10}, "unknown knob(s) disk_free"),
    ({"disk_free_percent": 0}, "disk_free_percent must be above 0 and below 100"),
    ({"disk_free_percent": 100}, "disk_free_percent must be above 0"),
    ({"disk_free_percent": "10"}, "disk_free_percent must be a number"),
    ({"predict_hours": True}, "predict_hours must be a number"),
    ({"predict_hours": float("inf")}, "predict_hours must be a number"),
    ({"security_update_days": float("nan")}, "security_update_days must be a number"),
    ({"cert_days": -1}, "cert_days must be above 0"),
    ({"replication_lag_seconds": None}, "replication_lag_seconds must be a number"),
    ({"disk_mountpoints": "/"}, "disk_mountpoints must be a non-empty list of absolute paths"),
    ({"disk_mountpoints": []}, "disk_mountpoints must be a non-empty list"),
    ({"disk_mountpoints": ["var"]}, "disk_mountpoints must be a non-empty list"),
    ({"alert_for": "10 minutes"}, "alert_for must be a Prometheus duration"),
    ({"alert_for": 600}, "alert_for must be a Prometheus duration"),
    ("fast", "knobs must be a mapping"),
])
def test_bad_knobs_are_named(knobs, needle):
    with pytest.raises(MON.KnobError) as err:
        MON.plan_monitoring(model(), knobs)
    assert needle in str(err.value)
    # the filter turns it into an AnsibleFilterError naming the knob
    groups, hv, g = inventory(monitored)
    hostvars = dict((h, dict(g, **v)) for h, v in hv.items())
    with pytest.raises(AnsibleFilterError, match="monitoring_plan: .*" + needle.split()[0]):
        FilterModule().filters()["monitoring_plan"](hostvars, groups, knobs)


def test_filter_from_hostvars_equals_the_plan():
    groups, hv, g = inventory(monitored)
    hostvars = dict((h, dict(g, **copy.deepcopy(v))) for h, v in hv.items())
    got = FilterModule().filters()["monitoring_plan"](hostvars, groups, {"alert_for": "1m"})
    assert got == plan(monitored, alert_for="1m")
    with pytest.raises(AnsibleFilterError, match="no host in the contract's groups"):
        FilterModule().filters()["monitoring_plan"]({}, {})
    with pytest.raises(AnsibleFilterError, match="must be hostvars"):
        FilterModule().filters()["monitoring_plan"]([], groups)


def test_sources_as_written_once_without_blanks():
    def sources(groups, hv, g):
        g["cloudstack_monitoring_sources"] = [" 192.0.2.10 ", "192.0.2.10", "10.10.0.5/32"]
    assert plan(monitored, sources)["sources"] == ["10.10.0.5", "192.0.2.10", "10.10.0.5/32"]


def test_replicas_without_replica_status():
    p = plan(monitored)
    assert rule(p, "CloudStackReplicationStopped", 0)["expr"] == (
        'mysql_up{job="mysqld",host=~"db2"} == 1 unless on (instance) mysql_slave_status_slave_io_running')
    assert rule(p, "CloudStackReplicationStopped", 1)["expr"] == (
        "mysql_slave_status_slave_io_running == 0 or mysql_slave_status_slave_sql_running == 0")
    # two rules of one alert: told apart by their problem label (promtool's
    # duplicate-rules lint)
    assert [rule(p, "CloudStackReplicationStopped", i)["labels"]["problem"] for i in (0, 1)] == [
        "no_replica_status", "thread_stopped"]
    # without replicas only the thread check (no replica: nothing to expect)
    no_replica = plan(lambda gr, hv, g: gr.update(cloudstack_db_replicas=[]),
                      lambda gr, hv, g: g.update(cloudstack_db_dr=False))
    assert [r["expr"] for r in rules(no_replica) if r["alert"] == "CloudStackReplicationStopped"] == [
        "mysql_slave_status_slave_io_running == 0 or mysql_slave_status_slave_sql_running == 0"]
