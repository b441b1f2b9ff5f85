#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloud_traffic_label
short_description: Set the hypervisor network labels of a CloudStack traffic type
version_added: 0.1.0
description:
  - Finds the traffic type O(traffic_type) of the physical network O(physical_network) in zone O(zone)
    (C(listPhysicalNetworks), C(listTrafficTypes)) and sets the labels given (O(kvm_label), O(xen_label))
    with C(updateTrafficType) when one differs; labels not given are left alone.
  - It exists because ngine_io.cloudstack 2.5.0's C(cs_traffic_type) accepts C(xen_networklabel) but never
    sends it, so a XenServer label cannot be set through it. Use C(cs_traffic_type) to add the traffic type,
    then this module for its labels.
  - Changed only when a label differed. Check mode reports what would change without calling the update;
    diff shows the labels before and after.
  - Built on the ngine_io.cloudstack module utilities (the C(cs) API client). Proven only against the
    CloudStack API stand-in of this collection's tests (tests/cloudstack_standin), not against a real
    CloudStack management server.
options:
  zone:
    description: The zone's name.
    type: str
    required: true
  physical_network:
    description: The physical network's name.
    type: str
    required: true
  traffic_type:
    description: The traffic type.
    type: str
    required: true
    choices: [Management, Guest, Public, Storage]
  kvm_label:
    description: The KVM label (the host's bridge, for example C(cloudbr0)); not given - left alone.
    type: str
  xen_label:
    description: The XenServer label (the name-label of the host network); not given - left alone.
    type: str
  poll_async:
    description: Wait for the asynchronous update to finish.
    type: bool
    default: true
extends_documentation_fragment:
  - ngine_io.cloudstack.cloudstack
author:
  - CloudStack infra maintainers (@cloudstack-infra)
"""

EXAMPLES = r"""
- name: Management traffic on cloudbr0 on KVM and XenServer
  cloudstack.infra.cloud_traffic_label:
    zone: zone1
    physical_network: zone1-management
    traffic_type: Management
    kvm_label: cloudbr0
    xen_label: cloudbr0
    api_url: "{{ cloudstack_api_url }}"
    api_key: "{{ cloudstack_api_key }}"
    api_secret: "{{ cloudstack_api_secret }}"
  no_log: true
"""

RETURN = r"""
id:
  description: The traffic type's id.
  returned: success
  type: str
  sample: 5d2f6c1e-0c2b-4b55-9d1a-3c7e1f0b2a11
before:
  description: The labels before (kvm_label, xen_label).
  returned: success
  type: dict
  sample: {"kvm_label": "cloudbr0", "xen_label": null}
after:
  description: The labels after (what they would be, in check mode).
  returned: success
  type: dict
  sample: {"kvm_label": "cloudbr0", "xen_label": "cloudbr0"}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ngine_io.cloudstack.plugins.module_utils.cloudstack import (
    AnsibleCloudStack,
    cs_argument_spec,
    cs_required_together,
)

LABELS = (("kvm_label", "kvmnetworklabel"), ("xen_label", "xennetworklabel"))


class AnsibleCloudStackTrafficLabel(AnsibleCloudStack):
    """The hypervisor labels of one traffic type."""

    def _physical_network(self):
        name = self.module.params["physical_network"]
        res = self.query_api("listPhysicalNetworks", zoneid=self.get_zone(key="id"), name=name)
        for net in (res or {}).get("physicalnetwork", []):
            if net.get("name") == name:
                return net
        self.fail_json(msg="physical network %s not found in zone %s; add it first (cs_physical_network)"
                           % (name, self.module.params["zone"]))
        return None

    def run(self):
        net = self._physical_network()
        kind = self.module.params["traffic_type"]
        res = self.query_api("listTrafficTypes", physicalnetworkid=net["id"])
        found = [t for t in (res or {}).get("traffictype", []) if t.get("traffictype") == kind]
        if not found:
            self.fail_json(msg="physical network %s has no %s traffic type; add it first (cs_traffic_type)"
                               % (net["name"], kind))
        ttype = found[0]
        before = dict((opt, ttype.get(field) or None) for opt, field in LABELS)
        after = dict(before)
        args = {}
        for opt, field in LABELS:
            want = self.module.params[opt]
            if want is not None and want != before[opt]:
                args[field] = want
                after[opt] = want
        if args:
            self.result["changed"] = True
            if not self.module.check_mode:
                job = self.query_api("updateTrafficType", id=ttype["id"], **args)
                if self.module.params["poll_async"]:
                    self.poll_job(job, "traffictype")
        self.result["diff"] = {"before": before, "after": after}
        self.result.update(id=ttype["id"], before=before, after=after)
        return self.result


def main():
    argument_spec = cs_argument_spec()
    argument_spec.update(
        zone=dict(type="str", required=True),
        physical_network=dict(type="str", required=True),
        traffic_type=dict(type="str", required=True, choices=["Management", "Guest", "Public", "Storage"]),
        kvm_label=dict(type="str"),
        xen_label=dict(type="str"),
        poll_async=dict(type="bool", default=True),
    )
    module = AnsibleModule(argument_spec=argument_spec, required_together=cs_required_together(),
                           supports_check_mode=True)
    module.exit_json(**AnsibleCloudStackTrafficLabel(module).run())


if __name__ == "__main__":
    main()
