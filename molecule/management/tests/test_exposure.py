"""The load balancers' host firewall, read from the running kernel
(cloudstack.infra.exposure_plan): policy drop; VRRP from the other load
balancer only; 80/443 from everyone; 8250 and 8096 from the management
network; statistics and SSH from the admin sources (the management servers)
and load_balancer_firewall_stats_sources (the router)."""
import re

TABLE = "cloudstack_lb"
LBS = {"management-lb1": "172.30.85.21", "management-lb2": "172.30.85.22"}
MGMT_NET = "172.30.85.0/24"
ADMIN = {"172.30.85.11", "172.30.85.12"}
ROUTER = "172.30.85.254"


def _chain(host):
    out = host.run("nft list chain inet %s input" % TABLE)
    assert out.rc == 0, out.stderr
    return out.stdout


def _accepts(chain, pattern):
    return [ln.strip() for ln in chain.splitlines() if re.search(pattern, ln) and ln.strip().endswith("accept")]


def _sources(line):
    match = re.search(r"ip6? saddr (\{[^}]*\}|\S+)", line)
    assert match, "an accept without a source: %s" % line
    return set(s.strip() for s in match.group(1).strip("{} ").split(","))


def _me(host):
    return host.backend.get_hostname()


def test_policy_drop(host):
    assert "policy drop" in _chain(host)


def test_vrrp_from_the_peer_only(host):
    peer = [a for n, a in LBS.items() if n != _me(host)]
    lines = _accepts(_chain(host), r"vrrp|l4proto 112|protocol 112")
    assert lines, _chain(host)
    assert set().union(*[_sources(ln) for ln in lines]) == set(peer)


def test_published_ports_from_everyone(host):
    lines = _accepts(_chain(host), r"dport \{ 80, 443 \}")
    assert lines and not any("saddr" in ln for ln in lines), _chain(host)


def test_agent_and_integration_from_the_management_network(host):
    for port in (8250, 8096):
        lines = _accepts(_chain(host), r"dport %d\b" % port)
        assert lines and set().union(*[_sources(ln) for ln in lines]) == {MGMT_NET}, (port, _chain(host))


def test_stats_and_ssh_from_the_admin_sources(host):
    stats = _accepts(_chain(host), r"dport 8404\b")
    ssh = _accepts(_chain(host), r"dport 22\b")
    assert set().union(*[_sources(ln) for ln in stats]) == ADMIN | {ROUTER}
    assert set().union(*[_sources(ln) for ln in ssh]) == ADMIN


def test_every_other_accept_names_a_source(host):
    for line in _accepts(_chain(host), r"dport|l4proto|protocol"):
        if "saddr" in line:
            continue
        assert re.search(r"dport \{ 80, 443 \}|l4proto \{ (icmp, ipv6-icmp|1, 58) \}|sport 67|sport 547", line), line
