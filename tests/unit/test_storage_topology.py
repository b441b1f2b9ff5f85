# -*- coding: utf-8 -*-
"""Unit tests of plugins/module_utils/storage_topology.py (plain pytest)."""

from __future__ import absolute_import, division, print_function

import copy

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as st
from ansible_collections.cloudstack.infra.plugins.module_utils.topology import build_model

from test_topology_rules import base, cl, lio

GiB = 1024 ** 3

C1 = {"name": "c1", "hypervisor": "KVM", "hosts": ["kvm1", "kvm2"], "primary_storage": [
    {"name": "ps1", "type": "nfs", "server": "nfs1", "path": "/export/primary/", "size_tb": 4},
    {"name": "ps9", "type": "nfs", "server": "nfs2", "path": "/export/other"},
]}
C2 = {"name": "c2", "hypervisor": "XenServer", "hosts": ["xen1", "xen2"], "primary_storage": [
    {"name": "ps2", "type": "iscsi", "target": "iqn.2025-01.lab.example:ps2", "size_tb": 2, "multipath": True},
]}

ZONES = [
    {
        "name": "zone1",
        "networks": {
            "management": {"cidr": "10.10.0.0/24", "gateway": "10.10.0.1"},
            "storage": [
                {"name": "storage-a", "cidr": "10.20.0.0/24", "gateway": "10.20.0.1"},
                {"name": "storage-b", "cidr": "10.21.0.0/24", "gateway": "10.21.0.1"},
            ],
        },
        "secondary_storage": [{"server": "nfs1", "path": "/export/secondary", "size_gb": 500}],
        "pods": [{"name": "pod1", "start": "10.10.0.192", "end": "10.10.0.223", "clusters": [C1, C2]}],
    },
    {
        "name": "zone2",
        "networks": {"management": {"cidr": "10.40.0.0/24", "gateway": "10.40.0.1"}},
        "secondary_storage": [{"server": "nfs1", "path": "/export/secondary2"}],
        "pods": [{"name": "pod2", "clusters": [
            {"name": "c3", "hypervisor": "KVM", "hosts": ["kvm3"],
             "primary_storage": [{"name": "ps3", "type": "nfs", "server": "nfs1", "path": "/export/z2primary"}]},
        ]}],
    },
]

HOSTVARS = {
    "nfs1": {"cloudstack_management_address": "10.10.0.20",
             "cloudstack_storage_interfaces": [
                 {"network": "storage-a", "device": "eth1", "address": "10.20.0.20"},
                 {"network": "storage-b", "device": "eth2", "address": "10.21.0.20"}]},
    "xen1": {"cloudstack_iscsi_initiator_iqn": "iqn.2025-01.lab.example:xen1-custom",
             "cloudstack_management_address": "10.10.0.31"},
    "xen2": {"cloudstack_management_address": "10.10.0.32"},
    "kvm1": {"cloudstack_management_address": "10.10.0.21",
             "cloudstack_storage_interfaces": [
                 {"network": "storage-a", "device": "eth1", "address": "10.20.0.21"}]},
    "kvm2": {"cloudstack_management_address": "10.10.0.22"},
    "kvm3": {"cloudstack_management_address": "10.40.0.23"},
    # on the zones' networks, but no hypervisor: never an export client
    "mgmt1": {"cloudstack_management_address": "10.10.0.11"},
    "db1": {"cloudstack_management_address": "10.10.0.13"},
    "lb1": {"cloudstack_management_address": "10.10.0.2"},
    "fw1": {"cloudstack_management_address": "10.10.0.1"},
}


def M(zones=None, hostvars=None, targets=("nfs1",)):
    """The model the planners take (the engine accepted it: the rules of
    these inputs are tested in test_topology_rules.py)."""
    groups = {"cloudstack_nfs": ["nfs1", "nfs2"],
              "cloudstack_iscsi_targets": list(targets),
              "cloudstack_management": ["mgmt1"], "cloudstack_db_primary": ["db1"],
              "cloudstack_lb": ["lb1"], "cloudstack_firewall": ["fw1"],
              "cloudstack_kvm_hosts": ["kvm1", "kvm2", "kvm3"],
              "cloudstack_xenserver_hosts": ["xen1", "xen2"]}
    return build_model(groups, copy.deepcopy(HOSTVARS if hostvars is None else hostvars),
                       {"cloudstack_zones": copy.deepcopy(ZONES if zones is None else zones)})[1]


# ------------------------------------------------------------------ exports

# zone2's pod has no range of its own: the upper quarter of 10.40.0.0/24
# (.192-.254, the broadcast address excluded)
Z2_SYSTEM = ["10.40.0.192/27", "10.40.0.224/28", "10.40.0.240/29", "10.40.0.248/30",
             "10.40.0.252/31", "10.40.0.254/32"]


def test_exports_of_host_across_zones_pods_clusters():
    exps = st.nfs_exports(M(), "nfs1")
    assert [e["path"] for e in exps] == ["/export/primary", "/export/secondary",
                                         "/export/secondary2", "/export/z2primary"]
    by = {e["path"]: e for e in exps}
    assert by["/export/primary"]["kind"] == "primary"
    assert by["/export/secondary"]["min_gb"] == 500
    assert by["/export/secondary2"]["min_gb"] == 100
    assert by["/export/primary"]["size_tb"] == 4
    # another server's export is not ours
    assert "/export/other" not in by
    assert st.nfs_exports(M(), "nfs2")[0]["path"] == "/export/other"
    assert st.nfs_exports(M(), "kvm1") == []


# The default clients: the hypervisor hosts that use the export (management
# address, then storage interface addresses); secondary storage also the pods'
# system ranges (SSVM) and the management servers. Never the database, the
# load balancer, the firewall, nor the zones' whole CIDRs.
@pytest.mark.parametrize("path, clients", [
    # ps1 is c1's (kvm1, kvm2): not xen's, not zone2's
    ("/export/primary", ["10.10.0.21", "10.20.0.21", "10.10.0.22"]),
    ("/export/secondary", ["10.10.0.21", "10.20.0.21", "10.10.0.22", "10.10.0.31", "10.10.0.32",
                           "10.10.0.192/27", "10.10.0.11"]),
    ("/export/secondary2", ["10.40.0.23"] + Z2_SYSTEM + ["10.10.0.11"]),
    ("/export/z2primary", ["10.40.0.23"]),
])
def test_default_clients_are_the_hosts_that_use_the_export(path, clients):
    by = {e["path"]: e for e in st.nfs_exports(M(), "nfs1")}
    assert by[path]["clients"] == clients
    for never in ("10.10.0.13", "10.10.0.2", "10.10.0.1", "10.10.0.0/24", "10.20.0.0/24", "10.40.0.0/24"):
        assert never not in by[path]["clients"]


def test_storage_interface_on_another_zones_network_is_not_a_client():
    hv = copy.deepcopy(HOSTVARS)
    hv["kvm3"]["cloudstack_storage_interfaces"] = [{"network": "storage-a", "device": "eth1",
                                                   "address": "10.20.0.23"}]
    by = {e["path"]: e for e in st.nfs_exports(M(hostvars=hv), "nfs1")}
    assert by["/export/z2primary"]["clients"] == ["10.40.0.23"]


def test_options_async_default_and_sync():
    e = st.nfs_exports(M(), "nfs1")[0]
    assert e["options"] == "rw,no_root_squash,no_subtree_check,async"
    e = st.nfs_exports(M(), "nfs1", sync=True)[0]
    assert e["options"] == "rw,no_root_squash,no_subtree_check,sync"
    assert st.export_line(e) == ("/export/primary 10.10.0.21(rw,no_root_squash,no_subtree_check,sync) "
                                 "10.20.0.21(rw,no_root_squash,no_subtree_check,sync) "
                                 "10.10.0.22(rw,no_root_squash,no_subtree_check,sync)")


def test_explicit_clients_replace_default():
    e = st.nfs_exports(M(), "nfs1", export_clients=["10.10.0.0/25"])
    assert all(x["clients"] == ["10.10.0.0/25"] for x in e)


def test_export_without_any_client_refused():
    z = copy.deepcopy(ZONES)
    z[1]["networks"] = {}
    hv = copy.deepcopy(HOSTVARS)
    del hv["kvm3"]["cloudstack_management_address"]
    with pytest.raises(st.StorageError, match="no clients.*cloudstack_nfs_export_clients"):
        st.nfs_exports(M(z, hv), "nfs1")


def test_export_clients_default_to_the_hosts_key_through_the_filter():
    from ansible_collections.cloudstack.infra.plugins.filter import storage_filters
    hv = copy.deepcopy(HOSTVARS)
    hv["nfs1"]["cloudstack_nfs_export_clients"] = ["10.10.0.0/25"]
    hv["nfs1"]["cloudstack_zones"] = copy.deepcopy(ZONES)
    groups = {"cloudstack_nfs": ["nfs1", "nfs2"]}
    f = storage_filters.FilterModule().filters()["storage_nfs_exports"]
    assert all(e["clients"] == ["10.10.0.0/25"] for e in f(hv, groups, "nfs1"))
    with pytest.raises(Exception, match="storage_nfs_exports: groups must be a mapping"):
        f(hv, ["nfs1"], "nfs1")


def test_firewall_clients_dedup_sorted():
    v4, v6 = st.firewall_clients(st.nfs_exports(M(), "nfs1"))
    # the firewall admits the export clients, nothing else
    assert v4 == ["10.10.0.11/32", "10.10.0.21/32", "10.10.0.22/32", "10.10.0.31/32", "10.10.0.32/32",
                  "10.10.0.192/27", "10.20.0.21/32", "10.40.0.23/32"] + Z2_SYSTEM
    assert v6 == []
    v4, v6 = st.firewall_clients([{"clients": ["fd00::/64", "10.1.0.0/16"]}])
    assert v4 == ["10.1.0.0/16"] and v6 == ["fd00::/64"]


# ------------------------------------------------------------------ sizes

def _mounts(**sizes):
    return [{"mount": m, "size_total": s} for m, s in sizes.items()]


def test_mount_for_path_longest_prefix():
    mounts = [{"mount": "/", "size_total": 1}, {"mount": "/export", "size_total": 2},
              {"mount": "/export/sec", "size_total": 3}]
    assert st.mount_for_path("/export/secondary", mounts)["size_total"] == 2
    assert st.mount_for_path("/export/sec/x", mounts)["size_total"] == 3
    assert st.mount_for_path("/export/sec", mounts)["size_total"] == 3
    assert st.mount_for_path("/srv", mounts)["size_total"] == 1


def test_secondary_claimed_size_is_the_threshold():
    exps = st.nfs_exports(M(ZONES[:1]), "nfs1")  # secondary claims 500 GB
    mounts = [{"mount": "/", "size_total": 10 * GiB}, {"mount": "/export", "size_total": 470 * 10 ** 9}]
    probs = st.size_problems(exps, mounts, "nfs1")
    assert len(probs) == 1
    assert "/export/secondary on nfs1" in probs[0] and "500 GB" in probs[0] and "470.0 GB" in probs[0]
    mounts[1]["size_total"] = 500 * 10 ** 9
    assert st.size_problems(exps, mounts) == []


def test_secondary_default_100gb_and_fs_overhead():
    exps = [e for e in st.nfs_exports(M(ZONES[1:]), "nfs1") if e["kind"] == "secondary"]
    # ext4 on a 100 GiB device reports about 98 GiB: accepted
    assert st.size_problems(exps, _mounts(**{"/": 98 * GiB})) == []
    probs = st.size_problems(exps, _mounts(**{"/": 20 * GiB}))
    assert len(probs) == 1 and "100 GB minimum" in probs[0]


def test_secondary_claim_under_100_is_not_a_lower_threshold():
    # the claim itself is the engine's CS204 (test_topology_rules.py); the
    # filesystem is still measured against 100 GB
    z = copy.deepcopy(ZONES[1:])
    z[0]["secondary_storage"][0]["size_gb"] = 10
    exps = [e for e in st.nfs_exports(M(z), "nfs1") if e["kind"] == "secondary"]
    probs = st.size_problems(exps, _mounts(**{"/": 20 * GiB}))
    assert len(probs) == 1 and "needs at least 100 GB" in probs[0]
    assert st.size_problems(exps, _mounts(**{"/": 100 * GiB})) == []


def test_primary_over_6tb_refused():
    exps = [e for e in st.nfs_exports(M(ZONES[:1]), "nfs1") if e["kind"] == "primary"]
    assert st.size_problems(exps, _mounts(**{"/": 6 * 10 ** 12})) == []
    probs = st.size_problems(exps, _mounts(**{"/": 7 * 10 ** 12}))
    assert len(probs) == 1 and "6 TB limit" in probs[0] and "7.00 TB" in probs[0]
    # a claimed size_tb over 6 TB is the engine's CS201, not measured here
    z = copy.deepcopy(ZONES[:1])
    z[0]["pods"][0]["clusters"][0]["primary_storage"][0]["size_tb"] = 8
    exps = [e for e in st.nfs_exports(M(z), "nfs1") if e["kind"] == "primary"]
    assert st.size_problems(exps, _mounts(**{"/": GiB})) == []


def test_no_mount_reported():
    exps = st.nfs_exports(M(ZONES[1:]), "nfs1")
    assert all("no mounted filesystem" in p for p in st.size_problems(exps, []))


# ------------------------------------------------------------------ iSCSI

def test_default_initiator_iqn():
    assert st.default_initiator_iqn("KVM1.example.com") == "iqn.2025-01.org.cloudstack.infra:kvm1"
    assert st.default_initiator_iqn("host_a") == "iqn.2025-01.org.cloudstack.infra:host-a"
    assert st.default_initiator_iqn("h", "iqn.2024-01.lab") == "iqn.2024-01.lab:h"


def test_iscsi_targets_single_target_host_by_default():
    ts = st.iscsi_targets(M(), "nfs1")
    assert len(ts) == 1
    t = ts[0]
    assert t["wwn"] == "iqn.2025-01.lab.example:ps2" and t["name"] == "ps2"
    assert t["portals"] == ["10.20.0.20", "10.21.0.20"]
    assert t["acls"] == ["iqn.2025-01.lab.example:xen1-custom", "iqn.2025-01.org.cloudstack.infra:xen2"]
    assert t["backstore"] == {"plugin": "fileio", "dev": "/var/lib/iscsi_disks/ps2.img", "size": 2 * 10 ** 12}
    assert st.iscsi_targets(M(), "other") == []


def test_iscsi_target_with_its_server_among_several_target_hosts():
    # no server and several target hosts is CS210: the planner serves nothing
    assert st.iscsi_targets(M(targets=["nfs1", "san2"]), "nfs1") == []
    z = copy.deepcopy(ZONES)
    z[0]["pods"][0]["clusters"][1]["primary_storage"][0]["server"] = "san2"
    assert st.iscsi_targets(M(z, targets=["nfs1", "san2"]), "nfs1") == []
    assert len(st.iscsi_targets(M(z, targets=["nfs1", "san2"]), "san2", portals=["10.20.0.30"])) == 1


def test_shared_mountpoint_on_a_lun_is_served_to_the_cluster():
    # KVM takes iSCSI through a clustered filesystem on the LUN: the pool is
    # shared_mountpoint, its target the LUN the LIO host serves
    z = copy.deepcopy(ZONES)
    z[0]["pods"][0]["clusters"][0]["primary_storage"].append(
        {"name": "ocfs2", "type": "shared_mountpoint", "path": "/mnt/ocfs2",
         "target": "iqn.2025-01.lab.example:ocfs2", "server": "nfs1", "size_tb": 1})
    ts = dict((t["wwn"], t) for t in st.iscsi_targets(M(z), "nfs1"))
    t = ts["iqn.2025-01.lab.example:ocfs2"]
    assert t["acls"] == ["iqn.2025-01.org.cloudstack.infra:kvm1", "iqn.2025-01.org.cloudstack.infra:kvm2"]
    assert t["portals"] == ["10.20.0.20", "10.21.0.20"]
    # the KVM hosts' views log into it
    m = M(z)
    portals = m._iscsi_portals(m.host("kvm1"))     # the host view's iscsi_portals
    assert [p["target"] for p in portals] == ["iqn.2025-01.lab.example:ocfs2"] * 2
    # a shared_mountpoint without a target is a local clustered filesystem: nothing to serve
    del z[0]["pods"][0]["clusters"][0]["primary_storage"][-1]["target"]
    assert "iqn.2025-01.lab.example:ocfs2" not in [t["wwn"] for t in st.iscsi_targets(M(z), "nfs1")]


def test_iscsi_overrides_and_fallback_portal():
    t = st.iscsi_targets(M(), "nfs1",
                         luns={"ps2": {"file": "/srv/ps2.img", "size_gb": 2}}, portals=["192.168.1.1"])[0]
    assert t["backstore"] == {"plugin": "fileio", "dev": "/srv/ps2.img", "size": 2 * 10 ** 9}
    assert t["portals"] == ["192.168.1.1"]
    t = st.iscsi_targets(M(), "nfs1", luns={"ps2": {"device": "/dev/vg0/ps2"}})[0]
    assert t["backstore"] == {"plugin": "block", "dev": "/dev/vg0/ps2"}
    hv = {"nfs1": {"cloudstack_management_address": "10.10.0.20"}}
    assert st.iscsi_targets(M(hostvars=hv), "nfs1")[0]["portals"] == ["10.10.0.20"]
    # no portal address at all is CS210; the planner derives none
    assert st.iscsi_targets(M(hostvars={}), "nfs1")[0]["portals"] == []


def test_iscsi_sizes():
    # bad target and initiator names are CS209 (test_topology_rules.py)
    z = copy.deepcopy(ZONES)
    z[0]["pods"][0]["clusters"][1]["primary_storage"][0]["size_tb"] = 7
    with pytest.raises(st.StorageError, match="6 TB limit"):
        st.iscsi_targets(M(z), "nfs1")
    del z[0]["pods"][0]["clusters"][1]["primary_storage"][0]["size_tb"]
    with pytest.raises(st.StorageError, match="no size_tb"):
        st.iscsi_targets(M(z), "nfs1")
    with pytest.raises(st.StorageError, match="must be a number"):
        st.iscsi_targets(M(z), "nfs1", luns={"ps2": {"size_gb": "big"}})


def _saved_from(targets):
    """A saveconfig.json as LIO would write it after applying ``targets``."""
    objs, tgts = [], []
    for t in targets:
        so = {"name": t["name"], "plugin": t["backstore"]["plugin"], "dev": t["backstore"]["dev"]}
        if "size" in t["backstore"]:
            so["size"] = t["backstore"]["size"]
        objs.append(so)
        chap = t.get("chap")
        auth = (lambda a: {"chap_userid": a, "chap_password": chap["password"],
                           "chap_mutual_userid": t["wwn"], "chap_mutual_password": chap["mutual_password"]}) \
            if chap else (lambda a: {})
        tgts.append({"fabric": "iscsi", "wwn": t["wwn"], "tpgs": [{
            "tag": 1, "enable": True,
            "attributes": {"authentication": 1 if chap else 0, "generate_node_acls": 0},
            "luns": [{"index": 0, "storage_object": "/backstores/%s/%s" % (so["plugin"], so["name"])}],
            "portals": [{"ip_address": ip, "port": 3260} for ip in t["portals"]],
            "node_acls": [dict({"node_wwn": a, "mapped_luns": [{"index": 0, "tpg_lun": 0, "write_protect": False}]},
                               **auth(a)) for a in t["acls"]],
        }]})
    return {"storage_objects": objs, "targets": tgts, "fabric_modules": []}


def test_plan_from_empty_creates_everything_in_order():
    ts = st.iscsi_targets(M(), "nfs1")
    plan = st.iscsi_plan({}, ts)
    assert plan["problems"] == []
    c = plan["commands"]
    base = "/iscsi/iqn.2025-01.lab.example:ps2/tpg1"
    assert c[0] == "/backstores/fileio create name=ps2 file_or_dev=/var/lib/iscsi_disks/ps2.img write_back=false"
    assert c[1] == "/iscsi create iqn.2025-01.lab.example:ps2"
    assert "%s/luns create storage_object=/backstores/fileio/ps2 lun=0 add_mapped_luns=false" % base in c
    assert "%s/portals create ip_address=10.20.0.20 ip_port=3260" % base in c
    assert "%s/portals create ip_address=10.21.0.20 ip_port=3260" % base in c
    i_acl = c.index("%s/acls create wwn=iqn.2025-01.org.cloudstack.infra:xen2 add_mapped_luns=false" % base)
    i_map = c.index("%s/acls/iqn.2025-01.org.cloudstack.infra:xen2 create mapped_lun=0 "
                    "tpg_lun_or_backstore=lun0 write_protect=false" % base)
    assert c.index("%s/luns create storage_object=/backstores/fileio/ps2 lun=0 add_mapped_luns=false" % base) < i_acl < i_map


def test_plan_is_empty_when_saved_config_matches():
    ts = st.iscsi_targets(M(), "nfs1")
    assert st.iscsi_plan(_saved_from(ts), ts) == {"commands": [], "problems": [], "shown": []}


def test_plan_changes_only_the_difference():
    ts = st.iscsi_targets(M(), "nfs1")
    saved = _saved_from(ts)
    tpg = saved["targets"][0]["tpgs"][0]
    tpg["portals"].append({"ip_address": "0.0.0.0", "port": 3260})
    tpg["node_acls"] = [a for a in tpg["node_acls"] if a["node_wwn"].endswith("xen1-custom")]
    tpg["node_acls"].append({"node_wwn": "iqn.2025-01.lab.example:gone", "mapped_luns": []})
    cmds = st.iscsi_plan(saved, ts)["commands"]
    base = "/iscsi/iqn.2025-01.lab.example:ps2/tpg1"
    assert cmds == [
        "%s/portals delete ip_address=0.0.0.0 ip_port=3260" % base,
        "%s/acls delete wwn=iqn.2025-01.lab.example:gone" % base,
        "%s/acls create wwn=iqn.2025-01.org.cloudstack.infra:xen2 add_mapped_luns=false" % base,
        "%s/acls/iqn.2025-01.org.cloudstack.infra:xen2 create mapped_lun=0 tpg_lun_or_backstore=lun0 "
        "write_protect=false" % base,
    ]


def test_plan_refuses_resize_without_opt_in_and_recreates_with_it():
    ts = st.iscsi_targets(M(), "nfs1")
    saved = _saved_from(ts)
    saved["storage_objects"][0]["size"] = 10 ** 12
    plan = st.iscsi_plan(saved, ts)
    assert plan["commands"] == []
    assert "iscsi_target_recreate_luns" in plan["problems"][0] and "ps2" in plan["problems"][0]
    cmds = st.iscsi_plan(saved, ts, allow_recreate=True)["commands"]
    base = "/iscsi/iqn.2025-01.lab.example:ps2/tpg1"
    assert cmds[0] == "/backstores/fileio delete ps2"
    assert cmds[1].startswith("/backstores/fileio create name=ps2 ")
    assert "%s/luns create storage_object=/backstores/fileio/ps2 lun=0 add_mapped_luns=false" % base in cmds
    # mapped LUNs went with the backstore: re-created, never deleted first
    assert not any("delete mapped_lun" in x for x in cmds)
    assert sum("create mapped_lun=0" in x for x in cmds) == 2


def test_plan_leaves_other_targets_alone_and_fixes_attributes():
    ts = st.iscsi_targets(M(), "nfs1")
    saved = _saved_from(ts)
    saved["targets"].append({"fabric": "iscsi", "wwn": "iqn.2020-01.other:x", "tpgs": []})
    saved["targets"][0]["tpgs"][0]["attributes"]["authentication"] = 1
    saved["targets"][0]["tpgs"][0]["enable"] = False
    cmds = st.iscsi_plan(saved, ts)["commands"]
    assert cmds == ["/iscsi/iqn.2025-01.lab.example:ps2/tpg1 set attribute authentication=0",
                    "/iscsi/iqn.2025-01.lab.example:ps2/tpg1 enable"]


def test_plan_block_backstore_and_plugin_clash():
    ts = st.iscsi_targets(M(), "nfs1", luns={"ps2": {"device": "/dev/vg0/ps2"}})
    assert st.iscsi_plan({}, ts)["commands"][0] == "/backstores/block create name=ps2 dev=/dev/vg0/ps2"
    assert st.iscsi_plan(_saved_from(ts), ts)["commands"] == []
    fileio = st.iscsi_targets(M(), "nfs1")
    plan = st.iscsi_plan(_saved_from(fileio), ts)
    assert plan["commands"] == [] and "fileio backstore named ps2 already exists" in plan["problems"][0]


def test_constants_come_from_topology_data():
    from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data
    assert st.IQN_RE is topology_data.IQN_RE
    assert st.SECONDARY_MIN_GB == topology_data.SECONDARY_STORAGE_MIN_GB == 100
    assert st.PRIMARY_MAX_TB == topology_data.PRIMARY_STORAGE_MAX_TB == 6


@pytest.mark.parametrize("value, valid", [
    ("iqn.2025-01.lab.cloudstack:xen1", True),
    ("iqn.2026-01.net.example:zone1-xen1-lun1", True),
    ("iqn.2025-01.lab:ps2", False),        # no dot in the domain: targetcli refuses it
    ("iqn.2025-13.lab.example:x", False),  # no month 13
    ("IQN.2025-01.lab.example:x", False),
    ("", False),
    (None, False),
    (["iqn.2025-01.lab.cloudstack:xen1"], False),
])
def test_storage_iqn_valid_filter(value, valid):
    from ansible_collections.cloudstack.infra.plugins.filter import storage_filters
    assert storage_filters.storage_iqn_valid(value) is valid
    assert storage_filters.FilterModule().filters()["storage_iqn_valid"](value) is valid


def test_every_secondary_export_carries_its_minimum():
    # size_problems() reads min_gb as is: nfs_exports() sets it on every
    # secondary export (the claimed size_gb, else the 100 GB minimum)
    for zones, want in ((ZONES[1:], 100), (ZONES[:1], 500)):
        exps = [e for e in st.nfs_exports(M(zones), "nfs1") if e["kind"] == "secondary"]
        assert exps and all(e["min_gb"] == want for e in exps)
    prim = [e for e in st.nfs_exports(M(ZONES[:1]), "nfs1") if e["kind"] == "primary"]
    assert prim and all(e["min_gb"] is None for e in prim)


def test_new_target_and_new_tpg_are_not_enabled_again():
    ts = st.iscsi_targets(M(), "nfs1")
    cmds = st.iscsi_plan({}, ts)["commands"]
    assert "/iscsi create iqn.2025-01.lab.example:ps2" in cmds
    assert not any(c.endswith(" enable") for c in cmds)
    saved = _saved_from(ts)
    saved["targets"][0]["tpgs"] = []
    cmds = st.iscsi_plan(saved, ts)["commands"]
    assert "/iscsi/iqn.2025-01.lab.example:ps2 create tag=1" in cmds
    assert not any(c.endswith(" enable") for c in cmds)


# ------------------------------------------------ shared_mountpoint on a LUN

def _kvm_lun_inventory(target="iqn.2025-01.lab.example:ocfs2", server="san1"):
    groups, hv, g = base()
    lio(1)(groups, hv, g)
    cl(g)["primary_storage"] = [{"name": "ocfs2", "type": "shared_mountpoint", "path": "/mnt/ocfs2",
                                 "target": target, "server": server, "size_tb": 1}]
    return groups, hv, g


def test_engine_accepts_a_kvm_shared_mountpoint_backed_by_an_iscsi_target():
    from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
    groups, hv, g = _kvm_lun_inventory()
    report = T.run_rules(groups, hv, g, ["CS202", "CS209", "CS210"])
    assert [v.rule for v in report.violations if "ocfs2" in v.location] == []
    model = T.build_model(groups, hv, g)[1]
    kvm = cl(g)["hosts"]
    (t,) = [t for t in st.iscsi_targets(model, "san1") if t["wwn"].endswith(":ocfs2")]
    assert t["acls"] == sorted(model.initiator_iqn(h) for h in kvm)
    assert [p["target"] for p in model.host_view(kvm[0])["iscsi_portals"]] == ["iqn.2025-01.lab.example:ocfs2"]
    # a plain iscsi pool on KVM stays CS202
    cl(g)["primary_storage"][0]["type"] = "iscsi"
    assert "CS202" in [v.rule for v in T.run_rules(groups, hv, g, ["CS202"]).violations
                       if "ocfs2" in v.location]


def test_engine_checks_the_lun_of_a_shared_mountpoint_like_an_iscsi_pool():
    from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
    groups, hv, g = _kvm_lun_inventory(target="ocfs2")
    assert [v.rule for v in T.run_rules(groups, hv, g, ["CS209"]).violations
            if "ocfs2" in v.location] == ["CS209"]
    groups, hv, g = _kvm_lun_inventory(server="nowhere")
    groups["cloudstack_iscsi_targets"].append("san2")
    del cl(g)["primary_storage"][0]["server"]
    assert [v.rule for v in T.run_rules(groups, hv, g, ["CS210"]).violations
            if "ocfs2" in v.location] == ["CS210"]


# ------------------------------------------------------------------ CHAP

CHAP = {"password": "initiator-secret-1", "mutual_password": "target-secret-22"}
PS2 = "iqn.2025-01.lab.example:ps2"        # type iscsi (XenServer): CloudStack logs in, no CHAP
OCFS2 = "iqn.2025-01.lab.example:ocfs2"    # shared_mountpoint (KVM): kvm_host logs in, CHAP


def MC():
    """ZONES plus a shared_mountpoint pool on c1 (kvm1, kvm2) served by nfs1."""
    z = copy.deepcopy(ZONES)
    z[0]["pods"][0]["clusters"][0]["primary_storage"].append(
        {"name": "ocfs2", "type": "shared_mountpoint", "path": "/mnt/ocfs2",
         "target": OCFS2, "server": "nfs1", "size_tb": 1})
    return M(z)


def _ocfs2(chap):
    return next(t for t in st.iscsi_targets(MC(), "nfs1", chap=chap) if t["wwn"] == OCFS2)


def test_chap_targets_get_per_acl_users_and_mutual_chap():
    t = _ocfs2(CHAP)
    assert t["chap_required"] is True
    assert t["chap"] == {"password": "initiator-secret-1", "mutual_password": "target-secret-22",
                         "mutual_userid": OCFS2}
    plan = st.iscsi_plan({}, [t])
    base = "/iscsi/%s/tpg1" % OCFS2
    assert "%s set attribute authentication=1" % base in plan["commands"]
    auth = [c for c in plan["commands"] if st.is_secret_command(c)]
    # one per ACL: the ACL's user is the initiator's IQN, the mutual user the target's IQN
    assert auth == ["%s/acls/%s set auth userid=%s password=initiator-secret-1 mutual_userid=%s "
                    "mutual_password=target-secret-22" % (base, a, a, OCFS2) for a in t["acls"]]
    # each after the creation of its ACL
    for a, cmd in zip(t["acls"], auth):
        assert plan["commands"].index("%s/acls create wwn=%s add_mapped_luns=false" % (base, a)) \
            < plan["commands"].index(cmd)
    # what may be printed has no secret
    assert "initiator-secret-1" not in " ".join(plan["shown"])
    assert "target-secret-22" not in " ".join(plan["shown"])
    assert len(plan["shown"]) == len(plan["commands"])


def test_an_iscsi_pool_cloudstack_logs_in_to_gets_no_chap():
    # CloudStack's createStoragePool has no CHAP for an unmanaged iSCSI pool:
    # its target keeps IQN ACLs, authentication off, no secret needed
    t = st.iscsi_targets(M(), "nfs1", chap={})[0]
    assert t["chap_required"] is False and t["chap"] is None
    assert "/iscsi/%s/tpg1 set attribute authentication=0" % PS2 in st.iscsi_plan({}, [t])["commands"]


def test_chap_plan_is_idempotent_and_follows_a_new_secret():
    t = _ocfs2(CHAP)
    assert st.iscsi_plan(_saved_from([t]), [t])["commands"] == []
    # a target without CHAP (the state before): authentication on, every ACL gets its credentials
    bare = dict(t, chap=None)
    cmds = st.iscsi_plan(_saved_from([bare]), [t])["commands"]
    assert cmds[0] == "/iscsi/%s/tpg1 set attribute authentication=1" % OCFS2
    assert len([c for c in cmds if st.is_secret_command(c)]) == len(t["acls"]) == len(cmds) - 1
    # a rotated secret: only the ACLs' credentials change
    new = _ocfs2(dict(CHAP, password="rotated-secret-3"))
    cmds = st.iscsi_plan(_saved_from([t]), [new])["commands"]
    assert cmds and all(st.is_secret_command(c) and "password=rotated-secret-3" in c for c in cmds)


def test_chap_per_target_secrets_win():
    chap = dict(CHAP, targets={OCFS2: {"password": "ps2-only-secret", "mutual_password": "ps2-target-secret"}})
    assert _ocfs2(chap)["chap"]["password"] == "ps2-only-secret"
    assert st.chap_credentials(chap, "iqn.2025-01.lab.example:other")["password"] == "initiator-secret-1"


@pytest.mark.parametrize("chap, message", [
    ({}, r"cloudstack_iscsi_chap_password \(target iqn.2025-01.lab.example:ocfs2\) is not set; give it a secret from Vault"),
    ({"password": "initiator-secret-1"}, r"cloudstack_iscsi_mutual_chap_password .* is not set"),
    ({"password": "short", "mutual_password": "target-secret-22"}, r"cloudstack_iscsi_chap_password .* 12 to 255 characters"),
    ({"password": "has a space in it", "mutual_password": "target-secret-22"}, r"not a usable CHAP secret"),
    ({"password": "same-secret-both", "mutual_password": "same-secret-both"}, r"the same both ways"),
    (dict(CHAP, targets={OCFS2: "x"}), r"cloudstack_iscsi_chap_targets\['iqn.2025-01.lab.example:ocfs2'\] must be a mapping"),
    (dict(CHAP, targets={OCFS2: {"password": "tiny"}}), r"cloudstack_iscsi_chap_targets\['iqn.2025-01.lab.example:ocfs2'\].password"),
])
def test_chap_secret_missing_or_unusable_refused_without_showing_it(chap, message):
    with pytest.raises(st.StorageError, match=message) as err:
        st.iscsi_targets(MC(), "nfs1", chap=chap)
    for secret in ("short", "has a space in it", "same-secret-both", "tiny", "initiator-secret-1"):
        assert secret not in str(err.value)


def test_chap_problems_are_printable():
    assert st.chap_problems(CHAP, [PS2]) == []
    probs = st.chap_problems({"password": "initiator-secret-1", "mutual_password": "x"}, [PS2, "iqn.2025-01.lab.example:b"])
    assert len(probs) == 2 and all("cloudstack_iscsi_mutual_chap_password" in p for p in probs)
    assert not any("initiator-secret-1" in p for p in probs)


def test_chap_filter_names_the_variable():
    from ansible_collections.cloudstack.infra.plugins.filter import storage_filters
    f = storage_filters.FilterModule().filters()["storage_iscsi_chap"]
    assert f(CHAP, PS2)["mutual_userid"] == PS2
    with pytest.raises(Exception, match="storage_iscsi_chap: cloudstack_iscsi_chap_password"):
        f({"password": ""}, PS2)


# ------------------------------------------------------------------ iSCSI firewall

def test_iscsi_initiator_sources_are_the_hosts_of_the_clusters_using_the_pools():
    # ps2 is c2's (xen1, xen2): their management (and storage) addresses; not kvm1 (another
    # cluster), not the database, the load balancer or the firewall
    assert st.iscsi_initiator_sources(M(), "nfs1") == ["10.10.0.31", "10.10.0.32"]
    hv = copy.deepcopy(HOSTVARS)
    hv["xen2"]["cloudstack_storage_interfaces"] = [{"network": "storage-b", "device": "eth2",
                                                   "address": "10.21.0.32"}]
    assert st.iscsi_initiator_sources(M(hostvars=hv), "nfs1") == ["10.10.0.31", "10.10.0.32", "10.21.0.32"]
    # a host serving no pool admits nobody
    assert st.iscsi_initiator_sources(M(), "nfs2") == []


def test_iscsi_initiator_sources_filter_as_cidrs():
    from ansible_collections.cloudstack.infra.plugins.filter import storage_filters
    f = storage_filters.FilterModule().filters()["storage_iscsi_initiator_sources"]
    hv = copy.deepcopy(HOSTVARS)
    hv["nfs1"]["cloudstack_zones"] = copy.deepcopy(ZONES)
    groups = {"cloudstack_nfs": ["nfs1"], "cloudstack_iscsi_targets": ["nfs1"],
              "cloudstack_xenserver_hosts": ["xen1", "xen2"], "cloudstack_lb": ["lb1"]}
    assert f(hv, groups, "nfs1") == {"ipv4": ["10.10.0.31/32", "10.10.0.32/32"], "ipv6": []}


# ---- ini_items_to_apply: what nfs_server's ini_file loop still has to set ----
INI_ITEMS = [
    {"section": "mountd", "option": "port", "value": "892"},
    {"section": "statd", "option": "port", "value": "662"},
    {"section": "statd", "option": "outgoing-port", "value": "2020"},
]
HELD = "[mountd]\nport=892\n[statd]\nport=662\noutgoing-port=2020\n"


@pytest.mark.parametrize("text,attributes_ok,expected", [
    # nothing to read: every item
    (None, True, [0, 1, 2]),
    ("", True, [0, 1, 2]),
    # all held exactly as ini_file (no_extra_spaces) writes them
    (HELD, True, []),
    # ... in another order, between other options and comments
    ("# nfs.conf\n[general]\npipefs-directory=/run/rpc_pipefs\n[statd]\n# port=0\noutgoing-port=2020\nport=662\n"
     "name=x\n[mountd]\n;port=1\nmanage-gids=y\nport=892\n", True, []),
    # right values, wrong owner or mode: one ini_file run puts them right
    (HELD, False, [0]),
    # another value, spaces around '=', the option commented out or missing
    (HELD.replace("port=892", "port=893"), True, [0]),
    (HELD.replace("port=892", "port = 892"), True, [0]),
    (HELD.replace("port=892", "# port=892"), True, [0]),
    (HELD.replace("outgoing-port=2020\n", ""), True, [2]),
    # twice in its section, or its section twice: ini_file decides
    (HELD + "[statd]\nname=y\n", True, [1, 2]),
    (HELD.replace("port=662\n", "port=662\nport=662\n"), True, [1]),
    # an option of the same name in another section does not count
    ("[mountd]\nport=892\n[lockd]\nport=662\noutgoing-port=2020\n", True, [1, 2]),
    # an option before any section header is not in a section
    ("port=892\n[statd]\nport=662\noutgoing-port=2020\n", True, [0]),
    # CRLF line ends, blank lines, indented lines
    (HELD.replace("\n", "\r\n") + "\r\n", True, []),
    ("[mountd]\n   port=892\n\n[statd]\n\tport=662\noutgoing-port=2020\n", True, []),
    # a value that is only a prefix, or a longer one
    (HELD.replace("port=662", "port=6620"), True, [1]),
])
def test_ini_items_to_apply(text, attributes_ok, expected):
    got = st.ini_items_to_apply(INI_ITEMS, text, attributes_ok=attributes_ok)
    assert got == [INI_ITEMS[i] for i in expected]


def test_ini_items_to_apply_values_compared_as_text():
    items = [{"section": "mountd", "option": "port", "value": 892}]
    assert st.ini_items_to_apply(items, "[mountd]\nport=892\n") == []


# idmapd.conf's Domain: ini_file without no_extra_spaces writes "Domain = value"
IDMAP = [{"section": "General", "option": "Domain", "value": "lab.example"}]


@pytest.mark.parametrize("text,no_extra_spaces,held", [
    ("[General]\nDomain = lab.example\n", False, True),
    ("[General]\nDomain=lab.example\n", False, False),
    ("[General]\nDomain=lab.example\n", True, True),
    ("[General]\nDomain = lab.example\n", True, False),
    ("[General]\n#Domain = lab.example\n", False, False),
    ("[General]\nDomain = other.example\n", False, False),
    ("[Mapping]\nDomain = lab.example\n", False, False),
    (None, False, False),
])
def test_ini_items_to_apply_spaced_lines(text, no_extra_spaces, held):
    got = st.ini_items_to_apply(IDMAP, text, no_extra_spaces=no_extra_spaces)
    assert got == ([] if held else IDMAP)


@pytest.mark.parametrize("items,text", [
    ([{"section": "mountd", "option": "port"}], "[mountd]\nport=892\n"),
    (["mountd.port=892"], "[mountd]\nport=892\n"),
    (INI_ITEMS, b"[mountd]\nport=892\n"),
    (INI_ITEMS, 42),
])
def test_ini_items_to_apply_refuses_malformed_input(items, text):
    with pytest.raises(st.StorageError):
        st.ini_items_to_apply(items, text)


def test_ini_items_to_apply_no_items():
    assert st.ini_items_to_apply([], HELD, attributes_ok=False) == []
    assert st.ini_items_to_apply(None, None) == []
