# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Thin filter wrappers over plugins/module_utils/storage_topology.py.

The documentation of each filter is its YAML sidecar
(plugins/filter/<filter name>.yml).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as st


def _wrap(func):
    def run(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except st.StorageError as exc:
            raise AnsibleFilterError(str(exc))
    run.__name__ = func.__name__
    run.__doc__ = func.__doc__
    return run


def storage_nfs_exports(zones, host, export_clients=None, sync=False):
    return st.nfs_exports(zones, host, export_clients=export_clients, sync=sync)


def storage_nfs_export_line(export):
    return st.export_line(export)


def storage_nfs_client_problems(clients, zones):
    return st.export_client_problems(clients, zones)


def storage_nfs_firewall_clients(exports):
    v4, v6 = st.firewall_clients(exports)
    return {"ipv4": v4, "ipv6": v6}


def storage_nfs_size_problems(exports, mounts, host=""):
    return st.size_problems(exports, mounts, host=host)


def storage_iscsi_targets(zones, host, hostvars, target_hosts, luns=None,
                          backstore_dir="/var/lib/iscsi_disks", portals=None,
                          iqn_prefix="iqn.2025-01.org.cloudstack.infra"):
    # hostvars arrives as Ansible's lazy HostVars mapping: read only what is needed
    hosts = set([host])
    for _z, _p, cluster, _ps in st.iter_primary_storage(zones):
        hosts.update(str(h) for h in (cluster.get("hosts") or []))
    plain = {}
    for h in hosts:
        if h in hostvars:
            hv = hostvars[h]
            plain[h] = dict((k, hv.get(k)) for k in (
                "cloudstack_iscsi_initiator_iqn", "cloudstack_storage_interfaces",
                "cloudstack_management_address") if hv.get(k) is not None)
    return st.iscsi_targets(zones, host, plain, target_hosts, luns=luns,
                            backstore_dir=backstore_dir, portals=portals, iqn_prefix=iqn_prefix)


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
            storage_nfs_exports, storage_nfs_export_line, storage_nfs_client_problems,
            storage_nfs_firewall_clients, storage_nfs_size_problems,
            storage_iscsi_targets, storage_iscsi_plan, storage_iscsi_initiator_iqn,
            storage_iqn_valid))
