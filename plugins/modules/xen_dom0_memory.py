#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: xen_dom0_memory
short_description: Set XenServer / XCP-ng dom0 memory on the Xen command line
version_added: 0.1.0
description:
  - Reads the current C(dom0_mem) with C(xen-cmdline --get-xen dom0_mem) and,
    only when it differs, sets C(dom0_mem=<size>M,max:<max>M) with
    C(xen-cmdline --set-xen).
  - The new value takes effect at the next boot of the host; the module never
    reboots. It returns RV(reboot_required) so that the caller can reboot when
    the operator allows it.
  - The CloudStack reference architecture recommends 2940 MB for dom0.
  - Proven only against recorded C(xen-cmdline) output and a stand-in script
    (see the collection README); not run on a real XenServer in this project.
options:
  memory_mb:
    description: dom0 memory in MB.
    type: int
    default: 2940
  max_mb:
    description: The C(max:) part in MB; defaults to O(memory_mb) (a fixed size).
    type: int
  xen_cmdline:
    description: Path of the xen-cmdline tool.
    type: path
    default: /opt/xensource/libexec/xen-cmdline
extends_documentation_fragment:
  - cloudstack.infra.xen_cli.modes
author:
  - CloudStack infra maintainers (@cloudstack-infra)
"""

EXAMPLES = r"""
- name: Give dom0 the recommended 2940 MB
  cloudstack.infra.xen_dom0_memory:
    memory_mb: 2940
  register: dom0

- name: Reboot when the operator allows it
  ansible.builtin.reboot:
  when: dom0.reboot_required and xenserver_host_reboot_allowed
"""

RETURN = r"""
before:
  description: The dom0_mem value found (without the C(dom0_mem=) prefix); null when unset.
  returned: always
  type: str
  sample: 752M,max:752M
after:
  description: The dom0_mem value after the run (in check mode, what it would be).
  returned: always
  type: str
  sample: 2940M,max:2940M
dom0_mem:
  description: The wanted value.
  returned: always
  type: str
  sample: 2940M,max:2940M
reboot_required:
  description: True when the value was (or in check mode would be) changed; it applies at the next boot.
  returned: always
  type: bool
commands:
  description: The write commands issued (in check mode, the ones that would be).
  returned: always
  type: list
  elements: str
  sample: ["/opt/xensource/libexec/xen-cmdline --set-xen dom0_mem=2940M,max:2940M"]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cloudstack.infra.plugins.module_utils.xen_common import (
    ensure_dom0_memory, run_module)


def _apply(xen, params, _uuid):
    return ensure_dom0_memory(xen, params["memory_mb"], params["max_mb"])


def main():
    module = AnsibleModule(
        argument_spec=dict(
            memory_mb=dict(type="int", default=2940),
            max_mb=dict(type="int"),
            xen_cmdline=dict(type="path", default="/opt/xensource/libexec/xen-cmdline"),
        ),
        supports_check_mode=True,
    )
    run_module(module, _apply, tool="xen_cmdline",
               missing="%s not found: this module runs on a XenServer / XCP-ng dom0 "
                       "(set xen_cmdline when the tool lives elsewhere)")


if __name__ == "__main__":
    main()
