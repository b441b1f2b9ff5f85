"""Malformed input (CS001): a clear message with its path, never a traceback."""
import copy
import datetime
import re

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (
    check_host_facts, validate_topology)

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
    ("cloudstack_iscsi_initiator_iqn_suffix", None),
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


# ---- each class of malformed input: one CS001 with path and expected type,
# ---- in the operator's words -----------------------------------------------

CLASS_NAMES = re.compile(r"Ansible[A-Z_]|_Tagged|NoneType|\bdict\b|\bstr\b|"
                         r"\bint\b|\bfloat\b|\bbool\b|\btuple\b|<class|"
                         r"datetime\.")


def _self_list(value):
    value.append(value)
    return value


# (mutation, the single CS001 message expected, in full or its start)
ONE_FINDING = [
    # a number where a list belongs (zones, pods, clusters, hosts)
    (lambda gr, hv, g: g.update(cloudstack_zones=3),
     "cloudstack_zones must be a list of zones, got a whole number 3"),
    (lambda gr, hv, g: z(g).update(pods=3),
     "cloudstack_zones[0].pods must be a list of pods, got a whole number 3"),
    (lambda gr, hv, g: z(g)["pods"][0].update(clusters=2.5),
     "cloudstack_zones[0].pods[0].clusters must be a list of clusters, got a "
     "number 2.5"),
    (lambda gr, hv, g: cl(g).update(hosts=4),
     "cloudstack_zones[0].pods[0].clusters[0].hosts must be a list of host "
     "names, got a whole number 4"),
    # integers hundreds of digits long (and beyond str()'s 4300 digits)
    (lambda gr, hv, g: cl(g).update(planned_instances=10 ** 400),
     "cloudstack_zones[0].pods[0].clusters[0].planned_instances must be at "
     "most 1000000, got a 401-digit number"),
    (lambda gr, hv, g: cl(g).update(max_instances_per_host=10 ** 5000),
     "cloudstack_zones[0].pods[0].clusters[0].max_instances_per_host must be "
     "at most 1000000, got a 5001-digit number"),
    (lambda gr, hv, g: cl(g).update(max_instances_per_host="9" * 300),
     "cloudstack_zones[0].pods[0].clusters[0].max_instances_per_host must be "
     "at most 1000000, got a 300-digit number"),
    (lambda gr, hv, g: cl(g)["primary_storage"][0].update(size_tb=10 ** 400),
     "cloudstack_zones[0].pods[0].clusters[0].primary_storage[0].size_tb "
     "must be at most 1000000, got a 401-digit number"),
    (lambda gr, hv, g: z(g)["secondary_storage"][0].update(size_gb=1e300),
     "cloudstack_zones[0].secondary_storage[0].size_gb must be at most "
     "1000000000, got 1e+300"),
    (lambda gr, hv, g: cl(g)["overprovisioning"].update(cpu=float("nan")),
     "cloudstack_zones[0].pods[0].clusters[0].overprovisioning.cpu must be a "
     "finite number, got nan"),
    (lambda gr, hv, g: hv["xen1"].update(cloudstack_xen_dom0_memory_mb=2 ** 64),
     "host var cloudstack_xen_dom0_memory_mb must be at most 1073741824, got "
     "18446744073709551616"),
    # numbers in digits other than 0-9 (Python's int() takes them)
    (lambda gr, hv, g: cl(g).update(max_instances_per_host="\u0663"),
     "cloudstack_zones[0].pods[0].clusters[0].max_instances_per_host must be "
     "a whole number written with the digits 0-9, got '\u0663'"),
    (lambda gr, hv, g: g.update(cloudstack_db_max_connections="\uff11\uff10"),
     "cloudstack_db_max_connections must be a whole number written with the "
     "digits 0-9, got '\uff11\uff10'"),
    (lambda gr, hv, g: cl(g)["overprovisioning"].update(cpu="\u0662.\u0660"),
     "cloudstack_zones[0].pods[0].clusters[0].overprovisioning.cpu must be a "
     "number written with the digits 0-9, got '\u0662.\u0660'"),
    # a structure containing itself (recursive YAML anchor)
    (lambda gr, hv, g: g.update(cloudstack_zones=_self_list([])),
     "cloudstack_zones[0] must be a zone (a mapping), got a list [(itself)]"),
    (lambda gr, hv, g: cl(g).update(hosts=_self_list(["kvm1", "kvm2",
                                                      "kvm3"])),
     "cloudstack_zones[0].pods[0].clusters[0].hosts[3] must be a host name "
     "(text), got a list ['kvm1', 'kvm2', 'kvm3', (itself)]"),
    # dates, which YAML makes of 2026-01-01 (Ansible: _AnsibleTaggedDate)
    (lambda gr, hv, g: z(g).update(name=datetime.date(2026, 1, 1)),
     "cloudstack_zones[0].name must be text, got a date 2026-01-01"),
    (lambda gr, hv, g: hv["kvm1"].update(
        cloudstack_management_address=datetime.date(2026, 1, 1)),
     "host var cloudstack_management_address must be an IPv4 or IPv6 "
     "address, got a date 2026-01-01"),
    (lambda gr, hv, g: hv["kvm1"].update(cloudstack_site=None),
     "host var cloudstack_site is empty (null); it must be text"),
    # allowed sources that are not addresses
    (lambda gr, hv, g: g.update(cloudstack_host_allowed_sources=["any"]),
     "cloudstack_host_allowed_sources[0] must be an IP address or network "
     "(e.g. 10.10.0.50 or 10.10.0.0/24), got text 'any'"),
    (lambda gr, hv, g: g.update(cloudstack_host_allowed_sources="10.0.0.1"),
     "cloudstack_host_allowed_sources must be a list of addresses or "
     "networks, got text '10.0.0.1'"),
    # a forward with a key the firewall does not read
    (lambda gr, hv, g: g.update(cloudstack_firewall_forwards=[
        {"port": 80, "toport": 8080}]),
     "unknown key `toport` at cloudstack_firewall_forwards[0].toport"),
    # secrets that are not text: the value is never shown
    (lambda gr, hv, g: g.update(cloudstack_db_password=["s3cr3t"]),
     "cloudstack_db_password must be text, got a list (the value is not "
     "shown)"),
    (lambda gr, hv, g: hv["db1"].update(
        cloudstack_db_root_password={"s3cr3t": 1}),
     "host var cloudstack_db_root_password must be text, got a mapping (the "
     "value is not shown)"),
    # a misspelt key: one "did you mean", no cascade under it
    (lambda gr, hv, g: rename(z(g), "networks", "netwroks"),
     "unknown key `netwroks` at cloudstack_zones[0].netwroks"),
    (lambda gr, hv, g: rename(z(g), "secondary_storage", "secondary_storge"),
     "unknown key `secondary_storge` at cloudstack_zones[0].secondary_storge"),
    (lambda gr, hv, g: rename(cl(g), "hosts", "hostz"),
     "unknown key `hostz` at cloudstack_zones[0].pods[0].clusters[0].hostz"),
    (lambda gr, hv, g: rename(g, "cloudstack_zones", "cloudstack_zone"),
     "unknown variable `cloudstack_zone`"),
    # inputs that are not mappings / names that are not text
    (lambda gr, hv, g: hv.update({7: {}}),
     "host names must be text, got a whole number 7"),
    (lambda gr, hv, g: gr.update({None: ["kvm1"]}),
     "group names must be text, got nothing (null)"),
]


@pytest.mark.parametrize("mutation,expected", ONE_FINDING,
                         ids=[c[1][:60] for c in ONE_FINDING])
def test_one_cs001_in_the_operators_words(mutation, expected):
    report = mut(mutation)
    assert [v.rule for v in report.violations] == ["CS001"], \
        report.format_violations()
    (v,) = report.violations
    assert v.message.startswith(expected), v.message
    assert not CLASS_NAMES.search(v.message + " " + v.hint), v.message
    assert "s3cr3t" not in v.message + v.hint + v.location


def test_misspelt_key_names_the_right_one():
    report = mut(lambda gr, hv, g: rename(z(g), "networks", "netwroks"))
    (v,) = report.violations
    assert v.hint == "did you mean `networks`?"
    assert v.location == "cloudstack_zones[0].netwroks"


def test_non_ascii_digits_are_refused_where_int_would_take_them():
    assert int("\u0663") == 3       # what Python does; the validator refuses
    from ansible_collections.cloudstack.infra.plugins.module_utils import (
        topology_schema as S)
    for spec in (S.INT1, S.PORT, S.NUM_POS):
        problems = []
        assert S.check("\u0663", spec, "x", problems) is S.INVALID
        assert "digits 0-9" in problems[0].message
        assert S.check(" 3 ", spec, "x", []) == 3


# ---- check_host_facts: shape of the facts and the thresholds --------------

def facts_one(mutate=None, thresholds=None):
    from test_topology_report import good_facts
    groups, hv, g = base()
    hosts = sorted(set(h for v in groups.values() for h in v))
    facts = good_facts(hosts)
    if mutate:
        mutate(facts)
    return check_host_facts(facts, groups, hv, g, thresholds)


FACTS_ONE_FINDING = [
    (lambda f: f["kvm1"].update(memtotal_mb=10 ** 400), None,
     "hostvars[kvm1].cloudstack_preflight.memtotal_mb must be at most "
     "1073741824, got a 401-digit number"),
    (lambda f: f["kvm1"].update(memtotal_mb="lots"), None,
     "hostvars[kvm1].cloudstack_preflight.memtotal_mb must be a whole number, "
     "got text 'lots'"),
    (lambda f: f["kvm1"].update(virtualization_flags="vmx"), None,
     "hostvars[kvm1].cloudstack_preflight.virtualization_flags must be a list "
     "of CPU flags, got text 'vmx'"),
    (lambda f: f["kvm1"].update(virtualization_flags=[["vmx"]]), None,
     "hostvars[kvm1].cloudstack_preflight.virtualization_flags[0] must be "
     "text, got a list ['vmx']"),
    (lambda f: f["kvm1"].update(fqdn_resolves="maybe"), None,
     "hostvars[kvm1].cloudstack_preflight.fqdn_resolves must be true or "
     "false, got text 'maybe'"),
    (lambda f: f["kvm1"].update(root_free_mb=datetime.date(2026, 1, 1)), None,
     "hostvars[kvm1].cloudstack_preflight.root_free_mb must be a whole "
     "number, got a date 2026-01-01"),
    (lambda f: f["kvm1"].update(memtotl_mb=1), None,
     "unknown key `memtotl_mb` at hostvars[kvm1].cloudstack_preflight"
     ".memtotl_mb"),
    (lambda f: f.update(kvm1=[1, 2]), None,
     "hostvars[kvm1].cloudstack_preflight must be a mapping of preflight "
     "facts (what host_preflight returns), got a list [1, 2]"),
    (lambda f: f.update({3: {}}), None,
     "facts: host names must be text, got a whole number 3"),
    (None, '{"root_min_free_gb":',
     "cloudstack_preflight_thresholds must be a mapping of thresholds (e.g. "
     "{root_min_free_gb: 20}) (or JSON text of one), got text "
     "'{\"root_min_free_gb\":'"),
    (None, [20],
     "cloudstack_preflight_thresholds must be a mapping of thresholds"),
    (None, {"root_min_free_gb": "\u0662\u0660"},
     "cloudstack_preflight_thresholds.root_min_free_gb must be a number "
     "written with the digits 0-9, got '\u0662\u0660'"),
    (None, {"root_max_used_percent": 180},
     "cloudstack_preflight_thresholds.root_max_used_percent must be at most "
     "100, got 180"),
    (None, {"root_min_free_gb": 10 ** 400},
     "cloudstack_preflight_thresholds.root_min_free_gb must be at most "
     "1024000000, got a 401-digit number"),
    (None, {"root_min_fre_gb": 20},
     "unknown key `root_min_fre_gb` at cloudstack_preflight_thresholds"
     ".root_min_fre_gb"),
]


@pytest.mark.parametrize("mutate,thresholds,expected", FACTS_ONE_FINDING,
                         ids=[c[2][:60] for c in FACTS_ONE_FINDING])
def test_facts_one_cs001_in_the_operators_words(mutate, thresholds,
                                                expected):
    report = facts_one(mutate, thresholds)
    assert [v.rule for v in report.violations] == ["CS001"], \
        report.format_violations()
    (v,) = report.violations
    assert v.message.startswith(expected), v.message
    assert not CLASS_NAMES.search(v.message + " " + v.hint), v.message


def test_thresholds_as_json_text_are_read():
    report = facts_one(None, '{"root_min_free_gb": 70}')
    assert report.ids() == ["CS705"], report.format_violations()
    assert facts_one(None, {"root_min_free_gb": None}).violations == []


@pytest.mark.parametrize("size", [50, 2000])
def test_name_index_suggests_what_difflib_over_all_names_does(size):
    from ansible_collections.cloudstack.infra.plugins.module_utils import (
        topology_schema as S)
    names = ["kvm%05d" % i for i in range(size)]
    names += ["xen-a%d" % i for i in range(20)]
    index = S.NameIndex(names)
    assert (index.index is None) == (size <= S.NameIndex.SMALL)
    for word in ("kvm00017", "kvm0017", "kvm000017", "kvn00017", "kmv00017",
                 "KVM00042", "xen-a3", "xena3", "xen-b3", "zzz", "",
                 "kvm00017x", "vm00017"):
        assert index.suggest(word, 0.8) == S.suggest(word, sorted(names),
                                                     0.8), word
    assert index.suggest(7, 0.8) is None


@pytest.mark.parametrize("mutation,expected", [
    (lambda gr, hv, g: rename(hv["xen1"], "cloudstack_storage_interfaces",
                              "cloudstack_storage_interface"),
     "did you mean `cloudstack_storage_interfaces`?"),
    (lambda gr, hv, g: hv["xen1"].update(cloudstack_storage_interfaces="eth2"),
     "write it as a YAML list (- item)"),
    (lambda gr, hv, g: (rename(g, "cloudstack_mgmt_lb_external",
                               "cloudstack_mgmt_lb_externl"),
                        g.update(cloudstack_mgmt_lb_externl=True),
                        gr.pop("cloudstack_lb")),
     "did you mean `cloudstack_mgmt_lb_external`?"),
    (lambda gr, hv, g: (g.pop("cloudstack_db_dr"), g.update(cloudstack_db_d=False),
                        gr.pop("cloudstack_db_replicas")),
     "did you mean `cloudstack_db_dr`?"),
])
def test_misspelt_variable_no_cascade(mutation, expected):
    """CS207 / CS401 / CS403 would report the absence of what is misspelt."""
    report = mut(mutation)
    assert [v.rule for v in report.violations] == ["CS001"], \
        report.format_violations()
    assert report.violations[0].hint == expected
