"""Unit tests of plugins/module_utils/database_plan.py (plain Python)."""
import importlib.util
import pathlib

import pytest

_PATH = pathlib.Path(__file__).resolve().parents[2] / "plugins" / "module_utils" / "database_plan.py"
_spec = importlib.util.spec_from_file_location("database_plan", _PATH)
dp = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dp)

GOOD_SECRETS = {
    "cloudstack_db_password": "s3cret-cloud-Pw",
    "cloudstack_db_root_password": "s3cret-root-Pw",
    "cloudstack_db_replication_password": "s3cret-repl-Pw",
}


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
        "mgmt1": {"cloudstack_management_address": "172.30.41.20"},
        "mgmt2": {"cloudstack_management_address": "172.30.41.21"},
    }
    for host, values in overrides.items():
        hostvars.setdefault(host, {}).update(values)
    return groups, hostvars


def ids(result):
    return [e["id"] for e in result["errors"]]


def test_good_inventory_has_no_error_and_derives_values():
    groups, hostvars = inventory(management=("mgmt1", "mgmt2"))
    result = dp.plan_database(groups, hostvars, secrets=GOOD_SECRETS, dr=True)
    assert result["errors"] == []
    assert result["primary"] == "db1"
    assert result["replicas"] == ["db2", "db3"]
    assert result["max_connections"] == 700
    assert result["server_ids"]["db1"] == (172 << 24) + (30 << 16) + (41 << 8) + 10
    assert len(set(result["server_ids"].values())) == 3
    assert result["management_addresses"] == ["172.30.41.20", "172.30.41.21"]
    assert result["db_addresses"] == ["172.30.41.10", "172.30.41.11", "172.30.42.12"]


def test_server_id_is_stable_when_a_replica_is_added():
    groups, hostvars = inventory(replicas=("db2",))
    before = dp.plan_database(groups, hostvars)["server_ids"]
    groups, hostvars = inventory(replicas=("db2", "db3"))
    after = dp.plan_database(groups, hostvars)["server_ids"]
    assert before["db1"] == after["db1"] and before["db2"] == after["db2"]


def test_two_primaries():
    groups, hostvars = inventory(primary=("db1", "db2"), replicas=("db3",))
    result = dp.plan_database(groups, hostvars)
    assert ids(result) == ["CS402"]
    assert "db1, db2" in result["errors"][0]["message"]
    assert result["primary"] is None


def test_replica_without_primary():
    groups, hostvars = inventory(primary=())
    result = dp.plan_database(groups, hostvars)
    assert ids(result) == ["CS402"]
    assert "no primary" in result["errors"][0]["message"]


def test_host_in_both_groups():
    groups, hostvars = inventory(replicas=("db1", "db2"))
    assert "DB101" in ids(dp.plan_database(groups, hostvars))


def test_duplicate_explicit_server_id():
    groups, hostvars = inventory(db2={"database_server_id": 7}, db3={"database_server_id": 7})
    result = dp.plan_database(groups, hostvars)
    assert ids(result) == ["DB104"]
    assert "duplicate server_id 7 on db2 and db3" in result["errors"][0]["message"]


def test_explicit_id_colliding_with_derived_id():
    derived = dp.server_id_from_address("172.30.41.10")
    groups, hostvars = inventory(db2={"database_server_id": derived})
    assert ids(dp.plan_database(groups, hostvars)) == ["DB104"]


@pytest.mark.parametrize("bad", [0, -1, "x", 2 ** 32, True])
def test_invalid_server_id(bad):
    groups, hostvars = inventory(db2={"database_server_id": bad})
    assert ids(dp.plan_database(groups, hostvars)) == ["DB103"]


def test_shared_address_is_refused():
    groups, hostvars = inventory(db3={"cloudstack_management_address": "172.30.41.11"})
    assert sorted(ids(dp.plan_database(groups, hostvars))) == ["DB104", "DB105"]


def test_missing_and_invalid_address():
    groups, hostvars = inventory(db2={"cloudstack_management_address": None},
                                 db3={"cloudstack_management_address": "not-an-ip"})
    result = dp.plan_database(groups, hostvars)
    assert ids(result) == ["DB102", "DB102"]


def test_ipv6_address_needs_explicit_id():
    groups, hostvars = inventory(db3={"cloudstack_management_address": "fd00::12"})
    assert ids(dp.plan_database(groups, hostvars)) == ["DB103"]
    groups, hostvars = inventory(db3={"cloudstack_management_address": "fd00::12",
                                      "database_server_id": 12})
    assert ids(dp.plan_database(groups, hostvars)) == []


@pytest.mark.parametrize("weak", ["password", "cloud", "changeme", "root", "", "  Password "])
def test_default_password_refused_without_echoing_it(weak):
    secrets = dict(GOOD_SECRETS, cloudstack_db_replication_password=weak)
    groups, hostvars = inventory()
    result = dp.plan_database(groups, hostvars, secrets=secrets)
    assert ids(result) == ["CS504"]
    assert result["errors"][0]["where"] == "cloudstack_db_replication_password"
    for line in dp.format_errors(result["errors"]):
        assert "s3cret" not in line


def test_missing_secret_refused():
    secrets = dict(GOOD_SECRETS)
    del secrets["cloudstack_db_root_password"]
    groups, hostvars = inventory()
    assert ids(dp.plan_database(groups, hostvars, secrets=secrets)) == ["CS504"]


def test_max_connections():
    groups, hostvars = inventory(management=("mgmt1", "mgmt2"))
    assert dp.plan_database(groups, hostvars, max_connections=1000)["max_connections"] == 1000
    result = dp.plan_database(groups, hostvars, max_connections=500)
    assert ids(result) == ["CS404"]
    assert "700" in result["errors"][0]["message"]


def test_no_management_server():
    groups, hostvars = inventory(management=())
    assert ids(dp.plan_database(groups, hostvars)) == ["CS401"]


def test_dr_requires_replica_at_other_site():
    groups, hostvars = inventory(replicas=("db2",))
    assert ids(dp.plan_database(groups, hostvars, dr=True)) == ["CS403"]
    assert ids(dp.plan_database(groups, hostvars, dr=False)) == []


def test_all_errors_reported_in_one_run():
    groups, hostvars = inventory(primary=("db1", "db2"), replicas=("db3",),
                                 db1={"database_server_id": 5}, db3={"database_server_id": 5})
    secrets = dict(GOOD_SECRETS, cloudstack_db_password="cloud")
    assert sorted(ids(dp.plan_database(groups, hostvars, secrets=secrets))) == ["CS402", "CS504", "DB104"]


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
    assert dp.WEAK_PASSWORDS is topology_data.WEAK_SECRETS
    assert dp.SECRET_NAMES is topology_data.SECRET_VARS


def test_plan_reports_connections_per_management_server():
    groups, hostvars = inventory(management=("mgmt1", "mgmt2"))
    plan = dp.plan_database(groups, hostvars, secrets=GOOD_SECRETS)
    assert plan["connections_per_management_server"] == 350
    assert plan["max_connections"] == 700
