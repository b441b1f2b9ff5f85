"""database_redeploy is a confirmation that names its target and works once
(roles/database/tasks/redeploy_guard.yml, run on the primary before any
change): off values pass, true or another host's name is refused, the
primary's name passes once and is refused when the marker of a used
confirmation exists. Runs the role's task file with ansible-playbook on the
controller (the primary is played by localhost: inventory name "db1")."""
import os
import sys

import pytest
import yaml

from playbook_run import ROOT, run_play

ROLE = os.path.join(ROOT, "roles", "database")


def run_guard(tmp_path, value, marker_exists=False):
    marker = tmp_path / "database_redeploy.used"
    if marker_exists:
        marker.write_text("used\n")
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    play = [{"hosts": "db1", "connection": "local", "gather_facts": False,
             "vars": dict(role_vars, database_redeploy=value,
                          database_redeploy_marker=str(marker),
                          database_names=["cloud", "cloud_usage"],
                          ansible_python_interpreter=sys.executable),
             "tasks": [{"name": "guard", "ansible.builtin.include_tasks":
                        os.path.join(ROLE, "tasks", "redeploy_guard.yml")}]}]
    rc, results = run_play(tmp_path, play, "db1")
    return rc, [result for result in results if result.get("failed")]


@pytest.mark.parametrize("value", [False, None, "", "false", "no"])
def test_off_values_pass(tmp_path, value):
    rc, failed = run_guard(tmp_path, value, marker_exists=True)
    assert rc == 0 and not failed


@pytest.mark.parametrize("value", [True, "true", "yes", "db2", "DB1"])
def test_a_value_not_naming_the_primary_is_refused(tmp_path, value):
    rc, failed = run_guard(tmp_path, value)
    assert rc != 0 and failed
    msg = failed[0]["msg"]
    assert '"db1"' in msg and "Nothing has been changed" in msg and "cloud and cloud_usage" in msg


def test_the_primary_name_passes_once(tmp_path):
    rc, failed = run_guard(tmp_path, "db1")
    assert rc == 0 and not failed


def test_a_used_confirmation_is_refused(tmp_path):
    rc, failed = run_guard(tmp_path, "db1", marker_exists=True)
    assert rc != 0 and failed
    msg = failed[0]["msg"]
    assert "used on db1 already" in msg and "Remove database_redeploy" in msg
