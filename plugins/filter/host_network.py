# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin filter wrapper over plugins/module_utils/host_network.py.

The documentation of the filter is its YAML sidecar
(plugins/filter/host_network_plan.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import host_network as hn


def host_network_plan(view, options=None):
    try:
        return hn.network_plan(view, options)
    except hn.HostNetworkError as exc:
        raise AnsibleFilterError("cloudstack.infra.host_network_plan: %s" % exc)


class FilterModule(object):
    """Host networking filters."""

    def filters(self):
        return {"host_network_plan": host_network_plan}
