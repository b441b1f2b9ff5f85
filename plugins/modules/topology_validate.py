#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: topology_validate
short_description: Validate a CloudStack topology against the reference architecture
version_added: "0.1.0"
description:
  - Runs the rules CS001 and CS101 to CS604 of the topology contract on the
    inventory (groups, host variables, global variables) and returns a report
    with every violation found (rule id, severity, location, message, hint)
    and a capacity plan with one row per cluster.
  - With O(facts), runs the fact-based rules CS701 to CS706 instead, on the
    results of M(cloudstack.infra.host_preflight).
  - An action plugin of the same name runs on the controller. Without
    O(groups) it reads the play's inventory itself (groups and the
    C(cloudstack_*) variables of the hosts in the contract's groups); no
    connection to any inventory host is made.
  - Fails when the report holds an error (unless O(fail_on_error=false));
    warnings never fail.
  - The rules are listed in C(docs/validator.md) of the collection.
author:
  - CloudStack infra maintainers (@cloudstack-infra)
options:
  facts:
    description:
      - Host name to the C(cloudstack_preflight) result of
        M(cloudstack.infra.host_preflight). When given, the fact-based rules
        CS701 to CS706 run instead of the inventory rules.
    type: dict
  thresholds:
    description:
      - Overrides for the fact-based rules. Keys C(root_min_free_gb)
        (default 10), C(root_max_used_percent) (default 80),
        C(instance_memory_mb) (default 1024, a cluster's
        C(instance_memory_mb) wins).
    type: dict
  fail_on_error:
    description:
      - Fail the task when the report holds at least one error.
    type: bool
    default: true
  report_path:
    description:
      - Write the full report as JSON to this path on the controller. Not
        written in check mode.
    type: path
  rules:
    description:
      - Report only these rule ids (for example V([CS305, CS306])), plus
        CS001 and CS002, which are always reported. This is how a role run
        on its own checks the rules it depends on with the same engine.
      - Unknown ids fail the task. Default is every rule.
    type: list
    elements: str
attributes:
  check_mode:
    support: full
    description: Validation changes nothing; only O(report_path) is skipped.
  diff_mode:
    support: none
    description: Nothing is changed, so there is no diff.
extends_documentation_fragment:
  - cloudstack.infra.topology_inventory
notes:
  - Secrets are never printed; a weak secret is reported by its name only.
seealso:
  - module: cloudstack.infra.host_preflight
"""

EXAMPLES = r"""
- name: A role checks only the rules it depends on (run once, on the controller)
  cloudstack.infra.topology_validate:
    rules: [CS103, CS302, CS305, CS306, CS503]
  run_once: true

- name: Validate the topology of the inventory (controller only)
  cloudstack.infra.topology_validate:
    report_path: /tmp/cloudstack-topology.json

- name: Validate explicit data
  cloudstack.infra.topology_validate:
    groups:
      cloudstack_management: [mgmt1]
      cloudstack_db_primary: [mgmt1]
      cloudstack_nfs: [nfs1]
      cloudstack_kvm_hosts: [kvm1, kvm2]
    hostvars:
      kvm1: {cloudstack_management_address: 10.10.0.21}
      kvm2: {cloudstack_management_address: 10.10.0.22}
    global_vars:
      cloudstack_db_dr: false
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
    fail_on_error: false
  register: topology

- name: Evaluate the fact-based checks on preflight results
  cloudstack.infra.topology_validate:
    facts: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'cloudstack_preflight'))) }}"
"""

RETURN = r"""
report:
  description: The full report.
  returned: always
  type: dict
  contains:
    summary:
      description: C(no violations) or the count of errors and warnings.
      type: str
      sample: no violations
    failed:
      description: True when at least one violation is an error.
      type: bool
    errors:
      description: Number of errors.
      type: int
    warnings:
      description: Number of warnings.
      type: int
    violations:
      description: Every violation, each with C(id), C(severity) (error or
        warning), C(location) (zone/pod/cluster/host path or group name),
        C(message) and C(hint).
      type: list
      elements: dict
    capacity:
      description: One row per cluster with C(zone), C(pod), C(cluster),
        C(hypervisor), C(hosts), C(failures_tolerated), C(per_host_limit),
        C(safe_capacity) ((hosts - failures) x limit), C(planned) and
        C(headroom).
      type: list
      elements: dict
violation_lines:
  description: The violations as readable lines (C(no violations) when clean).
  returned: always
  type: list
  elements: str
capacity_lines:
  description: The capacity plan as an aligned text table.
  returned: always
  type: list
  elements: str
source:
  description: Where the data came from (C(options), C(inventory (direct)) or
    C(inventory (hostvars))).
  returned: always
  type: str
report_written:
  description: Whether the JSON report was written to O(report_path).
  returned: when report_path is given
  type: bool
"""
