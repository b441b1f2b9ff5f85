"""What the stand-ins hold after converge equals the plan of each cloud's inventory.

STAND-IN (tests/cloudstack_standin/server.py), not CloudStack: this proves what the
role asked for, in which shape, not that a cloud did it.
"""

import pytest


def _by(items, key="name"):
    return {item[key]: item for item in items}


def _of(plan, kind, zone):
    """The entries of a flat plan list (each names its zone) that belong to zone."""
    return [entry for entry in plan[kind] if entry["zone"] == zone["name"]]


def test_zones(cloud):
    for zone in cloud.plan["zones"]:
        live = cloud.zone(zone["name"])
        assert live["networktype"] == zone["network_type"]
        assert live["securitygroupsenabled"] == bool(zone["security_groups"])
        assert live["localstorageenabled"] == bool(zone["local_storage"])
        assert live["dns1"] == zone["dns"][0]
        assert live.get("dns2") == (zone["dns"][1] if len(zone["dns"]) > 1 else None)
        assert live["internaldns1"] == zone["internal_dns"][0]
        assert live.get("guestcidraddress") == zone["guest_cidr"]
        assert live["allocationstate"] == "Enabled", "zone %s is enabled last" % zone["name"]
    assert sorted(z["name"] for z in cloud.items("listZones")) == sorted(z["name"] for z in cloud.plan["zones"])


def test_physical_networks_and_traffic_labels(cloud):
    for zone in cloud.plan["zones"]:
        live_zone = cloud.zone(zone["name"])
        nets = _by(cloud.items("listPhysicalNetworks", zoneid=live_zone["id"]))
        assert sorted(nets) == sorted(n["name"] for n in _of(cloud.plan, "physical_networks", zone))
        for net in _of(cloud.plan, "physical_networks", zone):
            live = nets[net["name"]]
            assert live["state"] == "Enabled"
            if net["isolation"]:
                assert live["isolationmethods"] == net["isolation"]
            assert live.get("vlan") == net["vlan"]
            traffic = _by(cloud.items("listTrafficTypes", physicalnetworkid=live["id"]), "traffictype")
            assert sorted(traffic) == sorted(t["type"] for t in net["traffic"])
            for t in net["traffic"]:
                assert traffic[t["type"]].get("kvmnetworklabel") == t["kvm_label"]
            listed = cloud.items("listNetworkServiceProviders", physicalnetworkid=live["id"])
            providers = {p["name"]: p["state"] for p in listed}
            assert providers["VirtualRouter"] == "Enabled"


def test_xenserver_traffic_labels(cloud):
    """cs_traffic_type 2.5.0 drops xen_networklabel; the role sets it with cloud_traffic_label."""
    xen_zones = {c["zone"] for c in cloud.plan["zone_clusters"] if c["hypervisor"] == "XenServer"}
    if not xen_zones:
        pytest.skip("no XenServer cluster in %s" % cloud.name)
    for zone in xen_zones:
        nets = _by(cloud.items("listPhysicalNetworks", zoneid=cloud.zone(zone)["id"]))
        for t in cloud.plan["traffic_types"]:
            if t["zone"] == zone:
                live = _by(cloud.items("listTrafficTypes", physicalnetworkid=nets[t["physical_network"]]["id"]),
                           "traffictype")
                assert live[t["type"]].get("xennetworklabel") == t["xen_label"], t


def test_ip_ranges(cloud):
    for zone in cloud.plan["zones"]:
        live_zone = cloud.zone(zone["name"])
        live = {(r["startip"], r["endip"]): r for r in cloud.items("listVlanIpRanges", zoneid=live_zone["id"])}
        assert sorted(live) == sorted((r["start"], r["end"]) for r in _of(cloud.plan, "ip_ranges", zone))
        for r in _of(cloud.plan, "ip_ranges", zone):
            got = live[(r["start"], r["end"])]
            assert (got["gateway"], got["netmask"]) == (r["gateway"], r["netmask"])
            assert got["forvirtualnetwork"] == bool(r["for_virtual_network"])
            assert got["vlan"] == r["vlan"]


def test_pods_clusters_hosts(cloud):
    for zone in cloud.plan["zones"]:
        live_zone = cloud.zone(zone["name"])
        pods = _by(cloud.items("listPods", zoneid=live_zone["id"]))
        assert sorted(pods) == sorted(p["name"] for p in _of(cloud.plan, "zone_pods", zone))
        for pod in _of(cloud.plan, "zone_pods", zone):
            live = pods[pod["name"]]
            assert (live["gateway"], live["netmask"], live["startip"][0], live["endip"][0]) == (
                pod["gateway"], pod["netmask"], pod["start"], pod["end"])
        clusters = _by(cloud.items("listClusters", zoneid=live_zone["id"]))
        assert sorted(clusters) == sorted(c["name"] for c in _of(cloud.plan, "zone_clusters", zone))
        for cluster in _of(cloud.plan, "zone_clusters", zone):
            live = clusters[cluster["name"]]
            assert live["podname"] == cluster["pod"]
            assert live["hypervisortype"] == cluster["hypervisor"]
        hosts = _by(cloud.items("listHosts", zoneid=live_zone["id"]), "ipaddress")
        assert sorted(hosts) == sorted(h["address"] for h in _of(cloud.plan, "hosts", zone))
        for host in _of(cloud.plan, "hosts", zone):
            live = hosts[host["address"]]
            assert (live["podname"], live["clustername"], live["hypervisor"]) == (
                host["pod"], host["cluster"], host["hypervisor"])


def test_storage(cloud):
    for zone in cloud.plan["zones"]:
        live_zone = cloud.zone(zone["name"])
        pools = _by(cloud.items("listStoragePools", zoneid=live_zone["id"]))
        assert sorted(pools) == sorted(p["name"] for p in _of(cloud.plan, "primary_storage", zone))
        for pool in _of(cloud.plan, "primary_storage", zone):
            live = pools[pool["name"]]
            assert live["scope"] == pool["scope"].upper()
            if pool["scope"] == "cluster":
                assert (live["podname"], live["clustername"]) == (pool["pod"], pool["cluster"])
        stores = _by(cloud.items("listImageStores", zoneid=live_zone["id"]))
        assert sorted(stores) == sorted(s["name"] for s in _of(cloud.plan, "secondary_storage", zone))
        for store in _of(cloud.plan, "secondary_storage", zone):
            assert stores[store["name"]]["url"] == store["url"]
            assert stores[store["name"]]["providername"] == "NFS"


def _setting(cloud, name, **scope):
    rows = [c for c in cloud.items("listConfigurations", name=name, **scope) if c["name"] == name]
    assert len(rows) == 1, (name, scope, rows)
    return rows[0]["value"]


def test_settings_at_every_scope(cloud):
    clusters = {(c["zonename"], c["name"]): c["id"] for c in cloud.items("listClusters")}
    pools = {(p["zonename"], p["name"]): p["id"] for p in cloud.items("listStoragePools")}
    for row in cloud.plan["cluster_settings"]:
        assert _setting(cloud, row["name"], clusterid=clusters[(row["zone"], row["cluster"])]) == row["value"], row
    for row in cloud.plan["storage_settings"]:
        assert _setting(cloud, row["name"], storageid=pools[(row["zone"], row["storage"])]) == row["value"], row
    for row in cloud.plan["zone_settings"]:
        assert _setting(cloud, row["name"], zoneid=cloud.zone(row["zone"])["id"]) == row["value"], row
    for row in cloud.plan["settings"]:
        assert _setting(cloud, row["name"]) == row["value"], row


def test_hypervisor_limits(cloud):
    rows = cloud.items("listHypervisorCapabilities")
    for limit in cloud.plan["hypervisor_limits"]:
        mine = [r for r in rows if r["hypervisor"] == limit["hypervisor"]]
        assert mine, limit
        assert {int(r["maxguestslimit"]) for r in mine} == {int(limit["limit"])}, limit


def test_disk_offerings(cloud):
    live = _by(cloud.items("listDiskOfferings"))
    for offering in cloud.plan["disk_offerings"]:
        got = live[offering["name"]]
        assert got["displaytext"] == offering["display_text"]
        assert got["iscustomized"] == bool(offering.get("customized"))
        assert got["storagetype"] == offering.get("storage_type", "shared")
        if offering.get("disk_size"):
            assert int(got["disksize"]) == int(offering["disk_size"])


def test_no_unknown_parameter(cloud):
    assert cloud.state()["unknown_params"] == []
