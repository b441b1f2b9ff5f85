"""kvm_host refuses a lab CA directory inside the project or the collection
(a key there could be committed or packed into the Galaxy tarball), and a
relative one; a directory outside both passes. Runs the role's own first
task (roles/kvm_host/tasks/tls.yml) with ansible-playbook on the controller."""
import os

import yaml

from playbook_run import ROOT, run_play

TLS = os.path.join(ROOT, "roles", "kvm_host", "tasks", "tls.yml")


def run_guard(tmp_path, ca_dir):
    with open(TLS, encoding="utf-8") as handle:
        task = yaml.safe_load(handle)[0]
    assert task["name"].startswith("Refuse a CA directory"), task["name"]
    for key in ("delegate_to", "run_once", "become"):
        task.pop(key, None)
    task["vars"]["kvm_host_tls_ca_dir"] = ca_dir
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"role_path": os.path.join(ROOT, "roles", "kvm_host")},
             "tasks": [task]}]
    rc, results = run_play(tmp_path, play, "localhost")
    return rc, results[0]


def test_ca_dir_inside_or_relative_is_refused(tmp_path):
    for bad in (os.path.join(ROOT, "playbooks", ".kvm_host_ca"),
                os.path.join(ROOT, "roles", "ca"), "relative/ca"):
        rc, result = run_guard(tmp_path, bad)
        assert rc != 0 and result.get("failed"), bad
        assert "kvm_host_tls_ca_dir" in result["msg"] and "Nothing has been changed" in result["msg"]


def test_ca_dir_outside_passes(tmp_path):
    rc, result = run_guard(tmp_path, str(tmp_path / "ca"))
    assert rc == 0 and not result.get("failed"), result
