"""pytest-testinfra fixtures for molecule/hardware_lab's verify.

verify.yml runs these over molecule's inventory:
  pytest -q -p no:cacheprovider --hosts='ansible://all'
         --ansible-inventory="$MOLECULE_INVENTORY_FILE" molecule/hardware_lab/tests/
Each module names the hosts (or groups) it is about in testinfra_hosts.
testinfra itself lets --hosts win over testinfra_hosts; the hook below keeps,
of the --hosts parametrisation, only a module's own hosts (resolved through
the same inventory), so both ways of calling run each test where it belongs.
SSH: with molecule's ANSIBLE_CONFIG (control_path) testinfra reuses one
connection a host, as Ansible does.
"""

import time

import pytest
from testinfra.utils.ansible_runner import AnsibleRunner


def pytest_collection_modifyitems(config, items):
    inventory = config.getoption("ansible_inventory", None)
    runner = AnsibleRunner.get_runner(inventory)
    resolved = {}
    keep, drop = [], []
    for item in items:
        wanted = getattr(item.module, "testinfra_hosts", None)
        callspec = getattr(item, "callspec", None)
        if not wanted or callspec is None or "://" not in callspec.id:
            keep.append(item)
            continue
        key = tuple(wanted)
        if key not in resolved:
            resolved[key] = {h for spec in wanted for h in runner.get_hosts(spec.split("://", 1)[-1])}
        host = callspec.id.split("://", 1)[1]
        (keep if host in resolved[key] else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture
def root(host):
    """The host as root (the lab's VMs log Ansible in as root; through sudo
    otherwise)."""
    if host.user().name == "root":
        yield host
    else:
        with host.sudo():
            yield host


def wait_for(fn, timeout=60, delay=2):
    """Call fn until it returns a true value; return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(delay)
