# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python plan of the database tier (no Ansible import at module level).

``plan_database()`` reads the inventory facts the contract names (groups
``cloudstack_db_primary``, ``cloudstack_db_replicas``,
``cloudstack_management`` and the host variables
``cloudstack_management_address``, ``cloudstack_site``,
``database_server_id``) and returns every error it finds plus the derived
values the role applies (server ids, max_connections, the primary, the
addresses allowed for each account).

``render_db_properties()`` gives the management servers' database settings
(``db.properties`` keys) for a given primary and replica list, using
``db.cloud.replicas`` or the older ``db.cloud.slaves`` by CloudStack version.

Errors never contain a secret's value, only the variable's name.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils.topology_data import (
    DB_CONNECTIONS_PER_MGMT as CONNECTIONS_PER_MANAGEMENT_SERVER,  # CS404
    SECRET_VARS as SECRET_NAMES,  # the secrets the database tier needs
    WEAK_SECRETS as WEAK_PASSWORDS,  # CS504: well-known default passwords
)

SERVER_ID_MAX = 4294967295  # MariaDB/MySQL server_id is an unsigned 32-bit value
# CloudStack renamed db.cloud.slaves to db.cloud.replicas (inclusive naming).
REPLICAS_KEY_SINCE_DEFAULT = "4.16"


def _violation(rule, where, message, hint):
    return {"id": rule, "severity": "error", "where": where,
            "message": message, "hint": hint}


def version_tuple(version):
    """'4.20' -> (4, 20); '4.19.1.2' -> (4, 19, 1, 2). Raises ValueError."""
    text = str(version).strip()
    if not text:
        raise ValueError("empty version")
    return tuple(int(part) for part in text.split("."))


def server_id_from_address(address):
    """Deterministic server_id from an IPv4 address (its 32-bit value).

    Stable when hosts are added or removed (unlike a position in a sorted
    list) and unique as long as the addresses are unique. 0 is not allowed
    by replication, so 0.0.0.0 has no id.
    """
    value = int(ipaddress.IPv4Address(str(address)))
    if value < 1:
        raise ValueError("address %s gives server_id 0" % address)
    return value


def _as_list(value):
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def plan_database(groups, hostvars, secrets=None, max_connections=None,
                  connections_per_management_server=CONNECTIONS_PER_MANAGEMENT_SERVER,
                  dr=False):
    """Check the database tier of an inventory and derive its settings.

    groups: mapping group name -> list of host names (Ansible ``groups``).
    hostvars: mapping host name -> mapping of variables (``hostvars``).
    secrets: mapping secret variable name -> value (None: not checked).
    max_connections: ``cloudstack_db_max_connections`` or None.
    dr: ``cloudstack_db_dr``; True requires a replica at a site other than
    the primary's (``cloudstack_site``).
    Returns a dict: errors (list of violations), primary, replicas,
    management, server_ids, addresses, sites, max_connections.
    """
    errors = []
    primaries = sorted(set(_as_list(groups.get("cloudstack_db_primary"))))
    replicas = sorted(set(_as_list(groups.get("cloudstack_db_replicas"))))
    management = sorted(set(_as_list(groups.get("cloudstack_management"))))

    if len(primaries) != 1:
        if primaries:
            message = ("%d hosts in group cloudstack_db_primary (%s); the management "
                       "servers write to exactly one database primary"
                       % (len(primaries), ", ".join(primaries)))
            hint = ("keep one host in cloudstack_db_primary and move the others to "
                    "cloudstack_db_replicas")
        elif replicas:
            message = ("group cloudstack_db_replicas has %s but cloudstack_db_primary "
                       "is empty: a replica with no primary to replicate from"
                       % ", ".join(replicas))
            hint = "put exactly one host in cloudstack_db_primary"
        else:
            message = "group cloudstack_db_primary is empty (no database primary)"
            hint = "put exactly one host in cloudstack_db_primary"
        errors.append(_violation("CS402", "cloudstack_db_primary", message, hint))

    both = sorted(set(primaries) & set(replicas))
    for host in both:
        errors.append(_violation(
            "DB101", host,
            "host %s is in both cloudstack_db_primary and cloudstack_db_replicas" % host,
            "a server is either the primary or a replica: remove %s from one group" % host))

    db_hosts = sorted(set(primaries) | set(replicas))
    addresses = {}
    sites = {}
    for host in db_hosts + [h for h in management if h not in db_hosts]:
        hv = hostvars.get(host) or {}
        address = hv.get("cloudstack_management_address")
        sites[host] = hv.get("cloudstack_site")
        if address in (None, ""):
            errors.append(_violation(
                "DB102", host,
                "host %s has no cloudstack_management_address" % host,
                "set cloudstack_management_address (the host's address on the "
                "management network) in host_vars/%s.yml" % host))
            continue
        try:
            ipaddress.ip_address(str(address))
        except ValueError:
            errors.append(_violation(
                "DB102", host,
                "host %s: cloudstack_management_address %r is not an IP address"
                % (host, address),
                "use the host's IP address on the management network"))
            continue
        addresses[host] = str(address)

    server_ids = {}
    for host in db_hosts:
        hv = hostvars.get(host) or {}
        explicit = hv.get("database_server_id")
        if explicit not in (None, ""):
            try:
                value = int(explicit)
            except (TypeError, ValueError):
                value = -1
            if isinstance(explicit, bool) or not 1 <= value <= SERVER_ID_MAX:
                errors.append(_violation(
                    "DB103", host,
                    "host %s: database_server_id %r is not an integer in 1..%d"
                    % (host, explicit, SERVER_ID_MAX),
                    "set database_server_id to a unique integer in 1..%d, or remove "
                    "it to derive one from cloudstack_management_address" % SERVER_ID_MAX))
                continue
            server_ids[host] = value
        elif host in addresses:
            try:
                server_ids[host] = server_id_from_address(addresses[host])
            except ValueError:
                errors.append(_violation(
                    "DB103", host,
                    "host %s: cannot derive a server_id from cloudstack_management_address "
                    "%s (IPv4 only)" % (host, addresses[host]),
                    "set database_server_id (a unique integer in 1..%d) in host_vars/%s.yml"
                    % (SERVER_ID_MAX, host)))

    by_id = {}
    for host, value in server_ids.items():
        by_id.setdefault(value, []).append(host)
    for value, hosts in sorted(by_id.items()):
        if len(hosts) > 1:
            errors.append(_violation(
                "DB104", ",".join(sorted(hosts)),
                "duplicate server_id %d on %s: replication needs a unique server_id "
                "per server" % (value, " and ".join(sorted(hosts))),
                "give each database host its own database_server_id (or remove the "
                "explicit ones so they derive from the distinct management addresses)"))

    by_address = {}
    for host in db_hosts:
        if host in addresses:
            by_address.setdefault(addresses[host], []).append(host)
    for address, hosts in sorted(by_address.items()):
        if len(hosts) > 1:
            errors.append(_violation(
                "DB105", ",".join(sorted(hosts)),
                "database hosts %s share cloudstack_management_address %s"
                % (" and ".join(sorted(hosts)), address),
                "each database server needs its own address on the management network"))

    if not management:
        errors.append(_violation(
            "CS401", "cloudstack_management",
            "group cloudstack_management is empty: nobody would be allowed to use "
            "the cloud database",
            "put the management servers in cloudstack_management"))

    required = connections_per_management_server * len(management)
    if max_connections in (None, ""):
        effective = max(required, connections_per_management_server)
    else:
        try:
            effective = int(max_connections)
        except (TypeError, ValueError):
            effective = -1
        if isinstance(max_connections, bool) or effective < required or effective < 1:
            errors.append(_violation(
                "CS404", "cloudstack_db_max_connections",
                "cloudstack_db_max_connections=%r is below %d x %d management "
                "servers = %d" % (max_connections, connections_per_management_server,
                                  len(management), required),
                "set cloudstack_db_max_connections to at least %d, or remove it to "
                "use that value" % required))

    if dr and len(primaries) == 1:
        primary_site = sites.get(primaries[0])
        remote = [h for h in replicas if h not in primaries and sites.get(h) != primary_site]
        if not remote:
            errors.append(_violation(
                "CS403", "cloudstack_db_replicas",
                "cloudstack_db_dr is true but no replica is at a site other than the "
                "primary's (cloudstack_site=%r)" % (primary_site,),
                "add a replica with cloudstack_site set to another site, or set "
                "cloudstack_db_dr: false"))

    if secrets is not None:
        for name in SECRET_NAMES:
            value = secrets.get(name)
            if value is None:
                errors.append(_violation(
                    "CS504", name, "%s is not set" % name,
                    "set %s from Ansible Vault or an AWX credential" % name))
            elif str(value).strip().lower() in WEAK_PASSWORDS:
                errors.append(_violation(
                    "CS504", name,
                    "%s is a well-known default password (one of: %s)"
                    % (name, ", ".join(w or "empty" for w in WEAK_PASSWORDS)),
                    "set %s to a strong secret from Ansible Vault or an AWX credential"
                    % name))

    return {
        "errors": errors,
        "primary": primaries[0] if len(primaries) == 1 else None,
        "replicas": [h for h in replicas if h not in primaries],
        "management": management,
        "server_ids": server_ids,
        "addresses": addresses,
        "sites": sites,
        "management_addresses": sorted(set(addresses[h] for h in management if h in addresses)),
        "db_addresses": sorted(set(addresses[h] for h in db_hosts if h in addresses)),
        "max_connections": effective,
        "connections_per_management_server": connections_per_management_server,
    }


def format_errors(errors):
    """One line per violation: 'CS402 error at X: message (fix: hint)'."""
    return ["%s %s at %s: %s (fix: %s)"
            % (e["id"], e["severity"], e["where"], e["message"], e["hint"])
            for e in errors]


def replicas_key(cloudstack_version, since=REPLICAS_KEY_SINCE_DEFAULT):
    """'replicas' for CloudStack >= since, 'slaves' before."""
    if version_tuple(cloudstack_version) >= version_tuple(since):
        return "replicas"
    return "slaves"


def render_db_properties(cloudstack_version, primary_address, replica_addresses,
                         since=REPLICAS_KEY_SINCE_DEFAULT):
    """The db.properties settings the management servers need (ordered list
    of (key, value) pairs). HA is enabled when there is at least one replica.
    """
    word = replicas_key(cloudstack_version, since)
    replica_list = ",".join(str(a) for a in replica_addresses)
    pairs = [
        ("db.cloud.host", str(primary_address)),
        ("db.usage.host", str(primary_address)),
        ("db.ha.enabled", "true" if replica_addresses else "false"),
        ("db.cloud.%s" % word, replica_list),
        ("db.usage.%s" % word, replica_list),
    ]
    return pairs


def parse_gtid_pos(text):
    """MariaDB GTID position '0-1-100,1-2-5' -> {0: 100, 1: 5} (domain -> seq_no)."""
    result = {}
    for part in str(text or "").replace("\n", "").split(","):
        part = part.strip()
        if not part:
            continue
        pieces = part.split("-")
        if len(pieces) != 3:
            raise ValueError("not a MariaDB GTID: %r" % part)
        domain, _server, seq = (int(p) for p in pieces)
        result[domain] = max(seq, result.get(domain, 0))
    return result


def gtid_missing(target_pos, other_pos):
    """Domains where other_pos is ahead of target_pos: list of
    'domain D: target has N, other has M' (empty: target has everything)."""
    target = parse_gtid_pos(target_pos)
    other = parse_gtid_pos(other_pos)
    missing = []
    for domain in sorted(other):
        if other[domain] > target.get(domain, 0):
            missing.append("domain %d: target has seq %d, other has seq %d"
                           % (domain, target.get(domain, 0), other[domain]))
    return missing
