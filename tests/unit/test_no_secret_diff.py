"""No secret in a diff: every copy or template task of a role that writes a
private key, a password or a secret carries ``no_log: true`` or
``diff: false``, so ``--diff`` (AWX's "Show Changes") cannot print it.

A task counts as writing a secret when its ``dest``, ``src`` or ``content``
names a private key (``*.key``, ``.../key``, ``private``) or a variable whose
name says key, password or secret (public keys and keyrings excepted)."""
import glob
import os
import re

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WRITERS = ("ansible.builtin.copy", "ansible.builtin.template", "copy", "template")
SECRET = re.compile(r"(\.key\b|/key\b|private|password|secret|_key\b)", re.I)
PUBLIC = re.compile(r"(\.pub\b|keyring|\.asc\b|\.gpg\b|public)", re.I)


def _tasks(node):
    if isinstance(node, list):
        for item in node:
            yield from _tasks(item)
    elif isinstance(node, dict):
        if any(k in node for k in WRITERS):
            yield node
        for key in ("block", "rescue", "always"):
            if key in node:
                yield from _tasks(node[key])


def _writes_secret(task):
    args = next(task[k] for k in WRITERS if k in task)
    if not isinstance(args, dict):
        return False
    text = " ".join(str(args.get(k, "")) for k in ("dest", "src", "content"))
    text += " " + " ".join(str(i) for i in task.get("loop") or []) if isinstance(task.get("loop"), list) else ""
    return bool(SECRET.search(text)) and not PUBLIC.search(str(args.get("dest", "")))


CASES = []
for path in sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))):
    with open(path, encoding="utf-8") as handle:
        for task in _tasks(yaml.safe_load(handle) or []):
            if _writes_secret(task):
                CASES.append((os.path.relpath(path, ROOT), task.get("name", "?"), task))


def test_the_scan_finds_the_known_secret_writers():
    names = [c[1] for c in CASES]
    assert "Install CA, certificates and keys" in names          # kvm_host's libvirt TLS keys
    assert "Write the first server's key file" in names          # management_server


@pytest.mark.parametrize("path,name,task", CASES, ids=["%s: %s" % (c[0], c[1]) for c in CASES])
def test_secret_writers_never_show_a_diff(path, name, task):
    assert task.get("no_log") is True or task.get("diff") is False, (
        "%s, task %r writes a key or secret: give it diff: false (or no_log: true)" % (path, name))
