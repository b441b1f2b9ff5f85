# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter of the monitoring: monitoring_plan.

Documentation: monitoring_plan.yml beside this file. The logic is plain
Python in plugins/module_utils/monitoring_plan.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.cloudstack.infra.plugins.module_utils import monitoring_plan as MON
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import (
    CONTRACT_GROUPS, G_MGMT, G_MONITORING)


def _first_host(groups):
    """The host whose view of the inventory is read: the first monitoring
    server, else the first management server, else the first host of a
    contract group."""
    for group in (G_MONITORING, G_MGMT) + tuple(CONTRACT_GROUPS):
        members = groups.get(group) or []
        if isinstance(members, (list, tuple)) and members:
            return members[0]
    return None


def monitoring_plan(hostvars, groups, knobs=None, host=None):
    """The monitoring plan from the topology model (as ``host`` sees it)."""
    if host is None and isinstance(groups, dict):
        host = _first_host(groups)
    if host is None:
        raise AnsibleFilterError(
            "monitoring_plan: the inventory has no host in the contract's "
            "groups (cloudstack_monitoring, cloudstack_management, ...) and "
            "no host was given")
    try:
        return H.run_plan("monitoring_plan", lambda model: MON.plan_monitoring(model, knobs),
                          hostvars, groups, host, (MON.KnobError,))
    except H.PlanFailed as exc:
        raise AnsibleFilterError(to_native(exc))


class FilterModule(object):
    """Monitoring filters."""

    def filters(self):
        return {"monitoring_plan": monitoring_plan}
