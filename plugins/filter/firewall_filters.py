# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the NAT firewall role; the logic lives in module_utils/firewall_rules.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H
from ansible_collections.cloudstack.infra.plugins.module_utils.firewall_rules import (
    firewall_plan,
    interface_for_address,
    interface_ipv4,
    restore_script,
    ssh_guard,
)


def _plan(hostvars, groups, host, knobs=None):
    if knobs is not None and not isinstance(knobs, dict):
        raise AnsibleFilterError('firewall_plan: the role settings must be a mapping, got %s; pass '
                                 '{forwards: ..., admin_cidrs: ...}' % type(knobs).__name__)
    try:
        model = H.host_model(hostvars, groups, host)
    except H.InputError as exc:
        raise AnsibleFilterError('firewall_plan: %s' % exc)
    return firewall_plan(model, host, dict(knobs or {}))


def _restore(saved, tables):
    if not isinstance(saved, dict):
        raise AnsibleFilterError('firewall_restore_script expects a mapping of saved listings')
    pairs = []
    for item in tables:
        family, table = str(item).split(None, 1)
        pairs.append((family, table))
    return restore_script(pairs, saved)


def _ssh_guard(ssh_connection, sources, connection=None):
    if sources is not None and not isinstance(sources, (list, tuple)):
        raise AnsibleFilterError('firewall_ssh_guard: the SSH sources must be a list of addresses/CIDRs or null, '
                                 'got %r; pass host_firewall_ssh_sources as a list' % (sources,))
    return ssh_guard(connection, ssh_connection, sources)


class FilterModule(object):
    """NAT firewall filters."""

    def filters(self):
        return {
            'firewall_plan': _plan,
            'firewall_interface_for_address': interface_for_address,
            'firewall_interface_ipv4': interface_ipv4,
            'firewall_restore_script': _restore,
            'firewall_ssh_guard': _ssh_guard,
        }
