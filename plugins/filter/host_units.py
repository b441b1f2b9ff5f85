# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter systemd_units_not_in_state: the units a role still has to start,
enable or mask (documentation: systemd_units_not_in_state.yml beside this
file; logic: plugins/module_utils/host_units.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import host_units as HU


def systemd_units_not_in_state(units, output, values):
    """The units not in the state (see host_units.units_not_in_state)."""
    try:
        return HU.units_not_in_state(units, output, values)
    except HU.HostUnitsError as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    """systemd unit filters."""

    def filters(self):
        return {"systemd_units_not_in_state": systemd_units_not_in_state}
