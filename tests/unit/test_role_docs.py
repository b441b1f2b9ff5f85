"""docs/roles/<role>.md are what tests/role_docs.py renders from the roles'
meta/argument_specs.yml right now (regenerated in memory, compared)."""
import os
import sys

import pytest
import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import role_docs  # noqa: E402 pylint: disable=wrong-import-position

ROLES = role_docs.roles()


def test_every_role_has_a_page():
    assert ROLES == sorted(os.listdir(os.path.join(role_docs.ROOT, "roles")))
    expected = sorted(role + ".md" for role in ROLES)
    assert sorted(os.listdir(os.path.join(role_docs.ROOT, role_docs.OUT_DIR))) == expected


@pytest.mark.parametrize("role", ROLES)
def test_checked_in_page_is_current(role):
    path = os.path.join(role_docs.ROOT, role_docs.OUT_DIR, role + ".md")
    with open(path, encoding="utf-8") as handle:
        checked_in = handle.read()
    assert checked_in == role_docs.render(role), (
        "%s is stale: run make role-docs and commit it" % path)


@pytest.mark.parametrize("role", ROLES)
def test_page_names_every_entry_point_and_option(role):
    page = role_docs.render(role)
    path = os.path.join(role_docs.ROOT, "roles", role, "meta", "argument_specs.yml")
    with open(path, encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    for entry_point, spec in specs.items():
        assert "## Entry point `%s`" % entry_point in page
        for option in (spec or {}).get("options") or {}:
            assert "| `%s` |" % option in page


def test_stale_page_is_reported(tmp_path):
    (tmp_path / "roles" / "demo" / "meta").mkdir(parents=True)
    (tmp_path / "roles" / "demo" / "meta" / "argument_specs.yml").write_text(
        "argument_specs:\n  main:\n    short_description: Demo\n    options:\n"
        "      demo_mode:\n        type: str\n        required: true\n"
        "        choices: [a, b]\n        description: Pick C(a) or V(b).\n",
        encoding="utf-8")
    assert role_docs.stale(str(tmp_path)) == ["docs/roles/demo.md: missing"]
    page = role_docs.render("demo", str(tmp_path))
    assert "| `demo_mode` | str | yes |  | `a`, `b` | Pick `a` or `b`. |" in page
    (tmp_path / "docs" / "roles").mkdir(parents=True)
    (tmp_path / "docs" / "roles" / "demo.md").write_text(page + "edited\n", encoding="utf-8")
    (tmp_path / "docs" / "roles" / "gone.md").write_text("", encoding="utf-8")
    assert role_docs.stale(str(tmp_path)) == ["docs/roles/demo.md: stale",
                                              "docs/roles/gone.md: no such role"]
    (tmp_path / "docs" / "roles" / "demo.md").write_text(page, encoding="utf-8")
    (tmp_path / "docs" / "roles" / "gone.md").unlink()
    assert not role_docs.stale(str(tmp_path))
