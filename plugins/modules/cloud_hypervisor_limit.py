#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloud_hypervisor_limit
short_description: Set CloudStack's per-host instance limit (maxguestslimit) of a hypervisor
version_added: 0.1.0
description:
  - Lists the hypervisor capability rows of O(hypervisor) (C(listHypervisorCapabilities),
    one row per hypervisor version) and sets C(maxguestslimit) to O(limit) with
    C(updateHypervisorCapabilities) on every row whose limit differs.
  - Changed only when at least one row differed. Check mode reports what would
    change without calling the update; diff shows the rows' limits before and after.
  - Built on the ngine_io.cloudstack module utilities (the C(cs) API client).
  - Proven only against the CloudStack API stand-in of this collection's tests
    (tests/cloudstack_standin), not against a real CloudStack management server.
options:
  hypervisor:
    description: The hypervisor name as CloudStack spells it, for example C(KVM) or C(XenServer).
    type: str
    required: true
  limit:
    description: The maximum number of guest instances per host (C(maxguestslimit)).
    type: int
    required: true
extends_documentation_fragment:
  - ngine_io.cloudstack.cloudstack
author:
  - CloudStack infra maintainers (@cloudstack-infra)
"""

EXAMPLES = r"""
- name: At most 50 instances on each KVM host
  cloudstack.infra.cloud_hypervisor_limit:
    hypervisor: KVM
    limit: 50
    api_url: "{{ cloudstack_api_url }}"
    api_key: "{{ cloudstack_api_key }}"
    api_secret: "{{ cloudstack_api_secret }}"
  no_log: true
"""

RETURN = r"""
before:
  description: The hypervisor's capability rows before the change.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: The row's id.
      type: str
    hypervisor_version:
      description: The hypervisor version of the row.
      type: str
    max_guests_limit:
      description: The row's maxguestslimit.
      type: int
  sample: [{"id": "5d2f...", "hypervisor_version": "default", "max_guests_limit": 50}]
after:
  description: The rows after the change (what they would be, in check mode).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "5d2f...", "hypervisor_version": "default", "max_guests_limit": 40}]
hypervisor:
  description: The hypervisor asked for.
  returned: always
  type: str
  sample: KVM
limit:
  description: The limit asked for.
  returned: always
  type: int
  sample: 40
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ngine_io.cloudstack.plugins.module_utils.cloudstack import (
    AnsibleCloudStack,
    cs_argument_spec,
    cs_required_together,
)


def _row(caps):
    return {
        "id": caps["id"],
        "hypervisor_version": caps.get("hypervisorversion"),
        "max_guests_limit": int(caps.get("maxguestslimit") or 0),
    }


class AnsibleCloudStackHypervisorLimit(AnsibleCloudStack):
    """maxguestslimit on every capability row of one hypervisor."""

    def run(self):
        hypervisor = self.module.params["hypervisor"]
        limit = self.module.params["limit"]
        res = self.query_api("listHypervisorCapabilities", hypervisor=hypervisor)
        rows = [c for c in (res or {}).get("hypervisorCapabilities", [])
                if str(c.get("hypervisor", "")).lower() == hypervisor.lower()]
        if not rows:
            self.fail_json(msg="CloudStack has no hypervisor capabilities for hypervisor %s "
                               "(check the spelling: KVM, XenServer, VMware, ...)" % hypervisor)
        before = [_row(c) for c in rows]
        after = []
        for row in before:
            new = dict(row, max_guests_limit=limit)
            if row["max_guests_limit"] != limit:
                self.result["changed"] = True
                if not self.module.check_mode:
                    updated = self.query_api("updateHypervisorCapabilities", id=row["id"], maxguestslimit=limit)
                    caps = updated.get("hypervisorcapabilities") or updated.get("hypervisorCapabilities")
                    if caps:
                        new = _row(caps)
            after.append(new)
        self.result["diff"] = {"before": {"rows": before}, "after": {"rows": after}}
        self.result.update(before=before, after=after, hypervisor=hypervisor, limit=limit)
        return self.result


def main():
    argument_spec = cs_argument_spec()
    argument_spec.update(
        hypervisor=dict(type="str", required=True),
        limit=dict(type="int", required=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, required_together=cs_required_together(),
                           supports_check_mode=True)
    if module.params["limit"] < 1:
        module.fail_json(msg="limit must be 1 or more, got %s" % module.params["limit"])
    module.exit_json(**AnsibleCloudStackHypervisorLimit(module).run())


if __name__ == "__main__":
    main()
