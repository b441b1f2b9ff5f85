"""The operator's report (module_utils/topology_report.py, the action
plugin topology_report and playbooks/report.yml): the DOT diagram holds
every zone, pod, cluster and host, the capacity numbers are the validator's,
the reports checked into docs/report/ are what the code writes now, and the
playbook renders with Graphviz or fails naming the package."""
import copy
import os
import shutil
import subprocess
import sys

import pytest
from inventory_reader import read_inventory

from ansible_collections.cloudstack.infra.plugins.module_utils import (
    topology_report as R)

from test_topology_rules import base, cl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
DOT = shutil.which("dot")
NEEDS_DOT = pytest.mark.skipif(
    DOT is None, reason="Graphviz's dot is not installed (apt-get install "
    "graphviz); only the rendering is skipped")
NEEDS_VENV = pytest.mark.skipif(
    not os.path.exists(os.path.join(BIN, "ansible-playbook")),
    reason="needs .venv (make setup)")


def fixture_report(groups=None, hv=None, g=None):
    if groups is None:
        groups, hv, g = base()
    report = R.build(groups, hv, g)
    return groups, hv, g, report


def test_dot_has_every_zone_pod_cluster_and_host():
    groups, hv, g, report = fixture_report()
    dot = R.topology_dot(groups, hv, g, report, "fixture")
    assert dot.startswith("digraph cloudstack {") and dot.endswith("}\n")
    zones = g["cloudstack_zones"]
    hosts = set()
    for zone in zones:
        assert '"zone %s\\n' % zone["name"] in dot
        for pod in zone["pods"]:
            assert '"pod %s"' % pod["name"] in dot
            for cluster in pod["clusters"]:
                assert '"cluster %s (' % cluster["name"] in dot
                hosts.update(cluster["hosts"])
        for label, net in (("management", zone["networks"]["management"]),
                           ("public", zone["networks"]["public"])):
            assert "%s network\\n%s" % (label, net["cidr"]) in dot
        for sec in zone["secondary_storage"]:
            assert "%s:%s" % (sec["server"], sec["path"]) in dot
    for net in zones[0]["networks"]["storage"]:
        assert "storage %s network\\n%s" % (net["name"], net["cidr"]) in dot
    assert len(hosts) == 8
    for group in ("cloudstack_management", "cloudstack_lb",
                  "cloudstack_db_primary", "cloudstack_db_replicas",
                  "cloudstack_firewall", "cloudstack_nfs"):
        hosts.update(groups[group])
    nodes = [line.strip().split(" [")[0] for line in dot.splitlines()
             if " -> " not in line and line.strip().startswith('"')]
    for host in hosts:
        assert nodes.count('"host:%s"' % host) == 1, host   # drawn once
    assert '"site dc1"' in dot and '"site dc2"' in dot
    assert "primary: ps2\\niscsi, multipath\\niqn.2026-01.lab:ps2" in dot
    assert '"manages"' in dot and '"replication"' in dot


def test_dot_quotes_names():
    groups, hv, g = base()
    g["cloudstack_zones"][0]["name"] = 'zone "one" \\ a'
    groups, hv, g, report = fixture_report(groups, hv, g)
    dot = R.topology_dot(groups, hv, g, report)
    assert '"zone zone \\"one\\" \\\\ a\\n' in dot


def row_of(report, cluster):
    return [r for r in R.capacity_rows(report) if r["cluster"] == cluster][0]


def test_capacity_numbers_known_example():
    report = fixture_report()[3]
    kvm = row_of(report, "kvm-c1")
    # 3 hosts, 50 per host, 1 failure tolerated, 80 planned
    assert (kvm["hosts"], kvm["per_host_limit"], kvm["failures_tolerated"],
            kvm["safe_capacity"], kvm["planned"], kvm["headroom"],
            kvm["warn_from"], kvm["findings"]) == (3, 50, 1, 100, 80, 20, 90,
                                                   [])
    xen = row_of(report, "xen-c1")      # f defaults to 1
    assert (xen["safe_capacity"], xen["headroom"], xen["warn_from"]) == (
        80, 20, 72)
    kvm2 = row_of(report, "kvm-c2")     # nothing planned
    assert (kvm2["safe_capacity"], kvm2["planned"], kvm2["headroom"]) == (
        50, None, None)
    text = R.capacity_markdown(report, "fixture")
    assert "| zone1 | pod1 | kvm-c1 | KVM | 3 | 50 | 1 | (3 - 1) x 50 = 100 " \
        "| 80 | 20 | 90 | none |" in text
    assert "| **total** | | | | 8 | | | 230 | 140 | 40 | | |" in text


@pytest.mark.parametrize("planned, findings", [
    (89, []), (90, ["CS604 (warning)"]), (100, ["CS604 (warning)"]),
    (101, ["CS601 (error)"])])
def test_capacity_threshold_is_the_validators(planned, findings):
    groups, hv, g = base()
    cl(g)["planned_instances"] = planned
    report = fixture_report(groups, hv, g)[3]
    row = row_of(report, "kvm-c1")
    assert row["warn_from"] == 90 and row["findings"] == findings
    # the first count that warns is where CS604 starts, by the engine
    assert (planned >= row["warn_from"]) == bool(findings)


def test_malformed_inventory_is_refused():
    groups, hv, g = base()
    cl(g)["hosts"] = 3
    with pytest.raises(R.ReportError, match="CS001"):
        R.build(groups, hv, g)


def load_inventory(name):
    """(groups, hostvars, global_vars) of inventories/NAME, read as the
    action plugin reads it."""
    read = read_inventory(name)
    return read.groups, read.hostvars, read.global_vars


@pytest.mark.parametrize("name", ["lab", "production"])
def test_checked_in_reports_are_current(name):
    pytest.importorskip("ansible")
    groups, hv, g = load_inventory(name)
    report = R.build(groups, hv, g)
    where = os.path.join(ROOT, "docs", "report", name)
    with open(os.path.join(where, "capacity.md")) as handle:
        assert handle.read() == R.capacity_markdown(report, name), \
            "docs/report/%s is stale: run make report INVENTORY=" \
            "inventories/%s" % (name, name)
    with open(os.path.join(where, "topology.dot")) as handle:
        assert handle.read() == R.topology_dot(groups, hv, g, report, name)
    for rendered in ("topology.svg", "topology.png"):
        assert os.path.getsize(os.path.join(where, rendered)) > 1000


@NEEDS_DOT
def test_dot_renders(tmp_path):
    groups, hv, g, report = fixture_report()
    source = tmp_path / "t.dot"
    source.write_text(R.topology_dot(groups, hv, g, report, "fixture"))
    proc = subprocess.run([DOT, "-Tsvg", str(source)], check=False,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60)
    assert proc.returncode == 0 and not proc.stderr, proc.stderr
    for name in ("zone1", "kvm1", "xen3", "10.20.0.0/24", "mgmt2"):
        assert name in proc.stdout


def playbook(*extra):
    env = dict(os.environ)
    env["ANSIBLE_CONFIG"] = os.path.join(ROOT, "ansible.cfg")
    env["PATH"] = BIN + os.pathsep + env.get("PATH", "")
    env["ANSIBLE_NOCOLOR"] = "1"
    env.pop("ANSIBLE_INVENTORY", None)
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), "playbooks/report.yml", "-i",
         "inventories/lab"] + list(extra), cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        universal_newlines=True, timeout=300, check=False)
    return proc.returncode, proc.stdout


@NEEDS_VENV
@NEEDS_DOT
def test_playbook_writes_the_report(tmp_path):
    out_dir = tmp_path / "lab"
    rc, out = playbook("-e", "site_report_dir=%s" % out_dir)
    assert rc == 0, out
    assert sorted(os.listdir(str(out_dir))) == [
        "capacity.md", "topology.dot", "topology.png", "topology.svg"]
    with open(os.path.join(ROOT, "docs", "report", "lab", "capacity.md")) as h:
        assert (out_dir / "capacity.md").read_text() == h.read()
    assert (out_dir / "topology.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "kvm2" in (out_dir / "topology.svg").read_text()


@NEEDS_VENV
def test_playbook_without_dot_names_the_package(tmp_path):
    rc, out = playbook("-e", "site_report_dir=%s" % tmp_path,
                       "-e", "site_report_dot=%s" % (tmp_path / "no-dot"))
    assert rc != 0, out
    assert "install the package graphviz" in " ".join(out.split())
    # the text outputs are written before the rendering step
    assert (tmp_path / "topology.dot").exists()
    assert (tmp_path / "capacity.md").exists()


def test_no_ansible_import_at_module_level():
    code = ("import sys; sys.path.insert(0, %r); import ansible_collections."
            "cloudstack.infra.plugins.module_utils.topology_report; "
            "print(any(m == 'ansible' or m.startswith('ansible.') "
            "for m in sys.modules))" % os.path.join(ROOT, "collections"))
    proc = subprocess.run([sys.executable, "-c", code], check=True,
                          stdout=subprocess.PIPE, universal_newlines=True)
    assert proc.stdout.strip() == "False"


def test_report_leaves_its_input_alone():
    groups, hv, g = base()
    before = copy.deepcopy((groups, hv, g))
    report = R.build(groups, hv, g)
    R.topology_dot(groups, hv, g, report)
    R.capacity_markdown(report)
    assert (groups, hv, g) == before
