# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin filter wrappers over plugins/module_utils/storage_topology.py.

The planners take the topology model (module_utils/topology_hostvars.py
builds it from ``hostvars`` and ``groups``); the roles run the engine's
rules first (cloudstack.infra.topology_validate), so a planner only sees an
inventory the engine accepted.

The documentation of each filter is its YAML sidecar
(plugins/filter/<filter name>.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as st
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_hostvars as H

_UNSET = object()


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except (st.StorageError, H.InputError) as exc:
            raise AnsibleFilterError("%s: %s" % (func.__name__, exc))
    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def storage_nfs_exports(hostvars, groups, host, export_clients=_UNSET,
                        sync=False):
    model = H.host_model(hostvars, groups, host)
    if export_clients is _UNSET:
        export_clients = model.effective(host, "cloudstack_nfs_export_clients")
    return st.nfs_exports(model, host, export_clients=export_clients,
                          sync=sync)


def storage_nfs_export_line(export):
    return st.export_line(export)


def storage_nfs_firewall_clients(exports):
    v4, v6 = st.firewall_clients(exports)
    return {"ipv4": v4, "ipv6": v6}


def storage_nfs_size_problems(exports, mounts, host=""):
    return st.size_problems(exports, mounts, host=host)


def storage_ini_items_to_apply(items, text, attributes_ok=True, no_extra_spaces=True):
    return st.ini_items_to_apply(items, text, attributes_ok=attributes_ok, no_extra_spaces=no_extra_spaces)


def storage_iscsi_targets(hostvars, groups, host, luns=None,
                          backstore_dir="/var/lib/iscsi_disks", portals=None,
                          chap=None):
    model = H.host_model(hostvars, groups, host)
    return st.iscsi_targets(model, host, luns=luns,
                            backstore_dir=backstore_dir, portals=portals,
                            chap=chap)


def storage_iscsi_initiator_sources(hostvars, groups, host):
    model = H.host_model(hostvars, groups, host)
    v4, v6 = st.firewall_clients(
        [{"clients": st.iscsi_initiator_sources(model, host)}])
    return {"ipv4": v4, "ipv6": v6}


def storage_iscsi_chap(chap, target):
    return st.chap_credentials(chap, target)


def storage_iscsi_chap_problems(chap, targets):
    return st.chap_problems(chap, targets)


def storage_iscsi_plan(saved, targets, allow_recreate=False):
    return st.iscsi_plan(saved, targets, allow_recreate=allow_recreate)


def storage_iscsi_initiator_iqn(hostname, prefix="iqn.2025-01.org.cloudstack.infra"):
    return st.default_initiator_iqn(hostname, prefix)


def storage_iqn_valid(value):
    return isinstance(value, str) and st.IQN_RE.match(value) is not None


class FilterModule(object):
    """Storage tier filters."""

    def filters(self):
        return dict((f.__name__, _wrap(f)) for f in (
            storage_nfs_exports, storage_nfs_export_line,
            storage_nfs_firewall_clients, storage_nfs_size_problems, storage_ini_items_to_apply,
            storage_iscsi_targets, storage_iscsi_plan, storage_iscsi_initiator_iqn,
            storage_iqn_valid, storage_iscsi_initiator_sources, storage_iscsi_chap,
            storage_iscsi_chap_problems))
