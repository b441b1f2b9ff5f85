"""The rule registry: every rule documented, tested, and the generated docs
(docs/validator.md's rule table, docs/inventory.md) current."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import rule_docs  # noqa: E402 pylint: disable=wrong-import-position

from ansible_collections.cloudstack.infra.plugins.module_utils import (  # noqa: E402
    topology as T, topology_rules as R)

from test_topology_rules import FAILING, PASSING, base  # noqa: E402


@pytest.mark.parametrize("path", sorted(rule_docs.outputs()))
def test_generated_docs_are_current(path):
    with open(os.path.join(rule_docs.ROOT, path), encoding="utf-8") as handle:
        checked_in = handle.read()
    assert checked_in == rule_docs.outputs()[path], (
        "%s is stale: run make validator-docs and commit it" % path)


def test_registry_is_the_rule_table():
    assert [r[0] for r in T.rule_table()] == sorted(R.REGISTRY)
    for rule in R.rules():
        assert rule.title and rule.practice.endswith(".")
        assert rule.concern in R.CONCERNS
        assert T.RULES[rule.id] == (rule.severity, rule.title)
        assert "| %s | %s |" % (rule.id, rule.severity) in \
            rule_docs.rule_table()


@pytest.mark.parametrize("rule_id", [r.id for r in R.rules()
                                     if r.concern not in ("input", "facts")])
def test_every_registered_rule_has_a_failing_and_a_passing_inventory(rule_id):
    assert any(c[0] == rule_id for c in FAILING), rule_id
    assert any(c[0] == rule_id for c in PASSING), rule_id


def test_inventory_reference_names_every_key():
    page = rule_docs.render_inventory()
    for key in rule_docs._keys():   # pylint: disable=protected-access
        assert "| `%s` |" % key in page


def test_run_rules_runs_only_the_rules_asked():
    groups, hv, g = base()
    g["cloudstack_db_password"] = "changeme"
    cl = g["cloudstack_zones"][0]["pods"][0]["clusters"][0]
    cl["planned_instances"] = 500
    assert T.validate_topology(groups, hv, g).ids() == ["CS504", "CS601"]
    groups, hv, g = base()
    g["cloudstack_db_password"] = "changeme"
    g["cloudstack_zones"][0]["pods"][0]["clusters"][0][
        "planned_instances"] = 500
    report = T.run_rules(groups, hv, g, ids=["CS504"])
    assert report.ids() == ["CS504"] and report.capacity == []
    assert T.run_rules(groups, hv, g, ids=["CS601"]).ids() == ["CS601"]
    with pytest.raises(ValueError, match="CS999"):
        T.run_rules(groups, hv, g, ids=["CS999"])
