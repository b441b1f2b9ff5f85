"""The KVM host as the iSCSI initiator of hwlab-ps2 (kvm_host logs in on both
portals, multipath): discovery on each portal offers the target there (no
0.0.0.0 portal), one session a portal, two SCSI disks with one WWN and one
serial, one multipath map over both, both paths active."""

import re

from conftest import wait_for

testinfra_hosts = ["ansible://hardware_lab-kvm"]

IQN = "iqn.2025-01.lab.hardware-lab:ps2"
PORTALS = ["172.30.65.10", "172.30.66.10"]
PATH_RE = r"\d+:\d+:\d+:\d+ sd[a-z]+ +\d+:\d+ +"


def test_discovery_on_each_portal(root):
    found = []
    for portal in PORTALS:
        # nonpersistent: the node records kvm_host wrote stay as they are
        out = root.check_output(f"iscsiadm -m discovery -t sendtargets -p {portal} -o nonpersistent")
        assert re.search(rf"^{re.escape(portal)}:3260,1 {re.escape(IQN)}$", out, re.M), out
        found.append(out)
    assert "0.0.0.0" not in "\n".join(found)


def test_one_session_a_portal(root):
    sessions = root.check_output("iscsiadm -m session").splitlines()
    ours = [s for s in sessions if IQN in s]
    assert len(ours) == 2, sessions
    for portal in PORTALS:
        assert any(re.search(rf"{re.escape(portal)}:3260,\d+ {re.escape(IQN)}", s) for s in ours), sessions


def test_two_disks_one_lun(root):
    lsblk = root.check_output("lsblk -d -n -o NAME,TRAN,WWN,SERIAL,SIZE").splitlines()
    disks = [line.split() for line in lsblk if re.search(r"\siscsi\s", line)]
    assert len(disks) == 2, lsblk
    assert len({d[2] for d in disks}) == 1, lsblk     # one WWN
    assert len({d[3] for d in disks}) == 1, lsblk     # one serial


def test_one_multipath_map_two_active_paths(root):
    def read():
        out = root.check_output("multipath -ll")
        return out if len(re.findall(PATH_RE + r"active +ready +running", out)) == 2 else None

    mp = wait_for(read, timeout=60)
    assert mp, root.check_output("multipath -ll")
    assert len(re.findall(r"(?m)^\S+ \(\w+\) dm-\d+", mp)) == 1, mp
    assert "LIO-ORG" in mp
