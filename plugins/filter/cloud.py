# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the API tier: cloud_plan, cloud_capacity and
cloud_expected_names.

Documentation: the YAML file named after each filter, beside this file.
The logic is plain Python in plugins/module_utils/cloud_plan.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.cloudstack.infra.plugins.module_utils import cloud_plan as CP
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import G_MGMT


def cloud_plan(hostvars, groups, host=None):
    """The API tier's plan from the topology model (as ``host`` sees it;
    default: the first management server)."""
    if host is None and isinstance(groups, dict):
        mgmt = groups.get(G_MGMT) or []
        host = mgmt[0] if isinstance(mgmt, (list, tuple)) and mgmt else None
    if host is None:
        raise AnsibleFilterError(
            "cloud_plan: the inventory has no cloudstack_management host and "
            "no host was given; add the management servers (CS401)")
    try:
        return H.run_plan("cloud_plan", lambda model: CP.plan_cloud(model, host),
                          hostvars, groups, host, (CP.PlanError,))
    except H.PlanFailed as exc:
        raise AnsibleFilterError(to_native(exc))


def cloud_capacity(rows, live, reenable=False):
    """The capacity guard's decision per cluster (cloud_plan.capacity_actions)."""
    if not isinstance(rows, list) or not isinstance(live, list):
        raise AnsibleFilterError(
            "cloud_capacity: pass the plan's capacity rows and the clusters "
            "cloudstack.infra.cloud_capacity_info returned (two lists), got "
            "%s and %s" % (type(rows).__name__, type(live).__name__))
    try:
        return CP.capacity_actions(rows, live, bool(reenable))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise AnsibleFilterError(
            "cloud_capacity: %s; rows must come from cloud_plan's capacity "
            "and live from cloud_capacity_info's clusters" % to_native(exc))


def cloud_expected_names(plan):
    """What the plan lists per kind, as cloud_unlisted_info compares it."""
    try:
        return CP.expected_names(plan)
    except (TypeError, KeyError, AttributeError) as exc:
        raise AnsibleFilterError("cloud_expected_names: %s; pass a plan from "
                                 "cloudstack.infra.cloud_plan" % to_native(exc))


class FilterModule(object):
    """API tier filters."""

    def filters(self):
        return {
            "cloud_plan": cloud_plan,
            "cloud_capacity": cloud_capacity,
            "cloud_expected_names": cloud_expected_names,
        }
