#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloud_unlisted_info
short_description: What CloudStack has that the inventory does not list
version_added: 0.1.0
description:
  - Read-only. Lists CloudStack's zones, pods, clusters, hosts, primary storage
    pools and image stores and returns, per kind, those whose names are not in the
    expected lists given. Nothing is removed; the caller reports them.
  - Hosts are the hosts of type C(Routing) (hypervisors); system VMs and secondary
    storage VMs are not hosts here. Host-local primary storage (scope C(HOST)),
    which CloudStack creates itself, is not reported.
  - Only the kinds in O(kinds) are compared; the others are returned empty.
  - Built on the ngine_io.cloudstack module utilities (the C(cs) API client).
  - Proven only against the CloudStack API stand-in of this collection's tests
    (tests/cloudstack_standin), not against a real CloudStack management server.
options:
  zones:
    description: Expected zone names.
    type: list
    elements: str
    default: []
  pods:
    description: Expected pods, as C(zone/pod).
    type: list
    elements: str
    default: []
  clusters:
    description: Expected clusters, as C(zone/pod/cluster).
    type: list
    elements: str
    default: []
  hosts:
    description: Expected hosts, by IP address or by the name CloudStack shows.
    type: list
    elements: str
    default: []
  storage_pools:
    description: Expected primary storage pools, as C(zone/name).
    type: list
    elements: str
    default: []
  image_stores:
    description: Expected image stores (secondary storage), as C(zone/url) or by name.
    type: list
    elements: str
    default: []
  kinds:
    description: The kinds to compare.
    type: list
    elements: str
    choices: [zones, pods, clusters, hosts, storage_pools, image_stores]
    default: [zones, pods, clusters, hosts, storage_pools, image_stores]
extends_documentation_fragment:
  - ngine_io.cloudstack.cloudstack
author:
  - CloudStack infra maintainers (@cloudstack-infra)
notes:
  - Supports check mode (it changes nothing).
"""

EXAMPLES = r"""
- name: What CloudStack has beyond the inventory
  cloudstack.infra.cloud_unlisted_info:
    zones: [lab-zone1]
    pods: [lab-zone1/lab-pod1]
    clusters: [lab-zone1/lab-pod1/lab-cluster1]
    hosts: [10.10.0.21, 10.10.0.22]
    storage_pools: [lab-zone1/lab-ps1]
    image_stores: ["lab-zone1/nfs://10.10.0.31/export/secondary"]
    api_url: "{{ cloudstack_api_url }}"
    api_key: "{{ cloudstack_api_key }}"
    api_secret: "{{ cloudstack_api_secret }}"
  register: unlisted
  no_log: true
"""

RETURN = r"""
unlisted:
  description: Per kind, what CloudStack has and the expected lists do not name, in the same spelling as the inputs
    (hosts as C(zone/pod/cluster/address), image stores as C(zone/name)).
  returned: always
  type: dict
  sample: {"zones": [], "pods": ["lab-zone1/old-pod"], "clusters": [], "hosts": ["lab-zone1/lab-pod1/lab-cluster1/10.10.0.29"],
           "storage_pools": [], "image_stores": []}
count:
  description: How many items are unlisted, all kinds together.
  returned: always
  type: int
  sample: 2
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ngine_io.cloudstack.plugins.module_utils.cloudstack import (
    AnsibleCloudStack,
    cs_argument_spec,
    cs_required_together,
)

KINDS = ["zones", "pods", "clusters", "hosts", "storage_pools", "image_stores"]


class AnsibleCloudStackUnlistedInfo(AnsibleCloudStack):
    """Compare CloudStack's resources with expected names."""

    def _list(self, command, **args):
        return self.query_api(command, fetch_list=True, **args) or []

    def _zones(self, want):
        return [z["name"] for z in self._list("listZones") if z["name"] not in want]

    def _pods(self, want):
        return ["%s/%s" % (p.get("zonename"), p["name"]) for p in self._list("listPods")
                if "%s/%s" % (p.get("zonename"), p["name"]) not in want]

    def _clusters(self, want):
        out = []
        for c in self._list("listClusters"):
            key = "%s/%s/%s" % (c.get("zonename"), c.get("podname"), c["name"])
            if key not in want:
                out.append(key)
        return out

    def _hosts(self, want):
        out = []
        for h in self._list("listHosts", type="Routing"):
            if h.get("ipaddress") in want or h.get("name") in want:
                continue
            out.append("%s/%s/%s/%s" % (h.get("zonename"), h.get("podname"), h.get("clustername"),
                                        h.get("ipaddress") or h.get("name")))
        return out

    def _storage_pools(self, want):
        return ["%s/%s" % (p.get("zonename"), p["name"]) for p in self._list("listStoragePools")
                if str(p.get("scope", "")).upper() != "HOST" and "%s/%s" % (p.get("zonename"), p["name"]) not in want]

    def _image_stores(self, want):
        out = []
        for s in self._list("listImageStores"):
            if s.get("name") in want or "%s/%s" % (s.get("zonename"), s.get("url")) in want:
                continue
            out.append("%s/%s" % (s.get("zonename"), s.get("name")))
        return out

    def run(self):
        unlisted = {}
        for kind in KINDS:
            if kind in self.module.params["kinds"]:
                unlisted[kind] = sorted(getattr(self, "_" + kind)(set(self.module.params[kind])))
            else:
                unlisted[kind] = []
        self.result.pop("diff", None)
        self.result.update(unlisted=unlisted, count=sum(len(v) for v in unlisted.values()))
        return self.result


def main():
    argument_spec = cs_argument_spec()
    argument_spec.update(dict((kind, dict(type="list", elements="str", default=[])) for kind in KINDS))
    argument_spec["kinds"] = dict(type="list", elements="str", choices=KINDS, default=list(KINDS))
    module = AnsibleModule(argument_spec=argument_spec, required_together=cs_required_together(),
                           supports_check_mode=True)
    module.exit_json(**AnsibleCloudStackUnlistedInfo(module).run())


if __name__ == "__main__":
    main()
