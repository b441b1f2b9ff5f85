"""State of a KVM host with plain TCP libvirt (molecule/kvm_host, kvm1).

Run by verify_libvirt_tcp.yml on the controller:
    pytest -q -p no:cacheprovider --hosts=ansible://cloudstack_kvm_hosts \
        --ansible-inventory="$MOLECULE_INVENTORY_FILE" --connection=ansible \
        molecule/kvm_host/tests/test_libvirt_tcp.py

Who gets in is proven by verify_libvirt_tcp.yml's tasks (a cluster peer and
the management server do, a host outside the cluster does not); these tests
read the host's state only.
"""

MGMT1 = "172.30.61.10"          # the management server
KVM2 = "172.30.61.22"           # kvm1's cluster peer
NEIGHBOUR = "172.30.61.30"      # an allowed source outside the cluster


def address(host):
    return host.ansible.get_variables()["cloudstack_management_address"]


def listeners(host, port):
    """Local addresses of the TCP listeners on a port."""
    out = host.check_output("ss -Htln")
    result = set()
    for line in out.splitlines():
        local = line.split()[3]
        addr, p = local.rsplit(":", 1)
        if int(p) == port:
            result.add(addr.strip("[]"))
    return result


def test_plain_tcp_listens_on_the_management_address_only(host):
    assert listeners(host, 16509) == {address(host)}


def test_tls_listens_on_the_management_address_only(host):
    assert listeners(host, 16514) == {address(host)}


def test_libvirtd_conf_binds_the_management_address(host):
    conf = host.file("/etc/libvirt/libvirtd.conf").content_string.splitlines()
    assert 'listen_addr = "%s"' % address(host) in conf
    assert "listen_tcp = 1" in conf


def test_libvirt_ports_admit_the_cluster_and_management_servers_only(host):
    with host.sudo():
        table = host.check_output("nft list table inet cloudstack_host")
    lines = [line.strip() for line in table.splitlines()]
    start = lines.index("set libvirt_v4 {")
    elements = " ".join(lines[start:lines.index("}", start)])    # the set's block
    assert MGMT1 in elements and KVM2 in elements
    assert NEIGHBOUR not in elements
    libvirt_rules = [line for line in lines if "16509" in line or "16514" in line]
    assert libvirt_rules and all("@libvirt_v4" in line for line in libvirt_rules)


def test_firewall_loads_before_libvirt_listens(host):
    before = host.check_output(
        "systemctl show -p Before --value cloudstack-host-firewall.service").split()
    for unit in ("libvirtd.service", "libvirtd-tcp.socket", "libvirtd-tls.socket"):
        assert unit in before
