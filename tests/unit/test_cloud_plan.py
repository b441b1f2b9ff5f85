"""The API tier's planner (plugins/module_utils/cloud_plan.py): what the
cloud role registers, from the topology model, and the capacity guard's
decisions (pytest tables)."""
import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import cloud_plan as CP
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T

from test_topology_rules import base, z, cl  # noqa: E402 pylint: disable=wrong-import-order


def plan(*mutations):
    """The plan of the rules' base topology (its external SAN pool given a
    portal) after mutations."""
    groups, hv, g = base()
    cl(g, 0, 1)["primary_storage"][0]["portal"] = "10.20.0.50"
    for m in mutations:
        m(groups, hv, g)
    report, model = T.build_model(groups, hv, g)
    return CP.plan_cloud(model)


def only(items, **match):
    found = [i for i in items if all(i.get(k) == v for k, v in match.items())]
    assert len(found) == 1, (match, items)
    return found[0]


def test_zone_entries_and_order():
    p = plan()
    assert [zn["name"] for zn in p["zones"]] == ["zone1", "zone2"]
    z1 = p["zones"][0]
    assert z1 == {"name": "zone1", "network_type": "Advanced",
                  "security_groups": False, "dns": ["10.10.0.1"],
                  "internal_dns": ["10.10.0.1"], "guest_cidr": "10.30.0.0/16",
                  "local_storage": False, "guest_network": None}
    # every flat entry names its zone, zone1's first
    for key in CP.FLAT_KEYS:
        zones = [e["zone"] for e in p[key]]
        assert zones == sorted(zones), key


def test_traffic_labels_are_the_hosts_bridges():
    p = plan()
    assert [(t["zone"], t["physical_network"], t["type"], t["kvm_label"])
            for t in p["traffic_types"] if t["zone"] == "zone2"] == [
        ("zone2", "zone2-management", "Management", "cloudbr0"),
        ("zone2", "zone2-guest", "Public", "cloudbr1"),
        ("zone2", "zone2-guest", "Guest", "cloudbr1")]
    guest = only(p["physical_networks"], name="zone1-guest")
    assert guest["isolation"] == "VLAN" and guest["vlan"] is None


def storage_for_secondary(groups, hv, g):
    """nfs1 on storage-a, every zone1 host too: secondary storage (and the
    NFS pool) over storage-a, storage traffic on the KVM hosts' device."""
    hv["nfs1"]["cloudstack_storage_interfaces"] = [
        {"network": "storage-a", "device": "bond1", "address": "10.20.0.20"}]
    for i in (1, 2, 3):
        hv["kvm%d" % i]["cloudstack_storage_interfaces"] = [
            {"network": "storage-a", "device": "eth5",
             "address": "10.20.0.%d" % (20 + i)}]


def test_storage_traffic_and_storage_addresses():
    p = plan(storage_for_secondary)
    st = only(p["traffic_types"], type="Storage")
    assert st == {"zone": "zone1", "physical_network": "zone1-storage",
                  "type": "Storage", "kvm_label": "eth5",
                  "xen_label": "storage-a"}
    assert only(p["secondary_storage"], zone="zone1")["url"] == \
        "nfs://10.20.0.20/export/secondary"
    assert only(p["primary_storage"], name="ps1")["url"] == \
        "nfs://10.20.0.20/export/primary"
    # zone2's hosts have no storage network: management address
    assert only(p["primary_storage"], name="ps3")["url"] == \
        "nfs://10.10.0.20/export/p3"


def test_storage_label_needs_one_device():
    def other_device(groups, hv, g):
        hv["kvm3"]["cloudstack_storage_interfaces"][0]["device"] = "eth6"
    with pytest.raises(CP.PlanError, match="storage network storage-a"):
        plan(storage_for_secondary, other_device)


def test_public_range_pods_and_defaults():
    p = plan()
    assert only(p["ip_ranges"], zone="zone1") == {
        "zone": "zone1", "kind": "public", "pod": None,
        "gateway": "203.0.113.1", "netmask": "255.255.255.0",
        "start": "203.0.113.128", "end": "203.0.113.254",
        "vlan": "untagged", "for_virtual_network": True}
    assert only(p["zone_pods"], zone="zone1") == {
        "zone": "zone1", "name": "pod1", "gateway": "10.10.0.1",
        "netmask": "255.255.255.0", "start": "10.10.0.192",
        "end": "10.10.0.254"}


def test_explicit_ranges_and_vlans():
    def explicit(groups, hv, g):
        z(g)["pods"][0].update(start="10.10.0.100", end="10.10.0.120")
        z(g)["networks"]["public"].update(start="203.0.113.10",
                                          end="203.0.113.20", vlan=300)
        z(g)["networks"]["guest"]["vlan_range"] = "500-599"
    p = plan(explicit)
    pub = only(p["ip_ranges"], zone="zone1")
    assert (pub["start"], pub["end"], pub["vlan"]) == \
        ("203.0.113.10", "203.0.113.20", "300")
    pod = only(p["zone_pods"], zone="zone1")
    assert (pod["start"], pod["end"]) == ("10.10.0.100", "10.10.0.120")
    assert only(p["physical_networks"], name="zone1-guest")["vlan"] == \
        "500-599"


def test_clusters_hosts_and_xenserver_pool_master():
    p = plan()
    xen = only(p["zone_clusters"], name="xen-c1")
    assert xen["url"] == "http://10.10.0.31" and xen["hypervisor"] == \
        "XenServer"
    assert [(h["name"], h["pool_master"]) for h in p["hosts"]
            if h["cluster"] == "xen-c1"] == [
        ("xen1", True), ("xen2", False), ("xen3", False)]
    kvm = only(p["zone_clusters"], name="kvm-c2")
    assert kvm["url"] is None and kvm["hypervisor"] == "KVM"   # "kvm" folded
    assert only(p["hosts"], name="kvm4")["url"] == "http://10.11.0.24"


@pytest.mark.parametrize("pool,url", [
    ({"type": "shared_mountpoint", "path": "/mnt/ocfs2"},
     "SharedMountPoint://localhost/mnt/ocfs2"),
    ({"type": "iscsi", "target": "iqn.2026-01.lab:t", "portal": "10.20.0.9",
      "lun": 2}, "iscsi://10.20.0.9/iqn.2026-01.lab:t/2"),
    ({"type": "presetup", "path": "/sr1"}, "presetup://localhost/sr1"),
    ({"type": "clvm", "path": "/vg0"}, "clvm://localhost/vg0"),
])
def test_pool_urls(pool, url):
    def xen_pool(groups, hv, g):
        cl(g, 0, 1)["primary_storage"] = [dict(pool, name="px")]
    assert only(plan(xen_pool)["primary_storage"], name="px")["url"] == url


@pytest.mark.parametrize("pool,match", [
    ({"type": "iscsi", "target": "iqn.2026-01.lab:t"}, "has no portal"),
    ({"type": "vmfs", "path": "/x"}, "not registered by cloudstack.infra.cloud"),
])
def test_pool_refusals(pool, match):
    def xen_pool(groups, hv, g):
        cl(g, 0, 1)["primary_storage"] = [dict(pool, name="px")]
    with pytest.raises(CP.PlanError, match=match):
        plan(xen_pool)


def test_local_storage():
    def local(groups, hv, g):
        cl(g, 1)["primary_storage"] = [{"name": "loc", "type": "local"}]
    p = plan(local)
    assert only(p["zones"], name="zone2")["local_storage"] is True
    assert not [s for s in p["primary_storage"] if s["name"] == "loc"]
    assert p["zone_settings"] == [{"zone": "zone2",
                                   "name": "system.vm.use.local.storage",
                                   "value": "true"}]


def test_settings_factors_limits_offerings():
    def offerings(groups, hv, g):
        g["cloudstack_disk_offerings"] = [
            {"name": "small", "disk_size_gb": 10, "tags": ["ssd"]}]
    p = plan(offerings)
    assert [(s["cluster"], s["name"], s["value"])
            for s in p["cluster_settings"] if s["zone"] == "zone1"] == [
        ("kvm-c1", "cpu.overprovisioning.factor", "2.0"),
        ("kvm-c1", "mem.overprovisioning.factor", "1.0"),
        ("xen-c1", "cpu.overprovisioning.factor", "2.0"),
        ("xen-c1", "mem.overprovisioning.factor", "1.0")]
    # kvm-c2 sets no factors: 1.0 (CloudStack's default), storage left alone
    assert [s["value"] for s in p["cluster_settings"]
            if s["cluster"] == "kvm-c2"] == ["1.0", "1.0"]
    assert [(s["storage"], s["value"]) for s in p["storage_settings"]] == [
        ("ps1", "2.0"), ("ps2", "1.0")]
    assert p["hypervisor_limits"] == [{"hypervisor": "KVM", "limit": 50},
                                      {"hypervisor": "XenServer",
                                       "limit": 40}]
    assert p["settings"][:2] == [
        {"name": "custom.diskoffering.size.min", "value": "1"},
        {"name": "custom.diskoffering.size.max", "value": "100"}]
    assert {"name": "host", "value": "10.10.0.9"} in p["settings"]
    assert [(o["name"], o["customized"], o["disk_size"])
            for o in p["disk_offerings"]] == [("Custom", True, None),
                                              ("small", False, 10)]


@pytest.mark.parametrize("mutations,url,settings", [
    ([], "http://10.10.0.9:8080/client/api", [("host", "10.10.0.9")]),
    ([lambda gr, hv, g: g.update(cloudstack_api_url="https://api.example/client/api")],
     "https://api.example/client/api", [("host", "10.10.0.9")]),
    ([lambda gr, hv, g: gr.update(cloudstack_lb=[]),
      lambda gr, hv, g: g.pop("cloudstack_lb_vip")],
     "http://10.10.0.11:8080/client/api",
     [("host", "10.10.0.11,10.10.0.12"),
      ("indirect.agent.lb.algorithm", "roundrobin")]),
])
def test_api_url_and_host_setting(mutations, url, settings):
    p = plan(*mutations)
    assert p["api_url"] == url
    assert [(s["name"], s["value"]) for s in p["settings"][2:]] == settings


def basic(groups, hv, g):
    zone = z(g, 1)
    zone["network_type"] = "basic"
    zone["security_groups"] = True
    zone["networks"]["guest"] = {"cidr": "10.31.0.0/16",
                                 "gateway": "10.31.0.1"}


def test_basic_zone():
    p = plan(basic)
    zone = only(p["zones"], name="zone2")
    assert zone["network_type"] == "Basic" and zone["security_groups"]
    assert zone["guest_cidr"] is None
    assert zone["guest_network"] == {
        "name": "zone2-guest", "offering": CP.SG_OFFERING,
        "gateway": "10.31.0.1", "netmask": "255.255.0.0"}
    assert [t["type"] for t in p["traffic_types"] if t["zone"] == "zone2"] \
        == ["Management", "Guest"]
    assert only(p["physical_networks"], name="zone2-guest")["isolation"] \
        is None
    guest = only(p["ip_ranges"], zone="zone2")
    assert (guest["kind"], guest["pod"], guest["start"], guest["end"],
            guest["for_virtual_network"]) == (
        "guest", "pod1", "10.31.128.0", "10.31.255.254", False)


def test_basic_zone_refusals():
    def no_gateway(groups, hv, g):
        del z(g, 1)["networks"]["guest"]["gateway"]
    with pytest.raises(CP.PlanError, match="needs networks.guest"):
        plan(basic, no_gateway)

    def two_pods(groups, hv, g):
        z(g, 1)["pods"].append({"name": "pod2", "clusters": []})
    with pytest.raises(CP.PlanError, match="guest_start and guest_end"):
        plan(basic, two_pods)


def test_capacity_rows():
    p = plan()
    assert only(p["capacity"], cluster="kvm-c1") == {
        "zone": "zone1", "pod": "pod1", "cluster": "kvm-c1", "hosts": 3,
        "tolerate": 1, "limit": 50, "safe": 100, "threshold": 90}
    assert only(p["capacity"], cluster="kvm-c2")["safe"] == 50


@pytest.mark.parametrize("hosts,tolerate,limit,safe,threshold", [
    (4, 1, 60, 180, 162), (3, 1, 50, 100, 90), (2, 1, 50, 50, 45),
    (1, 1, 50, 0, 0), (3, 0, 7, 21, 19), (10, 2, 33, 264, 238),
    (8, 1, 10, 70, 63),   # 0.9 x 70 is 63.000000000000007 in floating point
])
def test_capacity_row_arithmetic(hosts, tolerate, limit, safe, threshold):
    row = CP.capacity_row("z", "p", "c", hosts, tolerate, limit)
    assert (row["safe"], row["threshold"]) == (safe, threshold)


ROW = CP.capacity_row("z", "p", "c", 3, 1, 50)       # threshold 90


@pytest.mark.parametrize("instances,allocation,reenable,action", [
    (89, "Enabled", False, "keep"),
    (90, "Enabled", False, "disable"),
    (120, "Enabled", True, "disable"),
    (95, "Disabled", True, "keep"),
    (10, "Disabled", False, "keep"),
    (10, "Disabled", True, "enable"),
    (89, "Enabled", True, "keep"),
])
def test_capacity_actions(instances, allocation, reenable, action):
    live = [{"zone": "z", "pod": "p", "cluster": "c", "instances": instances,
             "allocation": allocation},
            {"zone": "other", "pod": "p", "cluster": "c", "instances": 999,
             "allocation": "Enabled"}]
    [row] = CP.capacity_actions([ROW], live, reenable)
    assert row["action"] == action and row["instances"] == instances
    assert row["reason"]


def test_capacity_missing_cluster():
    [row] = CP.capacity_actions([ROW], [], True)
    assert row["action"] == "missing" and "no cluster c" in row["reason"]


def test_expected_names():
    names = CP.expected_names(plan())
    assert names["zones"] == ["zone1", "zone2"]
    assert names["pods"] == ["zone1/pod1", "zone2/pod1"]
    assert names["clusters"] == ["zone1/pod1/kvm-c1", "zone1/pod1/xen-c1",
                                 "zone2/pod1/kvm-c2"]
    assert "10.10.0.31" in names["hosts"] and len(names["hosts"]) == 8
    assert names["storage_pools"] == ["zone1/ps1", "zone1/ps2", "zone2/ps3"]
    assert names["image_stores"] == ["nfs://10.10.0.20/export/secondary",
                                     "nfs://10.10.0.20/export/s2"]


@pytest.mark.parametrize("inventory", ["lab", "production"])
def test_shipped_inventories_plan(inventory):
    from inventory_reader import read_inventory  # pylint: disable=import-outside-toplevel
    r = read_inventory(inventory)
    report, model = T.build_model(r.groups, r.hostvars, r.global_vars)
    p = CP.plan_cloud(model)
    assert p["zones"] and p["capacity"] and p["api_url"].endswith(
        ":8080/client/api")
    # every host of every cluster is registered once, at its address
    assert sorted(h["name"] for h in p["hosts"]) == sorted(model.placed)


@pytest.mark.parametrize("mutations,exporter", [
    # not monitored: CloudStack's exporter stays as it is (off)
    ([], None),
    # a monitoring host: its address may scrape
    ([lambda gr, hv, g: gr.update(cloudstack_monitoring=["mon1"]),
      lambda gr, hv, g: hv.update(mon1={"cloudstack_management_address": "10.10.0.5"})],
     "10.10.0.5"),
    # external sources: addresses only (the setting takes no networks)
    ([lambda gr, hv, g: g.update(cloudstack_monitoring_sources=[
        "192.0.2.10", "198.51.100.0/24", "192.0.2.11/32", "2001:db8::5"])],
     "192.0.2.10,192.0.2.11,2001:db8::5"),
    # only networks: CloudStack's default (127.0.0.1) stays
    ([lambda gr, hv, g: g.update(cloudstack_monitoring_sources=["198.51.100.0/24"])],
     "127.0.0.1"),
])
def test_prometheus_exporter_settings_when_monitored(mutations, exporter):
    p = plan(*mutations)
    got = [(s["name"], s["value"]) for s in p["settings"]
           if s["name"].startswith("prometheus.")]
    if exporter is None:
        assert got == []
    else:
        assert got == [("prometheus.exporter.enable", "true"),
                       ("prometheus.exporter.port", "9595"),
                       ("prometheus.exporter.allowed.ips", exporter)]
    # the stand-in knows every setting the plan sets (molecule/cloud_api)
    from ansible_collections.cloudstack.infra.tests.cloudstack_standin import server  # pylint: disable=import-outside-toplevel
    assert set(s["name"] for s in p["settings"]) <= set(c[0] for c in server.SEED_CONFIGURATIONS)
