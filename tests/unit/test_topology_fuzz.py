"""Property-based fuzzer of the validator engine (hypothesis).

Thousands of random type and value mutations of inventories/production (read
the way the action plugin reads it: its _InventoryReader over Ansible's own
inventory objects, so the values carry Ansible's tagged types) and of a
realistic facts dict. validate_topology and check_host_facts must always
return a report (a list of violations, possibly empty), never raise, and
their messages must not leak Python or Ansible class names.

Deterministic (derandomize=True) and bounded: FUZZ_EXAMPLES mutated
production cases (default 2500, each with 1 to 4 mutations, each run
through both engines) and half as many cases of junk at the top level;
`FUZZ_EXAMPLES=20000 pytest tests/unit/test_topology_fuzz.py` hunts longer.
"""
import datetime
import json
import os
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inventory_reader import read_inventory
from test_topology_report import good_facts

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (  # noqa: E402
    Report, build_model, check_host_facts, validate_topology)

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2500"))
SETTINGS = settings(max_examples=EXAMPLES, derandomize=True, deadline=None,
                    database=None, print_blob=False,
                    suppress_health_check=list(HealthCheck))
JUNK_SETTINGS = settings(SETTINGS, max_examples=max(1, EXAMPLES // 2))

# class names that must never reach an operator
LEAK = re.compile(r"Ansible[A-Z_]|_Tagged|NoneType|<class|object at 0x|"
                  r"\bdatetime\.|Traceback")


def _plain_copy(value):
    """Copy of the dict/list skeleton (leaves, tagged or not, are shared)."""
    if isinstance(value, dict):
        return dict((k, _plain_copy(v)) for k, v in value.items())
    if isinstance(value, list):
        return [_plain_copy(v) for v in value]
    return value


def load_production():
    """(groups, hostvars, global_vars) of inventories/production, read as
    the action plugin reads it."""
    sys.path.insert(0, os.path.join(ROOT, "collections"))
    read = read_inventory("production")
    return read.groups, read.hostvars, read.global_vars


try:
    PRODUCTION = load_production()
except ImportError:       # pragma: no cover - without .venv
    PRODUCTION = None

pytestmark = pytest.mark.skipif(PRODUCTION is None, reason="needs ansible")


def production_case():
    groups, hostvars, global_vars = PRODUCTION
    hosts = sorted(set(h for v in groups.values() for h in v))
    return {"groups": _plain_copy(groups), "hostvars": _plain_copy(hostvars),
            "global_vars": _plain_copy(global_vars),
            "facts": good_facts(hosts),
            "thresholds": {"root_min_free_gb": 10, "root_max_used_percent": 80,
                           "instance_memory_mb": 1024}}


def test_production_inventory_loads_clean():
    case = production_case()
    assert len(case["hostvars"]) > 20
    assert "cloudstack_zones" in case["global_vars"]
    report = validate_topology(case["groups"], case["hostvars"],
                               case["global_vars"])
    assert report.violations == [], report.format_violations()
    report = check_host_facts(case["facts"], case["groups"], case["hostvars"],
                              case["global_vars"], case["thresholds"])
    assert report.violations == [], report.format_violations()


# ---- junk ------------------------------------------------------------------

SCALARS = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10, max_value=70000),
    st.integers(),
    # hundreds of digits; 5000 digits is past str(int)'s default limit
    st.sampled_from([400, -400, 5000, 64, 7]).map(
        lambda e: 10 ** e if e > 0 else -(10 ** -e)),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from([
        "", " ", "any", "*", "0.0.0.0/0", "::/0", "10.10.0.0/24",
        "10.10.0.5/24", "10.10.0.21", "fe80::1", "10.10.0.300", "\u0663",
        "\u0661\u0660", "\uff11\uff12", "1e400", "nan", "inf", "-1", "0",
        "yes", "no", "true", "KVM", "kvm", "nfs", "eth0", "bond0", "kvm01",
        "nfs1", "storage-a", "{{ undefined_var }}", "12345678901234567890" * 20,
        "ha", "live_migration", "toport", "netwroks"]),
    st.dates(), st.datetimes(), st.binary(max_size=4),
)

JUNK = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(st.text(max_size=8),
                                                      st.integers(), st.none()),
                                            inner, max_size=3)),
    max_leaves=6)


def _nodes(value, path=()):
    """Every (path, node) of a dict/list tree."""
    yield path, value
    if isinstance(value, dict):
        for k in list(value):
            yield from _nodes(value[k], path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _nodes(v, path + (i,))


def _get(root, path):
    node = root
    for key in path:
        node = node[key]
    return node


# every path below the five inputs of the pristine case (computed once;
# after earlier mutations a drawn path may be gone: that draw is skipped)
PATHS = [p for p, _n in _nodes(production_case())
         if len(p) > 1] if PRODUCTION else [("groups", "all")]

OPS = ("replace", "replace", "replace", "delete", "rename", "add_key",
       "wrap", "unwrap", "self_ref", "swap", "stringify", "digits")


def _resolve(case, path):
    try:
        parent = _get(case, path[:-1])
        return parent, parent[path[-1]]
    except (KeyError, IndexError, TypeError):
        return None, None


@st.composite
def mutated(draw):
    case = production_case()
    for _step in range(draw(st.integers(min_value=1, max_value=4))):
        path = draw(st.sampled_from(PATHS))
        parent, node = _resolve(case, path)
        if parent is None or not isinstance(parent, (dict, list)):
            continue
        key = path[-1]
        op = draw(st.sampled_from(OPS))
        if op == "replace":
            parent[key] = draw(JUNK)
        elif op == "delete":
            if isinstance(parent, dict):
                del parent[key]
            else:
                parent.pop(key)
        elif op == "rename" and isinstance(parent, dict):
            new = draw(st.one_of(
                st.just(str(key)[:-1]), st.just(str(key) + "s"),
                st.just(str(key)[::-1]), st.integers(), st.none(),
                st.just(str(key).replace("o", "0"))))
            parent[new] = parent.pop(key)
        elif op == "add_key" and isinstance(node, dict):
            node[draw(st.one_of(st.text(max_size=10), st.integers(),
                                st.sampled_from(["toport", "netwroks",
                                                 "cloudstack_zone",
                                                 "hypervisr", "hostz"])))] \
                = draw(JUNK)
        elif op == "wrap":
            parent[key] = draw(st.sampled_from([[node], {"x": node}]))
        elif op == "unwrap" and isinstance(node, (list, dict)) and node:
            parent[key] = (node[0] if isinstance(node, list)
                           else next(iter(node.values())))
        elif op == "self_ref":
            # a recursive YAML anchor: a structure containing itself
            if isinstance(node, list):
                node.append(node)
            elif isinstance(node, dict):
                node["self"] = node
            else:
                parent[key] = parent
        elif op == "swap":
            # a well-formed value where another belongs (zone as host...)
            _parent, other = _resolve(case, draw(st.sampled_from(PATHS)))
            parent[key] = other
        elif op == "stringify" and isinstance(node, (int, float)) and \
                abs(node) < 10 ** 100:
            parent[key] = str(node)     # 80 -> '80' (as -e key=value does)
        elif op == "digits" and isinstance(node, int) \
                and not isinstance(node, bool):
            # the same number in other digits (Arabic-Indic, fullwidth)
            table = draw(st.sampled_from([0x0660, 0xFF10, 0x0966]))
            parent[key] = "".join(chr(table + int(c)) if c.isdigit() else c
                                  for c in str(node))
    return case


def _assert_report(report):
    assert isinstance(report, Report)
    report.to_json()
    report.format_violations()
    report.format_capacity()
    for v in report.violations:
        for text in (v.location, v.message, v.hint):
            assert isinstance(text, str)
            assert not LEAK.search(text), (v.rule, text)


@SETTINGS
@given(mutated())
def test_fuzz_engine_never_raises(case):
    _assert_report(validate_topology(case["groups"], case["hostvars"],
                                     case["global_vars"]))
    _assert_report(check_host_facts(case["facts"], case["groups"],
                                    case["hostvars"], case["global_vars"],
                                    case["thresholds"]))


@settings(SETTINGS, max_examples=max(1, EXAMPLES // 5))
@given(mutated())
def test_fuzz_host_views_never_raise(case):
    model = build_model(case["groups"], case["hostvars"],
                        case["global_vars"])[1]
    for host in sorted(model.known)[:40] + ["not-in-the-inventory"]:
        text = json.dumps(model.host_view(host))
        assert not LEAK.search(text), text


@JUNK_SETTINGS
@given(JUNK, JUNK, JUNK, JUNK, JUNK)
def test_fuzz_top_level_junk(facts, groups, hostvars, global_vars, limits):
    _assert_report(validate_topology(groups, hostvars, global_vars))
    _assert_report(check_host_facts(facts, groups, hostvars, global_vars,
                                    limits))


def test_dates_are_junk_too():
    case = production_case()
    case["global_vars"]["cloudstack_zones"][0]["name"] = datetime.date(
        2026, 1, 1)
    _assert_report(validate_topology(case["groups"], case["hostvars"],
                                     case["global_vars"]))
