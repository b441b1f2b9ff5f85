# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the topology validator (docs in the .yml sidecars)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S


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


# one model per (hostvars, groups) objects: every host of a play asks for
# its view from the same two objects
_MODEL_CACHE = {}


def _host_keys(hvars):
    """The contract's keys of one host's variables (only those: reading
    every variable of thousands of hosts templates them all)."""
    out = {}
    for key in S.KNOWN_KEYS + ("database_server_id",):
        try:
            present = key in hvars
        except TypeError:
            present = False
        if present:
            out[key] = hvars[key]
    return out


def topology_host_view(hostvars, groups, host):
    """The per-host view of the topology model (topology_model.Model)."""
    if not hasattr(hostvars, "items") or not hasattr(hostvars, "get"):
        raise AnsibleFilterError("topology_host_view: the input must be "
                                 "hostvars (a mapping of host to variables),"
                                 " got %s" % S.type_name(hostvars))
    if not isinstance(groups, dict):
        raise AnsibleFilterError("topology_host_view: groups must be a "
                                 "mapping of group name to hosts, got %s"
                                 % S.type_name(groups))
    if not isinstance(host, str) or not host:
        raise AnsibleFilterError("topology_host_view: the host name must be "
                                 "text, got %s" % S.type_name(host))
    key = (id(hostvars), id(groups))
    model = _MODEL_CACHE.get(key)
    if model is None or host not in model.known:
        names = [host]
        contract = {}
        for group in T.CONTRACT_GROUPS:
            members = groups.get(group) or []
            if isinstance(members, (list, tuple)):
                contract[group] = list(members)
                names.extend(members)
        own = hostvars.get(host)
        own = _host_keys(own) if hasattr(own, "items") else {}
        global_vars = dict((k, v) for k, v in own.items()
                           if k in S.GLOBAL_SPECS)
        hosts = {}
        for name in names:
            if name in hosts:
                continue
            hvars = hostvars.get(name)
            hosts[name] = dict(
                (k, v) for k, v in (_host_keys(hvars).items()
                                    if hasattr(hvars, "items") else ())
                if not (k in global_vars and T.same_value(global_vars[k], v)))
        try:
            model = T.build_model(contract, hosts, global_vars)[1]
        except Exception as exc:  # the engine must not raise: a bug
            raise AnsibleFilterError("topology_host_view: model crashed: %s"
                                     % exc)
        _MODEL_CACHE.clear()
        _MODEL_CACHE[key] = model
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
