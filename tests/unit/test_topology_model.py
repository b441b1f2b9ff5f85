"""The topology model: the inventory read once, per-host views."""
import json
import os
import sys

from ansible_collections.cloudstack.infra.plugins.module_utils import (
    storage_topology as ST)
from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (
    build_model)

from test_topology_rules import base, cl, lio

VIEW_KEYS = {"name", "groups", "site", "zone", "pod", "cluster",
             "hypervisor", "management_address", "management_network",
             "management_device", "guest_device", "storage_interfaces",
             "bonds", "initiator_iqn", "iscsi_portals", "nfs_exports",
             "management_servers", "firewall_sources", "monitoring_sources"}


def model(*mutations):
    groups, hv, g = base()
    for m in mutations:
        m(groups, hv, g)
    return build_model(groups, hv, g)[1]


def test_one_walk_places_every_host():
    m = model()
    assert [c.location for c in m.clusters] == [
        "zone1/pod1/kvm-c1", "zone1/pod1/xen-c1", "zone2/pod1/kvm-c2"]
    assert m.cluster_of("kvm4").hypervisor == "KVM"      # written "kvm"
    assert m.zone_of("xen2").name == "zone1"
    assert m.zone_of("mgmt1") is None
    assert m.duplicates == []


def test_host_view_keys_and_json():
    m = model()
    for h in ("kvm1", "xen1", "nfs1", "mgmt1", "unknown-host"):
        view = m.host_view(h)
        assert set(view) == VIEW_KEYS
        json.dumps(view)


def test_hypervisor_view():
    v = model().host_view("xen2")
    assert v["zone"]["name"] == "zone1" and v["site"] == "dc1"
    assert v["cluster"] == {"name": "xen-c1", "hypervisor": "XenServer",
                            "hosts": ["xen1", "xen2", "xen3"],
                            "multipath": True}
    assert v["management_network"] == {"cidr": "10.10.0.0/24",
                                       "gateway": "10.10.0.1", "prefix": 24}
    assert v["storage_interfaces"] == [
        {"network": "storage-a", "device": "eth2", "address": "10.20.0.32",
         "cidr": "10.20.0.0/24", "prefix": 24, "gateway": "10.20.0.1"},
        {"network": "storage-b", "device": "eth3", "address": "10.21.0.32",
         "cidr": "10.21.0.0/24", "prefix": 24, "gateway": "10.21.0.1"}]
    assert v["initiator_iqn"] == ST.default_initiator_iqn("xen2")
    assert v["firewall_sources"] == ["10.10.0.11", "10.10.0.12",
                                     "10.10.0.31", "10.10.0.33"]
    assert v["iscsi_portals"] == []     # an external SAN


def test_firewall_sources_take_group_allowed_sources():
    def allowed(groups, hv, g):
        for h in groups["cloudstack_kvm_hosts"]:
            hv[h]["cloudstack_host_allowed_sources"] = ["10.50.0.0/24"]
    v = model(allowed).host_view("kvm4")
    assert v["firewall_sources"] == ["10.10.0.11", "10.10.0.12",
                                     "10.50.0.0/24", "10.11.0.25"]


def test_initiator_iqn_and_portals_of_lio_pools():
    def iqn(groups, hv, g):
        hv["xen1"]["cloudstack_iscsi_initiator_iqn"] = \
            "iqn.2026-01.lab.example:xen1"
        cl(g, 0, 1)["primary_storage"][0]["target"] = \
            "iqn.2026-01.lab.example:ps2"
    m = model(lio(1), iqn)
    assert m.host_view("xen1")["initiator_iqn"] == \
        "iqn.2026-01.lab.example:xen1"
    assert m.host_view("xen3")["iscsi_portals"] == [
        {"pool": "ps2", "target": "iqn.2026-01.lab.example:ps2",
         "server": "san1", "address": "10.20.0.41", "port": 3260}]


def test_nfs_exports_and_clients():
    v = model().host_view("nfs1")
    assert [(e["path"], e["kind"]) for e in v["nfs_exports"]] == [
        ("/export/p3", "primary"), ("/export/primary", "primary"),
        ("/export/s2", "secondary"), ("/export/secondary", "secondary")]
    # the hosts of the cluster that uses ps1, not the zone's whole networks
    # (which hold the load balancers, the database and the firewall)
    assert v["nfs_exports"][1]["clients"] == ["10.10.0.21", "10.10.0.22",
                                              "10.10.0.23"]
    secondary = v["nfs_exports"][3]["clients"]
    for never in ("10.10.0.2", "10.10.0.3", "10.10.0.13", "10.10.0.1",
                  "10.10.0.0/24", "10.20.0.0/24"):
        assert never not in secondary
    # the management servers seed the templates, the SSVM is in the range
    assert {"10.10.0.11", "10.10.0.12", "10.10.0.192/27"} <= set(secondary)
    assert model().host_view("kvm1")["nfs_exports"] == []


def test_filter_builds_the_view_from_hostvars():
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                    "collections"))
    from ansible_collections.cloudstack.infra.plugins.filter.topology import (
        FilterModule)
    f = FilterModule().filters()["topology_host_view"]
    groups, hv, g = base()
    hostvars = dict((h, dict(g, **hv[h])) for h in hv)
    for hosts in groups.values():
        for h in hosts:
            hostvars.setdefault(h, dict(g))
    v = f(hostvars, groups, "xen1")
    assert v["cluster"]["name"] == "xen-c1"
    assert v["zone"]["networks"]["storage"][1]["name"] == "storage-b"
    assert f(hostvars, groups, "kvm5")["site"] == "dc2"
