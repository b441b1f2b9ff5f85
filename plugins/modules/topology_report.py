#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: topology_report
short_description: Write the topology diagram (DOT) and the capacity table of a CloudStack inventory
version_added: "0.1.0"
description:
  - Runs the topology validator (the same engine as
    M(cloudstack.infra.topology_validate)) and writes, to the directory
    O(dest), C(topology.dot), a Graphviz diagram of the site (management
    layer, sites, zones with their networks and CIDRs, pods, clusters with
    their hosts and primary storage, secondary storage, storage servers),
    and C(capacity.md), the capacity plan as a Markdown table (per cluster
    hosts N, per-host instance limit, tolerated failures f, safe capacity
    (N - f) x limit, planned instances, headroom and the CS604 threshold).
  - An action plugin of the same name runs on the controller. Without
    O(groups) it reads the play's inventory itself, as
    M(cloudstack.infra.topology_validate) does; no connection to any
    inventory host is made.
  - Fails when the inventory is malformed (rule CS001); other findings are
    shown in the report, they do not stop it.
  - Rendering the DOT text to SVG or PNG is left to Graphviz's C(dot)
    program (C(playbooks/report.yml) does it).
author:
  - CloudStack infra maintainers (@cloudstack-infra)
options:
  dest:
    description:
      - Directory to write C(topology.dot) and C(capacity.md) to (created
        when missing). On the controller for the action plugin.
    type: path
    required: true
  title:
    description:
      - Name shown in the diagram's title and the page's heading, usually
        the inventory's name.
    type: str
attributes:
  check_mode:
    support: full
    description: Reports whether the files would change; writes nothing.
  diff_mode:
    support: none
    description: No diff is shown.
extends_documentation_fragment:
  - cloudstack.infra.topology_inventory
notes:
  - The report is described in C(docs/report.md) of the collection.
seealso:
  - module: cloudstack.infra.topology_validate
"""

EXAMPLES = r"""
- name: Diagram and capacity table of the inventory (controller only)
  cloudstack.infra.topology_report:
    dest: /tmp/cloudstack-report
    title: lab

- name: Report on explicit data
  cloudstack.infra.topology_report:
    dest: /tmp/cloudstack-report
    groups:
      cloudstack_management: [mgmt1]
      cloudstack_db_primary: [mgmt1]
      cloudstack_nfs: [nfs1]
      cloudstack_kvm_hosts: [kvm1, kvm2]
    hostvars: {}
    global_vars:
      cloudstack_zones:
        - name: zone1
          networks:
            management: {cidr: 10.10.0.0/24, gateway: 10.10.0.1}
          secondary_storage:
            - {server: nfs1, path: /export/secondary, size_gb: 500}
          pods:
            - name: pod1
              clusters:
                - {name: c1, hypervisor: KVM, hosts: [kvm1, kvm2], max_instances_per_host: 50}
"""

RETURN = r"""
dest:
  description: The report directory.
  returned: always
  type: str
dot:
  description: The diagram as DOT text (what C(topology.dot) holds).
  returned: always
  type: str
markdown:
  description: The capacity table page (what C(capacity.md) holds).
  returned: always
  type: str
dot_path:
  description: Path of C(topology.dot).
  returned: always
  type: str
markdown_path:
  description: Path of C(capacity.md).
  returned: always
  type: str
summary:
  description: The validator's summary (C(no violations) or counts).
  returned: always
  type: str
  sample: no violations
capacity_lines:
  description: The capacity plan as an aligned text table.
  returned: always
  type: list
  elements: str
"""
