# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the database tier: database_plan, database_properties and\ndatabase_gtid_missing.

Documentation: the YAML file named after each filter, beside this file.
The logic is plain Python in plugins/module_utils/database_plan.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.cloudstack.infra.plugins.module_utils.database_plan import (
    CONNECTIONS_PER_MANAGEMENT_SERVER,
    REPLICAS_KEY_SINCE_DEFAULT,
    format_errors,
    gtid_missing,
    plan_database,
    render_db_properties,
)

# Host variables the plan reads (hostvars are templated lazily: read only these).
_HOST_KEYS = ("cloudstack_management_address", "cloudstack_site", "database_server_id")


def _plain_hostvars(hostvars, names):
    out = {}
    for name in names:
        try:
            hv = hostvars[name]
        except KeyError:
            out[name] = {}
            continue
        out[name] = {key: hv.get(key) for key in _HOST_KEYS if key in hv}
    return out


def database_plan(hostvars, groups, secrets=None, max_connections=None,
                  connections_per_management_server=None, dr=False):
    if not isinstance(groups, Mapping):
        raise AnsibleFilterError("database_plan: groups must be a mapping (pass `groups`)")
    if secrets is not None and not isinstance(secrets, Mapping):
        raise AnsibleFilterError("database_plan: secrets must be a mapping of name to value")
    if connections_per_management_server is None:
        connections_per_management_server = CONNECTIONS_PER_MANAGEMENT_SERVER
    names = set()
    for group in ("cloudstack_db_primary", "cloudstack_db_replicas", "cloudstack_management"):
        names.update(groups.get(group) or [])
    try:
        plain_groups = {k: list(groups.get(k) or []) for k in
                        ("cloudstack_db_primary", "cloudstack_db_replicas", "cloudstack_management")}
        result = plan_database(plain_groups, _plain_hostvars(hostvars, sorted(names)),
                               secrets=dict(secrets) if secrets is not None else None,
                               max_connections=max_connections,
                               connections_per_management_server=int(connections_per_management_server),
                               dr=bool(dr))
    except Exception as exc:  # pragma: no cover - reported to the user
        raise AnsibleFilterError("database_plan: %s" % to_native(exc))
    result["messages"] = format_errors(result["errors"])
    return result


def database_properties(primary_address, replica_addresses, cloudstack_version,
                        since=REPLICAS_KEY_SINCE_DEFAULT):
    try:
        pairs = render_db_properties(cloudstack_version, primary_address,
                                     list(replica_addresses or []), since=since)
    except ValueError as exc:
        raise AnsibleFilterError(
            "database_properties: cloudstack_version %r is not a dotted version "
            "such as '4.20' (%s)" % (cloudstack_version, to_native(exc)))
    return dict(pairs)


def database_gtid_missing(target_pos, other_pos):
    try:
        return gtid_missing(target_pos, other_pos)
    except ValueError as exc:
        raise AnsibleFilterError("database_gtid_missing: %s" % to_native(exc))


class FilterModule(object):
    """Database tier filters."""

    def filters(self):
        return {
            "database_plan": database_plan,
            "database_properties": database_properties,
            "database_gtid_missing": database_gtid_missing,
        }
