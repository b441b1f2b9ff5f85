"""The storage tier's access controls as the roles left them: the iSCSI
target's host firewall (3260 only from the KVM host's addresses, SSH only from
cloudstack_host_allowed_sources), mutual CHAP on every ACL of the LUN's
target (checked without printing a secret), and the KVM host's node records
logging in with mutual CHAP (test_iscsi_chap.py)."""

import json
import re

IQN = "iqn.2025-01.lab.hardware-lab:ps2"
KVM_IQN = "iqn.2025-01.lab.hardware-lab:kvm"
KVM = ["172.30.64.21", "172.30.65.21", "172.30.66.21"]

testinfra_hosts = ["ansible://hardware_lab-storage"]


def test_iscsi_firewall_admits_the_initiator_only(root):
    assert root.service("cloudstack-iscsi-firewall").is_enabled
    nft = root.check_output("nft list table inet cloudstack_iscsi")
    initiators = re.search(r"set initiators4 \{.*?elements = \{(.*?)\}", nft, re.S).group(1)
    assert sorted(re.findall(r"[\d.]+(?:/\d+)?", initiators)) == sorted(KVM), nft
    assert re.search(r"ip saddr @initiators4 tcp dport 3260 accept", nft), nft
    assert re.search(r"tcp dport 3260 counter packets \d+ bytes \d+ drop", nft), nft
    admin = re.search(r"set admin4 \{.*?elements = \{(.*?)\}", nft, re.S).group(1)
    assert admin.split() == ["172.30.63.254"], nft
    assert re.search(r"tcp dport 22 counter packets \d+ bytes \d+ drop", nft), nft


def test_every_acl_has_mutual_chap_and_the_tpg_requires_it(root):
    saved = json.loads(root.check_output("cat /etc/rtslib-fb-target/saveconfig.json"))
    assert oct(root.file("/etc/rtslib-fb-target/saveconfig.json").mode) in ("0o600", "0o400")
    target = next(t for t in saved["targets"] if t["wwn"] == IQN)
    tpg = target["tpgs"][0]
    assert tpg["attributes"]["authentication"] == 1
    acls = tpg["node_acls"]
    assert [a["node_wwn"] for a in acls] == [KVM_IQN]
    for acl in acls:
        # users in the clear, secrets only checked for presence (never printed)
        assert acl.get("chap_userid") == acl["node_wwn"]
        assert acl.get("chap_mutual_userid") == IQN
        # booleans only: pytest would print the compared values
        secret = len(acl.get("chap_password") or "") >= 12
        mutual = len(acl.get("chap_mutual_password") or "") >= 12
        differ = acl.get("chap_password") != acl.get("chap_mutual_password")
        assert secret, "no CHAP secret on the ACL"
        assert mutual, "no mutual CHAP secret on the ACL"
        assert differ, "the same secret both ways"
