"""Checks of tests/galaxy_check.sh that read YAML or JSON.

deps ROOT SITE_PACKAGES
    The collections that roles/, playbooks/, plugins/ and site.yml name by
    FQCN (counting those the `ansible` package installed in SITE_PACKAGES)
    are exactly galaxy.yml's `dependencies`, and collections/requirements.yml
    names the same collections with the same versions.
docs INSTALL_DIR TYPE EXPECTED_NAMES_FILE LIST_JSON DOC_JSON
    `ansible-doc -t TYPE --list --json cloudstack.infra` (LIST_JSON) names
    exactly the expected plugins or roles, and `ansible-doc -t TYPE --json`
    of them all (DOC_JSON) documents each one from INSTALL_DIR.
"""
import json
import os
import re
import sys

import yaml

OWN = "cloudstack.infra"
SOURCES = ("roles", "playbooks", "plugins", "site.yml")
# In YAML and templates a collection appears as ns.name.plugin; in Python
# only an import of ansible_collections.ns.name counts (ansible.utils is also
# an ansible-core package: `from ansible.utils.vars import ...`).
FQCN = re.compile(r"\b([a-z0-9_]+)\.([a-z0-9_]+)\.[a-z_][a-z0-9_]*")
PY_IMPORT = re.compile(r"\bansible_collections\.([a-z0-9_]+)\.([a-z0-9_]+)")


def fail(msg):
    print("galaxy-check: FAIL: " + msg)
    sys.exit(1)


def installed_collections(site_packages):
    base = os.path.join(site_packages, "ansible_collections")
    names = set()
    for ns in os.listdir(base):
        if os.path.isdir(os.path.join(base, ns)):
            for coll in os.listdir(os.path.join(base, ns)):
                if os.path.isdir(os.path.join(base, ns, coll)):
                    names.add(ns + "." + coll)
    return names


def source_files(root):
    for entry in SOURCES:
        path = os.path.join(root, entry)
        if os.path.isfile(path):
            yield path
            continue
        for top, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                if name.endswith((".yml", ".yaml", ".j2", ".py")):
                    yield os.path.join(top, name)


def used_collections(root, known):
    used = {}
    for path in source_files(root):
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        pattern = PY_IMPORT if path.endswith(".py") else FQCN
        for match in pattern.finditer(text):
            name = match.group(1) + "." + match.group(2)
            if name in known and name != OWN:
                used.setdefault(name, os.path.relpath(path, root))
    return used


def check_deps(root, site_packages):
    with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
        declared = yaml.safe_load(handle).get("dependencies") or {}
    with open(os.path.join(root, "collections", "requirements.yml"),
              encoding="utf-8") as handle:
        listed = {c["name"]: c.get("version", "*")
                  for c in yaml.safe_load(handle)["collections"]}
    used = used_collections(root, installed_collections(site_packages))
    problems = []
    for name in sorted(set(used) - set(declared)):
        problems.append("%s is used (%s) but not in galaxy.yml dependencies"
                        % (name, used[name]))
    for name in sorted(set(declared) - set(used)):
        problems.append("%s is in galaxy.yml dependencies but not used"
                        % name)
    if listed != declared:
        problems.append("collections/requirements.yml %s differs from "
                        "galaxy.yml dependencies %s" % (listed, declared))
    if problems:
        fail("; ".join(problems))
    print("galaxy-check: dependencies = what is used: "
          + ", ".join("%s %s" % (n, declared[n]) for n in sorted(declared)))


def check_docs(install_dir, plugin_type, expected_file, list_file, doc_file):
    with open(expected_file, encoding="utf-8") as handle:
        expected = {OWN + "." + n for n in handle.read().split()}
    with open(list_file, encoding="utf-8") as handle:
        listed = set(json.load(handle))
    with open(doc_file, encoding="utf-8") as handle:
        docs = json.load(handle)
    problems = []
    if listed != expected:
        problems.append("ansible-doc lists %s, expected %s"
                        % (sorted(listed), sorted(expected)))
    for name in sorted(expected):
        doc = docs.get(name)
        if not doc:
            problems.append("no documentation for %s" % name)
            continue
        if plugin_type == "role":
            where = doc.get("path", "")
            ok = "main" in doc.get("entry_points", {})
        else:
            where = doc.get("doc", {}).get("filename", "")
            ok = bool(doc.get("doc", {}).get("short_description"))
        if not ok:
            problems.append("%s %s has no short description / main entry "
                            "point" % (plugin_type, name))
        if not os.path.realpath(where).startswith(
                os.path.realpath(install_dir) + os.sep):
            problems.append("%s %s documented from %r, not from the "
                            "installed tarball" % (plugin_type, name, where))
    if problems:
        fail("; ".join(problems))
    print("galaxy-check: ansible-doc -t %s: %d documented from the installed "
          "tarball" % (plugin_type, len(expected)))


def main(argv):
    if len(argv) == 3 and argv[0] == "deps":
        check_deps(argv[1], argv[2])
    elif len(argv) == 6 and argv[0] == "docs":
        check_docs(*argv[1:])
    else:
        fail("usage: see the docstring of " + __file__)


if __name__ == "__main__":
    main(sys.argv[1:])
