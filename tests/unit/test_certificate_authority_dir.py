"""The collection's CA (roles/certificate_authority, used by kvm_host and
database) refuses a CA directory inside the project or the collection (a key
there could be committed or packed into the Galaxy tarball), and a relative
one; a directory outside both passes. kvm_host's deprecated
kvm_host_tls_ca_dir goes through the same guard and is named in the message.
Runs the component's own first task (tasks/ca.yml) with ansible-playbook on
the controller, with the role's defaults and vars."""
import os

import yaml

from playbook_run import ROOT, run_play

ROLE = os.path.join(ROOT, "roles", "certificate_authority")


def _load(*parts):
    with open(os.path.join(ROLE, *parts), encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def run_guard(tmp_path, extra):
    task = _load("tasks", "ca.yml")[0]
    assert task["name"].startswith("Refuse a CA directory"), task["name"]
    for key in ("delegate_to", "run_once", "become"):
        task.pop(key, None)
    play_vars = dict(_load("defaults", "main.yml"), role_path=ROLE)
    play_vars.update(_load("vars", "main.yml"))
    play_vars.update(extra)
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": play_vars, "tasks": [task]}]
    rc, results = run_play(tmp_path, play, "localhost")
    return rc, results[0]


BAD = (os.path.join(ROOT, "playbooks", ".kvm_host_ca"), os.path.join(ROOT, "roles", "ca"), "relative/ca")


def test_ca_dir_inside_or_relative_is_refused(tmp_path):
    for bad in BAD:
        rc, result = run_guard(tmp_path, {"certificate_authority_dir": bad})
        assert rc != 0 and result.get("failed"), bad
        assert "certificate_authority_dir" in result["msg"] and "Nothing has been changed" in result["msg"]


def test_kvm_host_ca_dir_inside_or_relative_is_refused(tmp_path):
    for bad in BAD:
        rc, result = run_guard(tmp_path, {"certificate_authority_caller_dir": bad,
                                          "certificate_authority_caller_dir_var": "kvm_host_tls_ca_dir"})
        assert rc != 0 and result.get("failed"), bad
        assert "kvm_host_tls_ca_dir" in result["msg"] and "Nothing has been changed" in result["msg"]


def test_ca_dir_outside_passes(tmp_path):
    rc, result = run_guard(tmp_path, {"certificate_authority_dir": str(tmp_path / "ca")})
    assert rc == 0 and not result.get("failed"), result
    rc, result = run_guard(tmp_path, {"certificate_authority_caller_dir": str(tmp_path / "kvm_ca")})
    assert rc == 0 and not result.get("failed"), result


def test_default_ca_dir_is_outside_the_project():
    default = _load("defaults", "main.yml")["certificate_authority_dir"]
    assert default.startswith("{{ lookup('ansible.builtin.env', 'HOME') }}/.cloudstack-infra/"), default
