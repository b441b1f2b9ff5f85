# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python plan of the management tier (no Ansible import at module level).

``plan_management(model, host, version)`` derives, from the topology model
(topology_model.Model) the engine accepted, what the management_server and
load_balancer roles apply on ``host``:

* the management servers, which of them is the first (the one that creates
  the database and whose key file the others share), which are the
  disaster-recovery set (at a site other than the database primary's: they
  run against the replica at their own site and stay stopped until a
  failover) and which run the usage server;
* the database each server points at and the replicas of its db.properties;
* the ``host`` global setting (what agents connect to): the load
  balancers' VIP, else every management server with
  ``indirect.agent.lb.algorithm``;
* the sources each management-server port admits;
* the load-balancer pair: VIP, the VRRP peers and their priorities, the
  backends, and the management network the VIP lives in.

Version-dependent behaviour of CloudStack lives here too, once:
``setup_databases(version, ...)`` (the flags of cloudstack-setup-databases
by version class) and ``ha_properties(version, ...)`` (the db.properties
high-availability keys: ``db.cloud.replicas`` since 4.16, ``slaves`` /
``...Master`` before).

It refuses nothing the engine checks (CS401, CS406, CS409..CS413 run first);
a ValueError names a version it cannot read.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils.database_plan import (
    replicas_key, version_tuple)
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import (
    G_MGMT, G_LB, G_FIREWALL, G_DB_PRIMARY, G_DB_REPLICAS)

DEFAULT_VERSION = "4.22"
# cloudstack-setup-databases: before 4.21 --deploy-as drops the cloud and
# cloud_usage databases; from 4.21 it creates only what is absent unless
# --force-recreate is given (and --schema-only needs --force-recreate).
NON_DESTRUCTIVE_DEPLOY_SINCE = (4, 21)
REPLICA_KEYS_SINCE = (4, 16)

PORT_API = 8080
PORT_API_TLS = 8443
PORT_AGENT = 8250
PORT_CLUSTER = 9090
PORT_INTEGRATION = 8096
DB_PORT = 3306

# db.properties HA settings (CloudStack's defaults in its db.properties)
HA_SECONDS_BEFORE_RETRY = 3600
HA_QUERIES_BEFORE_RETRY = 5000
HA_STRATEGY = "com.cloud.utils.db.StaticStrategy"
AGENT_LB_ALGORITHM = "roundrobin"

# keepalived priorities of the first and the other load balancers
LB_PRIORITY_FIRST = 150
LB_PRIORITY_STEP = 50


def version_class(version):
    """'legacy' (4.15 and earlier), 'replicas' (4.16..4.20) or 'current'
    (4.21 and later). ValueError for text that is not a dotted version."""
    v = version_tuple(version)
    if v < REPLICA_KEYS_SINCE:
        return "legacy"
    if v < NON_DESTRUCTIVE_DEPLOY_SINCE:
        return "replicas"
    return "current"


def setup_databases(version, first, schema_tables, redeploy=False):
    """What the role does with cloudstack-setup-databases on one server.

    first: the server is the first management server (the only one that
    may create the schema); schema_tables: the number of tables in the
    ``cloud`` schema (0: empty or absent); redeploy: the destructive
    opt-in. Returns {"action", "deploy", "flags", "destructive", "why"}:

    * ``create``: empty schema on the first server: ``--deploy-as`` (in
      every version: nothing exists that could be dropped);
    * ``recreate``: populated schema, first server, opt-in given: before
      4.21 ``--deploy-as`` (it drops), from 4.21 ``--deploy-as
      --force-recreate``;
    * ``join``: every other case: no ``--deploy-as``, the tool only writes
      db.properties (and the key) for this server.

    ``--schema-only`` is never used: from 4.21 it fails without
    ``--force-recreate``, and before it never created the database.
    """
    cls = version_class(version)
    tables = int(schema_tables or 0)
    if tables < 0:
        raise ValueError("schema_tables must be 0 or more, got %d" % tables)
    if first and tables == 0:
        return {"action": "create", "deploy": True, "flags": ["--deploy-as"],
                "destructive": False, "version_class": cls,
                "why": "the cloud schema has no tables"}
    if first and redeploy:
        flags = ["--deploy-as"] if cls != "current" else \
            ["--deploy-as", "--force-recreate"]
        return {"action": "recreate", "deploy": True, "flags": flags,
                "destructive": True, "version_class": cls,
                "why": "the cloud schema has %d tables and the destructive "
                       "opt-in is set: they are dropped" % tables}
    why = ("the cloud schema has %d tables: kept" % tables) if first else \
        "not the first management server: joins the existing database"
    return {"action": "join", "deploy": False, "flags": [],
            "destructive": False, "version_class": cls, "why": why}


def ha_properties(version, replicas, strategy=HA_STRATEGY,
                  seconds=HA_SECONDS_BEFORE_RETRY,
                  queries=HA_QUERIES_BEFORE_RETRY):
    """db.properties high-availability keys (ordered (key, value) pairs).

    4.16 and later: db.cloud.replicas / db.usage.replicas and
    ...secondsBeforeRetrySource / ...queriesBeforeRetrySource; before:
    db.cloud.slaves / db.usage.slaves and ...RetryMaster. HA is on when
    there is a replica."""
    word = replicas_key(version)
    source = "Source" if word == "replicas" else "Master"
    listed = ",".join(str(a) for a in replicas or [])
    pairs = [("db.ha.enabled", "true" if listed else "false")]
    for db in ("cloud", "usage"):
        pairs.append(("db.%s.%s" % (db, word), listed))
        pairs.append(("db.%s.secondsBeforeRetry%s" % (db, source), str(int(seconds))))
        pairs.append(("db.%s.queriesBeforeRetry%s" % (db, source), str(int(queries))))
    pairs.append(("db.ha.loadBalanceStrategy", str(strategy)))
    return pairs


def _unique(items):
    out = []
    for item in items:
        if item is not None and item not in out:
            out.append(item)
    return out


def _management_networks(model):
    return _unique(z.management.to_dict()["cidr"] for z in model.zones
                   if z.management is not None)


def _network_of(model, address):
    """The zone management network (cidr, gateway, prefix) holding address."""
    try:
        ip = ipaddress.ip_address(str(address))
    except ValueError:
        return None
    for zone in model.zones:
        net = zone.management
        if net is not None and net.cidr is not None and \
                ip.version == net.cidr.version and ip in net.cidr:
            return net.to_dict()
    return None


def plan_management(model, host, version=None):
    """The management tier as ``host`` sees it (JSON-able dict)."""
    version = str(version if version not in (None, "") else
                  model.globals.get("cloudstack_version") or DEFAULT_VERSION)
    cls = version_class(version)
    mgmt = _unique(model.group(G_MGMT))
    lbs = _unique(model.group(G_LB))
    primaries = model.group(G_DB_PRIMARY)
    primary = primaries[0] if primaries else None
    psite = model.host_site(primary) if primary else model.default_site
    replicas = [r for r in _unique(model.group(G_DB_REPLICAS)) if r != primary]

    servers = []
    for name in mgmt:
        site = model.host_site(name)
        dr = primary is not None and site != psite
        usage = model.effective(name, "cloudstack_usage_server", False) is True
        if dr:
            # the replica at the server's own site; it becomes the primary
            # on failover (playbooks/db_failover.yml)
            local = [r for r in replicas if model.host_site(r) == site]
            db_host = model.address(local[0]) if local else None
            db_replicas = []
        else:
            db_host = model.address(primary) if primary else None
            db_replicas = _unique(model.address(r) for r in replicas
                                  if model.host_site(r) == psite)
        servers.append({"name": name, "address": model.address(name),
                        "site": site, "dr": dr, "usage": usage,
                        "database_host": db_host,
                        "database_replicas": db_replicas})
    active = [s for s in servers if not s["dr"]]
    first = active[0]["name"] if active else (servers[0]["name"] if servers else None)
    me = next((s for s in servers if s["name"] == host), None)

    external = model.effective(host, "cloudstack_mgmt_lb_external", False) is True
    vip = model.effective(host, "cloudstack_lb_vip")
    vip = None if vip is None else str(vip)
    https = model.effective(host, "cloudstack_mgmt_https", False) is True
    integration = model.effective(host, "cloudstack_mgmt_integration_api", False) is True

    if vip is not None and (lbs or external):
        host_setting = {"host": vip, "indirect.agent.lb.algorithm": None}
    else:
        host_setting = {"host": ",".join(s["address"] for s in active if s["address"]),
                        "indirect.agent.lb.algorithm":
                            AGENT_LB_ALGORITHM if len(active) > 1 else None}

    mgmt_nets = _management_networks(model)
    lb_addresses = _unique(model.address(h) for h in lbs)
    fw_addresses = _unique(model.address(h) for h in model.group(G_FIREWALL))
    hypervisors = _unique(model.address(h) for h in sorted(model.placed))
    admin = _unique(str(s) for s in model.effective(
        host, "cloudstack_host_allowed_sources") or [])
    if lbs:
        api_sources = lb_addresses + [a for a in fw_addresses if a not in lb_addresses]
    elif external:
        # a hardware load balancer: its addresses are not in the inventory;
        # it sits on a management network
        api_sources = mgmt_nets + fw_addresses
    else:
        api_sources = list(fw_addresses)
    api_sources = _unique(api_sources + admin)
    peers = _unique(s["address"] for s in servers if s["name"] != host)
    sources = {
        "api": api_sources,
        # hypervisor hosts and system VMs (addresses from the pods'
        # management ranges: the zones' management networks); the load
        # balancers forward 8250 from their own addresses
        "agent": _unique(mgmt_nets + hypervisors + lb_addresses),
        "cluster": peers,
        "integration": list(mgmt_nets) if integration else [],
        "ssh": _unique(admin + mgmt_nets) if admin or mgmt_nets else [],
    }
    ports = {"api": [PORT_API] + ([PORT_API_TLS] if https else []),
             "agent": [PORT_AGENT], "cluster": [PORT_CLUSTER],
             "integration": [PORT_INTEGRATION] if integration else [],
             "ssh": [22]}

    lb = None
    if lbs:
        lb_hosts = []
        for i, name in enumerate(lbs):
            lb_hosts.append({"name": name, "address": model.address(name),
                             "priority": max(LB_PRIORITY_FIRST - i * LB_PRIORITY_STEP, 1)})
        lb = {"vip": vip, "hosts": lb_hosts,
              "backends": [{"name": s["name"], "address": s["address"]}
                           for s in active],
              "network": _network_of(model, vip),
              "peers": [h["address"] for h in lb_hosts if h["name"] != host],
              "me": next((h for h in lb_hosts if h["name"] == host), None)}

    return {
        "version": version,
        "version_class": cls,
        "servers": servers,
        "active": [s["name"] for s in active],
        "dr": [s["name"] for s in servers if s["dr"]],
        "usage": [s["name"] for s in servers if s["usage"]],
        "first": first,
        "is_server": me is not None,
        "is_first": me is not None and me["name"] == first,
        "is_dr": bool(me and me["dr"]),
        "runs_usage": bool(me and me["usage"]),
        "database": None if me is None else {
            "host": me["database_host"], "port": DB_PORT,
            "replicas": me["database_replicas"],
            "ha": ha_properties(version, me["database_replicas"])},
        "host_setting": host_setting,
        # the global settings the role writes into cloud.configuration (null:
        # left alone): what agents connect to, and the integration API's port
        # (0: closed), read by the management servers when they start
        "global_settings": dict(host_setting, **{
            "integration.api.port": str(PORT_INTEGRATION) if integration else "0"}),
        "https": https,
        "integration_api": integration,
        "sources": sources,
        "ports": ports,
        "management_networks": mgmt_nets,
        "lb": lb,
    }
