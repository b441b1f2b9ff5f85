# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""cloudstack_constant: a constant of plugins/module_utils/topology_data.py for role YAML.

Documentation: cloudstack_constant.yml beside this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D

# The constants roles may read (plain numbers, strings and lists of them).
CONSTANTS = (
    "ALERTMANAGER_PORT",
    "BOND_MODES",
    "CLOUDSTACK_EXPORTER_PORT",
    "DB_CONNECTIONS_PER_MGMT",
    "FORBIDDEN_NFS_CLIENTS",
    "FORBIDDEN_PUBLIC_PORTS",
    "IQN_PATTERN",
    "MYSQLD_EXPORTER_PORT",
    "NODE_EXPORTER_PORT",
    "PRIMARY_STORAGE_MAX_TB",
    "PRIMARY_STORAGE_TYPES",
    "PROMETHEUS_PORT",
    "SECONDARY_STORAGE_MIN_GB",
    "SECRET_VARS",
    "WEAK_SECRETS",
)


def cloudstack_constant(name):
    if name not in CONSTANTS:
        raise AnsibleFilterError(
            "cloudstack_constant: unknown constant %r; one of %s" % (name, ", ".join(CONSTANTS)))
    value = getattr(D, name)
    return list(value) if isinstance(value, tuple) else value


class FilterModule(object):
    """Constants of the topology contract."""

    def filters(self):
        return {"cloudstack_constant": cloudstack_constant}
