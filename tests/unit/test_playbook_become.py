"""Every play of playbooks/*.yml and site.yml states `become`, the same way.

The rule (docs/firewall.md, "become"): a play on the controller (`connection:
local`, or `hosts: localhost`) states `become: false`; a play on managed hosts
states `become: true` at play level (the roles need root there). Tasks that
run on the controller from such a play (`delegate_to: localhost`: CloudStack
API calls, the lab CA) state `become: false`, so that they never run sudo on
the controller (an AWX execution environment has none). An import_playbook
entry carries no keyword: the imported file is checked itself.
"""
import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = sorted(glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))) + [os.path.join(ROOT, "site.yml")]
TASK_FILES = sorted(glob.glob(os.path.join(ROOT, "roles", "*", "tasks", "*.yml"))
                    + glob.glob(os.path.join(ROOT, "roles", "*", "handlers", "*.yml"))
                    + glob.glob(os.path.join(ROOT, "playbooks", "tasks", "*.yml")))
IMPORTS = ("import_playbook", "ansible.builtin.import_playbook")
CONTROLLER_HOSTS = ("localhost", "127.0.0.1")
TASK_LISTS = ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always")


class PlaybookLoader(yaml.SafeLoader):  # pylint: disable=too-many-ancestors
    """SafeLoader that reads Ansible's !unsafe tag as a plain string."""


PlaybookLoader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def load(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=PlaybookLoader) or []  # nosec: SafeLoader subclass


def play_kind(play):
    """'controller' or 'hosts'."""
    if play.get("connection") == "local" or str(play.get("hosts", "")).strip() in CONTROLLER_HOSTS:
        return "controller"
    return "hosts"


def become_problems(plays, where):
    """The plays that do not state become, or state it against their kind."""
    problems = []
    for index, play in enumerate(plays):
        if not isinstance(play, dict) or any(key in play for key in IMPORTS):
            continue
        name = "%s play %d (%s)" % (where, index + 1, play.get("name", play.get("hosts")))
        want = play_kind(play) == "hosts"
        if "become" not in play:
            problems.append("%s: no `become:`; state `become: %s`" % (name, str(want).lower()))
        elif play["become"] is not want:
            problems.append("%s: `become: %r` on a %s play; state `become: %s`"
                            % (name, play["become"], play_kind(play), str(want).lower()))
    return problems


def walk_tasks(tasks):
    for task in tasks or []:
        if not isinstance(task, dict):
            continue
        yield task
        for key in TASK_LISTS:
            if isinstance(task.get(key), list):
                yield from walk_tasks(task[key])


def delegated_problems(tasks, where):
    """Tasks delegated to the controller that do not state `become: false`."""
    problems = []
    for task in walk_tasks(tasks):
        if str(task.get("delegate_to", "")).strip() in CONTROLLER_HOSTS and task.get("become") is not False:
            problems.append("%s: task %r runs on the controller (delegate_to: %s) without `become: false`"
                            % (where, task.get("name"), task["delegate_to"]))
    return problems


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: os.path.relpath(p, ROOT))
def test_every_play_states_become_by_its_kind(path):
    assert become_problems(load(path), os.path.relpath(path, ROOT)) == []


@pytest.mark.parametrize("path", PLAYBOOKS, ids=lambda p: os.path.relpath(p, ROOT))
def test_playbook_tasks_on_the_controller_do_not_become(path):
    problems = []
    for play in load(path):
        if isinstance(play, dict) and play_kind(play) == "hosts":
            for key in TASK_LISTS[:4]:
                problems += delegated_problems(play.get(key), os.path.relpath(path, ROOT))
    assert problems == []


@pytest.mark.parametrize("path", TASK_FILES, ids=lambda p: os.path.relpath(p, ROOT))
def test_role_tasks_on_the_controller_do_not_become(path):
    assert delegated_problems(load(path), os.path.relpath(path, ROOT)) == []


def test_the_guard_reads_the_connection_without_become():
    """host_firewall reads SSH_CONNECTION with become off (keyword and variable)."""
    tasks = load(os.path.join(ROOT, "roles", "host_firewall", "tasks", "guard.yml"))
    read = [t for t in tasks if "SSH_CONNECTION" in str(t.get("ansible.builtin.command", ""))]
    assert len(read) == 1
    assert read[0]["become"] is False and read[0]["vars"]["ansible_become"] is False


@pytest.mark.parametrize("plays, problems", [
    ([{"hosts": "cloudstack_kvm_hosts", "become": True}], 0),
    ([{"hosts": "localhost", "connection": "local", "become": False}], 0),
    ([{"hosts": "cloudstack_kvm_hosts"}], 1),                      # unstated
    ([{"hosts": "cloudstack_kvm_hosts", "become": False}], 1),     # a host play without root
    ([{"hosts": "localhost", "become": True}], 1),                 # sudo on the controller
    ([{"hosts": "all", "connection": "local", "become": "yes"}], 1),
    ([{"ansible.builtin.import_playbook": "playbooks/x.yml"}], 0),
])
def test_the_rule_itself(plays, problems):
    assert len(become_problems(plays, "t")) == problems
