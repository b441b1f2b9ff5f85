# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the host firewalls: exposure_plan, exposure_nftables.

Documentation: exposure_plan.yml and exposure_nftables.yml beside this file.
The logic is plain Python in plugins/module_utils/exposure_plan.py.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.cloudstack.infra.plugins.module_utils import exposure_plan as E
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H


def exposure_plan(hostvars, groups, host, options=None):
    """What ``host`` exposes, per tier, from the topology model."""
    try:
        return H.run_plan("exposure_plan", lambda model: E.plan_exposure(model, host, options),
                          hostvars, groups, host, (E.ExposureError,))
    except H.PlanFailed as exc:
        raise AnsibleFilterError(to_native(exc))


def exposure_nftables(plan, table, extra_rules=None):
    """The policy-drop inet table admitting exactly the plan's services."""
    if not isinstance(plan, dict) or "services" not in plan:
        raise AnsibleFilterError(
            "exposure_nftables: the input must be the result of cloudstack.infra.exposure_plan")
    if not isinstance(extra_rules, (list, tuple, type(None))):
        raise AnsibleFilterError(
            "exposure_nftables: extra_rules must be a list of nft rules, got %r" % (extra_rules,))
    return E.render_nft(plan, table, extra_rules)


class FilterModule(object):
    """Host-firewall exposure filters."""

    def filters(self):
        return {"exposure_plan": exposure_plan, "exposure_nftables": exposure_nftables}
