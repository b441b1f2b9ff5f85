"""kvm_host_read_preflight: playbooks/hypervisors.yml reads every KVM host's
facts in its first play and tells kvm_host not to read them again.

Run for real on this machine (local connection): the role's fact checks
(tasks_from: facts) after a play that set a cloudstack_preflight fact saying
1 MB is free on /. With kvm_host_read_preflight false the role judges that
fact (and refuses the host, naming 1 MB); with true, or false but no fact set
before, it reads this machine's own (far more than 1 MB free) and passes.
"""
import os
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

STAND_IN_MODULE = """#!/usr/bin/python
from ansible.module_utils.basic import AnsibleModule
module = AnsibleModule(argument_spec={})
module.exit_json(changed=False, ansible_facts={"cloudstack_preflight": {
    "virtualization_flags": ["vmx"], "cpu_model": "stand-in", "time_synchronized": True,
    "time_source": "stand-in", "root_free_mb": 1}})
"""


def _run(tmp_path, read, seed):
    plays = []
    if seed:
        plays.append({
            "name": "An earlier play of the run read the facts",
            "hosts": "kvm-a", "gather_facts": False,
            # a module's ansible_facts, as host_preflight returns them (a
            # set_fact would be a variable, which beats any fact)
            "tasks": [{"name": "Stand-in facts: 1 MB free on /", "stand_in_facts": {}}],
        })
    plays.append({
        "name": "kvm_host's fact checks",
        "hosts": "kvm-a", "gather_facts": False,
        "tasks": [{"name": "Fact checks",
                   "ansible.builtin.include_role": {"name": "cloudstack.infra.kvm_host",
                                                    "tasks_from": "facts"},
                   "vars": {"kvm_host_read_preflight": read,
                            "kvm_host_require_hw_virt": False,
                            "kvm_host_require_same_cpu_model": False,
                            "kvm_host_require_time_sync": False,
                            "kvm_host_min_root_free_mb": 2}}],
    })
    library = tmp_path / "library"
    library.mkdir()
    (library / "stand_in_facts.py").write_text(STAND_IN_MODULE)
    playbook = tmp_path / "play.yml"
    playbook.write_text(yaml.safe_dump(plays, sort_keys=False))
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(yaml.safe_dump({"all": {"hosts": {"kvm-a": {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}))
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_NOCOLOR="1")
    env["ANSIBLE_LIBRARY"] = str(library)
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           "-i", str(inventory), str(playbook)],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def test_false_uses_the_fact_the_run_already_read(tmp_path):
    rc, out = _run(tmp_path, False, seed=True)
    assert rc != 0, out
    assert "kvm-a has 1 MB free on /" in out, out
    assert "skipping: [kvm-a]" in out, out


@pytest.mark.parametrize("read,seed", [(True, True), (False, False)])
def test_the_role_reads_them_itself_otherwise(tmp_path, read, seed):
    rc, out = _run(tmp_path, read, seed)
    assert rc == 0, out
    assert "has 1 MB free on /" not in out, out
