# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options shared by the validator's action-backed modules (topology_validate, topology_report)."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """cloudstack.infra.topology_inventory: explicit data instead of the play's inventory."""

    DOCUMENTATION = r"""
options:
  groups:
    description:
      - Group name to list of host names. When given, the inventory is not
        read and O(hostvars) and O(global_vars) are used as the data.
    type: dict
  hostvars:
    description:
      - Host name to that host's variables (only the C(cloudstack_*) keys are
        read). Used with O(groups).
    type: dict
  global_vars:
    description:
      - The global variables (C(group_vars/all)), for example
        C(cloudstack_zones). Used with O(groups).
    type: dict
attributes:
  action:
    support: full
    description: The action plugin runs the engine on the controller and reads the inventory itself.
notes:
  - This module is only documentation; its action plugin of the same name
    does all the work on the controller and never runs code on a target.
"""
