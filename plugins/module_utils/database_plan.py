# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python plan of the database tier (no Ansible import at module level).

``plan_database(model)`` derives what the role applies from the topology
model (topology_model.Model): the primary, the replicas, each database
host's server id and address, the management servers' addresses the
database admits, and max_connections. It refuses nothing: the inventory
rules of the tier are the engine's (the role runs them first with
``cloudstack.infra.topology_validate``): the old DB101..DB105 are CS405,
CS406, CS407, CS408 and CS303; CS401..CS404 and CS504 as before.

``render_db_properties()`` gives the management servers' database settings
(``db.properties`` keys) for a given primary and replica list, using
``db.cloud.replicas`` or the older ``db.cloud.slaves`` by CloudStack version.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils.topology_data import (
    DB_CONNECTIONS_PER_MGMT as CONNECTIONS_PER_MANAGEMENT_SERVER,  # CS404
    DB_SERVER_ID_KEYS,
)
# CloudStack renamed db.cloud.slaves to db.cloud.replicas (inclusive naming).
REPLICAS_KEY_SINCE_DEFAULT = "4.16"


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


def _server_id(hostvars, address):
    """The explicit server id (cloudstack_db_server_id or
    database_server_id), else the one derived from the address."""
    for key in DB_SERVER_ID_KEYS:
        value = hostvars.get(key)
        if value not in (None, ""):
            return int(str(value).strip())
    return server_id_from_address(address) if address else None


def plan_database(model, connections_per_management_server=CONNECTIONS_PER_MANAGEMENT_SERVER):
    """The database tier's settings from a model the engine accepted.

    Returns a dict: primary, replicas, management, server_ids, addresses,
    sites, management_addresses, db_addresses, max_connections (the
    model's cloudstack_db_max_connections, else
    connections_per_management_server x management servers, at least one
    server's worth) and connections_per_management_server.
    """
    primaries = sorted(set(model.group("cloudstack_db_primary")))
    replicas = sorted(set(model.group("cloudstack_db_replicas")) - set(primaries))
    management = sorted(set(model.group("cloudstack_management")))
    db_hosts = primaries + replicas
    addresses, sites, server_ids = {}, {}, {}
    for host in db_hosts + [h for h in management if h not in db_hosts]:
        hv = model.hostvars.get(host) or {}
        sites[host] = model.host_site(host) if hv.get("cloudstack_site") is None \
            else hv["cloudstack_site"]
        if hv.get("cloudstack_management_address") is not None:
            addresses[host] = str(hv["cloudstack_management_address"])
        if host in db_hosts:
            server_ids[host] = _server_id(hv, addresses.get(host))
    max_connections = model.globals.get("cloudstack_db_max_connections")
    if max_connections is None:
        max_connections = connections_per_management_server * max(len(management), 1)
    return {
        "primary": primaries[0] if primaries else None,
        "replicas": replicas,
        "management": management,
        "server_ids": server_ids,
        "addresses": addresses,
        "sites": sites,
        "management_addresses": sorted(set(addresses[h] for h in management if h in addresses)),
        "db_addresses": sorted(set(addresses[h] for h in db_hosts if h in addresses)),
        "max_connections": int(max_connections),
        "connections_per_management_server": connections_per_management_server,
    }


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
