"""pytest-testinfra fixtures for molecule/hardware_lab's verify.

verify.yml runs these over molecule's inventory:
  pytest -q -p no:cacheprovider --hosts='ansible://all'
         --ansible-inventory="$MOLECULE_INVENTORY_FILE" molecule/hardware_lab/tests/
Each module names the hosts it is about (testinfra_hosts), so the same
--ansible-inventory serves all of them.
"""

import time

import pytest


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
