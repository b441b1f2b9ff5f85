# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter packages_missing: the packages of a list a host does not have yet
(documentation: packages_missing.yml beside this file; logic:
plugins/module_utils/host_packages.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import host_packages as HP


def packages_missing(names, installed=None):
    """The names not installed (see host_packages.packages_missing)."""
    try:
        return HP.packages_missing(names, installed)
    except HP.HostPackagesError as err:
        raise AnsibleFilterError(str(err))


class FilterModule(object):
    """Package filters."""

    def filters(self):
        return {"packages_missing": packages_missing}
