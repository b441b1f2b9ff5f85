# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the database tier: database_plan, database_properties and\ndatabase_gtid_missing.

Documentation: the YAML file named after each filter, beside this file.
The logic is plain Python in plugins/module_utils/database_plan.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.cloudstack.infra.plugins.module_utils.database_plan import (
    CONNECTIONS_PER_MANAGEMENT_SERVER,
    REPLICAS_KEY_SINCE_DEFAULT,
    gtid_missing,
    plan_database,
    render_db_properties,
)
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H


def database_plan(hostvars, groups, host, connections_per_management_server=None):
    """The database tier's plan from the topology model as ``host`` sees
    it; the role runs the engine's rules (CS303, CS401..CS408, CS504)
    first."""
    if connections_per_management_server is None:
        connections_per_management_server = CONNECTIONS_PER_MANAGEMENT_SERVER
    try:
        model = H.host_model(hostvars, groups, host)
        return plan_database(model, connections_per_management_server=int(
            connections_per_management_server))
    except H.InputError as exc:
        raise AnsibleFilterError("database_plan: %s" % exc)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(
            "database_plan: %s; run cloudstack.infra.topology_validate with "
            "rules CS303 and CS401..CS408 first: it names the value and the "
            "fix" % to_native(exc))


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
