"""State of the load-balancer pair (pytest-testinfra).

Run against the hosts of the pair, e.g. from a molecule verify:
  pytest -q -p no:cacheprovider --hosts='ansible://cloudstack_lb' \
      --ansible-inventory="$INVENTORY" --connection=ansible molecule/load_balancer/tests/
Everything topological is read from the inventory (cloudstack_lb_vip,
cloudstack_management_address, cloudstack_zones, cloudstack_mgmt_integration_api),
so another scenario can reuse the file. Environment:
  LOAD_BALANCER_VIP, LOAD_BALANCER_MGMT_CIDR   override the inventory's
  LOAD_BALANCER_SECRET_FILES  ':'-separated controller paths of secrets (the VRRP
      password, the TLS key) that must appear in no world-readable file of the
      LBs and in no journal line of haproxy and keepalived
"""
import ipaddress
import os

import pytest
import testinfra

HAPROXY_CFG = "/etc/haproxy/haproxy.cfg"
KEEPALIVED_CFG = "/etc/keepalived/keepalived.conf"
TLS_DIR = "/etc/haproxy/certs"
TLS_FILE = TLS_DIR + "/cloudstack.pem"
STATS_PORT = int(os.environ.get("LOAD_BALANCER_STATS_PORT", "8404"))
# where the role writes, and where a leak would be read
SCANNED_DIRS = ["/etc/haproxy", "/etc/keepalived", "/etc/sysctl.d", "/etc/default", "/var/log", "/tmp"]


def _vars(host):
    return host.ansible.get_variables()


def _vip(host):
    return os.environ.get("LOAD_BALANCER_VIP") or str(_vars(host)["cloudstack_lb_vip"])


def _address(host):
    return str(_vars(host)["cloudstack_management_address"])


def _cidr(host):
    if os.environ.get("LOAD_BALANCER_MGMT_CIDR"):
        return os.environ["LOAD_BALANCER_MGMT_CIDR"]
    vip = ipaddress.ip_address(_vip(host))
    for zone in _vars(host).get("cloudstack_zones") or []:
        cidr = ((zone.get("networks") or {}).get("management") or {}).get("cidr")
        if cidr and vip in ipaddress.ip_network(cidr, strict=False):
            return cidr
    raise AssertionError("no zone management network holds the VIP %s" % vip)


def _integration(host):
    return _vars(host).get("cloudstack_mgmt_integration_api") is True


def _secrets():
    values = []
    for path in filter(None, os.environ.get("LOAD_BALANCER_SECRET_FILES", "").split(":")):
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
        if "PRIVATE KEY" in text:
            # a line of the key's body identifies it
            values += [line for line in text.splitlines() if "-----" not in line][:1]
        else:
            values += [text, text[:8]]     # keepalived's auth_pass is the first 8
    return [v for v in values if v]


def _listening(host):
    """Local address:port of every TCP listener."""
    out = host.check_output("ss -Hltn")
    return {line.split()[3] for line in out.splitlines() if line.strip()}


def test_packages_installed(host):
    assert host.package("haproxy").is_installed
    assert host.package("keepalived").is_installed


@pytest.mark.parametrize("service", ["haproxy", "keepalived"])
def test_service_running_and_enabled(host, service):
    svc = host.service(service)
    assert svc.is_running
    assert svc.is_enabled


def test_haproxy_configuration_valid(host):
    cmd = host.run("haproxy -c -f %s", HAPROXY_CFG)
    assert cmd.rc == 0, cmd.stderr


def test_keepalived_configuration_valid(host):
    cmd = host.run("keepalived --config-test --use-file=%s", KEEPALIVED_CFG)
    assert cmd.rc == 0, cmd.stderr


def test_nonlocal_bind(host):
    assert host.sysctl("net.ipv4.ip_nonlocal_bind") == 1
    assert host.file("/etc/sysctl.d/60-cloudstack-load-balancer.conf").contains("net.ipv4.ip_nonlocal_bind")


def test_public_ports_on_the_vip(host):
    listening = _listening(host)
    vip = _vip(host)
    for port in (80, 443, 8250):
        assert "%s:%d" % (vip, port) in listening, listening
        assert "0.0.0.0:%d" % port not in listening and "*:%d" % port not in listening, listening


def test_integration_api_on_the_vip_only(host):
    listening = _listening(host)
    on_8096 = sorted(a for a in listening if a.endswith(":8096"))
    if _integration(host):
        assert on_8096 == ["%s:8096" % _vip(host)]
        cfg = host.file(HAPROXY_CFG).content_string
        assert "tcp-request connection reject if !{ src %s }" % _cidr(host) in cfg
    else:
        assert on_8096 == []


def test_stats_on_the_management_address_only(host):
    listening = _listening(host)
    on_stats = sorted(a for a in listening if a.endswith(":%d" % STATS_PORT))
    assert on_stats == ["%s:%d" % (_address(host), STATS_PORT)]


def test_health_check_and_stickiness_configured(host):
    cfg = host.file(HAPROXY_CFG).content_string
    assert "option httpchk GET /client/api?command=listCapabilities" in cfg
    assert "http-check expect rstatus ^(200|401)$" in cfg
    assert "cookie JSESSIONID prefix nocache" in cfg
    assert "balance source" in cfg


def test_file_modes(host):
    tls = host.file(TLS_FILE)
    assert (tls.user, tls.group, tls.mode) == ("root", "haproxy", 0o640)
    assert host.file(TLS_DIR).mode == 0o750
    keepalived = host.file(KEEPALIVED_CFG)
    assert (keepalived.user, keepalived.group, keepalived.mode) == ("root", "root", 0o600)
    assert host.file(HAPROXY_CFG).mode == 0o644
    assert "PRIVATE KEY" not in host.file(HAPROXY_CFG).content_string


def test_unicast_vrrp_with_the_peer(host):
    cfg = host.check_output("cat %s", KEEPALIVED_CFG)
    assert "unicast_src_ip %s" % _address(host) in cfg
    assert "auth_type PASS" in cfg
    assert "%s/" % _vip(host) in cfg


def test_no_secret_in_world_readable_files(host):
    secrets = _secrets()
    if not secrets:
        pytest.skip("LOAD_BALANCER_SECRET_FILES not set")
    found = host.check_output(
        "find %s -xdev -type f -perm -o=r -size -1M 2>/dev/null || true" % " ".join(SCANNED_DIRS))
    leaks = []
    for path in found.splitlines():
        content = host.file(path).content
        leaks += [path for s in secrets if s.encode() in content]
    assert leaks == []
    journal = host.check_output("journalctl --no-pager -o cat -u haproxy -u keepalived || true")
    assert not [s for s in secrets if s in journal]


def test_vip_on_exactly_one_lb(request):
    """Not per host: every host of --hosts, the VIP counted across the pair."""
    option = request.config.option
    hosts = testinfra.get_hosts(
        (option.hosts or "").split(","),
        ansible_inventory=option.ansible_inventory,
        connection=option.connection,
        force_ansible=option.force_ansible,
    )
    vip = _vip(hosts[0])
    holders = [h.backend.get_pytest_id() for h in hosts
               if vip in h.check_output("ip -4 -o addr show to %s", vip)]
    assert len(holders) == 1, holders
