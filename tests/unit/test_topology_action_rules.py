"""topology_validate's `rules` option: what a role runs on its own (only the
rules it depends on, plus CS001/CS002), through ansible-playbook on a copy of
the lab inventory."""
import os
import shutil

import pytest
import yaml

from test_topology_wrappers import BIN, ROOT, playbook

pytestmark = pytest.mark.skipif(
    not os.path.exists(os.path.join(BIN, "ansible-playbook")),
    reason="needs .venv (make setup)")

BOOK = """
- name: A role's own check
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Validate the rules this role depends on
      cloudstack.infra.topology_validate:
        rules: %s
"""


@pytest.fixture
def broken_lab(tmp_path):
    inv = tmp_path / "inv"
    shutil.copytree(os.path.join(ROOT, "inventories", "lab"), str(inv))
    main = inv / "group_vars" / "all" / "main.yml"
    data = yaml.safe_load(main.read_text())
    data["cloudstack_firewall_forwards"] = [{"port": 8096}]      # CS501
    main.write_text(yaml.safe_dump(data))
    (inv / "group_vars" / "cloudstack_kvm_hosts.yml").write_text(
        "cloudstack_bonds: [{name: bond0, members: [eth1]}]\n")  # CS305
    return inv


def _run(tmp_path, inv, rules):
    book = tmp_path / "book.yml"
    book.write_text(BOOK % (rules,))
    return playbook(str(book), str(inv))


def test_only_the_asked_rules_fail(tmp_path, broken_lab):
    rc, out = _run(tmp_path, broken_lab, "[CS305]")
    assert rc == 2, out
    assert "CS305" in out and "CS501" not in out


def test_a_role_that_does_not_read_the_broken_value_passes(
        tmp_path, broken_lab):
    rc, out = _run(tmp_path, broken_lab, "[CS306, CS502]")
    assert rc == 0, out
    assert "CS305" not in out and "CS501" not in out


def test_malformed_input_is_always_reported(tmp_path, broken_lab):
    (broken_lab / "group_vars" / "cloudstack_nfs.yml").write_text(
        "cloudstack_version: '4.18'\n")                         # CS002
    rc, out = _run(tmp_path, broken_lab, "[CS502]")
    assert rc == 2, out
    assert "CS002" in out and "cloudstack_version" in out


@pytest.mark.parametrize("rules, words", [
    ("[CS999]", "unknown rule id(s) CS999"),
    ("CS306", "must be a list of rule ids"),
])
def test_bad_rules_option(tmp_path, broken_lab, rules, words):
    rc, out = _run(tmp_path, broken_lab, rules)
    assert rc == 2, out
    assert words in out
