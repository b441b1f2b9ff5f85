"""State of the monitored hosts after converge (molecule/monitoring).

Run by verify.yml on the controller:
    pytest -q -p no:cacheprovider \
        --hosts='ansible://cloudstack_monitoring,ansible://cloudstack_management,ansible://cloudstack_kvm_hosts,ansible://cloudstack_db_primary' \
        --ansible-inventory="$MOLECULE_INVENTORY_FILE" molecule/monitoring/tests/

Behaviour (what Prometheus scrapes, who reaches the ports, the alerts) is
proven by verify.yml's tasks; these tests read the hosts' state only.
"""
import pytest

SERVERS = {"monitoring-mon1"}
KVM = {"monitoring-kvm1"}
DBS = {"monitoring-db1"}
TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"


def address(host):
    return host.ansible.get_variables()["cloudstack_management_address"]


def name(host):
    return host.ansible.get_variables()["inventory_hostname"]


def listeners(host):
    """(local address, port) of every TCP listener."""
    out = host.check_output("ss -Htln")
    result = set()
    for line in out.splitlines():
        local = line.split()[3]
        addr, port = local.rsplit(":", 1)
        result.add((addr.strip("[]"), int(port)))
    return result


def test_node_exporter_installed_enabled_running(host):
    assert host.package("prometheus-node-exporter").is_installed
    svc = host.service("prometheus-node-exporter")
    assert svc.is_enabled and svc.is_running


def test_node_exporter_listens_on_the_management_address_only(host):
    ports = {a for a, p in listeners(host) if p == 9100}
    assert ports == {address(host)}


def test_node_exporter_textfile_directory(host):
    args = host.file("/etc/default/prometheus-node-exporter").content_string
    assert "--collector.textfile.directory=%s" % TEXTFILE_DIR in args
    assert host.file(TEXTFILE_DIR).is_directory


def test_monitoring_table_loaded_and_persistent(host):
    with host.sudo():
        table = host.check_output("nft list table inet cloudstack_monitoring")
    assert "9100" in table and "drop" in table
    assert "172.30.95.10" in table          # mon1, the only monitoring source
    assert "172.30.95.50" not in table      # the outsider
    assert host.service("cloudstack-monitoring-firewall").is_enabled
    assert host.file("/etc/nftables.d/cloudstack_monitoring.nft").exists


def test_recommended_collectors_not_installed(host):
    assert not host.package("prometheus-node-exporter-collectors").is_installed


def test_libvirt_cert_metrics(host):
    prom = host.file(TEXTFILE_DIR + "/cloudstack_libvirt_cert.prom")
    if name(host) not in KVM:
        assert not prom.exists
        return
    assert host.service("cloudstack-libvirt-cert-metrics.timer").is_enabled
    assert 'cloudstack_libvirt_cert_not_after_seconds{path="/etc/pki/libvirt/servercert.pem"}' \
        in prom.content_string
    assert prom.mode == 0o644


def test_prometheus_and_alertmanager(host):
    if name(host) not in SERVERS:
        assert not host.package("prometheus").is_installed
        return
    for svc in ("prometheus", "prometheus-alertmanager"):
        assert host.service(svc).is_enabled and host.service(svc).is_running
    socks = listeners(host)
    assert {a for a, p in socks if p == 9090} == {address(host)}
    assert {a for a, p in socks if p == 9093} == {"127.0.0.1"}
    assert not {a for a, p in socks if p == 9094}, "Alertmanager clustering must be off"
    with host.sudo():
        host.check_output("promtool check config /etc/prometheus/prometheus.yml")
        host.check_output("amtool check-config /etc/prometheus/alertmanager.yml")
    rules = host.file("/etc/prometheus/rules/cloudstack.rules.yml").content_string
    for alert in ("CloudStackFilesystemLowSpace", "CloudStackHostDown", "CloudStackLibvirtCertExpiring"):
        assert alert in rules
    config = host.file("/etc/prometheus/prometheus.yml").content_string
    assert "127.0.0.1:9093" in config
    am = host.file("/etc/prometheus/alertmanager.yml")
    assert am.mode == 0o640 and am.group == "prometheus"
    assert "blackhole" in am.content_string


@pytest.mark.parametrize("pkg", ["prometheus", "prometheus-alertmanager"])
def test_server_packages_only_on_servers(host, pkg):
    assert host.package(pkg).is_installed == (name(host) in SERVERS)


def test_mysqld_exporter_only_on_database_hosts(host):
    pkg = host.package("prometheus-mysqld-exporter")
    if name(host) not in DBS:
        assert not pkg.is_installed
        assert not {a for a, p in listeners(host) if p == 9104}
        return
    assert pkg.is_installed
    svc = host.service("prometheus-mysqld-exporter")
    assert svc.is_enabled and svc.is_running


def test_mysqld_exporter_listens_on_the_management_address_only(host):
    if name(host) not in DBS:
        pytest.skip("not a database host")
    assert {a for a, p in listeners(host) if p == 9104} == {address(host)}
    dropin = host.file(
        "/etc/systemd/system/prometheus-mysqld-exporter.service.d/cloudstack.conf").content_string
    assert 'Environment="DATA_SOURCE_NAME=prometheus@unix(/run/mysqld/mysqld.sock)/"' in dropin
    assert "--web.listen-address=%s:9104" % address(host) in dropin
    with host.sudo():
        table = host.check_output("nft list table inet cloudstack_monitoring")
    assert "9104" in table


def test_mysqld_exporter_account_unix_socket_no_password(host):
    if name(host) not in DBS:
        pytest.skip("not a database host")
    with host.sudo():
        rows = host.check_output(
            "mysql -NB -e \"SELECT host, plugin, authentication_string FROM mysql.user"
            " WHERE user = 'prometheus'\"")
        grants = host.check_output("mysql -NB -e \"SHOW GRANTS FOR 'prometheus'@'localhost'\"")
    fields = [line.split("\t") for line in rows.splitlines()]
    assert len(fields) == 1, rows
    assert fields[0][0] == "localhost" and fields[0][1] == "unix_socket"
    assert len(fields[0]) < 3 or fields[0][2] == "", "the account must have no password"
    assert "IDENTIFIED BY PASSWORD" not in grants
    for priv in ("PROCESS", "BINLOG MONITOR", "SLAVE MONITOR"):
        assert priv in grants
