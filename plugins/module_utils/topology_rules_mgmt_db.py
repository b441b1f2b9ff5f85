# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Management server and database rules."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, WARNING, G_MGMT, G_DB_PRIMARY, G_DB_REPLICAS, G_LB, G_MONITORING, _names, _group, _effective)


# The database role's own refusals (database_plan.DB101..DB105) as CS rules:
#   DB101 -> CS405  host in both cloudstack_db_primary and cloudstack_db_replicas
#   DB102 -> CS406  database host or management server without a
#                   cloudstack_management_address (malformed: CS001)
#   DB103 -> CS407  server id not an integer in 1..4294967295, or not
#                   derivable from the management address (IPv6, 0.0.0.0)
#   DB104 -> CS408  two database hosts with the same server id
#   DB105 -> CS303  two database hosts with the same management address

@rule("CS401", ERROR, "management servers without load balancer",
      "Several management servers sit behind a load balancer that is not "
      "one of them.", "mgmt_db",
      reads=("cloudstack_mgmt_lb_external", "cloudstack_management_address"))
@rule("CS402", ERROR, "not exactly one database primary",
      "The management servers write to exactly one database primary.",
      "mgmt_db")
@rule("CS403", WARNING, "no database replica / DR replica",
      "A database replica at another site gives disaster recovery.",
      "mgmt_db", reads=("cloudstack_db_dr", "cloudstack_site",
                        "cloudstack_sites"))
@rule("CS404", ERROR, "max_connections too low",
      "MySQL allows 350 connections per management server.", "mgmt_db",
      reads=("cloudstack_db_max_connections",))
@rule("CS405", ERROR, "host both database primary and replica",
      "A database server is either the primary or a replica.", "mgmt_db")
@rule("CS406", ERROR, "database or management host without address",
      "The database admits the management servers by their management "
      "addresses.", "mgmt_db", reads=("cloudstack_management_address",))
@rule("CS407", ERROR, "database server id invalid",
      "Replication needs a server id in 1..4294967295 on every database "
      "server.", "mgmt_db",
      reads=("cloudstack_db_server_id", "database_server_id",
             "cloudstack_management_address"))
@rule("CS408", ERROR, "duplicate database server id",
      "Replication needs a unique server id per database server.",
      "mgmt_db", reads=("cloudstack_db_server_id", "database_server_id",
                        "cloudstack_management_address"))
def mgmt_db_rules(ctx):
    _mgmt_db_rules(ctx, ctx.model.site_names, ctx.model.default_site,
                   ctx.host_zone, ctx.zones)


def _mgmt_db_rules(ctx, sites, default_site, host_zone, zones):
    mgmt = _group(ctx.groups, G_MGMT)
    lbs = _group(ctx.groups, G_LB)
    primary = _group(ctx.groups, G_DB_PRIMARY)
    replicas = _group(ctx.groups, G_DB_REPLICAS)
    if not mgmt:
        ctx.add("CS401", G_MGMT, "no management server: group %s is empty or "
                "missing" % G_MGMT, "put at least one host in %s" % G_MGMT)
    else:
        # a load balancer that is itself a management server (same host, or
        # same management address) balances nothing when that server fails
        mgmt_set = set(mgmt)
        mgmt_addrs = set(ctx.host(h).get("cloudstack_management_address")
                         for h in mgmt) - {None}
        selfish = [h for h in lbs if h in mgmt_set or ctx.host(h).get(
            "cloudstack_management_address") in mgmt_addrs]
        real_lbs = [h for h in lbs if h not in selfish]
        if len(mgmt) > 1 and not real_lbs and not _effective(
                ctx, "cloudstack_mgmt_lb_external", mgmt, False) and \
                not ctx.bad("cloudstack_mgmt_lb_external", mgmt):
            ctx.add("CS401", G_MGMT, "%d management servers (%s) but no load "
                    "balancer in %s%s" % (
                        len(mgmt), _names(mgmt), G_LB,
                        (" other than the management servers themselves "
                         "(%s)" % _names(selfish)) if selfish else ""),
                    "add load balancers (hosts other than the management "
                    "servers) to %s, or set cloudstack_mgmt_lb_external: "
                    "true when a hardware load balancer is in front" % G_LB)
    if len(primary) != 1:
        ctx.add("CS402", G_DB_PRIMARY, "%s holds %d hosts (%s); exactly one "
                "database primary is required" % (
                    G_DB_PRIMARY, len(primary), _names(primary) or "none"),
                "put exactly one host in %s; further databases go to %s" % (
                    G_DB_PRIMARY, G_DB_REPLICAS))
    db_hosts = primary + replicas
    dr = _effective(ctx, "cloudstack_db_dr", db_hosts, None)
    if not replicas and dr is None and ctx.bad("cloudstack_db_dr", db_hosts):
        pass    # misspelt or malformed: already a CS001
    elif not replicas:
        if dr is True:
            ctx.add("CS403", G_DB_REPLICAS, "cloudstack_db_dr is true but %s "
                    "is empty" % G_DB_REPLICAS,
                    "add a replica at another site to %s (with "
                    "cloudstack_site), or set cloudstack_db_dr: false"
                    % G_DB_REPLICAS, severity=ERROR)
        elif dr is None:
            ctx.add("CS403", G_DB_REPLICAS, "no database replica: %s is empty,"
                    " so there is no disaster recovery" % G_DB_REPLICAS,
                    "add a replica at a remote site, or set cloudstack_db_dr: "
                    "false to acknowledge running without DR",
                    severity=WARNING)
    elif dr is True and len(primary) == 1:
        psite = ctx.model.host_site(primary[0])
        away = [r for r in replicas if ctx.model.host_site(r) != psite]
        if not away:
            ctx.add("CS403", G_DB_REPLICAS, "cloudstack_db_dr is true but "
                    "every replica (%s) is at the primary's site %s" % (
                        _names(replicas), psite),
                    "set cloudstack_site of a replica to another site in "
                    "cloudstack_sites", severity=ERROR)
    need = D.DB_CONNECTIONS_PER_MGMT * len(mgmt)
    # every database host's value (primary and replicas: a replica becomes
    # the primary on failover), host, group and global values alike
    for maxc, where in ctx.scoped("cloudstack_db_max_connections", db_hosts):
        if maxc is not None and maxc < need:
            ctx.add("CS404", where, "cloudstack_db_max_connections is %d, "
                    "below %d x %d management server(s) = %d" % (
                        maxc, D.DB_CONNECTIONS_PER_MGMT, len(mgmt), need),
                    "set cloudstack_db_max_connections to at least %d (or "
                    "leave it unset for that default)" % need)
    _db_server_rules(ctx, primary, replicas, mgmt)


def _server_id(value):
    """An explicit server id as an int, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not S.ASCII_INT.match(text) or len(text) > 20:
            return None
        value = int(text)
    if isinstance(value, int) and D.DB_SERVER_ID_MIN <= value <= \
            D.DB_SERVER_ID_MAX:
        return value
    return None


def _db_server_rules(ctx, primary, replicas, mgmt):
    both = [h for h in primary if h in set(replicas)]
    for h in both:
        ctx.add("CS405", h, "host %s is in both %s and %s" % (
            h, G_DB_PRIMARY, G_DB_REPLICAS),
            "a database server is either the primary or a replica: remove "
            "%s from one of the groups" % h)
    db_hosts = []
    for h in primary + replicas:
        if h not in db_hosts:
            db_hosts.append(h)
    missing = [h for h in db_hosts + [m for m in mgmt if m not in db_hosts]
               if "cloudstack_management_address" not in ctx.host(h)
               and not ctx.bad("cloudstack_management_address", (h,))]
    if missing:
        ctx.add("CS406", _names(missing), "%d database host(s) or management "
                "server(s) without cloudstack_management_address: %s" % (
                    len(missing), _names(missing)),
                "set cloudstack_management_address (the host's address on "
                "the management network) in host_vars; the database admits "
                "the management servers by it")
    by_id = {}
    for h in db_hosts:
        hv = ctx.host(h)
        key = next((k for k in D.DB_SERVER_ID_KEYS if hv.get(k) not in
                    (None, "")), None)
        if key is not None:
            value = _server_id(hv[key])
            if value is None:
                ctx.add("CS407", h, "%s of host %s is %s, not a whole number "
                        "in %d..%d" % (key, h, S._show(hv[key]),
                                       D.DB_SERVER_ID_MIN, D.DB_SERVER_ID_MAX),
                        "set %s to a unique whole number in %d..%d, or remove "
                        "it to derive one from cloudstack_management_address"
                        % (key, D.DB_SERVER_ID_MIN, D.DB_SERVER_ID_MAX))
                continue
        else:
            addr = hv.get("cloudstack_management_address")
            if addr is None:
                continue        # CS406 or CS001
            value = int(addr) if addr.version == 4 else 0
            if value < D.DB_SERVER_ID_MIN:
                ctx.add("CS407", h, "no server id can be derived from the "
                        "management address %s of database host %s (IPv4 "
                        "only, not 0.0.0.0)" % (addr, h),
                        "set %s (a unique whole number in %d..%d) in "
                        "host_vars/%s.yml" % (D.DB_SERVER_ID_KEYS[0],
                                              D.DB_SERVER_ID_MIN,
                                              D.DB_SERVER_ID_MAX, h))
                continue
        by_id.setdefault(value, []).append(h)
    for value in sorted(by_id):
        hosts = by_id[value]
        if len(hosts) > 1:
            ctx.add("CS408", _names(hosts), "database hosts %s have the same "
                    "server id %d; replication needs a unique server id per "
                    "server" % (" and ".join(hosts), value),
                    "give each database host its own server id (or remove "
                    "the explicit ones so they derive from the distinct "
                    "management addresses)")


def _off(value):
    """database_tls given as false (a bool, or a string from -e)."""
    return value is False or (isinstance(value, str) and value.strip().lower() in ("false", "no", "off", "0"))


@rule("CS110", ERROR, "database TLS off on a tier reached over the network",
      "The management servers and the replicas reach the database over the "
      "network: TLS on those connections (database_tls, on by default).",
      "mgmt_db", reads=("database_tls", "database_tls_insecure_ok"))
def db_tls_rules(ctx):
    primary = _group(ctx.groups, G_DB_PRIMARY)
    replicas = _group(ctx.groups, G_DB_REPLICAS)
    db_hosts = primary + replicas
    if not db_hosts:
        return
    # the clients that reach a database server over the network: the other
    # database servers (replication) and the management servers
    clients = sorted((set(replicas) | set(_group(ctx.groups, G_MGMT))) - set(primary))
    if not clients:
        return
    opt_out = _effective(ctx, "database_tls_insecure_ok", db_hosts, False)
    if opt_out is True or (isinstance(opt_out, str) and opt_out.strip().lower() in ("true", "yes", "on", "1")):
        return
    for value, where in ctx.scoped("database_tls", db_hosts):
        if _off(value):
            ctx.add("CS110", where, "database_tls is false on a database tier "
                    "reached over the network by %s: the cloud and replication "
                    "passwords and every row travel in clear" % _names(clients),
                    "remove database_tls (TLS is on by default), or set "
                    "database_tls_insecure_ok: true to accept clear-text "
                    "database traffic")


@rule("CS409", ERROR, "load balancers without a virtual address",
      "The load-balancer pair answers on one virtual address (VRRP) that "
      "the firewall, the agents and the users reach.", "mgmt_db",
      reads=("cloudstack_lb_vip",))
@rule("CS410", ERROR, "load-balancer VIP outside the management network or taken",
      "The VIP lives on the load balancers' management network and is no "
      "host's own address.", "mgmt_db",
      reads=("cloudstack_lb_vip", "cloudstack_management_address"))
@rule("CS411", ERROR, "load balancer that is also a management server",
      "The load balancers are hosts of their own: a balancer on a "
      "management server fails with it.", "mgmt_db",
      reads=("cloudstack_management_address",))
@rule("CS412", ERROR, "more than two load balancers for one VIP",
      "A pair of load balancers shares the VIP (VRRP active and backup).",
      "mgmt_db")
@rule("CS413", ERROR, "usage server on a host that is no management server",
      "The usage server runs beside a management server and shares its "
      "database settings and key.", "mgmt_db",
      reads=("cloudstack_usage_server",))
def lb_rules(ctx):
    _lb_rules(ctx)


@rule("CS414", ERROR, "monitoring server that is also a management server",
      "Prometheus and Alertmanager run on hosts of their own: Prometheus' "
      "port 9090 is the management servers' cluster port, and the "
      "monitoring must not fail with what it watches.", "mgmt_db")
def monitoring_rules(ctx):
    mgmt = set(_group(ctx.groups, G_MGMT))
    for h in _group(ctx.groups, G_MONITORING):
        if h in mgmt:
            ctx.add("CS414", h, "host %s is in both %s and %s: Prometheus' "
                    "port %d is CloudStack's cluster port"
                    % (h, G_MONITORING, G_MGMT, D.PROMETHEUS_PORT),
                    "put the monitoring on a host of its own; take %s out "
                    "of %s" % (h, G_MONITORING))


def _lb_rules(ctx):
    # addresses and the VIP are the shape check's ipaddress objects (a
    # malformed one is a CS001 and absent here)
    lbs = _group(ctx.groups, G_LB)
    mgmt = _group(ctx.groups, G_MGMT)
    mgmt_set = set(mgmt)
    addr = dict((h, ctx.host(h).get("cloudstack_management_address"))
                for h in set(lbs) | mgmt_set)
    mgmt_addrs = dict((addr[h], h) for h in mgmt if addr.get(h) is not None)
    for h in lbs:
        if h in mgmt_set:
            ctx.add("CS411", h, "host %s is in both %s and %s" % (h, G_LB, G_MGMT),
                    "put the load balancers on hosts of their own; take %s "
                    "out of one of the two groups" % h)
        elif addr.get(h) is not None and addr[h] in mgmt_addrs:
            ctx.add("CS411", h, "load balancer %s has the management address "
                    "%s of management server %s" % (h, addr[h], mgmt_addrs[addr[h]]),
                    "give %s an address of its own" % h)
    for h in sorted(ctx.hv):
        if ctx.hv[h].get("cloudstack_usage_server") is True and h not in mgmt_set:
            ctx.add("CS413", h, "cloudstack_usage_server is true on %s, which "
                    "is not in %s" % (h, G_MGMT),
                    "set cloudstack_usage_server on a management server, or "
                    "add %s to %s" % (h, G_MGMT))
    if not lbs:
        return
    if len(lbs) > 2:
        ctx.add("CS412", G_LB, "%s holds %d hosts (%s); one VIP is shared by "
                "a pair" % (G_LB, len(lbs), _names(lbs)),
                "keep two load balancers in %s (active and backup)" % G_LB)
    vip = _effective(ctx, "cloudstack_lb_vip", lbs, None)
    if vip is None:
        if not ctx.bad("cloudstack_lb_vip", lbs):
            ctx.add("CS409", G_LB, "%s has %s but cloudstack_lb_vip is not set"
                    % (G_LB, _names(lbs)),
                    "set cloudstack_lb_vip in group_vars/all to a free address "
                    "of the load balancers' management network")
        return
    for h in sorted(set(lbs) | mgmt_set | set(ctx.hv)):
        if ctx.host(h).get("cloudstack_management_address") == vip:
            ctx.add("CS410", "cloudstack_lb_vip", "cloudstack_lb_vip %s is the "
                    "management address of host %s" % (vip, h),
                    "choose a free address for the VIP")
            break
    if ctx.zones_broken or any(p.startswith("cloudstack_zones")
                               for p in ctx.bad_paths):
        return      # a zone's networks are malformed: CS001 says so
    nets = []
    for zone in ctx.model.zones:
        cidr = zone.management.cidr if zone.management is not None else None
        if cidr is not None and cidr not in nets:
            nets.append(cidr)
    home = [n for n in nets if any(addr.get(h) is not None and addr[h].version == n.version
                                   and addr[h] in n for h in lbs)]
    wanted = home or nets
    if wanted and not any(vip.version == n.version and vip in n for n in wanted):
        ctx.add("CS410", "cloudstack_lb_vip", "cloudstack_lb_vip %s is outside "
                "the management network%s of the load balancers (%s)" % (
                    vip, "" if len(wanted) == 1 else "s",
                    ", ".join(str(n) for n in wanted)),
                "choose a free address in %s" % wanted[0])
