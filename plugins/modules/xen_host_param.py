#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: xen_host_param
short_description: Set map keys of this XenServer host (other-config and similar)
version_added: 0.1.0
description:
  - Reads each key with C(xe host-param-get uuid=<host> param-name=<map> param-key=<key>)
    and writes the keys that differ with one C(xe host-param-set uuid=<host> <map>:<key>=<value> ...).
  - The host is the dom0 the module runs on (C(INSTALLATION_UUID) from
    C(/etc/xensource-inventory)) unless O(uuid) is given.
  - Used for C(other-config:iscsi_iqn) and for multipathing
    (C(other-config:multipathing=true), C(other-config:multipathhandle=dmp)).
  - Proven only against recorded C(xe) output and a stand-in script, not on XenServer.
options:
  map:
    description: The map parameter to edit.
    type: str
    default: other-config
  values:
    description: Keys and values to set (values are compared as strings).
    type: dict
    required: true
extends_documentation_fragment:
  - cloudstack.infra.xen_cli
  - cloudstack.infra.xen_cli.diff
author:
  - CloudStack infra maintainers (@cloudstack-infra)
"""

EXAMPLES = r"""
- name: iSCSI initiator name and multipathing
  cloudstack.infra.xen_host_param:
    values:
      iscsi_iqn: iqn.2025-01.lab:xen1
      multipathing: "true"
      multipathhandle: dmp
"""

RETURN = r"""
uuid:
  description: The host UUID that was read / written.
  returned: always
  type: str
before:
  description: The keys' values found (null for an absent key).
  returned: always
  type: dict
after:
  description: The keys' values after the run.
  returned: always
  type: dict
commands:
  description: Write commands issued (or that would be, in check mode).
  returned: always
  type: list
  elements: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.cloudstack.infra.plugins.module_utils.xen_common import (
    XE_CLI_ARGUMENT_SPEC, ensure_map_keys, run_module, values_text)


def _apply(xe, params, uuid):
    changed, before, after = ensure_map_keys(xe, "host", uuid, params["map"], params["values"])
    prefix = "%s:" % params["map"]
    return dict(changed=changed, uuid=uuid, before=before, after=after, commands=xe.commands,
                diff={"before": values_text(before, prefix), "after": values_text(after, prefix)})


def main():
    module = AnsibleModule(
        argument_spec=dict(
            uuid=dict(type="str"),
            map=dict(type="str", default="other-config"),
            values=dict(type="dict", required=True),
            **XE_CLI_ARGUMENT_SPEC
        ),
        supports_check_mode=True,
    )
    run_module(module, _apply, host=True)


if __name__ == "__main__":
    main()
