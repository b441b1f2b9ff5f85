#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: cloud_capacity_info
short_description: Count the hosts and instances of every CloudStack cluster
version_added: 0.1.0
description:
  - Read-only. For every cluster (of O(zone) only, when given) returns its zone,
    pod, name, allocation state, the number of its hosts of type C(Routing)
    (the hypervisor hosts) and the number of its instances.
  - Instances are the user VMs that C(listVirtualMachines listall=true) (read page
    by page) reports with a C(hostid) of one of the cluster's hosts, whatever their
    state (Running, Starting, Migrating, Stopping ...). A stopped VM has no host
    and does not count.
  - The output is the C(live) input of the C(cloudstack.infra.cloud_capacity) filter
    (playbooks/capacity.yml).
  - Built on the ngine_io.cloudstack module utilities (the C(cs) API client).
  - Proven only against the CloudStack API stand-in of this collection's tests
    (tests/cloudstack_standin), not against a real CloudStack management server.
options:
  zone:
    description: Only the clusters of this zone (by name).
    type: str
extends_documentation_fragment:
  - ngine_io.cloudstack.cloudstack
author:
  - CloudStack infra maintainers (@cloudstack-infra)
notes:
  - Supports check mode (it changes nothing).
"""

EXAMPLES = r"""
- name: Hosts and instances per cluster
  cloudstack.infra.cloud_capacity_info:
    api_url: "{{ cloudstack_api_url }}"
    api_key: "{{ cloudstack_api_key }}"
    api_secret: "{{ cloudstack_api_secret }}"
  register: live
  no_log: true
"""

RETURN = r"""
clusters:
  description: One entry per cluster, sorted by zone, pod and cluster.
  returned: always
  type: list
  elements: dict
  contains:
    zone:
      description: The cluster's zone.
      type: str
    pod:
      description: The cluster's pod.
      type: str
    cluster:
      description: The cluster's name.
      type: str
    hosts:
      description: Hosts of type Routing in the cluster.
      type: int
    instances:
      description: User VMs placed on a host of the cluster.
      type: int
    allocation:
      description: The cluster's allocation state (Enabled or Disabled).
      type: str
  sample: [{"zone": "lab-zone1", "pod": "lab-pod1", "cluster": "lab-cluster1", "hosts": 2,
            "instances": 37, "allocation": "Enabled"}]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.ngine_io.cloudstack.plugins.module_utils.cloudstack import (
    AnsibleCloudStack,
    cs_argument_spec,
    cs_required_together,
)


class AnsibleCloudStackCapacityInfo(AnsibleCloudStack):
    """Hosts and instances per cluster."""

    def _list(self, command, **args):
        return self.query_api(command, fetch_list=True, **args) or []

    def run(self):
        zone_name = self.module.params.get("zone")
        filters = {}
        if zone_name:
            zones = [z for z in self._list("listZones", name=zone_name) if z["name"] == zone_name]
            if not zones:
                self.fail_json(msg="CloudStack has no zone named %s" % zone_name)
            filters["zoneid"] = zones[0]["id"]
        clusters = self._list("listClusters", **filters)
        hosts = self._list("listHosts", type="Routing", **filters)
        vms = self._list("listVirtualMachines", listall=True, **filters)
        host_cluster = dict((h["id"], h.get("clusterid")) for h in hosts)
        per_cluster_hosts = {}
        for host in hosts:
            per_cluster_hosts[host.get("clusterid")] = per_cluster_hosts.get(host.get("clusterid"), 0) + 1
        per_cluster_vms = {}
        for vm in vms:
            cluster_id = host_cluster.get(vm.get("hostid"))
            if cluster_id:
                per_cluster_vms[cluster_id] = per_cluster_vms.get(cluster_id, 0) + 1
        out = [{"zone": c.get("zonename"), "pod": c.get("podname"), "cluster": c["name"],
                "hosts": per_cluster_hosts.get(c["id"], 0), "instances": per_cluster_vms.get(c["id"], 0),
                "allocation": c.get("allocationstate")} for c in clusters]
        out.sort(key=lambda r: (r["zone"] or "", r["pod"] or "", r["cluster"]))
        self.result.pop("diff", None)
        self.result.update({"clusters": out})
        return self.result


def main():
    argument_spec = cs_argument_spec()
    argument_spec.update(zone=dict(type="str"))
    module = AnsibleModule(argument_spec=argument_spec, required_together=cs_required_together(),
                           supports_check_mode=True)
    module.exit_json(**AnsibleCloudStackCapacityInfo(module).run())


if __name__ == "__main__":
    main()
