"""The real wrappers: validate.yml / preflight.yml through ansible-playbook,
the action plugin with explicit data, the filter, the module's own code and
host_preflight."""
import json
import os
import re
import shutil
import subprocess
import sys

import pytest
from inventory_reader import read_inventory
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BIN = os.path.join(ROOT, ".venv", "bin")
RULE_ID = re.compile(r"\bCS\d{3}\b")

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(BIN, "ansible-playbook")),
    reason="needs .venv (make setup)")


def env():
    e = dict(os.environ)
    e["ANSIBLE_CONFIG"] = os.path.join(ROOT, "ansible.cfg")
    e["PATH"] = BIN + os.pathsep + e.get("PATH", "")
    e["ANSIBLE_NOCOLOR"] = "1"
    e.pop("ANSIBLE_INVENTORY", None)
    return e


def playbook(book, inventory, *extra):
    proc = subprocess.run(
        [os.path.join(BIN, "ansible-playbook"), book, "-i", inventory]
        + list(extra), cwd=ROOT, env=env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, universal_newlines=True, timeout=300,
        check=False)
    return proc.returncode, proc.stdout


@pytest.mark.parametrize("inventory", ["inventories/lab",
                                       "inventories/production"])
def test_shipped_inventories_validate_clean(inventory):
    rc, out = playbook("playbooks/validate.yml", inventory)
    assert rc == 0, out
    assert "no violations" in out
    assert not RULE_ID.search(out), out    # no finding, not even a warning


def test_production_capacity_plan_printed():
    rc, out = playbook("playbooks/validate.yml", "inventories/production")
    assert rc == 0
    assert re.search(r"zone1/zone1-pod1/zone1-kvm1\s+KVM\s+4\s+1\s+60\s+180\s+"
                     r"150\s+30", out), out


def test_vault_example_placeholders_fail_cs504(tmp_path):
    report = tmp_path / "r.json"
    rc, out = playbook(
        "playbooks/validate.yml", "inventories/production", "-e",
        "@inventories/production/group_vars/all/vault.yml.example", "-e",
        "cloudstack_validate_report=%s" % report)
    assert rc == 2, out
    data = json.loads(report.read_text())
    assert [v["id"] for v in data["violations"]] == ["CS504"] * 8
    for name in ("cloudstack_db_password", "cloudstack_db_root_password",
                 "cloudstack_db_replication_password", "cloudstack_mgmt_key",
                 "cloudstack_db_key", "cloudstack_api_key",
                 "cloudstack_api_secret", "cloudstack_host_password"):
        assert "CS504 [group_vars/all] %s is left" % name in out


@pytest.fixture
def lab_copy(tmp_path):
    inv = tmp_path / "inv"
    shutil.copytree(os.path.join(ROOT, "inventories", "lab"), str(inv))
    return inv


def _edit(path, fn):
    data = yaml.safe_load(path.read_text())
    fn(data)
    path.write_text(yaml.safe_dump(data))


def test_bad_inventory_fails_with_every_id(lab_copy, tmp_path):
    inv = lab_copy
    main = inv / "group_vars" / "all" / "main.yml"

    def break_it(g):
        cl = g["cloudstack_zones"][0]["pods"][0]["clusters"][0]
        cl["planned_instances"] = 500                      # CS601
        cl["primary_storage"][0]["size_tb"] = 8             # CS201
        cl["hypervisr"] = "KVM"                              # CS001
        g["cloudstack_firewall_forwards"] = [{"port": 8096}]  # CS501
    _edit(main, break_it)
    (inv / "host_vars" / "kvm2.yml").write_text(
        "cloudstack_management_address: 10.10.0.21\n")        # CS303
    (inv / "group_vars" / "cloudstack_kvm_hosts.yml").write_text(
        "cloudstack_management_device: br0\n")               # (host wins)
    (inv / "host_vars" / "kvm1.yml").write_text(
        "cloudstack_management_address: \"{{ '10.10.0.' ~ 21 }}\"\n")
    report = tmp_path / "report.json"
    rc, out = playbook("playbooks/validate.yml", str(inv), "-e",
                       "cloudstack_validate_report=%s" % report)
    assert rc == 2, out
    ids = sorted(set(v["id"] for v in json.loads(report.read_text())[
        "violations"]))
    assert ids == ["CS001", "CS201", "CS303", "CS306", "CS501", "CS601"], out
    for rule in ids:
        assert rule in out
    assert "did you mean `hypervisor`?" in out
    # the templated address of kvm1 was rendered before comparing
    assert "IP address 10.10.0.21 is on 2 interfaces" in out


def test_warnings_only_exit_zero(lab_copy):
    main = lab_copy / "group_vars" / "all" / "main.yml"
    _edit(main, lambda g: g.pop("cloudstack_db_dr"))
    rc, out = playbook("playbooks/validate.yml", str(lab_copy))
    assert rc == 0, out
    assert "WARNING CS403" in out and "no violations" not in out


def test_check_mode_does_not_write_report(lab_copy, tmp_path):
    report = tmp_path / "r.json"
    rc, out = playbook("playbooks/validate.yml", str(lab_copy), "--check",
                       "-e", "cloudstack_validate_report=%s" % report)
    assert rc == 0, out
    assert not report.exists()


def test_site_yml_runs_the_validator_first(lab_copy):
    main = lab_copy / "group_vars" / "all" / "main.yml"
    _edit(main, lambda g: g.update(cloudstack_db_max_connections=10))
    rc, out = playbook("site.yml", str(lab_copy), "--check")
    assert rc == 2, out
    assert "CS404" in out
    first = out.index("PLAY [")
    assert out[first:].startswith("PLAY [Validate the CloudStack topology")


EXPLICIT = """---
- name: Explicit data through the action plugin and the filter
  hosts: localhost
  gather_facts: false
  vars:
    groups_data:
      cloudstack_management: [m1]
      cloudstack_db_primary: [m1]
      cloudstack_nfs: [n1]
      cloudstack_kvm_hosts: [k1]
    zones:
      - name: z
        networks: {management: {cidr: 10.10.0.0/24}}
        secondary_storage: [{server: n1, path: /s, size_gb: 50}]
        pods: [{name: p, clusters: [{name: c, hypervisor: KVM, hosts: [k1],
                max_instances_per_host: 10, host_failures_to_tolerate: 0}]}]
  tasks:
    - name: Module with explicit data
      cloudstack.infra.topology_validate:
        groups: "{{ groups_data }}"
        hostvars: {k1: {cloudstack_management_address: 10.10.0.5},
                   m1: {cloudstack_management_address: 10.10.0.6}}
        global_vars: {cloudstack_zones: "{{ zones }}", cloudstack_db_dr: false}
      register: explicit
      ignore_errors: true   # noqa: ignore-errors - asserted right below
    - name: Check the module result
      ansible.builtin.assert:
        that:
          - explicit is failed
          - explicit.source == 'options'
          - explicit.report.violations | map(attribute='id') | list == ['CS204']
    - name: Filter
      ansible.builtin.set_fact:
        found: "{{ {'cloudstack_zones': zones, 'cloudstack_db_dr': false} | cloudstack.infra.cloudstack_topology_violations(groups_data, {'m1': {'cloudstack_management_address': '10.10.0.6'}, 'k1': {'cloudstack_management_address': '10.10.0.5'}}) }}"
    - name: Check the filter result
      ansible.builtin.assert:
        that:
          - found | map(attribute='id') | list == ['CS204']
          - found[0].severity == 'error'
    - name: Print marker
      ansible.builtin.debug:
        msg: explicit-ok
"""


def test_action_and_filter_with_explicit_data(tmp_path):
    book = tmp_path / "explicit.yml"
    book.write_text(EXPLICIT)
    (tmp_path / "hosts.yml").write_text("all: {}\n")
    rc, out = playbook(str(book), str(tmp_path / "hosts.yml"))
    assert rc == 0, out
    assert "explicit-ok" in out


def test_filter_python_wrapper_errors():
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    from ansible.errors import AnsibleFilterError
    from ansible_collections.cloudstack.infra.plugins.filter.topology import (
        FilterModule)
    f = FilterModule().filters()["cloudstack_topology_violations"]
    with pytest.raises(AnsibleFilterError,
                       match="must be a mapping .*, got a list$"):
        f(["not", "a", "mapping"])
    loop = []
    loop.append(loop)
    other = []
    other.append(other)
    out = f({"cloudstack_bonds": loop}, {}, {"h": {"cloudstack_bonds": other}})
    assert "CS001" in [v["id"] for v in out]
    with pytest.raises(AnsibleFilterError, match="groups must be a mapping"):
        f({}, groups=["x"])
    out = f({"cloudstack_zones": "x"}, {}, {})
    assert [v["id"] for v in out] == ["CS001", "CS401", "CS402", "CS403"]
    assert "cloudstack_zones must be a list" in out[0]["message"]


def _run_module(path, args, tmp_path):
    argfile = tmp_path / "args.json"
    argfile.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": args}))
    e = env()
    e["PYTHONPATH"] = os.path.join(ROOT, "collections")
    proc = subprocess.run([sys.executable, path, str(argfile)], env=e,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60,
                          check=False)
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", ["topology_validate", "topology_report"])
def test_action_backed_modules_are_documentation_only(name):
    """As ansible-core's debug/assert: the action plugin does all the work.

    The module file holds only the docs (what validate-modules calls "just
    docs": assignments, docstrings and __future__ imports), the action plugin
    of the same name exists, and the shared options come from the
    topology_inventory doc fragment.
    """
    import ast
    path = os.path.join(ROOT, "plugins", "modules", name + ".py")
    with open(path) as handle:
        tree = ast.parse(handle.read())
    names = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            assert node.module == "__future__"
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets)
        else:
            assert isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    assert sorted(names) == ["DOCUMENTATION", "EXAMPLES", "RETURN", "__metaclass__"]
    assert os.path.exists(os.path.join(ROOT, "plugins", "action", name + ".py"))
    doc = yaml.safe_load(ast.literal_eval(
        [n for n in tree.body if isinstance(n, ast.Assign)
         and n.targets[0].id == "DOCUMENTATION"][0].value))
    assert doc["extends_documentation_fragment"] == ["cloudstack.infra.topology_inventory"]
    assert not set(doc["options"]) & {"groups", "hostvars", "global_vars"}


def test_host_preflight_module_on_this_machine(tmp_path):
    mod = os.path.join(ROOT, "plugins", "modules", "host_preflight.py")
    result = _run_module(mod, {"_ansible_check_mode": True}, tmp_path)
    facts = result["cloudstack_preflight"]
    assert result["changed"] is False
    with open("/proc/meminfo") as handle:
        mem = int(handle.readline().split()[1]) // 1024
    assert facts["memtotal_mb"] == mem
    st = os.statvfs("/")
    assert facts["root_size_mb"] == st.f_blocks * st.f_frsize // 1048576
    with open("/proc/cpuinfo") as handle:
        text = handle.read()
    assert bool(facts["virtualization_flags"]) == bool(
        re.search(r"\b(vmx|svm)\b", text))
    synced, source = _expected_time_state()
    assert facts["time_synchronized"] is synced
    assert facts["time_source"] == source or (
        synced is None and facts["time_source"].startswith(
            ("timedatectl", "chronyc", "no timedatectl")))


def _expected_time_state():
    """What host_preflight must report here, probed independently of it.

    timedatectl's NTPSynchronized, else chronyc's leap status, else the
    timesyncd flag file; (None, None) when nothing answers (the module
    then names the probes it tried).
    """
    for argv, key, synced in (
            (["timedatectl", "show"], "NTPSynchronized=",
             lambda value: value.strip() == "yes"),
            (["chronyc", "tracking"], "Leap status",
             lambda value: "not synchronised" not in value.lower())):
        if shutil.which(argv[0]) is None:
            continue
        proc = subprocess.run(argv, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, check=False,
                              universal_newlines=True, timeout=30)
        if proc.returncode != 0:
            continue
        for line in proc.stdout.splitlines():
            if line.strip().startswith(key):
                return synced(line.split(key, 1)[1]), argv[0]
    if os.path.exists("/run/systemd/timesync/synchronized"):
        return True, "timesyncd"
    return None, None


def test_host_preflight_parsers():
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    from ansible_collections.cloudstack.infra.plugins.modules import (
        host_preflight as hp)
    cpu = ("processor\t: 0\nmodel name\t: Xeon X\nflags\t\t: fpu vmx sse\n"
           "processor\t: 1\nmodel name\t: Xeon X\nflags\t\t: fpu vmx\n")
    assert hp.parse_cpuinfo(cpu) == (["vmx"], "Xeon X")
    assert hp.parse_cpuinfo("flags : fpu sse\n") == ([], None)
    assert hp.parse_meminfo("MemTotal:       16384000 kB\n") == 16000
    assert hp.parse_timedatectl("NTP=yes\nNTPSynchronized=no\n") is False
    assert hp.parse_timedatectl("NTPSynchronized=yes\n") is True
    assert hp.parse_timedatectl("Timezone=UTC\n") is None
    assert hp.parse_chronyc("Leap status     : Normal\n") is True
    assert hp.parse_chronyc("Leap status     : Not synchronised\n") is False


def test_preflight_playbook_on_localhost(tmp_path):
    inv = tmp_path / "inv"
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "hosts.yml").write_text(
        "all:\n  children:\n    cloudstack_kvm_hosts:\n      hosts:\n"
        "        localkvm:\n          ansible_connection: local\n"
        "          ansible_python_interpreter: %s\n" % sys.executable)
    (inv / "group_vars" / "all" / "main.yml").write_text(yaml.safe_dump({
        "cloudstack_zones": [{
            "name": "z", "networks": {"management": {"cidr": "10.10.0.0/24"}},
            "secondary_storage": [{"server": "n", "path": "/s",
                                   "size_gb": 100}],
            "pods": [{"name": "p", "clusters": [{
                "name": "c", "hypervisor": "KVM", "hosts": ["localkvm"],
                "max_instances_per_host": 10, "host_failures_to_tolerate": 0,
                "planned_instances": 10,
                "instance_memory_mb": 1024 * 1024}]}]}]}))
    report = tmp_path / "pf.json"
    rc, out = playbook("playbooks/preflight.yml", str(inv), "-e",
                       "cloudstack_preflight_report=%s" % report)
    data = json.loads(report.read_text())
    ids = set(v["id"] for v in data["violations"])
    # 10 instances x 1 TiB cannot fit this machine's RAM
    assert "CS706" in ids
    with open("/proc/cpuinfo") as handle:
        virt = re.search(r"\b(vmx|svm)\b", handle.read())
    assert ("CS701" in ids) == (not virt)
    assert rc == 2 and "ERROR CS706" in out


def test_filter_reads_only_host_specific_cloudstack_keys():
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    from ansible_collections.cloudstack.infra.plugins.filter.topology import (
        cloudstack_topology_violations as f)
    from test_topology_rules import base
    groups, hv, g = base()
    # what the hostvars magic variable looks like: globals on every host
    full = dict((h, dict(g, ansible_host="x", **v)) for h, v in hv.items())
    assert f(g, groups, full) == []
    full["kvm1"]["cloudstack_management_device"] = "br0"
    assert [v["id"] for v in f(g, groups, full)] == ["CS306"]


def _reader_matches_variable_manager(inventory_path):
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    read = read_inventory(inventory_path)
    inv, vm, reader = read.inventory, read.variables, read.reader
    checked = 0
    for host in inv.get_hosts():
        full = vm.get_vars(host=host, include_hostvars=False)
        mine = reader.host_vars(host.name)
        keys = set(k for k in full if k.startswith("cloudstack_")) | set(mine)
        for key in keys:
            value = mine[key] if key in mine else reader.all_layer.get(key)
            assert value == full.get(key), (host.name, key)
            checked += 1
    return checked


def test_inventory_reader_equals_variable_manager_production():
    assert _reader_matches_variable_manager(
        os.path.join(ROOT, "inventories", "production")) > 100


def test_inventory_reader_precedence(tmp_path):
    inv = tmp_path / "inv"
    (inv / "group_vars" / "all").mkdir(parents=True)
    (inv / "host_vars").mkdir()
    (inv / "hosts.yml").write_text(yaml.safe_dump({"all": {
        "vars": {"cloudstack_site": "dc1"},
        "children": {
            "cloudstack_kvm_hosts": {
                "vars": {"cloudstack_guest_device": "eth9",
                         "cloudstack_management_device": "eth8"},
                "hosts": {"k1": {"cloudstack_management_address": "10.0.0.1"},
                          "k2": None}},
            "cloudstack_nfs": {"hosts": {"k2": None, "n1": None}}}}}))
    (inv / "group_vars" / "all" / "main.yml").write_text(
        "cloudstack_guest_device: eth0\n")       # beats inventory group vars
    (inv / "group_vars" / "cloudstack_nfs.yml").write_text(
        "cloudstack_management_device: bond5\n")
    (inv / "host_vars" / "k2.yml").write_text(
        "cloudstack_management_address: 10.0.0.2\ncloudstack_site: dc2\n")
    assert _reader_matches_variable_manager(str(inv)) >= 10


def test_a_failed_validation_stops_every_later_play(lab_copy, tmp_path):
    """Errors stop the run before any host is touched (site.yml pattern)."""
    main = lab_copy / "group_vars" / "all" / "main.yml"
    _edit(main, lambda g: g.update(cloudstack_db_max_connections=10))
    hosts = lab_copy / "hosts.yml"
    _edit(hosts, lambda inv: inv["all"].setdefault("vars", {}).update(
        ansible_connection="local",
        ansible_python_interpreter=sys.executable))
    book = tmp_path / "site.yml"
    book.write_text(
        "- name: Validate\n"
        "  ansible.builtin.import_playbook: %s/playbooks/validate.yml\n"
        "- name: Would touch hosts\n  hosts: all\n  gather_facts: false\n"
        "  tasks:\n    - name: Marker\n      ansible.builtin.debug:\n"
        "        msg: host-was-touched\n" % ROOT)
    rc, out = playbook(str(book), str(lab_copy))
    assert rc == 2 and "CS404" in out, out
    assert "host-was-touched" not in out and "Would touch hosts" not in out
    _edit(main, lambda g: g.pop("cloudstack_db_max_connections"))
    rc, out = playbook(str(book), str(lab_copy))
    assert rc == 0 and "host-was-touched" in out, out


# ---- malformed input through the real wrappers (CS001, never a crash) -----

def _cs001(out):
    assert "crashed" not in out, out
    return [line.strip() for line in out.splitlines()
            if "ERROR CS001" in line]


@pytest.mark.parametrize("extra,expected", [
    ('{"cloudstack_zones": 3}',
     "cloudstack_zones must be a list of zones, got a whole number 3"),
    ("cloudstack_zones=3",
     "cloudstack_zones must be a list of zones, got text '3'"),
    ('{"cloudstack_zones": [{"name": "z", "networks": {"management": '
     '{"cidr": "10.0.0.0/24"}}, "pods": [{"name": "p", "clusters": 7}]}]}',
     "cloudstack_zones[0].pods[0].clusters must be a list of clusters, got a "
     "whole number 7"),
    ('{"cloudstack_db_max_connections": %d}' % 10 ** 400,
     "cloudstack_db_max_connections must be at most 1000000, got a "
     "401-digit number"),
])
def test_extra_vars_of_the_wrong_type(extra, expected):
    rc, out = playbook("playbooks/validate.yml", "inventories/production",
                       "-e", extra)
    assert rc == 2
    found = _cs001(out)
    assert len(found) == 1 and expected in found[0], out


def test_recursive_anchor_and_group_vars_list(lab_copy):
    gv = lab_copy / "group_vars"
    # a structure containing itself (recursive YAML anchor)
    (gv / "cloudstack_kvm_hosts.yml").write_text(
        "cloudstack_bonds: &loop\n  - {name: bond0, members: *loop}\n")
    # a group_vars file that is a list, not a mapping
    (gv / "cloudstack_nfs.yml").write_text(
        "- cloudstack_management_device: eth0\n")
    rc, out = playbook("playbooks/validate.yml", str(lab_copy))
    assert rc == 2, out
    found = _cs001(out)
    assert any("variables of group cloudstack_nfs (" in f and
               "cloudstack_nfs.yml) must be a mapping" in f for f in found), out
    assert any("cloudstack_bonds[0].members[0] must be text, got a mapping "
               "{'name': 'bond0', 'members': [(itself)]}" in f
               for f in found), out
    assert not re.search(r"Ansible[A-Z_]|_Tagged", out), out


def test_preflight_thresholds_as_the_playbook_header_once_documented(
        tmp_path):
    """-e cloudstack_preflight_thresholds='{"root_min_free_gb": 20}' (the
    header's old example) reaches the engine cut at the space, as the text
    '{"root_min_free_gb":': one CS001 naming the form that works. JSON
    text without spaces is read as the mapping it spells; the JSON form of
    -e works."""
    inv = tmp_path / "hosts.yml"
    inv.write_text(
        "all:\n  children:\n    cloudstack_nfs:\n      hosts:\n"
        "        localnfs:\n          ansible_connection: local\n"
        "          ansible_python_interpreter: %s\n" % sys.executable)
    rc, out = playbook("playbooks/preflight.yml", str(inv), "-e",
                       'cloudstack_preflight_thresholds='
                       '{"root_min_free_gb": 20}')
    found = _cs001(out)
    assert rc == 2 and len(found) == 1, out
    assert ("cloudstack_preflight_thresholds must be a mapping of thresholds"
            in found[0] and "got text '{\"root_min_free_gb\":'" in found[0]), \
        out
    assert "fix: write e.g. -e '{\"cloudstack_preflight_thresholds\": " \
        "{\"root_min_free_gb\": 20}}'" in out, out
    for extra in ('cloudstack_preflight_thresholds={"root_min_free_gb":1000000}',
                  '{"cloudstack_preflight_thresholds": '
                  '{"root_min_free_gb": 1000000}}'):
        rc, out = playbook("playbooks/preflight.yml", str(inv), "-e", extra)
        assert not _cs001(out), out
        assert "under 1000000 GiB" in out and "ERROR CS705" in out, out


HOST_VIEW = """---
- name: The host view filter on the production inventory
  hosts: kvm01:xen01:nfs1
  gather_facts: false
  connection: local
  tasks:
    - name: View
      ansible.builtin.set_fact:
        view: "{{ hostvars | cloudstack.infra.topology_host_view(groups, inventory_hostname) }}"
    - name: Check
      ansible.builtin.assert:
        that:
          - view.name == inventory_hostname
          - inventory_hostname == 'nfs1' or view.cluster.hosts | length > 0
          - inventory_hostname == 'nfs1' or view.management_network.prefix == 24
          - inventory_hostname != 'nfs1' or view.nfs_exports | length > 0
          - view.initiator_iqn is match('^iqn[.]')
    - name: Print marker
      ansible.builtin.debug:
        msg: "host-view-ok {{ view.zone.name | default('none') }}"
"""


def test_host_view_filter_in_a_play(tmp_path):
    book = tmp_path / "view.yml"
    book.write_text(HOST_VIEW)
    rc, out = playbook(str(book), "inventories/production")
    assert rc == 0, out
    assert out.count("host-view-ok") == 3, out
