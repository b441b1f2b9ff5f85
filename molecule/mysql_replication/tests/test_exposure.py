"""The database hosts' host firewall, read from the running kernel: one
policy-drop table whose MySQL and SSH rules name the planned sources only
(cloudstack.infra.exposure_plan: the management servers and the other
database hosts), the unit that reloads it enabled."""
import re

TABLE = "cloudstack_database"
# the scenario's model (molecule.yml): db1 and db3 carry management-server
# addresses; the router and the outsider are in no tier
DB = {"172.30.41.10", "172.30.41.11", "172.30.42.12"}
MGMT = {"172.30.41.10", "172.30.42.12"}
NOT_PLANNED = ("172.30.41.254", "172.30.41.99")
MGMT_NET = "172.30.40.0/21"


def _chain(host):
    out = host.run("nft list chain inet %s input" % TABLE)
    assert out.rc == 0, out.stderr
    return out.stdout


def _sources(chain, port):
    lines = [ln for ln in chain.splitlines() if re.search(r"dport %d\b" % port, ln) and "accept" in ln]
    assert lines, chain
    found = set()
    for line in lines:
        match = re.search(r"ip6? saddr (\{[^}]*\}|\S+)", line)
        assert match, "an accept of %d without a source: %s" % (port, line)
        found.update(s.strip() for s in match.group(1).strip("{} ").split(","))
    return found


def test_policy_drop(host):
    chain = _chain(host)
    assert "policy drop" in chain


def test_mysql_from_management_servers_and_database_hosts_only(host):
    me = host.ansible.get_variables()["cloudstack_management_address"]
    assert _sources(_chain(host), 3306) == MGMT | (DB - {me})


def test_ssh_from_admin_sources_only(host):
    """db2 is a database host only: SSH from the admin sources. db1 and db3
    also carry management-server addresses, so the management tier's SSH
    row (the management network, as management_plan admits it) is theirs too."""
    sources = _sources(_chain(host), 22)
    me = host.ansible.get_variables()["cloudstack_management_address"]
    if me in MGMT:
        assert sources == MGMT | {MGMT_NET}
    else:
        assert sources == MGMT
        assert not sources & set(NOT_PLANNED)


def test_unit_reloads_the_table(host):
    assert host.service("cloudstack-database-firewall.service").is_enabled
