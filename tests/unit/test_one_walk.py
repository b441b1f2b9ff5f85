"""One walk of cloudstack_zones: the topology model (issue 11).

Fails when a file of plugins/ or roles/ (Python, YAML, Jinja) reads the
``cloudstack_zones`` / ``pods`` / ``clusters`` structures itself instead of
going through the model (plugins/module_utils/topology_model.py: Model,
host_view, zone_pods, listed_hosts; the filter topology_host_view). The
schema and the CS001 shape check (topology_schema.py, topology.py's
``_check_shape``) read the raw input before there is a model, and are
exempt. Comments, documentation strings, argument_specs descriptions and
messages do not count: only code that reads the structure.
"""

import ast
import os
import re

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
EXEMPT = {
    "plugins/module_utils/topology_model.py": None,          # the model
    "plugins/module_utils/topology_schema.py": None,         # the schema
    "plugins/module_utils/topology.py": ("_check_shape",),   # CS001 shape check
}
KEYS = ("cloudstack_zones", "pods", "clusters")
# Reading the variable to hand it to the model (or the engine that builds
# it) is not a walk.
MODEL_ENTRIES = ("Model", "listed_hosts", "build_model", "validate_topology", "run_rules")

# Jinja / YAML code that walks the structure: a filter or attribute on
# cloudstack_zones, JMESPath over pods/clusters, .pods / .clusters, or
# map(attribute='clusters').
JINJA_WALK = re.compile(
    r"cloudstack_zones\s*(\||\.|\[)|\bin\s+cloudstack_zones\b"
    r"|\bpods\[\]|\bclusters\[\]"
    r"|\.(pods|clusters)\b"
    r"|attribute\s*=\s*['\"](pods|clusters)['\"]"
    r"|\[['\"](cloudstack_zones|pods|clusters)['\"]\]")
JINJA_CODE = re.compile(r"{{.*?}}|{%.*?%}", re.S)


def _files(top, exts):
    for base, _dirs, names in os.walk(os.path.join(ROOT, top)):
        for name in sorted(names):
            if name.endswith(exts):
                path = os.path.join(base, name)
                yield os.path.relpath(path, ROOT).replace(os.sep, "/"), path


def _python_walks(rel, path):
    """(line, text) of code reading a zones/pods/clusters key of a mapping:
    x.get("pods"), x["clusters"], x.get("cloudstack_zones")."""
    tree = ast.parse(open(path).read(), path)
    exempt_funcs = EXEMPT.get(rel) or ()
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name in exempt_funcs:
            skip.update(id(n) for n in ast.walk(node))
    handed = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in MODEL_ENTRIES:
                for arg in list(node.args) + [k.value for k in node.keywords]:
                    handed.update(id(n) for n in ast.walk(arg))
    out = []
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        key = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in ("get", "pop", "setdefault") and node.args \
                and isinstance(node.args[0], ast.Constant):
            key = node.args[0].value
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        if key == "cloudstack_zones" and id(node) in handed:
            continue
        if key in KEYS:
            out.append((node.lineno, ast.get_source_segment(open(path).read(), node)))
    return out


def _template_walks(path):
    out = []
    text = open(path).read()
    for match in JINJA_CODE.finditer(text):
        code = match.group(0)
        found = JINJA_WALK.search(code)
        if found:
            line = text.count("\n", 0, match.start()) + 1
            out.append((line, found.group(0)))
    return out


def walks():
    found = []
    for rel, path in _files("plugins", (".py",)):
        if EXEMPT.get(rel, ()) is None:
            continue
        found.extend((rel, line, code) for line, code in _python_walks(rel, path))
    for top in ("roles", "plugins"):
        for rel, path in _files(top, (".yml", ".yaml", ".j2")):
            if "/meta/" in rel or rel.startswith("plugins/"):
                continue        # argument_specs and filter docs: descriptions
            found.extend((rel, line, code) for line, code in _template_walks(path))
    return found


def test_nothing_outside_the_model_walks_cloudstack_zones():
    assert walks() == []


@pytest.mark.parametrize("code", [
    'def f(zone):\n    return zone.get("pods")\n',
    'def f(g):\n    return g["cloudstack_zones"]\n',
    'def f(pod):\n    return [c for c in pod.get("clusters") or []]\n',
    'def f(g):\n    return M.Model({}, {}, {"x": g.get("pods")})\n',
])
def test_the_check_finds_a_python_walk(tmp_path, code):
    path = tmp_path / "x.py"
    path.write_text(code)
    assert len(_python_walks("plugins/module_utils/x.py", str(path))) == 1


@pytest.mark.parametrize("code", [
    "{{ cloudstack_zones | community.general.json_query('[?contains(pods[].clusters[].hosts[], x)]') }}",
    "{{ (zone.pods | map(attribute='clusters') | flatten) }}",
    "{% for z in cloudstack_zones %}{{ z.name }}{% endfor %}",
])
def test_the_check_finds_a_jinja_walk(tmp_path, code):
    path = tmp_path / "x.yml"
    path.write_text("x: \"%s\"\n" % code)
    assert len(_template_walks(str(path))) == 1


def test_handing_the_zones_to_the_model_is_not_a_walk(tmp_path):
    path = tmp_path / "x.py"
    path.write_text('def f(g):\n    return M.Model({}, {}, {"cloudstack_zones": g.get("cloudstack_zones")})\n')
    assert _python_walks("plugins/module_utils/x.py", str(path)) == []


def test_a_view_and_a_comment_are_not_walks(tmp_path):
    path = tmp_path / "x.yml"
    path.write_text("# derived from cloudstack_zones.pods\n"
                    "v: \"{{ hostvars | cloudstack.infra.topology_host_view(groups, inventory_hostname) }}\"\n")
    assert _template_walks(str(path)) == []
