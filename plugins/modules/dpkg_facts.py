#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: dpkg_facts
short_description: The names of the packages dpkg lists as installed, as a fact
version_added: "0.1.0"
description:
  - Reads dpkg's status file and sets the fact C(cloudstack_dpkg_installed), the sorted names of the
    packages whose status is C(ok installed). Nothing is changed.
  - The collection's roles pass it to the filter C(cloudstack.infra.packages_missing) and skip their apt run
    when every package they need is installed (C(site.yml) reads it once per run, before the tiers). One read of
    a file is much cheaper than M(ansible.builtin.package_facts), which opens apt's cache.
  - On a host without dpkg's status file (not Debian-family) the fact is null, and the roles run their package
    module as usual.
  - The fact is what was installed when it was read. A package installed later in the run is missing from it,
    which only makes a role run apt; the collection's roles never remove packages.
extends_documentation_fragment:
  - cloudstack.infra.read_only
author:
  - CloudStack infra maintainers (@cloudstack-infra)
options:
  status_file:
    description: dpkg's status file.
    type: path
    default: /var/lib/dpkg/status
attributes:
  facts:
    support: full
    description: Sets C(cloudstack_dpkg_installed).
  platform:
    support: full
    platforms: posix
    description: Debian-family hosts; elsewhere the fact is null.
seealso:
  - module: ansible.builtin.package_facts
"""

EXAMPLES = r"""
- name: Read the installed packages once
  cloudstack.infra.dpkg_facts:

- name: Install only when something is missing
  ansible.builtin.apt:
    name: [chrony, logrotate]
    state: present
  when: >-
    [chrony, logrotate] | cloudstack.infra.packages_missing(ansible_facts) | length > 0
"""

RETURN = r"""
ansible_facts:
  description: The fact set.
  returned: always
  type: dict
  contains:
    cloudstack_dpkg_installed:
      description: Sorted names of the installed packages; null when the status file does not exist.
      type: list
      elements: str
      sample: [adduser, apt, base-files]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native, to_text
from ansible_collections.cloudstack.infra.plugins.module_utils.host_packages import FACT, installed_from_dpkg_status


def main():
    module = AnsibleModule(
        argument_spec=dict(status_file=dict(type="path", default="/var/lib/dpkg/status")),
        supports_check_mode=True,
    )
    path = module.params["status_file"]
    installed = None
    if os.path.exists(path):
        try:
            with open(path, "rb") as handle:
                installed = installed_from_dpkg_status(to_text(handle.read(), errors="surrogate_or_replace"))
        except (IOError, OSError) as err:
            module.fail_json(msg="dpkg_facts: cannot read %s: %s" % (path, to_native(err)))
    module.exit_json(changed=False, ansible_facts={FACT: installed})


if __name__ == "__main__":
    main()
