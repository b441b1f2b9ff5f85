"""Unit tests of plugins/module_utils/database_plan.py (plain Python).

The planner takes the topology model and refuses nothing: the tier's
refusals (the old DB101..DB105) are engine rules, and the same tables check
that the engine refuses them with their CS id."""
import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import database_plan as dp
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T

from test_topology_rules import base

GOOD_SECRETS = {
    "cloudstack_db_password": "s3cret-cloud-Pw",
    "cloudstack_db_root_password": "s3cret-root-Pw",
    "cloudstack_db_replication_password": "s3cret-repl-Pw",
}
DB_RULES = ["CS110", "CS303", "CS401", "CS402", "CS403", "CS404", "CS405", "CS406", "CS407", "CS408", "CS504"]


def inventory(primary=("db1",), replicas=("db2", "db3"), management=("mgmt1",), **overrides):
    groups = {
        "cloudstack_db_primary": list(primary),
        "cloudstack_db_replicas": list(replicas),
        "cloudstack_management": list(management),
    }
    hostvars = {
        "db1": {"cloudstack_management_address": "172.30.41.10", "cloudstack_site": "dc1"},
        "db2": {"cloudstack_management_address": "172.30.41.11", "cloudstack_site": "dc1"},
        "db3": {"cloudstack_management_address": "172.30.42.12", "cloudstack_site": "dc2"},
        "mgmt1": {"cloudstack_management_address": "172.30.41.20", "cloudstack_site": "dc1"},
        "mgmt2": {"cloudstack_management_address": "172.30.41.21", "cloudstack_site": "dc1"},
    }
    for host, values in overrides.items():
        hostvars.setdefault(host, {}).update(values)
    for host in list(hostvars):
        hostvars[host] = dict((k, v) for k, v in hostvars[host].items() if v is not None)
    return groups, hostvars


def G(**extra):
    # the zones of the engine's base inventory: the shape passes (CS001);
    # their own rules are not the tier's
    out = {"cloudstack_sites": [{"name": "dc1"}, {"name": "dc2"}],
           "cloudstack_zones": base()[2]["cloudstack_zones"],
           "cloudstack_mgmt_lb_external": True, "cloudstack_lb_vip": "172.30.41.5"}
    out.update(GOOD_SECRETS)
    out.update(extra)
    return out


def plan(groups, hostvars, **global_vars):
    return dp.plan_database(T.build_model(groups, hostvars, G(**global_vars))[1])


def ids(groups, hostvars, **global_vars):
    """The engine's findings among the database tier's rules."""
    report = T.run_rules(groups, hostvars, G(**global_vars), DB_RULES)
    return sorted(v.rule for v in report.violations if v.severity == "error")


def messages(groups, hostvars, **global_vars):
    report = T.run_rules(groups, hostvars, G(**global_vars), DB_RULES)
    return [v.message for v in report.violations]


def test_good_inventory_has_no_error_and_derives_values():
    groups, hostvars = inventory(management=("mgmt1", "mgmt2"))
    assert ids(groups, hostvars, cloudstack_db_dr=True) == []
    result = plan(groups, hostvars, cloudstack_db_dr=True)
    assert result["primary"] == "db1"
    assert result["replicas"] == ["db2", "db3"]
    assert result["max_connections"] == 700
    assert result["server_ids"]["db1"] == (172 << 24) + (30 << 16) + (41 << 8) + 10
    assert len(set(result["server_ids"].values())) == 3
    assert result["management_addresses"] == ["172.30.41.20", "172.30.41.21"]
    assert result["db_addresses"] == ["172.30.41.10", "172.30.41.11", "172.30.42.12"]
    assert result["sites"]["db3"] == "dc2"


def test_server_id_is_stable_when_a_replica_is_added():
    groups, hostvars = inventory(replicas=("db2",))
    before = plan(groups, hostvars)["server_ids"]
    groups, hostvars = inventory(replicas=("db2", "db3"))
    after = plan(groups, hostvars)["server_ids"]
    assert before["db1"] == after["db1"] and before["db2"] == after["db2"]


def test_explicit_server_id_wins():
    groups, hostvars = inventory(db2={"database_server_id": 7}, db3={"cloudstack_db_server_id": "8"})
    assert ids(groups, hostvars) == []
    assert plan(groups, hostvars)["server_ids"]["db2"] == 7
    assert plan(groups, hostvars)["server_ids"]["db3"] == 8


def test_two_primaries():
    groups, hostvars = inventory(primary=("db1", "db2"), replicas=("db3",))
    assert ids(groups, hostvars) == ["CS402"]
    assert any("db1" in m and "db2" in m for m in messages(groups, hostvars))


def test_replica_without_primary():
    groups, hostvars = inventory(primary=())
    assert ids(groups, hostvars) == ["CS402"]


def test_host_in_both_groups():
    # was DB101
    groups, hostvars = inventory(replicas=("db1", "db2"))
    assert "CS405" in ids(groups, hostvars)


def test_duplicate_explicit_server_id():
    # was DB104
    groups, hostvars = inventory(db2={"database_server_id": 7}, db3={"database_server_id": 7})
    assert ids(groups, hostvars) == ["CS408"]
    assert any("db2 and db3" in m and "server id 7" in m for m in messages(groups, hostvars))


def test_explicit_id_colliding_with_derived_id():
    derived = dp.server_id_from_address("172.30.41.10")
    groups, hostvars = inventory(db2={"database_server_id": derived})
    assert ids(groups, hostvars) == ["CS408"]


@pytest.mark.parametrize("bad", [0, -1, "x", 2 ** 32, True])
def test_invalid_server_id(bad):
    # was DB103
    groups, hostvars = inventory(db2={"database_server_id": bad})
    assert ids(groups, hostvars) == ["CS407"]


def test_shared_address_is_refused():
    # was DB104 + DB105
    groups, hostvars = inventory(db3={"cloudstack_management_address": "172.30.41.11"})
    assert ids(groups, hostvars) == ["CS303", "CS408"]


def test_missing_address():
    # was DB102
    groups, hostvars = inventory(db2={"cloudstack_management_address": None})
    assert ids(groups, hostvars) == ["CS406"]


def test_ipv6_address_needs_explicit_id():
    groups, hostvars = inventory(db3={"cloudstack_management_address": "fd00::12"})
    assert ids(groups, hostvars) == ["CS407"]
    groups, hostvars = inventory(db3={"cloudstack_management_address": "fd00::12",
                                      "database_server_id": 12})
    assert ids(groups, hostvars) == []
    assert plan(groups, hostvars)["server_ids"]["db3"] == 12


@pytest.mark.parametrize("weak", ["password", "cloud", "changeme", "root", "  Password "])
def test_default_password_refused_without_echoing_it(weak):
    groups, hostvars = inventory()
    assert ids(groups, hostvars, cloudstack_db_replication_password=weak) == ["CS504"]
    for line in messages(groups, hostvars, cloudstack_db_replication_password=weak):
        assert "s3cret" not in line


def test_max_connections():
    groups, hostvars = inventory(management=("mgmt1", "mgmt2"))
    assert plan(groups, hostvars, cloudstack_db_max_connections=1000)["max_connections"] == 1000
    assert ids(groups, hostvars, cloudstack_db_max_connections=500) == ["CS404"]


def test_no_management_server():
    groups, hostvars = inventory(management=())
    assert "CS401" in ids(groups, hostvars)
    assert plan(groups, hostvars)["max_connections"] == 350


def test_dr_requires_replica_at_other_site():
    groups, hostvars = inventory(replicas=("db2",))
    assert ids(groups, hostvars, cloudstack_db_dr=True) == ["CS403"]
    assert ids(groups, hostvars, cloudstack_db_dr=False) == []


def test_all_errors_reported_in_one_run():
    groups, hostvars = inventory(primary=("db1", "db2"), replicas=("db3",),
                                 db1={"database_server_id": 5}, db3={"database_server_id": 5})
    assert ids(groups, hostvars, cloudstack_db_password="cloud") == ["CS402", "CS408", "CS504"]


@pytest.mark.parametrize("version,word", [("4.15", "slaves"), ("4.15.2.0", "slaves"),
                                          ("4.16", "replicas"), ("4.20", "replicas"),
                                          ("4.9", "slaves"), ("5.0", "replicas")])
def test_replicas_key_by_version(version, word):
    assert dp.replicas_key(version) == word


def test_render_db_properties():
    props = dict(dp.render_db_properties("4.20", "172.30.41.11", ["172.30.42.12"]))
    assert props == {
        "db.cloud.host": "172.30.41.11",
        "db.usage.host": "172.30.41.11",
        "db.ha.enabled": "true",
        "db.cloud.replicas": "172.30.42.12",
        "db.usage.replicas": "172.30.42.12",
    }
    old = dict(dp.render_db_properties("4.11", "10.0.0.1", []))
    assert old["db.ha.enabled"] == "false" and "db.cloud.slaves" in old


def test_bad_version():
    with pytest.raises(ValueError):
        dp.replicas_key("four")


def test_parse_gtid_pos():
    assert dp.parse_gtid_pos("0-1-100,1-2-5") == {0: 100, 1: 5}
    assert dp.parse_gtid_pos("") == {}
    with pytest.raises(ValueError):
        dp.parse_gtid_pos("0-1")


def test_gtid_missing():
    assert dp.gtid_missing("0-1-100", "0-1-100") == []
    assert dp.gtid_missing("0-1-101", "0-1-100") == []
    assert dp.gtid_missing("0-1-99", "0-1-100") == ["domain 0: target has seq 99, other has seq 100"]
    assert dp.gtid_missing("0-1-100", "0-1-100,1-3-2") == ["domain 1: target has seq 0, other has seq 2"]


def test_constants_come_from_topology_data():
    from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data
    assert dp.CONNECTIONS_PER_MANAGEMENT_SERVER is topology_data.DB_CONNECTIONS_PER_MGMT


def test_plan_reports_connections_per_management_server():
    groups, hostvars = inventory(management=("mgmt1", "mgmt2"))
    result = plan(groups, hostvars)
    assert result["connections_per_management_server"] == 350
    assert result["max_connections"] == 700


# CS110: TLS off on a database tier reached over the network (replicas or
# management servers on other hosts) is refused unless explicitly accepted.
@pytest.mark.parametrize("global_vars, host_vars, groups_kw, expected", [
    ({}, {}, {}, []),                                              # default: TLS on
    ({"database_tls": True}, {}, {}, []),
    ({"database_tls": False}, {}, {}, ["CS110"]),                  # replicas and a management server
    ({"database_tls": "false"}, {}, {}, ["CS110"]),                # -e passes a string
    ({}, {"db2": {"database_tls": False}}, {}, ["CS110"]),         # one host's value
    ({"database_tls": False}, {}, {"replicas": (), "management": ("db1",)}, []),  # one host, no network
    ({"database_tls": False}, {}, {"replicas": ()}, ["CS110"]),    # a remote management server
    ({"database_tls": False, "database_tls_insecure_ok": True}, {}, {}, []),      # explicit opt-out
])
def test_cs110_tls_off_on_a_networked_tier(global_vars, host_vars, groups_kw, expected):
    kwargs = dict(groups_kw)
    groups, hostvars = inventory(**kwargs, **host_vars)
    if groups_kw.get("replicas") == ():
        global_vars = dict(global_vars, cloudstack_db_dr=False)
    assert [i for i in ids(groups, hostvars, **global_vars) if i == "CS110"] == expected


def test_cs110_message_names_the_clients_and_the_opt_out():
    groups, hostvars = inventory()
    report = T.run_rules(groups, hostvars, G(database_tls=False), DB_RULES)
    found = [v for v in report.violations if v.rule == "CS110"]
    assert len(found) == 1
    assert "db2" in found[0].message and "mgmt1" in found[0].message
    assert "database_tls_insecure_ok: true" in found[0].hint
