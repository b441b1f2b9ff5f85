"""Role documentation from meta/argument_specs.yml.

    python tests/role_docs.py          (make role-docs) writes docs/roles/<role>.md
    python tests/role_docs.py --check  exits 1 naming every stale or missing page

One page per role in roles/: every entry point, with its options (suboptions
as dotted names), type, required, default, choices and description.
tests/unit/test_role_docs.py fails when a checked-in page differs from what
this renders.
"""
import json
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join("docs", "roles")
MARKUP = re.compile(r"\b([CVOIB])\(([^()]*)\)")


def roles(root=ROOT):
    """The roles that have meta/argument_specs.yml, sorted."""
    top = os.path.join(root, "roles")
    return sorted(name for name in os.listdir(top)
                  if os.path.isfile(os.path.join(top, name, "meta", "argument_specs.yml")))


def plain(text):
    """Ansible doc markup (C(), V(), O(), I(), B()) as Markdown."""
    if isinstance(text, list):
        text = " ".join(str(item) for item in text)
    text = " ".join(str(text or "").split())

    def convert(match):
        kind, body = match.group(1), match.group(2)
        if kind == "I":
            return "*%s*" % body
        if kind == "B":
            return "**%s**" % body
        return "`%s`" % body
    return MARKUP.sub(convert, text)


def cell(text):
    return text.replace("|", "\\|")


def value(data):
    if isinstance(data, str):
        return "`%s`" % data if data else '`""`'
    return "`%s`" % json.dumps(data, sort_keys=True)


def option_rows(options, prefix=""):
    rows = []
    for name in sorted(options or {}):
        option = options[name] or {}
        kind = option.get("type", "str")
        if option.get("elements"):
            kind = "%s of %s" % (kind, option["elements"])
        description = plain(option.get("description"))
        if option.get("no_log"):
            description = (description + " Secret (no_log).").strip()
        rows.append("| `%s` | %s | %s | %s | %s | %s |" % (
            prefix + name, kind,
            "yes" if option.get("required") else "no",
            value(option["default"]) if "default" in option else "",
            ", ".join(value(choice) for choice in option.get("choices") or []),
            cell(description)))
        rows.extend(option_rows(option.get("options"), prefix + name + "."))
    return rows


def render(role, root=ROOT):
    """The Markdown page of one role."""
    path = os.path.join(root, "roles", role, "meta", "argument_specs.yml")
    with open(path, encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    lines = ["# Role cloudstack.infra.%s" % role, "",
             "Generated from `roles/%s/meta/argument_specs.yml` by `make role-docs`"
             " (`tests/role_docs.py`); edit that file, not this one." % role]
    entry_points = sorted(specs, key=lambda name: (name != "main", name))
    for entry_point in entry_points:
        spec = specs[entry_point] or {}
        lines += ["", "## Entry point `%s`" % entry_point, ""]
        if spec.get("short_description"):
            lines += [plain(spec["short_description"]), ""]
        description = spec.get("description") or []
        if isinstance(description, str):
            description = [description]
        for paragraph in description:
            lines += [plain(paragraph), ""]
        rows = option_rows(spec.get("options"))
        if rows:
            lines += ["| option | type | required | default | choices | description |",
                      "|---|---|---|---|---|---|"] + rows
        else:
            lines += ["No options."]
    return "\n".join(lines) + "\n"


def pages(root=ROOT):
    """{relative path: content} of every page."""
    return {os.path.join(OUT_DIR, role + ".md"): render(role, root) for role in roles(root)}


def stale(root=ROOT):
    """Pages that differ from what render() writes, and pages of no role."""
    expected = pages(root)
    problems = []
    for path, content in sorted(expected.items()):
        full = os.path.join(root, path)
        if not os.path.isfile(full):
            problems.append("%s: missing" % path)
            continue
        with open(full, encoding="utf-8") as handle:
            if handle.read() != content:
                problems.append("%s: stale" % path)
    out_dir = os.path.join(root, OUT_DIR)
    if os.path.isdir(out_dir):
        for name in sorted(os.listdir(out_dir)):
            if os.path.join(OUT_DIR, name) not in expected:
                problems.append("%s: no such role" % os.path.join(OUT_DIR, name))
    return problems


def main(argv):
    if argv[1:] == ["--check"]:
        problems = stale()
        for problem in problems:
            print("role-docs: %s (run make role-docs)" % problem)
        return 1 if problems else 0
    if argv[1:]:
        print(__doc__)
        return 2
    os.makedirs(os.path.join(ROOT, OUT_DIR), exist_ok=True)
    for path, content in sorted(pages().items()):
        with open(os.path.join(ROOT, path), "w", encoding="utf-8") as handle:
            handle.write(content)
        print("role-docs: wrote %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
