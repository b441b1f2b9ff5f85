#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: xen_storage_pif
short_description: Configure a dedicated storage NIC on a XenServer host
version_added: 0.1.0
description:
  - For the PIF of O(device) on this host - refuses a bond member, labels its
    network O(label) (refusing a label another network already has), gives it
    a static address (C(xe pif-reconfigure-ip)), sets
    C(other-config:management_purpose) and C(disallow-unplug=true).
  - Every value is read first; only differing ones are written.
  - Proven only against recorded C(xe) output and a stand-in script, not on XenServer.
options:
  device:
    description: The NIC, e.g. C(eth2).
    type: str
    required: true
  label:
    description: Unique name label of its network (the storage network's name).
    type: str
    required: true
  address:
    description: IPv4 address on the storage network.
    type: str
    required: true
  netmask:
    description: Dotted netmask of the storage network.
    type: str
    required: true
  gateway:
    description: Gateway of the storage network (optional).
    type: str
extends_documentation_fragment:
  - cloudstack.infra.xen_cli
  - cloudstack.infra.xen_cli.diff
author:
  - CloudStack infra maintainers (@cloudstack-infra)
"""

EXAMPLES = r"""
- name: First storage network
  cloudstack.infra.xen_storage_pif:
    device: eth2
    label: storage-a
    address: 10.20.0.31
    netmask: 255.255.255.0
"""

RETURN = r"""
pif:
  description: UUID of the PIF.
  returned: always
  type: str
changes:
  description: What was (or would be) changed - label, ip, management_purpose, disallow-unplug.
  returned: always
  type: list
  elements: str
commands:
  description: Write commands issued (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cloudstack.infra.plugins.module_utils.xen_common import (
    XE_CLI_ARGUMENT_SPEC, ensure_storage_pif, run_module, values_text)


def _apply(xe, params, uuid):
    result = ensure_storage_pif(xe, uuid, params["device"], params["label"], params["address"],
                                params["netmask"], params["gateway"])
    before = result.pop("before")
    after = result.pop("after")
    result["commands"] = xe.commands
    result["diff"] = {"before": values_text(before), "after": values_text(after)}
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            device=dict(type="str", required=True),
            label=dict(type="str", required=True),
            address=dict(type="str", required=True),
            netmask=dict(type="str", required=True),
            gateway=dict(type="str"),
            uuid=dict(type="str"),
            **XE_CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, _apply, host=True)


if __name__ == "__main__":
    main()
