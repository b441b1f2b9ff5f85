"""Report format, capacity plan numbers and the fact-based rules CS7xx."""
import json
import re

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (
    RULES, check_host_facts, format_capacity, rule_table)

from test_topology_rules import base, run, s, C0, G

RULE_ID = re.compile(r"CS\d{3}")


def test_clean_report_format():
    report = run()
    data = json.loads(report.to_json())
    assert data["summary"] == "no violations"
    assert data["failed"] is False and data["errors"] == 0 \
        and data["warnings"] == 0 and data["violations"] == []
    assert report.format_violations() == ["no violations"]
    text = "\n".join(report.format_violations() + report.format_capacity())
    assert not RULE_ID.search(text)


def test_violation_fields_and_json_roundtrip():
    report = run(s(C0, "planned_instances", 95),
                 s(G, "cloudstack_db_password", "root"))
    data = json.loads(report.to_json())
    assert data["failed"] is True
    assert (data["errors"], data["warnings"]) == (1, 1)
    assert data["summary"] == "1 error(s), 1 warning(s)"
    for v in data["violations"]:
        assert set(v) == {"id", "severity", "location", "message", "hint"}
        assert v["severity"] in ("error", "warning")
    lines = report.format_violations()
    assert lines[0].startswith("WARNING CS604 [zone1/pod1/kvm-c1] ")
    assert lines[1].startswith("    fix: ")
    assert lines[-1] == "1 error(s), 1 warning(s)"


def test_warnings_only_do_not_fail():
    report = run(s(C0, "planned_instances", 95))
    assert not report.failed and report.warnings and not report.errors


def test_capacity_plan_numbers():
    report = run()
    rows = dict((r.cluster, r.to_dict()) for r in report.capacity)
    assert rows["kvm-c1"] == {
        "zone": "zone1", "pod": "pod1", "cluster": "kvm-c1",
        "hypervisor": "KVM", "hosts": 3, "failures_tolerated": 1,
        "per_host_limit": 50, "safe_capacity": 100, "planned": 80,
        "headroom": 20}
    assert rows["xen-c1"]["safe_capacity"] == (3 - 1) * 40
    assert rows["xen-c1"]["headroom"] == 80 - 60
    assert rows["kvm-c2"]["hypervisor"] == "KVM"   # alias "kvm" normalised
    assert rows["kvm-c2"]["planned"] is None and rows["kvm-c2"]["headroom"] \
        is None and rows["kvm-c2"]["safe_capacity"] == 50
    report = run(s(C0, "host_failures_to_tolerate", 3))
    row = [r for r in report.capacity if r.cluster == "kvm-c1"][0]
    assert row.safe_capacity == 0


def test_capacity_table_text():
    lines = run().format_capacity()
    assert lines[0].split()[:3] == ["zone/pod/cluster", "hypervisor", "hosts"]
    assert re.match(r"zone1/pod1/kvm-c1\s+KVM\s+3\s+1\s+50\s+100\s+80\s+20$",
                    lines[1])
    assert format_capacity([]) == ["(no clusters)"]


def test_rule_table_covers_the_contract():
    ids = [r[0] for r in rule_table()]
    for rule in ("CS101", "CS102", "CS103", "CS104", "CS105", "CS106",
                 "CS107", "CS201", "CS202", "CS203", "CS204", "CS206",
                 "CS207", "CS301", "CS302", "CS303", "CS304", "CS305",
                 "CS306", "CS307", "CS401", "CS402", "CS403", "CS404",
                 "CS501", "CS502", "CS503", "CS504", "CS601", "CS602",
                 "CS603", "CS604", "CS701", "CS702", "CS703", "CS704",
                 "CS705", "CS706", "CS001", "CS002"):
        assert rule in ids
    assert len(ids) == len(RULES) == 66


# ---- CS7xx ---------------------------------------------------------------

def good_facts(hosts):
    return dict((h, {"virtualization_flags": ["vmx"],
                     "cpu_model": "Xeon Gold 6338",
                     "fqdn": "%s.example.net" % h, "fqdn_resolves": True,
                     "time_synchronized": True, "time_source": "chronyc",
                     "root_size_mb": 100 * 1024, "root_free_mb": 60 * 1024,
                     "memtotal_mb": 256 * 1024}) for h in hosts)


def facts_run(mutate=None, thresholds=None, topo=None):
    groups, hv, g = base()
    if topo:
        topo(groups, hv, g)
    hosts = sorted(set(h for v in groups.values() for h in v))
    facts = good_facts(hosts)
    if mutate:
        mutate(facts)
    return check_host_facts(facts, groups, hv, g, thresholds)


def upd(host, **kw):
    return lambda f: f[host].update(kw)


FACT_FAILING = [
    ("CS701", upd("kvm1", virtualization_flags=[]), None, None, "error"),
    ("CS702", upd("kvm2", cpu_model="EPYC 7543"), None, None, "error"),
    ("CS702", upd("kvm2", cpu_model="EPYC 7543"), None,
     s(C0, "features", []), "warning"),
    ("CS703", upd("kvm1", fqdn="kvm1"), None, None, "error"),
    ("CS703", upd("kvm1", fqdn="kvm1.example.net", fqdn_resolves=False),
     None, None, "error"),
    ("CS703", upd("nfs1", fqdn="nfs1"), None, None, "warning"),
    ("CS704", upd("db1", time_synchronized=False), None, None, "error"),
    ("CS704", upd("db1", time_synchronized=None), None, None, "error"),
    ("CS705", upd("nfs1", root_free_mb=9 * 1024), None, None, "error"),
    ("CS705", upd("nfs1", root_free_mb=15 * 1024), None, None, "warning"),
    ("CS705", upd("nfs1", root_free_mb=15 * 1024),
     {"root_min_free_gb": 20}, None, "error"),
    ("CS706", upd("kvm1", memtotal_mb=40 * 1024 - 1), None, None, "error"),
    ("CS706", upd("xen1", memtotal_mb=30 * 1024 + 4095), None, None, "error"),
    ("CS706", None, None, s(C0, "instance_memory_mb", 8192), "error"),
    ("CS706", None, {"instance_memory_mb": 8192}, None, "error"),
]

FACT_PASSING = [
    ("CS701", upd("xen1", virtualization_flags=[])),
    ("CS701", upd("kvm1", virtualization_flags=["svm"])),
    ("CS702", upd("xen2", cpu_model="EPYC 7543")),
    ("CS704", upd("fw1", time_synchronized=True)),
    ("CS705", upd("nfs1", root_free_mb=21 * 1024)),
    ("CS706", upd("kvm1", memtotal_mb=40 * 1024)),
    ("CS706", upd("xen1", memtotal_mb=30 * 1024 + 4096)),
]


@pytest.mark.parametrize("rule,mutate,thresholds,topo,severity",
                         FACT_FAILING, ids=["%s-%d" % (c[0], i) for i, c in
                                            enumerate(FACT_FAILING)])
def test_fact_rule_fails(rule, mutate, thresholds, topo, severity):
    report = facts_run(mutate, thresholds, topo)
    assert report.ids() == [rule], report.format_violations()
    assert set(v.severity for v in report.violations) == {severity}


@pytest.mark.parametrize("rule,mutate", FACT_PASSING,
                         ids=["%s-%d" % (c[0], i) for i, c in
                              enumerate(FACT_PASSING)])
def test_fact_rule_passes(rule, mutate):
    assert facts_run(mutate).violations == []


def test_facts_clean_and_hosts_without_facts_skipped():
    assert facts_run().violations == []
    groups, hv, g = base()
    assert check_host_facts({}, groups, hv, g).violations == []
    assert check_host_facts(None, None, None, None).violations == []


def test_cs706_message_shows_the_numbers():
    report = facts_run(upd("kvm1", memtotal_mb=1000))
    (v,) = report.violations
    # 80 planned on (3 - 1) hosts: 40 instances x 1024 MB
    assert "ceil(80 / 2) = 40 instances x 1024 MB = 40960 MB" in v.message
