# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rule data of the topology validator, taken from the seed documents.

Plain Python, no Ansible import: the tables below are the seed's tables cell
for cell (first seed, "Choosing a Hypervisor" and "Hypervisor Support for
Primary Storage"); tests/unit/test_topology_data.py parses the seed and
compares. Everything the rules derive from a table is derived here, in code,
from these cells, never typed twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# Canonical hypervisor names (the contract's spelling) and the inventory group
# whose hosts run them.
HYPERVISORS = ("XenServer", "VMware", "KVM", "LXC", "HyperV", "BareMetal")

HYPERVISOR_GROUPS = {
    "KVM": "cloudstack_kvm_hosts",
    "XenServer": "cloudstack_xenserver_hosts",
    "VMware": "cloudstack_vmware_hosts",
    "LXC": "cloudstack_lxc_hosts",
    "HyperV": "cloudstack_hyperv_hosts",
    "BareMetal": "cloudstack_baremetal_hosts",
}

# Accepted spellings (compared lower-case) -> canonical name. "vSphere" is the
# seed's name for VMware; XCP-ng is XenServer's open-source build.
HYPERVISOR_ALIASES = {
    "kvm": "KVM",
    "xenserver": "XenServer",
    "xcp-ng": "XenServer",
    "xcpng": "XenServer",
    "vmware": "VMware",
    "vsphere": "VMware",
    "lxc": "LXC",
    "hyperv": "HyperV",
    "hyper-v": "HyperV",
    "baremetal": "BareMetal",
    "bare metal": "BareMetal",
}

# Column headers of the seed tables -> canonical hypervisor names.
SEED_COLUMNS = {
    "XenServer": "XenServer",
    "vSphere": "VMware",
    "KVM - RHEL": "KVM",
    "LXC": "LXC",
    "HyperV": "HyperV",
    "Bare Metal": "BareMetal",
}

# Hypervisor feature table: feature key -> (seed row label, cells in the order
# XenServer, vSphere, KVM - RHEL, LXC, HyperV, Bare Metal).
FEATURE_TABLE = {
    "network_throttling": (
        "Network Throttling",
        ("Yes", "Yes", "Yes", "No", "?", "N/A")),
    "security_groups_basic_zone": (
        "Security groups in zones that use basic networking",
        ("Yes", "No", "Yes", "Yes", "?", "No")),
    "iscsi": (
        "iSCSI",
        ("Yes", "Yes", "Yes", "Yes", "Yes", "N/A")),
    "fibre_channel": (
        "FibreChannel",
        ("Yes", "Yes", "Yes", "Yes", "Yes", "N/A")),
    "local_disk": (
        "Local Disk",
        ("Yes", "Yes", "Yes", "Yes", "Yes", "Yes")),
    "ha": (
        "HA",
        ("Yes", "Yes (Native)", "Yes", "?", "Yes", "N/A")),
    "snapshots_local_disk": (
        "Snapshots of local disk",
        ("Yes", "Yes", "Yes", "?", "?", "N/A")),
    "local_disk_as_data_disk": (
        "Local disk as data disk",
        ("Yes", "No", "Yes", "Yes", "Yes", "N/A")),
    "workload_balancing": (
        "Work load balancing",
        ("No", "DRS", "No", "No", "?", "N/A")),
    "live_migration": (
        "Manual live migration of Instances from host to host",
        ("Yes", "Yes", "Yes", "?", "Yes", "N/A")),
    "link_local_vr": (
        "Conserve management traffic IP address by using link local network "
        "to communicate with virtual router",
        ("Yes", "No", "Yes", "Yes", "?", "N/A")),
}
FEATURE_COLUMNS = ("XenServer", "VMware", "KVM", "LXC", "HyperV", "BareMetal")

# Primary storage table: row key -> (seed row label, cells in the order
# XenServer, vSphere, KVM - RHEL, LXC, HyperV). The seed has no Bare Metal
# column. An empty string is an empty cell.
STORAGE_TABLE = {
    "format": (
        "Format for Disks, Templates, and Snapshots",
        ("VHD", "VMDK", "QCOW2", "VHD", "")),
    "iscsi": (
        "iSCSI support",
        ("CLVM", "VMFS", "Yes via Shared Mountpoint",
         "Yes via Shared Mountpoint", "No")),
    "fc": (
        "Fiber Channel support",
        ("Yes, Via existing SR", "VMFS", "Yes via Shared Mountpoint",
         "Yes via Shared Mountpoint", "No")),
    "nfs": (
        "NFS support",
        ("Yes", "Yes", "Yes", "Yes", "No")),
    "local": (
        "Local storage support",
        ("Yes", "Yes", "Yes", "Yes", "Yes")),
    "overprovisioning": (
        "Storage over-provisioning",
        ("NFS", "NFS and iSCSI", "NFS", "No", "")),
    "smb": (
        "SMB/CIFS",
        ("No", "No", "No", "No", "Yes")),
}
STORAGE_COLUMNS = ("XenServer", "VMware", "KVM", "LXC", "HyperV")

PRIMARY_STORAGE_TYPES = ("nfs", "iscsi", "fc", "shared_mountpoint", "local",
                         "smb", "clvm", "vmfs", "presetup")

# Hypervisor-native pool types (contract): only on their own hypervisor.
NATIVE_STORAGE_TYPES = {
    "clvm": ("XenServer",),
    "vmfs": ("VMware",),
    "presetup": ("XenServer",),
}

# Seed "Supported Cluster Sizes" (second seed): hosts per cluster.
CLUSTER_MAX_HOSTS = {"XenServer": 8, "VMware": 8, "KVM": 16}

PRIMARY_STORAGE_MAX_TB = 6          # "should not exceed 6 TB"
SECONDARY_STORAGE_MIN_GB = 100      # "100GB minimum capacity"
# "block devices from 1 GB to 100 GB" (reference architecture): the custom
# disk offering's bounds and every listed disk offering's size (CS211)
DISK_OFFERING_MIN_GB = 1
DISK_OFFERING_MAX_GB = 100
XEN_DOM0_MEMORY_MB = 2940           # "We recommend 2940 MB of RAM for dom0"
DB_CONNECTIONS_PER_MGMT = 350       # contract: 350 x management servers
# MariaDB/MySQL server_id: an unsigned 32-bit value, 0 refused by
# replication; the database role reads database_server_id, the contract's
# name is cloudstack_db_server_id (the first one set wins)
DB_SERVER_ID_MIN = 1
DB_SERVER_ID_MAX = 4294967295
DB_SERVER_ID_KEYS = ("cloudstack_db_server_id", "database_server_id")
# the initiator name prefix of hosts without cloudstack_iscsi_initiator_iqn
# (storage_topology.default_initiator_iqn, roles/iscsi_target)
ISCSI_INITIATOR_IQN_PREFIX = "iqn.2025-01.org.cloudstack.infra"
# roles/nat_firewall defaults of cloudstack_site_vpn.port / .tunnel_cidr
SITE_VPN_PORT = 51820
SITE_VPN_TUNNEL_CIDR = "10.255.255.0/24"
# monitoring (monitoring_plan, roles/monitoring, the firewalls' exporter
# admission): Prometheus' exporters and servers. CloudStack's own exporter
# listens on the management servers (global setting prometheus.exporter.port)
NODE_EXPORTER_PORT = 9100
MYSQLD_EXPORTER_PORT = 9104
CLOUDSTACK_EXPORTER_PORT = 9595
PROMETHEUS_PORT = 9090
ALERTMANAGER_PORT = 9093
CAPACITY_WARN_RATIO = 0.9           # CS604: disable allocation soon
DEFAULT_HOST_FAILURES = 1           # the seed's (N-1) x per-host limit

# CS306: interface names the CloudStack KVM agent recognises for bridges.
KVM_BRIDGE_DEVICE_PATTERNS = ("eth*", "bond*", "team*", "vlan*", "em*",
                              "p*p*", "ens*", "eno*", "enp*", "enx*")

# CS305: bond modes the hypervisor roles configure (kvm_host: the Linux
# bonding modes, BOND_MODES below; xenserver_host: the contract's names it
# maps to XenServer's) and the bond names the KVM agent's bridges accept.
XEN_BOND_MODES = ("active-backup", "802.3ad", "lacp", "balance-slb")
DEFAULT_BOND_MODE = "active-backup"
KVM_BOND_NAME = r"^bond[0-9]+$"

# CS501: ports that must never face the Internet: 8096 integration API,
# 8250 system VM agent link, 9090 cluster management, 3306 MySQL, 16509/16514
# libvirt, 2049 NFS, 111 rpcbind.
FORBIDDEN_PUBLIC_PORTS = (8096, 8250, 9090, 3306, 16509, 16514, 2049, 111)

# CS502: NFS export clients that let any machine mount the storage as root.
FORBIDDEN_NFS_CLIENTS = ("*", "0.0.0.0/0", "::/0", "0.0.0.0", "::")

# Linux bonding driver modes a bond in cloudstack_bonds may use.
BOND_MODES = ("balance-rr", "active-backup", "balance-xor", "broadcast",
              "802.3ad", "balance-tlb", "balance-alb")
KVM_BOND_MODES = BOND_MODES

# iSCSI qualified names as LIO (rtslib) accepts them: iqn.YYYY-MM.<reversed
# domain with at least one dot>[:<anything>]; "iqn.2025-01.lab:ps2" is
# refused by targetcli.
IQN_PATTERN = r"^iqn\.\d{4}-(0[1-9]|1[0-2])\.[a-z0-9-]+(\.[a-z0-9-]+)+(:\S+)?$"
IQN_RE = re.compile(IQN_PATTERN)

# CS504: secrets and the well-known defaults they must not keep.
SECRET_VARS = ("cloudstack_db_password", "cloudstack_db_root_password",
               "cloudstack_db_replication_password",
               # cloudstack-setup-databases -m and -k (management_server)
               "cloudstack_mgmt_key", "cloudstack_db_key",
               # the admin's API key pair (cloudstack.infra.cloud)
               "cloudstack_api_key", "cloudstack_api_secret",
               # the password CloudStack logs into hypervisor hosts with
               "cloudstack_host_password")
WEAK_SECRETS = ("password", "cloud", "changeme", "root", "")

# CS7xx defaults (overridable, see docs/validator.md).
PREFLIGHT_DEFAULTS = {
    "root_min_free_gb": 10,
    "root_max_used_percent": 80,
    "instance_memory_mb": 1024,
}

SEVERITY_OF_CELL = {"No": "error", "N/A": "error", "?": "warning",
                    "": "warning"}


def cell_severity(cell):
    """None when the cell says supported, else 'error' or 'warning'."""
    return SEVERITY_OF_CELL.get(cell.strip())


def feature_cell(feature, hypervisor):
    """The seed's cell for a feature key and a canonical hypervisor name."""
    return FEATURE_TABLE[feature][1][FEATURE_COLUMNS.index(hypervisor)]


def storage_cell(row, hypervisor):
    """The seed's storage-table cell, or None when it has no such column."""
    if hypervisor not in STORAGE_COLUMNS:
        return None
    return STORAGE_TABLE[row][1][STORAGE_COLUMNS.index(hypervisor)]


def storage_type_support(stype, hypervisor):
    """(severity or None, reason) for a primary storage type on a hypervisor.

    Reading of the table given by the contract: iscsi/fc cells that say
    "via Shared Mountpoint" mean the pool type to use is shared_mountpoint,
    not a plain iscsi/fc pool; CLVM/VMFS/"existing SR" cells mean supported.
    """
    if stype in NATIVE_STORAGE_TYPES:
        if hypervisor in NATIVE_STORAGE_TYPES[stype]:
            return None, "native to %s" % hypervisor
        return "error", "%s is native to %s only" % (
            stype, "/".join(NATIVE_STORAGE_TYPES[stype]))
    if hypervisor not in STORAGE_COLUMNS:
        return "error", ("the seed's primary storage table has no %s column"
                         % hypervisor)
    if stype == "shared_mountpoint":
        cells = (storage_cell("iscsi", hypervisor),
                 storage_cell("fc", hypervisor))
        if any("shared mountpoint" in c.lower() for c in cells):
            return None, "shared mountpoint"
        return "error", ("the seed lists shared mountpoint only for "
                         "KVM and LXC")
    cell = storage_cell(stype, hypervisor)
    if "shared mountpoint" in cell.lower():
        return "error", ("seed cell '%s': use type shared_mountpoint (a "
                         "clustered filesystem on the LUN)" % cell)
    sev = cell_severity(cell)
    if sev is None:
        return None, "seed cell '%s'" % cell
    return sev, "seed cell '%s'" % (cell or "empty")


def overprovisioning_support(stype, hypervisor):
    """(severity or None, reason) for storage over-provisioning > 1."""
    cell = storage_cell("overprovisioning", hypervisor)
    if cell is None:
        return "error", ("the seed's primary storage table has no %s column"
                         % hypervisor)
    if cell.strip() == "":
        return "warning", "seed cell is empty (unverified)"
    allowed = [w.lower() for w in cell.replace(" and ", " ").split()]
    if "no" in allowed:
        return "error", "seed cell '%s'" % cell
    if stype in allowed:
        return None, "seed cell '%s'" % cell
    return "error", "seed cell '%s'" % cell
