"""What a host has installed (cloudstack.infra.dpkg_facts) and what a role
still needs (filter cloudstack.infra.packages_missing): tables on the plain
Python, the module on a real dpkg status file and on this machine's, and the
filter through ansible-playbook."""
import sys

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import host_packages as HP
from playbook_run import run_play

STATUS = """Package: chrony
Status: install ok installed
Architecture: amd64
Version: 4.3-2+deb12u1
Description: time
 continuation line: Package: not-a-package

Package: logrotate
Status: deinstall ok config-files
Version: 3.21.0-1

Package: nftables
Status: hold ok installed
Version: 1.0.6-2

Package: libc6
Status: install ok installed
Architecture: amd64

Package: libc6
Status: install ok installed
Architecture: i386

Package: half
Status: install ok half-installed

Package: unpacked
Status: install ok unpacked
"""


def test_dpkg_status_installed_names():
    assert HP.installed_from_dpkg_status(STATUS) == ["chrony", "libc6", "nftables"]


@pytest.mark.parametrize("text", ["", None, "\n\n", "garbage without fields\n"])
def test_dpkg_status_empty(text):
    assert HP.installed_from_dpkg_status(text) == []


MISSING = [
    (["chrony", "logrotate"], ["chrony"], ["logrotate"]),
    (["chrony", "nftables"], ["chrony", "nftables"], []),
    ("chrony", ["chrony"], []),
    ("logrotate", ["chrony"], ["logrotate"]),
    # unknown: everything goes to apt
    (["chrony", "nftables"], None, ["chrony", "nftables"]),
    # not a plain name: apt decides (a pin, an architecture, a pattern, upper case)
    (["chrony=4.3-2"], ["chrony"], ["chrony=4.3-2"]),
    (["libc6:i386"], ["libc6"], ["libc6:i386"]),
    (["lib*"], ["libc6"], ["lib*"]),
    (["Chrony"], ["chrony"], ["Chrony"]),
    # order kept, duplicates once
    (["b", "a", "b"], [], ["b", "a"]),
    ([], ["chrony"], []),
    (None, ["chrony"], []),
    # a host's facts: their cloudstack_dpkg_installed; without it, unknown
    (["chrony", "x1"], {"cloudstack_dpkg_installed": ["chrony"], "os_family": "Debian"}, ["x1"]),
    (["chrony"], {"os_family": "Debian"}, ["chrony"]),
    (["chrony"], {"cloudstack_dpkg_installed": None}, ["chrony"]),
]


@pytest.mark.parametrize("names,installed,expected", MISSING)
def test_packages_missing(names, installed, expected):
    assert HP.packages_missing(names, installed) == expected


@pytest.mark.parametrize("names,installed,message", [
    ({"chrony": 1}, [], "must be a list of names"),
    (["chrony", 3], [], "each package must be a name"),
    (["chrony"], "chrony", "installed must be a list of package names, a host's facts or null"),
    (["chrony"], {"cloudstack_dpkg_installed": "chrony"}, "installed must be a list"),
])
def test_packages_missing_refuses_malformed_input(names, installed, message):
    with pytest.raises(HP.HostPackagesError, match=message):
        HP.packages_missing(names, installed)


def test_module_and_filter_through_ansible(tmp_path):
    status = tmp_path / "status"
    status.write_text(STATUS)
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": sys.executable},
             "tasks": [
                 {"name": "read", "cloudstack.infra.dpkg_facts": {"status_file": str(status)}, "check_mode": True},
                 {"name": "missing", "ansible.builtin.debug": {
                     "msg": "{{ ['chrony', 'logrotate', 'nftables'] | cloudstack.infra.packages_missing(ansible_facts) }}"}},
                 {"name": "no file", "cloudstack.infra.dpkg_facts": {"status_file": str(tmp_path / "none")}},
                 {"name": "unknown", "ansible.builtin.debug": {
                     "msg": "{{ ['chrony'] | cloudstack.infra.packages_missing(ansible_facts) }}"}},
                 {"name": "bad", "ansible.builtin.debug": {
                     "msg": "{{ [3] | cloudstack.infra.packages_missing([]) }}"}, "ignore_errors": True},
             ]}]
    rc, (read, missing, nofile, unknown, bad) = run_play(tmp_path, play, "localhost")
    assert rc == 0
    assert not read["changed"] and read["ansible_facts"]["cloudstack_dpkg_installed"] == ["chrony", "libc6", "nftables"]
    assert missing["msg"] == ["logrotate"]
    assert nofile["ansible_facts"]["cloudstack_dpkg_installed"] is None
    assert unknown["msg"] == ["chrony"]
    assert bad["failed"] and "each package must be a name" in bad["msg"]


def test_module_reads_this_machines_dpkg():
    """This controller is Debian: python3 and dpkg themselves are installed."""
    with open("/var/lib/dpkg/status", encoding="utf-8", errors="replace") as handle:
        names = HP.installed_from_dpkg_status(handle.read())
    assert {"dpkg", "base-files"} <= set(names)
