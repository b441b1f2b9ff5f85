# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The topology model from Ansible's ``hostvars`` and ``groups`` (plain
Python, no Ansible import).

The filters that hand a role its plan (topology_host_view, the storage,
database and firewall filters) all start here: ``host_model(hostvars,
groups, host)`` reads the contract's keys of the contract groups' hosts
(only those: reading every variable of thousands of hosts templates them
all), takes the global keys from ``host``'s own variables (the copy the
role on that host uses; CS002 refuses a global key set per host or group)
and builds the model once per (hostvars, groups) pair.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S

# one model per (hostvars, groups) objects: every host of a play asks for
# its plan from the same two objects
_MODEL_CACHE = {}


class InputError(Exception):
    """hostvars, groups or the host name are not what the filter needs."""


def _host_keys(hvars):
    out = {}
    for key in S.KNOWN_KEYS + ("database_server_id",):
        try:
            present = key in hvars
        except TypeError:
            present = False
        if present:
            out[key] = hvars[key]
    return out


class PlanFailed(Exception):
    """A planner filter's error, its message ready for AnsibleFilterError."""


def run_plan(name, plan, hostvars, groups, host, typed=()):
    """``plan(model)`` over the model as ``host`` sees it, for the filter
    ``name``: a bad input (InputError), the planner's own refusal (``typed``)
    or an unexpected value in the inventory (which topology_validate names)
    becomes PlanFailed with the filter's name in front."""
    try:
        return plan(host_model(hostvars, groups, host))
    except InputError as exc:
        raise PlanFailed("%s: %s" % (name, exc))
    except typed as exc:
        raise PlanFailed("%s: %s" % (name, exc))
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise PlanFailed(
            "%s: %s; run cloudstack.infra.topology_validate on this "
            "inventory first: it names the value at fault" % (name, exc))


def host_model(hostvars, groups, host):
    """The topology_model.Model of the inventory as ``host`` sees it."""
    if not hasattr(hostvars, "items") or not hasattr(hostvars, "get"):
        raise InputError("the input must be hostvars (a mapping of host to "
                         "variables), got %s; pass `hostvars`"
                         % S.type_name(hostvars))
    if not isinstance(groups, dict):
        raise InputError("groups must be a mapping of group name to hosts, "
                         "got %s; pass `groups`" % S.type_name(groups))
    if not isinstance(host, str) or not host:
        raise InputError("the host name must be text, got %s; pass "
                         "`inventory_hostname`" % S.type_name(host))
    key = (id(hostvars), id(groups))
    model = _MODEL_CACHE.get(key)
    if model is not None and host in model.known:
        return model
    names = [host]
    contract = {}
    for group in T.CONTRACT_GROUPS:
        members = groups.get(group) or []
        if isinstance(members, (list, tuple)):
            contract[group] = list(members)
            names.extend(members)
    own = hostvars.get(host)
    own = _host_keys(own) if hasattr(own, "items") else {}
    global_vars = dict((k, v) for k, v in own.items() if k in S.GLOBAL_SPECS)
    hosts = {}
    for name in names:
        if name in hosts:
            continue
        hvars = hostvars.get(name)
        hosts[name] = dict(
            (k, v) for k, v in (_host_keys(hvars).items()
                                if hasattr(hvars, "items") else ())
            if not (k in global_vars and T.same_value(global_vars[k], v)))
    model = T.build_model(contract, hosts, global_vars)[1]
    _MODEL_CACHE.clear()
    _MODEL_CACHE[key] = model
    return model
