"""The storage roles load their host firewall table before the service they
filter is installed, configured or exports anything, in a step of their own
(never through a handler): a run that fails at any later step leaves the
service filtered. molecule/hardware_lab proves it on the VM (a run with a
failure injected in nfs_server's configure step leaves the table loaded)."""

import os

import pytest
import yaml

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def _steps(role):
    with open(os.path.join(ROOT, "roles", role, "tasks", "main.yml")) as f:
        tasks = yaml.safe_load(f)
    return [t.get("ansible.builtin.import_tasks") or t.get("ansible.builtin.include_tasks") or "" for t in tasks]


@pytest.mark.parametrize("role, later", [
    ("nfs_server", ["install.yml", "configure.yml", "exports.yml"]),
    ("iscsi_target", ["install.yml", "configure.yml"]),
])
def test_firewall_loads_right_after_the_checks(role, later):
    steps = _steps(role)
    assert steps[0] == "validate.yml", steps
    assert steps[1] == "firewall.yml", steps
    for step in later:
        assert steps.index(step) > steps.index("firewall.yml"), (step, steps)


@pytest.mark.parametrize("role", ["nfs_server", "iscsi_target"])
def test_no_handler_loads_the_firewall(role):
    path = os.path.join(ROOT, "roles", role, "handlers", "main.yml")
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        assert "host_firewall" not in text and "firewall" not in text.lower(), text
