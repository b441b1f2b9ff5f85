#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: xen_network_backend
short_description: Choose the XenServer network backend (bridge or openvswitch)
version_added: 0.1.0
description:
  - Reads the backend from C(/etc/xensource/network.conf) and runs
    C(xe-switch-network-backend <backend>) only when it differs.
  - CloudStack security groups on XenServer need the C(bridge) backend.
  - The switch applies at the next boot; the module returns RV(reboot_required).
  - Proven only against recorded files and a stand-in script, not on XenServer.
options:
  backend:
    description: The wanted backend.
    type: str
    choices: [bridge, openvswitch]
    default: bridge
  network_conf:
    description: File that holds the current backend.
    type: path
    default: /etc/xensource/network.conf
  switch_command:
    description: Path of xe-switch-network-backend.
    type: path
    default: /opt/xensource/bin/xe-switch-network-backend
extends_documentation_fragment:
  - cloudstack.infra.xen_cli.modes
author:
  - CloudStack infra maintainers (@cloudstack-infra)
"""

EXAMPLES = r"""
- name: Bridge backend for security groups
  cloudstack.infra.xen_network_backend:
    backend: bridge
"""

RETURN = r"""
before:
  description: Backend found (null when the file is missing or empty).
  returned: always
  type: str
  sample: openvswitch
after:
  description: Backend after the run.
  returned: always
  type: str
  sample: bridge
reboot_required:
  description: True when the backend was (or would be) switched.
  returned: always
  type: bool
commands:
  description: Write commands issued (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cloudstack.infra.plugins.module_utils.xen_common import (
    ensure_network_backend, run_module)


def _apply(switch, params, _uuid):
    text = ""
    if os.path.exists(params["network_conf"]):
        with open(params["network_conf"]) as handle:
            text = handle.read()
    return ensure_network_backend(switch, text, params["backend"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            backend=dict(type="str", default="bridge", choices=["bridge", "openvswitch"]),
            network_conf=dict(type="path", default="/etc/xensource/network.conf"),
            switch_command=dict(type="path",
                                default="/opt/xensource/bin/xe-switch-network-backend"),
        ),
        supports_check_mode=True,
    )
    run_module(module, _apply, tool="switch_command",
               missing="%s not found: this module runs on a XenServer / XCP-ng dom0")


if __name__ == "__main__":
    main()
