"""The management tier's planner (plugins/module_utils/management_plan.py):
version classes, cloudstack-setup-databases flags, db.properties HA keys,
and the per-host plan over the topology model (pytest tables)."""
import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import management_plan as MP
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T

from test_topology_rules import base  # noqa: E402 pylint: disable=wrong-import-order


def model(*mutations):
    groups, hv, g = base()
    for m in mutations:
        m(groups, hv, g)
    return T.build_model(groups, hv, g)[1]


@pytest.mark.parametrize("version,cls", [
    ("4.11", "legacy"), ("4.15.2.0", "legacy"), ("4.16", "replicas"),
    ("4.20.1.0", "replicas"), ("4.21", "current"), ("4.22.0.0", "current"),
    ("5.0", "current"),
])
def test_version_class(version, cls):
    assert MP.version_class(version) == cls


@pytest.mark.parametrize("version", ["", "four", "4.x", None])
def test_version_class_refuses_text(version):
    with pytest.raises(ValueError):
        MP.version_class(version)


# (version, first, tables, redeploy) -> (action, flags, destructive)
SETUP = [
    ("4.15", True, 0, False, "create", ["--deploy-as"], False),
    ("4.20", True, 0, False, "create", ["--deploy-as"], False),
    ("4.22", True, 0, False, "create", ["--deploy-as"], False),
    # a populated schema is kept in every version without the opt-in
    ("4.15", True, 120, False, "join", [], False),
    ("4.20", True, 120, False, "join", [], False),
    ("4.22", True, 120, False, "join", [], False),
    # the opt-in: before 4.21 --deploy-as drops; from 4.21 it needs
    # --force-recreate to drop
    ("4.15", True, 120, True, "recreate", ["--deploy-as"], True),
    ("4.20", True, 120, True, "recreate", ["--deploy-as"], True),
    ("4.21", True, 120, True, "recreate", ["--deploy-as", "--force-recreate"], True),
    ("4.22", True, 120, True, "recreate", ["--deploy-as", "--force-recreate"], True),
    # other servers never create, with or without the opt-in
    ("4.20", False, 0, False, "join", [], False),
    ("4.22", False, 0, True, "join", [], False),
    ("4.22", False, 120, True, "join", [], False),
]


@pytest.mark.parametrize("version,first,tables,redeploy,action,flags,destructive", SETUP)
def test_setup_databases(version, first, tables, redeploy, action, flags, destructive):
    got = MP.setup_databases(version, first, tables, redeploy)
    assert (got["action"], got["flags"], got["destructive"]) == (action, flags, destructive)
    assert "--schema-only" not in got["flags"]
    assert got["deploy"] == ("--deploy-as" in flags)


def test_setup_databases_refuses_negative_tables():
    with pytest.raises(ValueError):
        MP.setup_databases("4.22", True, -1)


@pytest.mark.parametrize("version,keys", [
    ("4.15", ["db.ha.enabled", "db.cloud.slaves", "db.cloud.secondsBeforeRetryMaster",
              "db.cloud.queriesBeforeRetryMaster", "db.usage.slaves",
              "db.usage.secondsBeforeRetryMaster", "db.usage.queriesBeforeRetryMaster",
              "db.ha.loadBalanceStrategy"]),
    ("4.16", ["db.ha.enabled", "db.cloud.replicas", "db.cloud.secondsBeforeRetrySource",
              "db.cloud.queriesBeforeRetrySource", "db.usage.replicas",
              "db.usage.secondsBeforeRetrySource", "db.usage.queriesBeforeRetrySource",
              "db.ha.loadBalanceStrategy"]),
    ("4.22", ["db.ha.enabled", "db.cloud.replicas", "db.cloud.secondsBeforeRetrySource",
              "db.cloud.queriesBeforeRetrySource", "db.usage.replicas",
              "db.usage.secondsBeforeRetrySource", "db.usage.queriesBeforeRetrySource",
              "db.ha.loadBalanceStrategy"]),
])
def test_ha_keys_by_version(version, keys):
    pairs = MP.ha_properties(version, ["10.0.0.2", "10.0.0.3"])
    assert [k for k, _value in pairs] == keys
    assert dict(pairs)["db.ha.enabled"] == "true"
    assert dict(pairs)[keys[1]] == "10.0.0.2,10.0.0.3"


def test_ha_off_without_replicas():
    assert dict(MP.ha_properties("4.22", []))["db.ha.enabled"] == "false"


def _set(host, key, value):
    def mutate(groups, hv, g):
        hv.setdefault(host, {})[key] = value
    return mutate


def _group(name, hosts):
    def mutate(groups, hv, g):
        groups[name] = hosts
    return mutate


def test_plan_with_load_balancers():
    m = model()
    plan = MP.plan_management(m, "mgmt2")
    assert plan["first"] == "mgmt1" and plan["is_server"] and not plan["is_first"]
    assert plan["active"] == ["mgmt1", "mgmt2"] and plan["dr"] == []
    assert plan["host_setting"] == {"host": "10.10.0.9", "indirect.agent.lb.algorithm": None}
    assert plan["database"]["host"] == "10.10.0.13"
    # db2 is the DR replica at dc2: not a read replica of dc1's servers
    assert plan["database"]["replicas"] == []
    assert plan["sources"]["api"][:2] == ["10.10.0.2", "10.10.0.3"]
    assert plan["sources"]["cluster"] == ["10.10.0.11"]
    assert plan["sources"]["integration"] == [] and plan["ports"]["integration"] == []
    lb = MP.plan_management(m, "lb2")["lb"]
    assert lb["vip"] == "10.10.0.9" and lb["network"]["cidr"] == "10.10.0.0/24"
    assert [h["priority"] for h in lb["hosts"]] == [150, 100]
    assert lb["me"]["name"] == "lb2" and lb["peers"] == ["10.10.0.2"]
    assert [b["name"] for b in lb["backends"]] == ["mgmt1", "mgmt2"]
    assert MP.plan_management(m, "lb2")["is_server"] is False


def test_plan_without_load_balancer_lists_the_servers():
    m = model(_group("cloudstack_lb", []),
              lambda gr, hv, g: g.update(cloudstack_mgmt_lb_external=False))
    plan = MP.plan_management(m, "mgmt1")
    assert plan["host_setting"] == {"host": "10.10.0.11,10.10.0.12",
                                    "indirect.agent.lb.algorithm": "roundrobin"}
    assert plan["lb"] is None


def test_plan_dr_set_and_usage_and_replicas():
    m = model(
        _group("cloudstack_management", ["mgmt1", "mgmt2", "mgmt3"]),
        _set("mgmt3", "cloudstack_management_address", "10.11.0.11"),
        _set("mgmt3", "cloudstack_site", "dc2"),
        _set("mgmt2", "cloudstack_usage_server", True),
        _group("cloudstack_db_replicas", ["db2", "db3"]),
        _set("db3", "cloudstack_management_address", "10.10.0.14"),
        lambda gr, hv, g: g.update(cloudstack_version="4.15",
                                   cloudstack_mgmt_integration_api=True,
                                   cloudstack_mgmt_https=True))
    plan = MP.plan_management(m, "mgmt3")
    assert plan["dr"] == ["mgmt3"] and plan["is_dr"] and not plan["is_first"]
    assert plan["database"]["host"] == "10.11.0.13"     # db2, the replica at dc2
    assert plan["database"]["replicas"] == []
    assert plan["usage"] == ["mgmt2"] and not plan["runs_usage"]
    p1 = MP.plan_management(m, "mgmt1")
    assert p1["database"]["replicas"] == ["10.10.0.14"]
    assert dict(p1["database"]["ha"])["db.cloud.slaves"] == "10.10.0.14"
    assert p1["ports"]["api"] == [8080, 8443]
    assert p1["ports"]["integration"] == [8096]
    assert p1["sources"]["integration"] == ["10.10.0.0/24", "10.11.0.0/24"]
    # the DR server is no backend of the load balancers
    assert [b["name"] for b in MP.plan_management(m, "lb1")["lb"]["backends"]] == \
        ["mgmt1", "mgmt2"]
    assert MP.plan_management(m, "mgmt2")["runs_usage"]
