"""The KVM host's network as cloudstack.infra.kvm_host built it (host_vars of
hardware_lab-kvm in molecule.yml): bond0 of eth1+eth2 under cloudbr0 with the
management address, cloudbr1 on VLAN bond0.200, the storage NICs outside the
bond, the default route left on eth0."""

import re

testinfra_hosts = ["ansible://hardware_lab-kvm"]


def test_bond0_is_active_backup_of_eth1_and_eth2(root):
    bond = root.file("/proc/net/bonding/bond0").content_string
    assert "Bonding Mode: fault-tolerance (active-backup)" in bond
    assert re.findall(r"Slave Interface: (\S+)", bond) == ["eth1", "eth2"]


def test_addresses(root):
    addr = root.check_output("ip -o -4 addr show")
    assert re.search(r"cloudbr0\s+inet 172\.30\.64\.21/25", addr), addr
    assert re.search(r"eth3\s+inet 172\.30\.65\.21/24", addr), addr
    assert re.search(r"eth4\s+inet 172\.30\.66\.21/24", addr), addr
    assert not re.search(r"bond0\s+inet", addr), addr


def test_bridges_and_vlan(root):
    assert " bond0: " in root.check_output("ip -o link show master cloudbr0")
    assert " bond0.200@bond0: " in root.check_output("ip -o link show master cloudbr1")
    assert "vlan protocol 802.1Q id 200" in root.check_output("ip -d -o link show bond0.200")


def test_default_route_stays_on_eth0(root):
    route = root.check_output("ip -4 route show default")
    assert "dev eth0" in route
    assert "cloudbr0" not in route
