#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_preflight
short_description: Read the host facts the CloudStack fact-based checks need
version_added: "0.1.0"
description:
  - Reads, without changing anything, what the fact-based topology checks
    CS701 to CS706 need. The checks themselves run on the controller
    (M(cloudstack.infra.topology_validate) with O(cloudstack.infra.topology_validate#module:facts),
    or the engine function C(check_host_facts)).
  - CPU flags and model name from C(/proc/cpuinfo); the fully qualified
    hostname and whether it resolves; whether the clock is synchronised
    (C(timedatectl show), else C(chronyc tracking), else
    C(/run/systemd/timesync/synchronized)); size and free space of the root
    filesystem; C(MemTotal) from C(/proc/meminfo).
extends_documentation_fragment:
  - cloudstack.infra.read_only
author:
  - CloudStack infra maintainers (@cloudstack-infra)
options:
  root_path:
    description:
      - The filesystem whose size and free space are read.
    type: path
    default: /
attributes:
  platform:
    support: full
    platforms: posix
    description: Linux hosts (reads C(/proc)).
notes:
  - Linux only (reads C(/proc)).
seealso:
  - module: cloudstack.infra.topology_validate
"""

EXAMPLES = r"""
- name: Read preflight facts
  cloudstack.infra.host_preflight:
  register: preflight

- name: Show whether hardware virtualisation is exposed
  ansible.builtin.debug:
    msg: "{{ preflight.cloudstack_preflight.virtualization_flags }}"
"""

RETURN = r"""
cloudstack_preflight:
  description: The facts, also set as the fact C(cloudstack_preflight).
  returned: always
  type: dict
  contains:
    virtualization_flags:
      description: The hardware virtualisation CPU flags found (C(vmx), C(svm)); empty when none.
      type: list
      elements: str
      sample: [vmx]
    cpu_model:
      description: The first C(model name) of C(/proc/cpuinfo) (None when absent).
      type: str
      sample: Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz
    fqdn:
      description: The fully qualified hostname (C(socket.getfqdn)).
      type: str
    fqdn_resolves:
      description: Whether the FQDN resolves to an address and contains a dot.
      type: bool
    time_synchronized:
      description: Whether the clock is synchronised; None when no source could tell.
      type: bool
    time_source:
      description: Which probe answered (timedatectl, chronyc, timesyncd) or why none did.
      type: str
    root_size_mb:
      description: Size of the root filesystem in MiB.
      type: int
    root_free_mb:
      description: Space available to unprivileged users on the root filesystem, in MiB.
      type: int
    memtotal_mb:
      description: C(MemTotal) in MiB.
      type: int
"""

import os
import socket

from ansible.module_utils.basic import AnsibleModule


def parse_cpuinfo(text):
    """(virtualisation flags found, first model name) of /proc/cpuinfo."""
    flags = set()
    model = None
    for line in text.splitlines():
        key, _sep, value = line.partition(":")
        key = key.strip()
        if key == "flags":
            flags.update(f for f in value.split() if f in ("vmx", "svm"))
        elif key == "model name" and model is None:
            model = value.strip()
    return sorted(flags), model


def parse_meminfo(text):
    for line in text.splitlines():
        if line.startswith("MemTotal:"):
            parts = line.split()
            return int(parts[1]) // 1024
    return None


def parse_timedatectl(text):
    for line in text.splitlines():
        if line.startswith("NTPSynchronized="):
            return line.split("=", 1)[1].strip() == "yes"
    return None


def parse_chronyc(text):
    """chronyc tracking: synchronised unless 'Leap status : Not synchronised'."""
    for line in text.splitlines():
        if line.strip().startswith("Leap status"):
            return "not synchronised" not in line.lower()
    return None


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return ""


def time_state(module):
    probes = []
    timedatectl = module.get_bin_path("timedatectl")
    if timedatectl:
        rc, out, _err = module.run_command([timedatectl, "show"])
        state = parse_timedatectl(out) if rc == 0 else None
        if state is not None:
            return state, "timedatectl"
        probes.append("timedatectl show: no answer (rc %d)" % rc)
    chronyc = module.get_bin_path("chronyc")
    if chronyc:
        rc, out, _err = module.run_command([chronyc, "tracking"])
        state = parse_chronyc(out) if rc == 0 else None
        if state is not None:
            return state, "chronyc"
        probes.append("chronyc tracking: no answer (rc %d)" % rc)
    if os.path.exists("/run/systemd/timesync/synchronized"):
        return True, "timesyncd"
    probes.append("no timedatectl/chronyc answer and no "
                  "/run/systemd/timesync/synchronized")
    return None, "; ".join(probes)


def fqdn_state():
    fqdn = socket.getfqdn()
    try:
        socket.getaddrinfo(fqdn, None)
        resolves = "." in fqdn
    except socket.gaierror:
        resolves = False
    return fqdn, resolves


def main():
    module = AnsibleModule(
        argument_spec=dict(root_path=dict(type="path", default="/")),
        supports_check_mode=True,
    )
    flags, model = parse_cpuinfo(_read("/proc/cpuinfo"))
    fqdn, resolves = fqdn_state()
    synced, source = time_state(module)
    try:
        st = os.statvfs(module.params["root_path"])
    except OSError as exc:
        module.fail_json(msg="cannot stat %s: %s" % (
            module.params["root_path"], exc))
    facts = dict(
        virtualization_flags=flags,
        cpu_model=model,
        fqdn=fqdn,
        fqdn_resolves=resolves,
        time_synchronized=synced,
        time_source=source,
        root_size_mb=st.f_blocks * st.f_frsize // (1024 * 1024),
        root_free_mb=st.f_bavail * st.f_frsize // (1024 * 1024),
        memtotal_mb=parse_meminfo(_read("/proc/meminfo")),
    )
    module.exit_json(changed=False, cloudstack_preflight=facts,
                     ansible_facts=dict(cloudstack_preflight=facts))


if __name__ == "__main__":
    main()
