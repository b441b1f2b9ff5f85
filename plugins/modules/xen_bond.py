#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: xen_bond
short_description: Create a NIC bond on a XenServer host (pool master first)
version_added: 0.1.0
description:
  - Finds the network labelled O(name) (creates it with C(xe network-create)
    when absent), the PIFs of O(devices) on this host, and the bond whose
    master PIF sits on that network.
  - No bond yet - C(xe bond-create network-uuid=... pif-uuids=... mode=...).
    A bond with the same members - only the mode is corrected
    (C(xe bond-param-set)). A bond with other members - the module fails
    (re-bonding cuts traffic; destroy it by hand).
  - Run it on the pool master before other hosts join the pool; joining
    hosts inherit the master's bonds.
  - Proven only against recorded C(xe) output and a stand-in script, not on XenServer.
options:
  name:
    description: Name label of the bonded network (unique in the pool).
    type: str
    required: true
  devices:
    description: Member devices (at least two), e.g. C([eth0, eth1]).
    type: list
    elements: str
    required: true
  mode:
    description: XenServer bond mode.
    type: str
    choices: [balance-slb, active-backup, lacp]
    default: active-backup
extends_documentation_fragment:
  - cloudstack.infra.xen_cli
author:
  - CloudStack infra maintainers (@cloudstack-infra)
attributes:
  diff_mode:
    support: none
    description: No diff is returned.
"""

EXAMPLES = r"""
- name: Management bond
  cloudstack.infra.xen_bond:
    name: bond0
    devices: [eth0, eth1]
    mode: active-backup
"""

RETURN = r"""
bond:
  description: UUID of the bond (null in check mode before creation).
  returned: always
  type: str
created:
  description: Whether a bond was (or would be) created.
  returned: always
  type: bool
commands:
  description: Write commands issued (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cloudstack.infra.plugins.module_utils.xen_common import (
    XE_CLI_ARGUMENT_SPEC, ensure_bond, run_module)


def _apply(xe, params, uuid):
    result = ensure_bond(xe, uuid, params["name"], params["devices"], params["mode"])
    result.setdefault("bond", None)
    result["commands"] = xe.commands
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            devices=dict(type="list", elements="str", required=True),
            mode=dict(type="str", default="active-backup",
                      choices=["balance-slb", "active-backup", "lacp"]),
            uuid=dict(type="str"),
            **XE_CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, _apply, host=True)


if __name__ == "__main__":
    main()
