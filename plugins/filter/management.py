# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the management tier: management_plan and
management_setup_databases.

Documentation: the YAML file named after each filter, beside this file.
The logic is plain Python in plugins/module_utils/management_plan.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.cloudstack.infra.plugins.module_utils import management_plan as MP
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H


def management_plan(hostvars, groups, host, version=None):
    """The management tier's plan from the topology model as ``host`` sees
    it; the roles run the engine's rules (CS401, CS406, CS409..CS413)
    first."""
    try:
        model = H.host_model(hostvars, groups, host)
        return MP.plan_management(model, host, version)
    except H.InputError as exc:
        raise AnsibleFilterError("management_plan: %s" % exc)
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(
            "management_plan: %s; cloudstack_version must be a dotted version "
            "such as '4.22', and cloudstack.infra.topology_validate with rules "
            "CS401, CS406 and CS409..CS413 names any inventory value at fault"
            % to_native(exc))


def management_setup_databases(version, first, schema_tables, redeploy=False):
    """What cloudstack-setup-databases does on one server (see
    management_plan.setup_databases)."""
    try:
        return MP.setup_databases(version, bool(first), int(schema_tables or 0),
                                  redeploy=bool(redeploy))
    except (TypeError, ValueError) as exc:
        raise AnsibleFilterError(
            "management_setup_databases: %s (version %r, schema_tables %r); "
            "the version must be dotted, such as '4.22'"
            % (to_native(exc), version, schema_tables))


class FilterModule(object):
    """Management tier filters."""

    def filters(self):
        return {
            "management_plan": management_plan,
            "management_setup_databases": management_setup_databases,
        }
