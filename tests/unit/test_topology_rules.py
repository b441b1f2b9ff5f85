"""Every inventory rule: an inventory that passes and one that fails with
exactly that rule id (pytest tables over mutations of one valid topology)."""
import copy

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (
    RULES, validate_topology)


def base():
    """A valid two-site topology that exercises every rule's inputs."""
    groups = {
        "cloudstack_management": ["mgmt1", "mgmt2"],
        "cloudstack_lb": ["lb1", "lb2"],
        "cloudstack_db_primary": ["db1"],
        "cloudstack_db_replicas": ["db2"],
        "cloudstack_nfs": ["nfs1"],
        "cloudstack_firewall": ["fw1", "fw2"],
        "cloudstack_kvm_hosts": ["kvm1", "kvm2", "kvm3", "kvm4", "kvm5"],
        "cloudstack_xenserver_hosts": ["xen1", "xen2", "xen3"],
    }
    hv = {
        "mgmt1": {"cloudstack_management_address": "10.10.0.11"},
        "mgmt2": {"cloudstack_management_address": "10.10.0.12"},
        "lb1": {"cloudstack_management_address": "10.10.0.2"},
        "lb2": {"cloudstack_management_address": "10.10.0.3"},
        "db1": {"cloudstack_management_address": "10.10.0.13"},
        "db2": {"cloudstack_management_address": "10.11.0.13",
                "cloudstack_site": "dc2"},
        "nfs1": {"cloudstack_management_address": "10.10.0.20"},
        "fw1": {"cloudstack_management_address": "10.10.0.1",
                "cloudstack_site": "dc1"},
        "fw2": {"cloudstack_management_address": "10.11.0.1",
                "cloudstack_site": "dc2"},
    }
    for i in range(1, 4):
        hv["kvm%d" % i] = {
            "cloudstack_management_address": "10.10.0.%d" % (20 + i),
            "cloudstack_bonds": [{"name": "bond0", "mode": "active-backup",
                                  "members": ["eno1", "eno2"]}],
            "cloudstack_management_device": "bond0",
            "cloudstack_guest_device": "bond0.100",
        }
    for i in (4, 5):
        hv["kvm%d" % i] = {
            "cloudstack_management_address": "10.11.0.%d" % (20 + i),
            "cloudstack_management_device": "eth0",
            "cloudstack_guest_device": "eth1",
        }
    for i in range(1, 4):
        hv["xen%d" % i] = {
            "cloudstack_management_address": "10.10.0.%d" % (30 + i),
            "cloudstack_bonds": [{"name": "bond0", "members": ["eth0",
                                                               "eth1"]}],
            "cloudstack_storage_interfaces": [
                {"network": "storage-a", "device": "eth2",
                 "address": "10.20.0.%d" % (30 + i)},
                {"network": "storage-b", "device": "eth3",
                 "address": "10.21.0.%d" % (30 + i)}],
            "cloudstack_xen_dom0_memory_mb": 4096,
        }
    g = {
        "cloudstack_version": "4.20",
        "cloudstack_sites": [{"name": "dc1"}, {"name": "dc2"}],
        "cloudstack_mgmt_lb_external": False,
        "cloudstack_lb_vip": "10.10.0.9",
        "cloudstack_db_dr": True,
        "cloudstack_site_vpn": {"enabled": True},
        "cloudstack_zones": [
            {"name": "zone1", "site": "dc1", "network_type": "advanced",
             "security_groups": False,
             "networks": {
                 "management": {"cidr": "10.10.0.0/24",
                                "gateway": "10.10.0.1"},
                 "storage": [
                     {"name": "storage-a", "cidr": "10.20.0.0/24",
                      "gateway": "10.20.0.1"},
                     {"name": "storage-b", "cidr": "10.21.0.0/24",
                      "gateway": "10.21.0.1"}],
                 "public": {"cidr": "203.0.113.0/24",
                            "gateway": "203.0.113.1"},
                 "guest": {"cidr": "10.30.0.0/16",
                           "gateway": "10.30.0.1"}},
             "secondary_storage": [{"server": "nfs1",
                                    "path": "/export/secondary",
                                    "size_gb": 500}],
             "pods": [{"name": "pod1", "clusters": [
                 {"name": "kvm-c1", "hypervisor": "KVM",
                  "hosts": ["kvm1", "kvm2", "kvm3"],
                  "max_instances_per_host": 50,
                  "host_failures_to_tolerate": 1, "planned_instances": 80,
                  "overprovisioning": {"cpu": 2.0, "memory": 1.0,
                                       "storage": 2.0},
                  "features": ["ha", "live_migration"],
                  "primary_storage": [{"name": "ps1", "type": "nfs",
                                       "server": "nfs1",
                                       "path": "/export/primary",
                                       "size_tb": 4}]},
                 {"name": "xen-c1", "hypervisor": "XenServer",
                  "hosts": ["xen1", "xen2", "xen3"],
                  "max_instances_per_host": 40,
                  "planned_instances": 60,
                  "overprovisioning": {"cpu": 2.0, "memory": 1.0,
                                       "storage": 1.0},
                  "features": ["ha", "live_migration"],
                  "primary_storage": [{"name": "ps2", "type": "iscsi",
                                       "target": "iqn.2026-01.lab:ps2",
                                       "portal": "10.20.0.50",
                                       "size_tb": 2, "multipath": True}]},
             ]}]},
            {"name": "zone2", "site": "dc2",
             "networks": {
                 "management": {"cidr": "10.11.0.0/24",
                                "gateway": "10.11.0.1"},
                 "public": {"cidr": "198.51.100.0/24",
                            "gateway": "198.51.100.1"},
                 "guest": {"cidr": "10.31.0.0/16",
                           "gateway": "10.31.0.1"}},
             "secondary_storage": [{"server": "nfs1", "path": "/export/s2",
                                    "size_gb": 100}],
             "pods": [{"name": "pod1", "clusters": [
                 {"name": "kvm-c2", "hypervisor": "kvm",
                  "hosts": ["kvm4", "kvm5"],
                  "max_instances_per_host": 50,
                  "primary_storage": [{"name": "ps3", "type": "nfs",
                                       "server": "nfs1",
                                       "path": "/export/p3"}]}]}]},
        ],
    }
    return groups, hv, g


def z(g, i=0):
    return g["cloudstack_zones"][i]


def cl(g, zi=0, ci=0):
    return z(g, zi)["pods"][0]["clusters"][ci]


def add_kvm(groups, hv, g, n, cluster=None):
    cluster = cluster if cluster is not None else cl(g)
    for i in range(n):
        name = "kvmx%d" % i
        groups["cloudstack_kvm_hosts"].append(name)
        hv[name] = {"cloudstack_management_address": "10.10.0.%d" % (100 + i)}
        cluster["hosts"].append(name)


def to_vmware(groups, hv, g):
    """zone2's cluster becomes a VMware (vSphere) cluster."""
    for h in ("kvm4", "kvm5"):
        groups["cloudstack_kvm_hosts"].remove(h)
    groups["cloudstack_vmware_hosts"] = ["kvm4", "kvm5"]
    cl(g, 1)["hypervisor"] = "vSphere"


def to_hv(name, group):
    def mutate(groups, hv, g):
        for h in ("kvm4", "kvm5"):
            groups["cloudstack_kvm_hosts"].remove(h)
        groups[group] = ["kvm4", "kvm5"]
        cl(g, 1)["hypervisor"] = name
        cl(g, 1)["primary_storage"] = []
    return mutate


def run(*mutations):
    groups, hv, g = base()
    for m in mutations:
        m(groups, hv, g)
    return validate_topology(groups, hv, g)


def test_base_is_clean():
    report = run()
    assert report.violations == []
    assert report.summary() == "no violations"


def s(path_fn, key, value):
    """Mutation: set key to value in the dict path_fn(groups, hv, g)."""
    def mutate(groups, hv, g):
        path_fn(groups, hv, g)[key] = value
    return mutate


def d(path_fn, key):
    def mutate(groups, hv, g):
        del path_fn(groups, hv, g)[key]
    return mutate


def C0(gr, hv, g):  # KVM cluster zone1
    return cl(g)


def CX(gr, hv, g):  # XenServer cluster
    return cl(g, 0, 1)


def C2(gr, hv, g):  # KVM cluster zone2
    return cl(g, 1)


def Z0(gr, hv, g):
    return z(g)


def Z1(gr, hv, g):
    return z(g, 1)


def N0(gr, hv, g):
    return z(g)["networks"]


def N1(gr, hv, g):
    return z(g, 1)["networks"]


def PS0(gr, hv, g):
    return cl(g)["primary_storage"][0]


def PSX(gr, hv, g):
    return cl(g, 0, 1)["primary_storage"][0]


def G(gr, hv, g):
    return g


def P0(gr, hv, g):  # zone1's pod
    return z(g)["pods"][0]


def PUB0(gr, hv, g):
    return z(g)["networks"]["public"]


def GR(gr, hv, g):
    return gr


def H(host):
    return lambda gr, hv, g: hv[host]


def STOR(i):
    return lambda gr, hv, g: z(g)["networks"]["storage"][i]


def P0(gr, hv, g):
    return z(g)["pods"][0]


def storage_traffic(*devices):
    """nfs1 and every host of zone1's clusters on storage-a, so that the
    zone's Storage traffic runs there; kvm1..kvm3 use these devices."""
    def mutate(groups, hv, g):
        hv["nfs1"]["cloudstack_storage_interfaces"] = [
            {"network": "storage-a", "device": "eth1",
             "address": "10.20.0.20"}]
        for i, device in enumerate(devices, start=1):
            hv["kvm%d" % i]["cloudstack_storage_interfaces"] = [
                {"network": "storage-a", "device": device,
                 "address": "10.20.0.%d" % (20 + i)}]
    return [mutate]


def lio(n=1):
    """The XenServer cluster's iSCSI pool is served by n LIO targets."""
    def mutate(groups, hv, g):
        groups["cloudstack_iscsi_targets"] = []
        for i in range(1, n + 1):
            groups["cloudstack_iscsi_targets"].append("san%d" % i)
            hv["san%d" % i] = {
                "cloudstack_management_address": "10.10.0.%d" % (40 + i),
                "cloudstack_storage_interfaces": [
                    {"network": "storage-a", "device": "eth2",
                     "address": "10.20.0.%d" % (40 + i)}]}
    return mutate


def move_xen_b_into_a(groups, hv, g):
    for i in range(1, 4):
        hv["xen%d" % i]["cloudstack_storage_interfaces"][1]["address"] = \
            "10.20.0.%d" % (130 + i)


# (rule, mutations, expected severity of the single finding)
FAILING = [
    ("CS002", [lambda gr, hv, g: hv["nfs1"].update(
        cloudstack_zones=copy.deepcopy(g["cloudstack_zones"])[:1])], "error"),
    ("CS002", [s(H("kvm1"), "cloudstack_cluster_max_hosts", {"KVM": 4})],
     "error"),
    ("CS101", [lambda gr, hv, g: add_kvm(gr, hv, g, 14)], "error"),
    ("CS101", [lambda gr, hv, g: add_kvm(gr, hv, g, 6, cl(g, 0, 0)),
               s(G, "cloudstack_cluster_max_hosts", {"KVM": 8})], "error"),
    ("CS101", [to_vmware, s(G, "cloudstack_cluster_max_hosts",
                            {"vSphere": 1})], "error"),
    ("CS102", [lambda gr, hv, g: gr["cloudstack_xenserver_hosts"].append(
        "kvm3")], "error"),
    ("CS102", [lambda gr, hv, g: gr["cloudstack_kvm_hosts"].remove("kvm3")],
     "error"),
    ("CS103", [lambda gr, hv, g: cl(g, 1)["hosts"].append("kvm1")], "error"),
    ("CS103", [lambda gr, hv, g: cl(g)["hosts"].append("kvm2")], "error"),
    ("CS103", [lambda gr, hv, g: cl(g)["hosts"].append("ghost")], "error"),
    ("CS103", [lambda gr, hv, g: gr["cloudstack_kvm_hosts"].append("kvm9")],
     "error"),
    ("CS104", [s(C2, "hypervisor", "Xen")], "error"),
    ("CS104", [s(C2, "hypervisor", 42)], "error"),
    ("CS105", [s(C0, "features", ["workload_balancing"])], "error"),
    ("CS105", [to_hv("LXC", "cloudstack_lxc_hosts"),
               s(C2, "features", ["ha"])], "warning"),
    ("CS105", [to_hv("BareMetal", "cloudstack_baremetal_hosts"),
               s(C2, "features", ["live_migration"])], "error"),
    ("CS106", [to_vmware, s(Z1, "network_type", "basic"),
               s(Z1, "security_groups", True)], "error"),
    ("CS106", [to_hv("HyperV", "cloudstack_hyperv_hosts"),
               s(Z1, "network_type", "basic"),
               s(Z1, "security_groups", True)], "warning"),
    ("CS106", [to_hv("BareMetal", "cloudstack_baremetal_hosts"),
               s(Z1, "network_type", "basic"),
               s(Z1, "security_groups", True)], "error"),
    ("CS107", [s(C2, "hosts", []),
               lambda gr, hv, g: [gr["cloudstack_kvm_hosts"].remove(h)
                                  for h in ("kvm4", "kvm5")]], "error"),
    ("CS107", [d(C2, "hosts"),
               lambda gr, hv, g: [gr["cloudstack_kvm_hosts"].remove(h)
                                  for h in ("kvm4", "kvm5")]], "error"),
    ("CS201", [s(PS0, "size_tb", 6.5)], "error"),
    ("CS202", [s(PS0, "type", "iscsi"), d(PS0, "server"),
               s(C0, "overprovisioning", {"storage": 1.0})], "error"),
    ("CS202", [s(PS0, "type", "fc"), d(PS0, "server"),
               s(C0, "overprovisioning", {"storage": 1.0})], "error"),
    ("CS202", [s(PS0, "type", "smb"), d(PS0, "server"),
               s(C0, "overprovisioning", {"storage": 1.0})], "error"),
    ("CS202", [to_hv("HyperV", "cloudstack_hyperv_hosts"),
               s(C2, "primary_storage", [{"name": "p", "type": "nfs",
                                          "server": "nfs1",
                                          "path": "/p"}])], "error"),
    ("CS202", [s(PSX, "type", "vmfs")], "error"),
    ("CS202", [to_vmware, s(C2, "primary_storage", [
        {"name": "p", "type": "shared_mountpoint", "path": "/mnt/p"}])],
     "error"),
    ("CS203", [s(CX, "overprovisioning", {"storage": 2.0})], "error"),
    ("CS203", [s(PS0, "type", "local"), d(PS0, "server")], "error"),
    ("CS203", [to_hv("LXC", "cloudstack_lxc_hosts"),
               s(C2, "overprovisioning", {"storage": 1.5}),
               s(C2, "primary_storage", [{"name": "p", "type": "nfs",
                                          "server": "nfs1",
                                          "path": "/p"}])], "error"),
    ("CS204", [d(Z1, "secondary_storage")], "error"),
    ("CS204", [s(Z1, "secondary_storage", [])], "error"),
    ("CS204", [s(Z1, "secondary_storage", [{"server": "nfs1", "path": "/s",
                                            "size_gb": 99}])], "error"),
    ("CS206", [s(Z1, "secondary_storage", [{"server": "nfs9", "path": "/s",
                                            "size_gb": 200}])], "error"),
    ("CS206", [s(PS0, "server", "mgmt1")], "error"),
    ("CS207", [lambda gr, hv, g: hv["xen2"]["cloudstack_storage_interfaces"]
               .pop()], "error"),
    ("CS207", [lambda gr, hv, g: hv["xen2"]["cloudstack_storage_interfaces"]
               [1].update(network="storage-a", address="10.20.0.132")],
     "error"),
    ("CS205", [s(Z1, "secondary_storage", [{"server": "nfs1",
                                            "path": "export/s2",
                                            "size_gb": 100}])], "error"),
    ("CS205", [s(PS0, "path", "export/primary")], "error"),
    ("CS205", [s(PS0, "path", "/")], "error"),
    ("CS208", [s(PS0, "path", "/export/secondary/")], "error"),
    ("CS209", [s(H("kvm1"), "cloudstack_iscsi_initiator_iqn",
                 "iqn.2025-13.lab.example:kvm1")], "error"),
    ("CS209", [s(H("xen1"), "cloudstack_iscsi_initiator_iqn",
                 "iqn.2025-01.lab:xen1")], "error"),
    ("CS209", [lio(1)], "error"),
    ("CS210", [lio(2), s(PSX, "target", "iqn.2026-01.lab.example:ps2")],
     "error"),
    ("CS210", [lio(1), d(PSX, "target")], "error"),
    ("CS301", [s(N0, "guest", {"cidr": "10.10.0.128/25"})], "error"),
    ("CS301", [s(N1, "management", {"cidr": "10.10.0.0/15",
                                    "gateway": "10.11.0.1"})], "error"),
    ("CS301", [s(STOR(0), "cidr", "10.20.0.0/15")], "error"),
    ("CS302", [s(N0, "public", {"cidr": "203.0.113.0/24",
                                "gateway": "198.51.100.1"})], "error"),
    ("CS302", [s(H("kvm1"), "cloudstack_management_address",
                 "10.11.0.99")], "error"),
    ("CS302", [lambda gr, hv, g: hv["xen1"]["cloudstack_storage_interfaces"]
               [0].update(address="10.21.0.200")], "error"),
    ("CS302", [lambda gr, hv, g: hv["xen1"]["cloudstack_storage_interfaces"]
               [0].update(network="storage-c")], "error"),
    ("CS302", [s(N0, "public", {"cidr": "203.0.113.0/24",
                                "gateway": "203.0.113.255"})], "error"),
    ("CS302", [d(H("kvm2"), "cloudstack_management_address")], "error"),
    ("CS302", [s(N1, "management", {"cidr": "10.11.0.0/24",
                                    "gateway": "10.11.0.0"})], "error"),
    ("CS302", [s(P0, "cidr", "10.10.0.0/26"), s(P0, "gateway", "10.10.0.65")],
     "error"),
    ("CS303", [lambda gr, hv, g: hv["xen1"]["cloudstack_storage_interfaces"]
               [0].update(address="10.20.0.1")], "error"),
    ("CS303", [s(H("kvm4"), "cloudstack_management_address", "10.11.0.1"),
               s(H("fw2"), "cloudstack_management_address", "10.11.0.2")],
     "error"),
    ("CS303", [s(H("kvm2"), "cloudstack_management_address", "10.10.0.21")],
     "error"),
    ("CS303", [s(H("nfs1"), "cloudstack_management_address", "10.10.0.11")],
     "error"),
    ("CS303", [lambda gr, hv, g: hv["xen2"]["cloudstack_storage_interfaces"]
               [0].update(address="10.20.0.31")], "error"),
    ("CS304", [s(STOR(1), "cidr", "10.20.0.0/24"),
               s(STOR(1), "gateway", "10.20.0.1"), move_xen_b_into_a],
     "error"),
    ("CS305", [s(H("kvm1"), "cloudstack_bonds", [{"name": "bond0",
                                                  "members": ["eno1"]}])],
     "error"),
    ("CS305", [s(H("kvm1"), "cloudstack_bonds", [
        {"name": "bond0", "members": ["eno1", "eno2"]},
        {"name": "bond1", "members": ["eno2", "eno3"]}])], "error"),
    ("CS305", [lambda gr, hv, g: hv["xen1"]["cloudstack_storage_interfaces"]
               [0].update(device="eth1")], "error"),
    ("CS305", [s(H("kvm1"), "cloudstack_bonds", [
        {"name": "bond0", "mode": "lacp", "members": ["eno1", "eno2"]}])],
     "error"),
    ("CS305", [s(H("kvm1"), "cloudstack_bonds", [
        {"name": "bondA", "members": ["eno1", "eno2"]}])], "error"),
    ("CS305", [s(H("xen1"), "cloudstack_bonds", [
        {"name": "bond0", "mode": "balance-rr", "members": ["eth0", "eth1"]}])],
     "error"),
    ("CS503", [s(G, "cloudstack_host_allowed_sources", ["0.0.0.0"])], "error"),
    ("CS306", [s(H("kvm1"), "cloudstack_management_device", "br0")],
     "error"),
    ("CS306", [s(H("kvm4"), "cloudstack_guest_device", "wlan0")], "error"),
    ("CS307", [d(G, "cloudstack_site_vpn")], "warning"),
    ("CS307", [d(G, "cloudstack_site_vpn"),
               s(H("fw1"), "cloudstack_site_vpn", {"enabled": True})],
     "warning"),
    ("CS307", [lambda gr, hv, g: gr.pop("cloudstack_firewall")], "warning"),
    ("CS401", [lambda gr, hv, g: gr.pop("cloudstack_management")], "error"),
    ("CS401", [s(GR, "cloudstack_lb", [])], "error"),
    ("CS402", [s(GR, "cloudstack_db_primary", ["db1", "mgmt1"])], "error"),
    ("CS402", [s(GR, "cloudstack_db_primary", [])], "error"),
    ("CS403", [s(GR, "cloudstack_db_replicas", []),
               d(G, "cloudstack_db_dr")], "warning"),
    ("CS403", [s(GR, "cloudstack_db_replicas", [])], "error"),
    ("CS403", [s(H("db2"), "cloudstack_site", "dc1"),
               s(H("db1"), "cloudstack_site", "dc1")], "error"),
    ("CS403", [d(H("db2"), "cloudstack_site")], "error"),
    ("CS404", [s(G, "cloudstack_db_max_connections", 699)], "error"),
    ("CS404", [s(H("db1"), "cloudstack_db_max_connections", 350)], "error"),
    ("CS404", [s(H("db1"), "cloudstack_db_max_connections", 700),
               s(H("db2"), "cloudstack_db_max_connections", 350)], "error"),
    ("CS403", [s(H("db2"), "cloudstack_site", "dc1")], "error"),
    ("CS405", [s(GR, "cloudstack_db_replicas", ["db2", "db1"])], "error"),
    ("CS406", [d(H("db2"), "cloudstack_management_address")], "error"),
    ("CS406", [d(H("mgmt2"), "cloudstack_management_address")], "error"),
    ("CS407", [s(H("db1"), "database_server_id", 0)], "error"),
    ("CS407", [s(H("db1"), "cloudstack_db_server_id", 4294967296)], "error"),
    ("CS407", [s(H("db2"), "cloudstack_db_server_id", "two")], "error"),
    ("CS407", [s(H("db2"), "cloudstack_management_address", "fd00::13")],
     "error"),
    ("CS408", [s(H("db1"), "database_server_id", 7),
               s(H("db2"), "cloudstack_db_server_id", "7")], "error"),
    ("CS110", [s(G, "database_tls", False)], "error"),
    ("CS110", [s(H("db2"), "database_tls", False)], "error"),
    ("CS108", [s(C2, "max_instances_per_host", 30)], "error"),
    ("CS109", [s(C2, "name", "kvm-c1")], "error"),
    ("CS109", [s(lambda gr, hv, g: cl(g, 1)["primary_storage"][0], "name",
                 "ps1")], "error"),
    ("CS211", [s(G, "cloudstack_disk_offerings",
                 [{"name": "big", "disk_size_gb": 500}])], "error"),
    ("CS211", [s(G, "cloudstack_disk_offerings",
                 [{"name": "small", "disk_size_gb": 10},
                  {"name": "small", "disk_size_gb": 20}])], "error"),
    # an iscsi pool with no portal that no LIO target serves
    ("CS212", [d(PSX, "portal")], "error"),
    ("CS212", [d(PSX, "portal"), s(PSX, "server", "san1")], "error"),
    # types XenServer and VMware take but the cloud role does not register
    ("CS213", [s(PSX, "type", "fc")], "error"),
    ("CS213", [to_vmware, s(C2, "primary_storage", [
        {"name": "p", "type": "vmfs", "path": "/vmfs/p"}])], "error"),
    ("CS309", [s(Z0, "network_type", "basic"), s(Z0, "security_groups", True),
               d(lambda gr, hv, g: z(g)["networks"]["guest"], "gateway")],
     "error"),
    ("CS309", [s(Z1, "network_type", "basic"), d(N1, "guest")], "error"),
    ("CS310", storage_traffic("eth2", "eth3", "eth2"), "error"),
    ("CS308", [s(P0, "start", "10.10.0.20"), s(P0, "end", "10.10.0.40")],
     "error"),
    ("CS308", [s(P0, "start", "10.10.0.200"), s(P0, "end", "10.10.0.100")],
     "error"),
    ("CS308", [s(P0, "start", "10.10.0.200")], "error"),
    ("CS308", [s(P0, "start", "10.12.0.10"), s(P0, "end", "10.12.0.20")],
     "error"),
    ("CS308", [s(PUB0, "start", "203.0.113.1"),
               s(PUB0, "end", "203.0.113.20")], "error"),
    ("CS308", [s(P0, "start", "10.10.0.150"), s(P0, "end", "10.10.0.200"),
               s(G, "cloudstack_lb_vip", "10.10.0.160")], "error"),
    ("CS308", [s(Z0, "network_type", "basic"),
               s(P0, "guest_start", "10.30.0.10"),
               s(P0, "guest_end", "10.30.0.20"),
               lambda gr, hv, g: z(g)["pods"].append(
                   {"name": "pod2", "clusters": []})], "error"),
    ("CS501", [s(G, "cloudstack_firewall_forwards", [{"port": 8096}])],
     "error"),
    ("CS501", [s(H("fw1"), "cloudstack_firewall_forwards",
                 [{"port": 443, "to_port": 8443},
                  {"port": 13306, "to_port": 3306}])], "error"),
    ("CS501", [s(G, "cloudstack_firewall_forwards", [{"port": 2222,
                                                      "to_port": 22}])],
     "error"),
    ("CS503", [s(G, "cloudstack_host_allowed_sources",
                 ["0.0.0.0/1", "128.0.0.0/1"])], "error"),
    ("CS503", [s(H("kvm1"), "cloudstack_host_allowed_sources",
                 ["::/1", "8000::/2", "c000::/2", "10.50.0.0/24"])], "error"),
    ("CS505", [s(G, "cloudstack_firewall_forwards",
                 [{"port": 443, "to_port": 8443},
                  {"port": 443, "to_port": 9443, "proto": "tcp"}])], "error"),
    ("CS506", [s(GR, "cloudstack_lb", []), d(G, "cloudstack_lb_vip"),
               s(G, "cloudstack_mgmt_lb_external", True)], "error"),
    ("CS506", [s(GR, "cloudstack_lb", []), s(G, "cloudstack_lb_vip", "fd00::9"),
               s(G, "cloudstack_mgmt_lb_external", True)], "error"),
    ("CS409", [d(G, "cloudstack_lb_vip")], "error"),
    ("CS410", [s(G, "cloudstack_lb_vip", "10.10.0.12")], "error"),
    ("CS410", [s(G, "cloudstack_lb_vip", "10.11.0.9")], "error"),
    ("CS411", [s(GR, "cloudstack_lb", ["lb1", "mgmt2"])], "error"),
    ("CS412", [s(GR, "cloudstack_lb", ["lb1", "lb2", "lb3"]),
               lambda gr, hv, g: hv.__setitem__(
                   "lb3", {"cloudstack_management_address": "10.10.0.4"})],
     "error"),
    ("CS413", [s(H("db1"), "cloudstack_usage_server", True)], "error"),
    ("CS414", [s(GR, "cloudstack_monitoring", ["mgmt2"])], "error"),
    ("CS507", [d(H("fw2"), "cloudstack_site")], "error"),
    ("CS507", [s(G, "cloudstack_site_vpn", {"enabled": True,
                                            "tunnel_cidr": "10.30.5.0/24"})],
     "error"),
    ("CS507", [s(G, "cloudstack_site_vpn", {"enabled": True,
                                            "port": 70000})], "error"),
    ("CS502", [s(G, "cloudstack_nfs_export_clients", ["*"])], "error"),
    ("CS502", [s(G, "cloudstack_nfs_export_clients", ["0.0.0.0/0"])],
     "error"),
    ("CS502", [s(H("nfs1"), "cloudstack_nfs_export_clients",
                 ["10.10.0.0/24", "10.99.0.0/24"])], "error"),
    ("CS502", [s(G, "cloudstack_nfs_export_clients", ["10.10.0.0/22"])],
     "error"),
    ("CS503", [s(G, "cloudstack_host_allowed_sources", ["0.0.0.0/0"])],
     "error"),
    ("CS503", [s(H("kvm1"), "cloudstack_host_allowed_sources",
                 ["10.50.0.0/24", "::/0"])], "error"),
    ("CS503", [s(G, "cloudstack_monitoring_sources", ["0.0.0.0/0"])],
     "error"),
    ("CS503", [s(G, "cloudstack_monitoring_sources", ["10.10.0.5", "::"])],
     "error"),
    ("CS503", [s(G, "cloudstack_monitoring_sources",
                 ["0.0.0.0/1", "128.0.0.0/1", "10.10.0.5"])], "error"),
    ("CS504", [s(G, "cloudstack_db_password", "changeme")], "error"),
    ("CS504", [s(G, "cloudstack_db_root_password", " Password ")], "error"),
    ("CS504", [s(G, "cloudstack_db_replication_password", "")], "error"),
    ("CS504", [s(H("db1"), "cloudstack_db_root_password", "ROOT")], "error"),
    ("CS504", [s(G, "cloudstack_db_password", None)], "error"),
    ("CS601", [s(C0, "planned_instances", 101)], "error"),
    ("CS601", [s(C0, "host_failures_to_tolerate", 3),
               s(C0, "planned_instances", 0)], "error"),
    ("CS601", [s(C2, "host_failures_to_tolerate", 2)], "error"),
    ("CS602", [s(C0, "overprovisioning", {"memory": 1.5})], "error"),
    ("CS602", [s(C0, "overprovisioning", {"memory": 0.8})], "error"),
    ("CS603", [s(H("xen1"), "cloudstack_xen_dom0_memory_mb", 2048)],
     "warning"),
    ("CS604", [s(C0, "planned_instances", 90)], "warning"),
    ("CS604", [s(C0, "planned_instances", 100)], "warning"),
]

PASSING = [
    ("CS002", [s(H("fw1"), "cloudstack_firewall_forwards",
                 [{"port": 443, "proto": "tcp"}])]),
    ("CS101", [lambda gr, hv, g: add_kvm(gr, hv, g, 13)]),
    ("CS101", [lambda gr, hv, g: add_kvm(gr, hv, g, 14),
               s(G, "cloudstack_cluster_max_hosts", {"kvm": 17})]),
    ("CS102", [to_vmware]),
    ("CS103", []),
    ("CS104", [s(C2, "hypervisor", "KVM")]),
    ("CS104", [to_vmware]),
    ("CS105", [to_vmware, s(C2, "features", ["workload_balancing", "ha"])]),
    ("CS106", [s(Z0, "network_type", "basic"),
               s(Z0, "security_groups", True)]),
    ("CS106", [to_vmware, s(Z1, "network_type", "basic"),
               s(Z1, "security_groups", False)]),
    ("CS107", []),
    ("CS201", [s(PS0, "size_tb", 6)]),
    ("CS202", [s(PS0, "type", "shared_mountpoint"), d(PS0, "server"),
               s(C0, "overprovisioning", {"storage": 1.0})]),
    ("CS202", [s(PSX, "type", "clvm")]),
    ("CS202", [to_hv("HyperV", "cloudstack_hyperv_hosts"),
               s(C2, "primary_storage", [{"name": "p", "type": "smb",
                                          "path": "//f/s"}])]),
    ("CS203", [to_vmware, s(C2, "overprovisioning", {"storage": 2.0}),
               s(C2, "primary_storage", [{"name": "p", "type": "iscsi",
                                          "target": "iqn.x:y",
                                          "portal": "10.11.0.60"}])]),
    ("CS203", [s(CX, "overprovisioning", {"storage": 1.0})]),
    ("CS204", [s(Z1, "secondary_storage", [{"server": "nfs1", "path": "/s",
                                            "size_gb": 100}])]),
    ("CS206", []),
    ("CS207", [s(PSX, "multipath", False),
               lambda gr, hv, g: hv["xen2"]["cloudstack_storage_interfaces"]
               .pop()]),
    ("CS205", [s(PS0, "path", "/export/primary/")]),
    ("CS208", [s(PS0, "path", "/export/secondary2")]),
    ("CS209", [s(H("kvm1"), "cloudstack_iscsi_initiator_iqn",
                 "iqn.2025-01.lab.example:kvm1")]),
    ("CS209", [lio(1), s(PSX, "target", "iqn.2026-01.lab.example:ps2")]),
    ("CS210", [lio(2), s(PSX, "target", "iqn.2026-01.lab.example:ps2"),
               s(PSX, "server", "san2")]),
    ("CS301", [s(N0, "guest", {"cidr": "10.10.1.0/24"})]),
    ("CS302", [s(H("mgmt1"), "cloudstack_management_address",
                 "10.99.0.1")]),
    ("CS302", [s(P0, "cidr", "10.10.0.0/26"), s(P0, "gateway", "10.10.0.1")]),
    ("CS302", [s(N1, "public", {"cidr": "198.51.100.0/31",
                                "gateway": "198.51.100.0"})]),
    ("CS303", [s(H("fw1"), "cloudstack_management_address", "10.10.0.1")]),
    ("CS304", [s(PSX, "multipath", False),
               s(STOR(1), "gateway", "10.21.0.254")]),
    ("CS305", []),
    ("CS305", [s(H("kvm1"), "cloudstack_bonds",
                 [{"name": "bond0", "mode": "802.3ad",
                   "members": ["eno1", "eno2"]}]),
               s(H("xen1"), "cloudstack_bonds",
                 [{"name": "xapi-bond", "mode": "lacp",
                   "members": ["eth0", "eth1"]}])]),
    ("CS306", [s(H("kvm1"), "cloudstack_management_device", "p2p1"),
               s(H("kvm2"), "cloudstack_management_device", "enx001122334455"),
               s(H("kvm3"), "cloudstack_guest_device", "team0"),
               s(H("kvm4"), "cloudstack_guest_device", "vlan100"),
               s(H("kvm5"), "cloudstack_guest_device", "ens3")]),
    ("CS306", [s(H("xen1"), "cloudstack_management_device", "xenbr0")]),
    ("CS307", [d(G, "cloudstack_site_vpn"), d(Z0, "site"), d(Z1, "site")]),
    ("CS401", [s(GR, "cloudstack_lb", []),
               s(G, "cloudstack_mgmt_lb_external", True)]),
    ("CS401", [s(GR, "cloudstack_lb", []),
               s(GR, "cloudstack_management", ["mgmt1"])]),
    ("CS402", []),
    ("CS403", [s(GR, "cloudstack_db_replicas", []),
               s(G, "cloudstack_db_dr", False)]),
    ("CS403", [s(H("db2"), "cloudstack_site", "dc1"),
               d(G, "cloudstack_db_dr")]),
    ("CS404", [s(G, "cloudstack_db_max_connections", 700)]),
    ("CS404", [s(H("db1"), "cloudstack_db_max_connections", 700),
               s(H("db2"), "cloudstack_db_max_connections", 1000)]),
    ("CS405", []),
    ("CS406", []),
    ("CS407", [s(H("db1"), "database_server_id", 4294967295),
               s(H("db2"), "cloudstack_db_server_id", "1")]),
    ("CS407", [s(H("mgmt1"), "cloudstack_management_address", "fd00::11")]),
    ("CS408", [s(H("db1"), "database_server_id", 1),
               s(H("db2"), "database_server_id", 2)]),
    ("CS110", [s(G, "database_tls", True)]),
    ("CS110", [s(G, "database_tls", False), s(G, "database_tls_insecure_ok", True)]),
    ("CS505", [s(G, "cloudstack_firewall_forwards",
                 [{"port": 443, "to_port": 8443},
                  {"port": 443, "to_port": 8443, "proto": "udp"}])]),
    ("CS506", [s(GR, "cloudstack_lb", []), d(G, "cloudstack_lb_vip"),
               s(GR, "cloudstack_management", ["mgmt1"])]),
    ("CS409", [s(GR, "cloudstack_lb", []), d(G, "cloudstack_lb_vip"),
               s(GR, "cloudstack_management", ["mgmt1"])]),
    ("CS410", [s(G, "cloudstack_lb_vip", "10.10.0.150")]),
    ("CS411", [s(GR, "cloudstack_lb", ["lb1", "lb2"])]),
    ("CS412", [s(GR, "cloudstack_lb", ["lb1", "lb2"])]),
    ("CS413", [s(H("mgmt2"), "cloudstack_usage_server", True)]),
    ("CS414", [s(GR, "cloudstack_monitoring", ["mon1"]),
               lambda gr, hv, g: hv.update(
                   mon1={"cloudstack_management_address": "10.10.0.5"})]),
    ("CS507", [s(G, "cloudstack_site_vpn", {"enabled": True, "port": 51821,
                                            "tunnel_cidr": "10.255.0.0/30"})]),
    ("CS108", [s(CX, "max_instances_per_host", 45)]),
    ("CS109", [s(C2, "name", "kvm-c2b")]),
    ("CS211", [s(G, "cloudstack_disk_offerings",
                 [{"name": "small", "disk_size_gb": 1},
                  {"name": "large", "disk_size_gb": 100}])]),
    ("CS308", [s(P0, "start", "10.10.0.100"), s(P0, "end", "10.10.0.120"),
               s(PUB0, "start", "203.0.113.10"),
               s(PUB0, "end", "203.0.113.250")]),
    ("CS501", [s(G, "cloudstack_firewall_forwards",
                 [{"port": 80, "to_port": 8080, "proto": "tcp"},
                  {"port": 443, "to_port": 8443, "proto": "tcp"}])]),
    ("CS502", [s(G, "cloudstack_nfs_export_clients",
                 ["10.10.0.0/24", "10.11.0.0/24", "10.20.0.5",
                  "10.21.0.0/25"])]),
    ("CS503", [s(G, "cloudstack_host_allowed_sources", ["10.50.0.0/24"])]),
    ("CS503", [s(G, "cloudstack_monitoring_sources",
                 ["10.10.0.5", "192.0.2.0/24", "2001:db8::/64"])]),
    ("CS503", [s(G, "cloudstack_host_allowed_sources",
                 ["0.0.0.0/1", "128.0.0.0/2", "::/1"])]),
    ("CS504", [s(G, "cloudstack_db_password", "s3cr3t-generated"),
               s(G, "cloudstack_db_root_password", "An0ther-one")]),
    ("CS601", [s(C0, "planned_instances", 89)]),
    ("CS601", [s(C2, "host_failures_to_tolerate", 0),
               s(C2, "planned_instances", 50)]),
    ("CS602", [s(C0, "overprovisioning", {"memory": 1})]),
    ("CS603", [s(H("xen1"), "cloudstack_xen_dom0_memory_mb", 2940)]),
    ("CS604", [s(C0, "planned_instances", 89)]),
    # an iscsi pool with its own portal (base), or served by a LIO target
    ("CS212", [lio(1), d(PSX, "portal"),
               s(PSX, "target", "iqn.2026-01.lab.example:ps2")]),
    ("CS213", [s(PSX, "type", "presetup"), d(PSX, "target")]),
    ("CS309", [s(Z0, "network_type", "basic"),
               s(Z0, "security_groups", True)]),
    ("CS310", storage_traffic("eth2", "eth2", "eth2")),
]


@pytest.mark.parametrize("rule,mutations,severity", FAILING,
                         ids=["%s-%d" % (c[0], i)
                              for i, c in enumerate(FAILING)])
def test_fails_with_exactly_that_id(rule, mutations, severity):
    report = run(*mutations)
    assert report.ids() == [rule], report.format_violations()
    assert [v.severity for v in report.violations] == \
        [severity] * len(report.violations)
    for v in report.violations:
        assert v.message and v.hint and v.location


@pytest.mark.parametrize("rule,mutations", PASSING,
                         ids=["%s-%d" % (c[0], i)
                              for i, c in enumerate(PASSING)])
def test_passes(rule, mutations):
    report = run(*mutations)
    assert report.violations == [], report.format_violations()


def test_every_rule_has_a_failing_and_a_passing_case():
    inventory_rules = set(r for r in RULES if r[2] != "7")
    assert set(c[0] for c in FAILING) | {"CS001"} == inventory_rules
    assert set(c[0] for c in PASSING) | {"CS001"} == inventory_rules


def test_cs401_load_balancer_at_a_management_address():
    report = run(s(H("lb1"), "cloudstack_management_address", "10.10.0.11"),
                 s(GR, "cloudstack_lb", ["lb1"]))
    assert "CS401" in report.ids(), report.format_violations()
    assert "CS401" not in run(s(GR, "cloudstack_lb", ["lb1"])).ids()


def test_load_balancer_on_a_management_server_is_cs401_and_cs411():
    report = run(s(GR, "cloudstack_lb", ["mgmt1"]))
    assert report.ids() == ["CS401", "CS411"], report.format_violations()


def test_shadowed_zones_in_group_vars_are_refused():
    import copy
    groups, hv, g = base()
    shadow = copy.deepcopy(g["cloudstack_zones"])
    shadow[0]["networks"]["management"]["cidr"] = "0.0.0.0/0"
    hv["nfs1"]["cloudstack_zones"] = shadow
    report = validate_topology(groups, hv, g)
    assert report.ids() == ["CS002"], report.format_violations()
    assert "group_vars/all" in report.violations[0].hint
    assert report.violations[0].location == "host nfs1"
    hv["nfs1"]["cloudstack_zones"] = copy.deepcopy(g["cloudstack_zones"])
    assert validate_topology(groups, hv, g).violations == []


def test_all_violations_in_one_run():
    report = run(s(PS0, "size_tb", 9), s(C0, "planned_instances", 500),
                 s(G, "cloudstack_db_password", "cloud"),
                 s(H("kvm1"), "cloudstack_management_device", "br0"))
    assert report.ids() == ["CS201", "CS306", "CS504", "CS601"]
    assert report.failed


def test_messages_name_the_offending_values():
    report = run(s(PS0, "size_tb", 9))
    (v,) = report.violations
    assert "9" in v.message and "6 TB" in v.message
    assert v.location == "zone1/pod1/kvm-c1/ps1"
    report = run(s(H("kvm2"), "cloudstack_management_address", "10.10.0.21"))
    (v,) = report.violations
    assert "10.10.0.21" in v.message and "kvm1" in v.message \
        and "kvm2" in v.message


def test_cs601_message_shows_the_formula():
    (v,) = run(s(C0, "planned_instances", 101)).violations
    assert "(3 - 1) x 50 = 100" in v.message and "101" in v.message


def test_secret_values_never_printed():
    report = run(s(G, "cloudstack_db_root_password", "ROOT"),
                 s(G, "cloudstack_db_password", "ChangeMe"))
    text = report.to_json()
    assert "ROOT" not in text and "ChangeMe" not in text
    assert len(report.violations) == 2


def test_undefined_secrets_are_not_a_finding():
    groups, hv, g = base()
    for k in ("cloudstack_db_password", "cloudstack_db_root_password",
              "cloudstack_db_replication_password"):
        assert k not in g
    assert validate_topology(groups, hv, g).violations == []


def test_group_shared_value_reported_once():
    groups, hv, g = base()
    shared = ["0.0.0.0/0"]
    for h in groups["cloudstack_kvm_hosts"]:
        hv[h]["cloudstack_host_allowed_sources"] = list(shared)
    (v,) = validate_topology(groups, hv, g).violations
    assert v.rule == "CS503" and "kvm1" in v.location and "kvm5" in v.location


def test_extra_vars_style_global_value_wins_location():
    report = run(s(G, "cloudstack_db_password", "changeme"),
                 s(H("db1"), "cloudstack_db_password", "changeme"))
    (v,) = report.violations
    assert v.location == "group_vars/all"


def test_host_keys_set_globally_apply_to_every_host():
    groups, hv, g = base()
    for h in ("kvm4", "kvm5"):
        del hv[h]["cloudstack_guest_device"]
    g["cloudstack_guest_device"] = "br-guest"
    report = validate_topology(groups, hv, g)
    assert report.ids() == ["CS306"]
    assert sorted(v.location for v in report.violations) == ["kvm4", "kvm5"]
    assert all("br-guest" in v.message for v in report.violations)
    g["cloudstack_guest_device"] = "bond7"
    assert validate_topology(groups, hv, g).violations == []
