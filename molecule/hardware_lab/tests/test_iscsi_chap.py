"""The KVM host's node records of the LUN's target: mutual CHAP (its user the
initiator IQN, the target answering as its IQN), the secrets set but never
shown (iscsiadm masks them without -S); iscsid.conf, which holds them, is
root's only."""

import re

testinfra_hosts = ["ansible://hardware_lab-kvm"]

IQN = "iqn.2025-01.lab.hardware-lab:ps2"
KVM_IQN = "iqn.2025-01.lab.hardware-lab:kvm"
PORTALS = ["172.30.65.10:3260", "172.30.66.10:3260"]


def test_node_records_log_in_with_mutual_chap(root):
    assert oct(root.file("/etc/iscsi/iscsid.conf").mode) == "0o600"
    for portal in PORTALS:
        rec = root.check_output(f"iscsiadm -m node -T {IQN} -p {portal}")
        assert re.search(r"(?m)^node\.session\.auth\.authmethod = CHAP$", rec), rec
        assert re.search(rf"(?m)^node\.session\.auth\.username = {re.escape(KVM_IQN)}$", rec), rec
        assert re.search(rf"(?m)^node\.session\.auth\.username_in = {re.escape(IQN)}$", rec), rec
        # without -S iscsiadm masks the secrets: set, not shown
        assert re.search(r"(?m)^node\.session\.auth\.password = \*+$", rec), rec
        assert re.search(r"(?m)^node\.session\.auth\.password_in = \*+$", rec), rec
