"""The NFS/iSCSI server as playbooks/storage.yml left it: the NFS daemons on
their fixed ports, the exports to the hypervisor host's addresses (management
172.30.64.21, storage 172.30.65.21 and 172.30.66.21) and, for secondary
storage, the pod's system range (172.30.64.96-126, the upper quarter of the
management network 172.30.64.0/25) only - never a whole network; the host
firewall's client set, the iSCSI portals on the storage addresses only."""

import re

testinfra_hosts = ["ansible://cloudstack_nfs"]

KVM = ["172.30.64.21", "172.30.65.21", "172.30.66.21"]
SYSTEM_RANGE = ["172.30.64.96/28", "172.30.64.112/29", "172.30.64.120/30", "172.30.64.124/31", "172.30.64.126/32"]


def exports(root):
    """exportfs -v as {path: {client: options}} (a long path puts the client
    on the next line)."""
    text = re.sub(r"\n\s+", " ", root.check_output("exportfs -v"))
    table = {}
    for line in text.splitlines():
        path, *clients = line.split()
        for c in clients:
            m = re.fullmatch(r"(\S+?)\((.*)\)", c)
            assert m, line
            table.setdefault(path, {})[m.group(1)] = m.group(2).split(",")
    return table


def test_services(root):
    for unit in ("nfs-server", "cloudstack-nfs-firewall"):
        assert root.service(unit).is_enabled, unit
    assert root.service("nfs-server").is_running
    # rpcbind is not enabled itself: nfs-server pulls it in
    assert root.service("rpcbind").is_running


def test_rpcinfo_fixed_ports(root):
    """status 662, mountd 892, nlockmgr 32803/tcp 32769/udp, nfs 2049."""
    rpc = root.check_output("rpcinfo -p")
    for proto, port, prog in [("tcp", 662, "status"), ("tcp", 892, "mountd"),
                              ("udp", 892, "mountd"), ("tcp", 32803, "nlockmgr"),
                              ("udp", 32769, "nlockmgr"), ("tcp", 2049, "nfs")]:
        assert re.search(rf"\s+{proto}\s+{port}\s+{prog}", rpc), (proto, port, prog, rpc)


def test_nfsd_listens(root):
    assert root.socket("tcp://0.0.0.0:2049").is_listening


def test_exports_to_the_hypervisor_host_and_the_system_range_only(root):
    table = exports(root)
    assert set(table) == {"/export/primary", "/export/secondary"}, table
    primary = table["/export/primary"]
    assert sorted(primary) == sorted(KVM), primary
    assert {"async", "no_subtree_check", "rw", "no_root_squash"} <= set(primary["172.30.64.21"])
    # secondary: the SSVM's range too (no management server in the lab)
    assert sorted(table["/export/secondary"]) == sorted(KVM + SYSTEM_RANGE), table["/export/secondary"]
    assert "async" in table["/export/secondary"]["172.30.65.21"]


def test_firewall_lets_only_the_export_clients_reach_the_nfs_ports(root):
    nft = root.check_output("nft list table inet cloudstack_nfs")
    clients = re.search(r"set clients4 \{.*?elements = \{(.*?)\}", nft, re.S).group(1)
    for client in KVM + ["172.30.64.96/28", "172.30.64.126"]:  # nft lists a /32 as the address
        assert re.search(rf"(^|[\s,]){re.escape(client)}([\s,]|$)", clients), (client, nft)
    assert "/25" not in clients and "/24" not in clients, nft
    assert re.search(r"tcp dport \{ 111, 662, 875, 892, 2049, 32803 \} counter packets \d+ bytes \d+ drop", nft), nft


def test_iscsi_portals_on_the_storage_addresses_only(root):
    listen = root.check_output("ss -Htln sport = :3260")
    local = sorted(line.split()[3] for line in listen.splitlines())
    assert local == ["172.30.65.10:3260", "172.30.66.10:3260"], listen


def test_export_is_the_120_gb_disk(root):
    export = root.mount_point("/export")
    assert export.exists
    assert export.device == "/dev/vdb"
    assert export.filesystem == "ext4"
