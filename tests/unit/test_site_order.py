"""site.yml as operators run it: the tiers in order, each tagged, and the
KVM hosts in batches that stop at the first failed batch.

The order and the tags are read from site.yml and the playbooks it imports
(statically, as Ansible resolves import_playbook). The batches are run for
real: ansible-playbook playbooks/hypervisors.yml on five KVM hosts that are
this machine over the local connection, each with a value kvm_host's
argument spec refuses (a bool that is not one), so the role fails on its first task (argument
validation) wherever it starts and nothing is changed; the test counts the
hosts the role was started on.
"""
import os
import re
import subprocess
import sys

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# The order the issue and docs say: one tag per tier.
TIERS = ["validate", "firewall", "hygiene", "database", "storage", "management",
         "load_balancer", "hypervisors", "cloud", "monitoring"]


def _plays(path):
    """(play, file) in run order, import_playbook resolved."""
    out = []
    for entry in yaml.safe_load(open(path)):
        if "ansible.builtin.import_playbook" in entry:
            child = os.path.join(os.path.dirname(path), entry["ansible.builtin.import_playbook"])
            out += _plays(os.path.normpath(child))
        else:
            out.append((entry, os.path.relpath(path, ROOT)))
    return out


def _tier(play):
    tags = play.get("tags") or []
    tiers = [t for t in tags if t in TIERS]
    return tiers


def test_every_play_carries_a_tier_tag():
    for play, path in _plays(os.path.join(ROOT, "site.yml")):
        assert _tier(play), "%s: play %r has no tier tag (one of %s)" % (path, play["name"], TIERS)


def test_tiers_run_in_order():
    seen = []
    for play, _path in _plays(os.path.join(ROOT, "site.yml")):
        # a controller-only validation play of a tier may carry two adjacent
        # tiers (management + load_balancer); its first one places it
        tier = min(_tier(play), key=TIERS.index)
        if not seen or seen[-1] != tier:
            seen.append(tier)
    assert seen == TIERS


def test_validation_runs_whatever_the_tags():
    first, _path = _plays(os.path.join(ROOT, "site.yml"))[0]
    assert "always" in first["tags"] and first["hosts"] == "localhost"
    assert first.get("gather_facts") is False


def test_hypervisor_plays_are_batched_and_stop_on_failure():
    plays = {p["name"]: p for p, _path in _plays(os.path.join(ROOT, "playbooks", "hypervisors.yml"))}
    kvm = plays["KVM hosts, in batches"]
    assert "cloudstack_hypervisor_serial" in kvm["serial"]
    assert "cloudstack_hypervisor_max_fail_percentage" in str(kvm["max_fail_percentage"])
    xen = plays["XenServer hosts, one at a time"]
    assert xen["serial"] == 1 and xen["max_fail_percentage"] == 0


HOSTS = ["kvm-a", "kvm-b", "kvm-c", "kvm-d", "kvm-e"]


@pytest.fixture(name="batch_inventory")
def fixture_batch_inventory(tmp_path):
    hosts = {h: {"ansible_connection": "local", "ansible_become": False,
                 "ansible_python_interpreter": sys.executable,
                 # refused by kvm_host's argument spec (a bool)
                 "kvm_host_install_cloudstack_agent": "perhaps"} for h in HOSTS}
    inv = {"all": {"children": {"cloudstack_kvm_hosts": {"hosts": hosts}}}}
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump(inv))
    return str(path)


def _hypervisors_playbook(inventory, *extra):
    """ansible-playbook playbooks/hypervisors.yml on the inventory: (rc, output)."""
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.default", ANSIBLE_NOCOLOR="1")
    env.pop("ANSIBLE_CALLBACKS_ENABLED", None)
    proc = subprocess.run([os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
                           "-i", inventory, "playbooks/hypervisors.yml", *extra],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def _started(inventory, *extra):
    rc, out = _hypervisors_playbook(inventory, *extra)
    assert rc != 0, out
    # every host reads its facts (the read-only play over all hosts) ...
    assert out.count("Read CPU, time and root filesystem facts") == 1, out
    for host in HOSTS:
        assert re.search(r"ok: \[%s\]" % host, out), out
    # ... and the role is started only on the hosts of the batches that ran
    started = re.findall(r"fatal: \[([a-z-]+)\]", out)
    assert out.count("kvm_host_install_cloudstack_agent") >= len(started), out
    return sorted(started)


@pytest.mark.parametrize("extra,expected", [
    # default: 20% of 5 hosts = batches of 1; the first fails, the run stops
    ((), HOSTS[:1]),
    (("-e", "cloudstack_hypervisor_serial=3"), HOSTS[:3]),
    # a whole failed batch always stops the run, whatever the percentage
    (("-e", "cloudstack_hypervisor_serial=2", "-e", "cloudstack_hypervisor_max_fail_percentage=100"), HOSTS[:2]),
    (("-e", "cloudstack_hypervisor_serial=5"), HOSTS),
])
def test_batches_stop_before_the_next_hosts(batch_inventory, extra, expected):
    assert _started(batch_inventory, *extra) == expected


@pytest.mark.parametrize("extra,named", [
    (("-e", "cloudstack_hypervisor_serial=abc"), "'abc'"),
    (("-e", "cloudstack_hypervisor_serial=0"), "'0'"),
    (("-e", "cloudstack_hypervisor_serial=-2"), "'-2'"),
    (("-e", "cloudstack_hypervisor_serial=150%"), "'150%'"),
    (("-e", '{"cloudstack_hypervisor_serial": [1, 2]}'), "'[1, 2]'"),
    (("-e", "cloudstack_hypervisor_max_fail_percentage=lots"), "'lots'"),
    (("-e", "cloudstack_hypervisor_max_fail_percentage=101"), "'101'"),
    (("-e", '{"cloudstack_hypervisor_max_fail_percentage": 2.5}'), "'2.5'"),
])
def test_bad_batch_settings_are_refused_before_any_host(batch_inventory, extra, named):
    rc, out = _hypervisors_playbook(batch_inventory, *extra)
    assert rc != 0, out
    assert named in out and "fix the extra var" in out, out
    # refused on the controller: no KVM host was contacted
    for host in HOSTS:
        assert "[%s]" % host not in out, out
