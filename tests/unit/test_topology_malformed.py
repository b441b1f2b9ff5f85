"""Malformed input (CS001): a clear message with its path, never a traceback."""
import copy

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (
    validate_topology)

from test_topology_rules import base, cl, z


def mut(fn):
    groups, hv, g = base()
    fn(groups, hv, g)
    return validate_topology(groups, hv, g)


def rename(d, old, new):
    d[new] = d.pop(old)


# (mutation, path expected in location/message, text expected in message+hint)
CASES = [
    (lambda gr, hv, g: rename(cl(g), "hypervisor", "hypervisr"),
     "cloudstack_zones[0].pods[0].clusters[0].hypervisr",
     "did you mean `hypervisor`?"),
    (lambda gr, hv, g: rename(z(g), "pods", "podz"),
     "cloudstack_zones[0].podz", "did you mean `pods`?"),
    (lambda gr, hv, g: z(g)["networks"]["management"].update(
        cidr="10.10.0.5/24"),
     "cloudstack_zones[0].networks.management.cidr",
     "host bits set: '10.10.0.5/24'"),
    (lambda gr, hv, g: z(g)["networks"]["management"].update(cidr="10.10.0/33"),
     "cloudstack_zones[0].networks.management.cidr", "not a CIDR network"),
    (lambda gr, hv, g: cl(g).update(max_instances_per_host="lots"),
     "cloudstack_zones[0].pods[0].clusters[0].max_instances_per_host",
     "must be a whole number, got text 'lots'"),
    (lambda gr, hv, g: cl(g).pop("max_instances_per_host"),
     "cloudstack_zones[0].pods[0].clusters[0].max_instances_per_host",
     "required key `max_instances_per_host` is missing"),
    (lambda gr, hv, g: z(g).update(pods="pod1"),
     "cloudstack_zones[0].pods",
     "must be a list of pods, got text 'pod1'"),
    (lambda gr, hv, g: z(g)["pods"][0]["clusters"].append("c9"),
     "cloudstack_zones[0].pods[0].clusters[2]",
     "must be a cluster (a mapping), got text 'c9'"),
    (lambda gr, hv, g: cl(g)["primary_storage"][0].update(type="nsf"),
     "cloudstack_zones[0].pods[0].clusters[0].primary_storage[0].type",
     "did you mean 'nfs'?"),
    (lambda gr, hv, g: cl(g).update(features=["ha", "live_migraton"]),
     "cloudstack_zones[0].pods[0].clusters[0].features[1]",
     "did you mean 'live_migration'?"),
    (lambda gr, hv, g: cl(g)["overprovisioning"].update(cpu="two"),
     "cloudstack_zones[0].pods[0].clusters[0].overprovisioning.cpu",
     "must be a number"),
    (lambda gr, hv, g: cl(g).update(hosts="kvm1"),
     "cloudstack_zones[0].pods[0].clusters[0].hosts", "must be a list"),
    (lambda gr, hv, g: g.pop("cloudstack_zones"),
     "cloudstack_zones", "required variable `cloudstack_zones`"),
    (lambda gr, hv, g: rename(g, "cloudstack_zones", "cloudstack_zone"),
     "cloudstack_zone", "did you mean `cloudstack_zones`?"),
    (lambda gr, hv, g: g.update(cloudstack_zones={"name": "zone1"}),
     "cloudstack_zones", "must be a list of zones, got a mapping"),
    (lambda gr, hv, g: g.update(cloudstack_zones=[]),
     "cloudstack_zones", "at least 1 item"),
    (lambda gr, hv, g: g.update(cloudstack_db_dr="maybe"),
     "cloudstack_db_dr", "must be true or false"),
    (lambda gr, hv, g: g.update(cloudstack_cluster_max_hosts={"KMV": 3}),
     "cloudstack_cluster_max_hosts.KMV", "did you mean `KVM`?"),
    (lambda gr, hv, g: g.update(cloudstack_cluster_max_hosts={"KVM": "x"}),
     "cloudstack_cluster_max_hosts.KVM", "must be a whole number"),
    (lambda gr, hv, g: g.update(cloudstack_cluster_max_hosts=[8]),
     "cloudstack_cluster_max_hosts", "must be a mapping"),
    (lambda gr, hv, g: z(g).update(site="dc3"),
     "cloudstack_zones[0].site", "site `dc3` is not in cloudstack_sites"),
    (lambda gr, hv, g: hv["kvm1"].update(
        cloudstack_management_address="10.10.0.300"),
     "kvm1", "cloudstack_management_address is not an IP address: "
     "'10.10.0.300'"),
    (lambda gr, hv, g: hv["kvm1"].update(cloudstack_managment_address="x"),
     "kvm1", "did you mean `cloudstack_management_address`?"),
    (lambda gr, hv, g: hv["kvm1"]["cloudstack_bonds"][0].update(
        members="eno1"),
     "kvm1", "cloudstack_bonds[0].members must be a list"),
    (lambda gr, hv, g: hv["xen1"]["cloudstack_storage_interfaces"][0].pop(
        "device"),
     "xen1", "required key `device` is missing at "
     "cloudstack_storage_interfaces[0]"),
    (lambda gr, hv, g: hv.update(kvm1=["not", "a", "mapping"]),
     "kvm1", "must be a mapping"),
    (lambda gr, hv, g: g.update(cloudstack_firewall_forwards=[{"port": 0}]),
     "cloudstack_firewall_forwards[0].port", "must be at least 1"),
    (lambda gr, hv, g: cl(g)["primary_storage"][0].pop("server"),
     "cloudstack_zones[0].pods[0].clusters[0].primary_storage[0].server",
     "an nfs pool needs `server`"),
]


@pytest.mark.parametrize("mutation,path,text", CASES,
                         ids=[c[1] + "|" + c[2][:20] for c in CASES])
def test_malformed_input_message(mutation, path, text):
    report = mut(mutation)
    cs001 = [v for v in report.violations if v.rule == "CS001"]
    assert cs001, report.format_violations()
    assert any(path in v.location + " " + v.message
               and text in v.message + " " + v.hint
               for v in cs001), report.format_violations()
    assert all(v.severity == "error" for v in cs001)


JUNK = [None, 0, 3.5, True, "x", [], {}, [None]]


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k in value:
            yield from _paths(value[k], path + (k,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, path + (i,))


def _set(root, path, value):
    node = root
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value


def test_no_traceback_for_any_junk_anywhere():
    """Replace every node of the inventory data by junk of every type."""
    groups, hv, g = base()
    data = {"groups": groups, "hv": hv, "g": g}
    paths = [p for p in _paths(data) if len(p) > 1]
    assert len(paths) > 250
    runs = 0
    for path in paths:
        for junk in JUNK:
            d = copy.deepcopy(data)
            _set(d, path, junk)
            report = validate_topology(d["groups"], d["hv"], d["g"])
            report.to_json()
            report.format_violations()
            report.format_capacity()
            runs += 1
    assert runs == len(paths) * len(JUNK)


@pytest.mark.parametrize("args", [(None, None, None), ([], [], []),
                                  ("x", 1, 2.0), ({}, {}, {})])
def test_top_level_junk(args):
    report = validate_topology(*args)
    assert report.failed
    assert "CS001" in report.ids()


@pytest.mark.parametrize("name,expected", [
    ("cloudstack_zone", "cloudstack_zones"),
    ("cloudstack_managment_address", "cloudstack_management_address"),
    ("cloudstack_db_passwd", "cloudstack_db_password"),
    ("cloudstack_firewall_forward", "cloudstack_firewall_forwards"),
    # other areas' variables are not typos of ours
    ("cloudstack_db_port", None),
    ("cloudstack_site_vpn_psk", None),
    ("cloudstack_nfs_idmap_domain", None),
    ("cloudstack_nfs_exports", None),
    ("cloudstack_iscsi_initiator_iqn_prefix", None),
])
def test_unknown_variable_typo_detection(name, expected):
    from ansible_collections.cloudstack.infra.plugins.module_utils import (
        topology_schema as S)
    assert S.typo_of(name, S.KNOWN_KEYS) == expected
    groups, hv, g = base()
    g[name] = "x"
    hv["kvm1"][name] = "x"
    report = validate_topology(groups, hv, g)
    if expected:
        assert len(report.violations) == 2
        assert all("did you mean `%s`?" % expected == v.hint
                   for v in report.violations)
    else:
        assert report.violations == []
