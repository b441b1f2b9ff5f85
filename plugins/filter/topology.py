# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the topology validator (docs in the .yml sidecars)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H


def _report(global_vars, groups, hostvars):
    if not isinstance(global_vars, dict):
        raise AnsibleFilterError("cloudstack_topology_violations: the input "
                                 "must be a mapping of global variables "
                                 "(e.g. cloudstack_zones), got %s"
                                 % S.type_name(global_vars))
    if groups is not None and not isinstance(groups, dict):
        raise AnsibleFilterError("cloudstack_topology_violations: groups must "
                                 "be a mapping of group name to hosts")
    if hostvars is not None and not hasattr(hostvars, "items"):
        raise AnsibleFilterError("cloudstack_topology_violations: hostvars "
                                 "must be a mapping of host to variables")
    hosts = {}
    for host, hvars in (hostvars or {}).items():
        if not hasattr(hvars, "items"):
            hosts[host] = hvars         # reported as CS001 by the engine
            continue
        # only cloudstack_* keys, and not the global value seen through
        # every host (the engine checks that once)
        hosts[host] = dict(
            (k, v) for k, v in hvars.items()
            if isinstance(k, str) and k.startswith("cloudstack_")
            and k != "cloudstack_zones"
            and not (k in global_vars and T.same_value(global_vars[k], v)))
    try:
        return T.validate_topology(groups or {}, hosts, global_vars)
    except Exception as exc:  # the engine must not raise: a bug
        raise AnsibleFilterError("cloudstack_topology_violations: validator "
                                 "crashed: %s" % exc)


def topology_host_view(hostvars, groups, host):
    """The per-host view of the topology model (topology_model.Model)."""
    try:
        model = H.host_model(hostvars, groups, host)
    except H.InputError as exc:
        raise AnsibleFilterError("topology_host_view: %s" % exc)
    except Exception as exc:  # the engine must not raise: a bug
        raise AnsibleFilterError("topology_host_view: model crashed: %s"
                                 % exc)
    return model.host_view(host)


def cloudstack_topology_violations(global_vars, groups=None, hostvars=None):
    """List of violation dicts (id, severity, location, message, hint)."""
    return _report(global_vars, groups, hostvars).to_dict()["violations"]


class FilterModule(object):

    def filters(self):
        return {
            "cloudstack_topology_violations": cloudstack_topology_violations,
            "topology_host_view": topology_host_view,
        }
