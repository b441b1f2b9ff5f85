"""management_server_redeploy_database is a confirmation that names the first
management server (the one that deploys the schema) and works once
(roles/management_server/tasks/redeploy_guard.yml, run from validate.yml
before any change): off values pass, true or another name is refused, the
first server's name passes once and is refused when the marker of a used
confirmation exists on the first server. Runs the role's task file with
ansible-playbook on the controller (localhost plays "ms1" or "ms2"), as
tests/unit/test_database_redeploy_guard.py does for database_redeploy:
both go through the one rule, plugins/module_utils/destructive_confirmation.py."""
import os
import sys

import pytest
import yaml

from playbook_run import ROOT, run_play

ROLE = os.path.join(ROOT, "roles", "management_server")


def run_guard(tmp_path, value, host="ms1", marker_exists=False):
    marker = tmp_path / "management_server_redeploy.used"
    if marker_exists:
        marker.write_text("used\n")
    with open(os.path.join(ROLE, "vars", "main.yml"), encoding="utf-8") as handle:
        role_vars = yaml.safe_load(handle)
    plan = {"first": "ms1", "is_first": host == "ms1"}
    play = [{"hosts": host, "connection": "local", "gather_facts": False,
             "vars": dict(role_vars, management_server_redeploy_database=value,
                          management_server_redeploy_marker=str(marker),
                          __management_server_plan=plan,
                          ansible_python_interpreter=sys.executable),
             "tasks": [{"name": "guard", "ansible.builtin.include_tasks":
                        os.path.join(ROLE, "tasks", "redeploy_guard.yml")}]}]
    rc, results = run_play(tmp_path, play, host)
    return rc, [result for result in results if result.get("failed")]


@pytest.mark.parametrize("value", [False, None, "", "false", "no"])
def test_off_values_pass(tmp_path, value):
    rc, failed = run_guard(tmp_path, value, marker_exists=True)
    assert rc == 0 and not failed


@pytest.mark.parametrize("value,host", [(True, "ms1"), ("true", "ms1"), ("yes", "ms1"),
                                        ("ms2", "ms1"), ("MS1", "ms1"), ("ms2", "ms2"), (True, "ms2")])
def test_a_value_not_naming_the_first_server_is_refused(tmp_path, value, host):
    rc, failed = run_guard(tmp_path, value, host=host)
    assert rc != 0 and failed
    msg = failed[0]["msg"]
    assert "management_server_redeploy_database=" in msg and '"ms1"' in msg
    assert "Nothing has been changed" in msg and "drops every CloudStack table" in msg


@pytest.mark.parametrize("host", ["ms1", "ms2"])
def test_the_first_server_name_passes_once(tmp_path, host):
    rc, failed = run_guard(tmp_path, "ms1", host=host)
    assert rc == 0 and not failed


def test_a_used_confirmation_is_refused(tmp_path):
    rc, failed = run_guard(tmp_path, "ms1", marker_exists=True)
    assert rc != 0 and failed
    msg = failed[0]["msg"]
    assert "used on ms1 already" in msg and "Remove management_server_redeploy_database" in msg
