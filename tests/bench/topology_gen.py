"""Generate a valid large topology (as engine data and as an inventory).

Used by tests/bench/bench.py (the bench checks the result is clean).
Layout: zones of up to 4096 hypervisor hosts at alternating sites; each zone
has its own management network 10.<z>.0.0/16 (z from 1), two multipath
storage networks 172.<16+2z>.0.0/16 and 172.<17+2z>.0.0/16 and
pods of 8 clusters: KVM clusters of 16 hosts (NFS pool) and
every fourth cluster a XenServer cluster of 8 hosts (multipath iSCSI pool).
Every hypervisor host has a bond of two NICs and two storage interfaces.
"""
import os

import yaml

ZONE_HOSTS = 4096


def _addr(prefix, i):
    i += 10
    return "%s.%d.%d" % (prefix, i // 256, i % 256)


def generate(n_hosts):
    """(groups, hostvars, global_vars) for n_hosts hypervisor hosts."""
    groups = {
        "cloudstack_management": ["mgmt1", "mgmt2"],
        "cloudstack_lb": ["lb1", "lb2"],
        "cloudstack_db_primary": ["db1"],
        "cloudstack_db_replicas": ["db2"],
        "cloudstack_nfs": ["nfs1"],
        "cloudstack_firewall": ["fw1", "fw2"],
        "cloudstack_kvm_hosts": [],
        "cloudstack_xenserver_hosts": [],
    }
    hostvars = {
        "mgmt1": {"cloudstack_management_address": "10.1.255.11"},
        "mgmt2": {"cloudstack_management_address": "10.1.255.12"},
        "lb1": {"cloudstack_management_address": "10.1.255.2"},
        "lb2": {"cloudstack_management_address": "10.1.255.3"},
        "db1": {"cloudstack_management_address": "10.1.255.21"},
        "db2": {"cloudstack_management_address": "10.2.255.21",
                "cloudstack_site": "dc2"},
        "nfs1": {"cloudstack_management_address": "10.1.255.31"},
        "fw1": {"cloudstack_management_address": "10.1.255.1",
                "cloudstack_site": "dc1"},
        "fw2": {"cloudstack_management_address": "10.2.255.1",
                "cloudstack_site": "dc2"},
    }
    zones = []
    made = 0
    z = 0
    while made < n_hosts:
        z += 1
        zone_n = min(ZONE_HOSTS, n_hosts - made)
        mg = "10.%d" % z
        sa, sb = "172.%d" % (16 + 2 * z), "172.%d" % (17 + 2 * z)
        zone = {
            "name": "zone%d" % z, "site": "dc%d" % (1 + (z - 1) % 2),
            "network_type": "advanced", "security_groups": False,
            "networks": {
                "management": {"cidr": mg + ".0.0/16", "gateway": mg + ".0.1"},
                "storage": [
                    {"name": "storage-a", "cidr": sa + ".0.0/16",
                     "gateway": sa + ".0.1"},
                    {"name": "storage-b", "cidr": sb + ".0.0/16",
                     "gateway": sb + ".0.1"}],
                "guest": {"cidr": "100.%d.0.0/16" % (64 + z)},
            },
            "secondary_storage": [{"server": "nfs1",
                                   "path": "/export/sec%d" % z,
                                   "size_gb": 500}],
            "pods": [],
        }
        zones.append(zone)
        i = 0
        c = 0
        while i < zone_n:
            xen = c % 4 == 3
            size = min(8 if xen else 16, zone_n - i)
            if size < 2:
                xen, size = False, zone_n - i
            if c % 8 == 0:
                # its own reserved system range, off every host's address
                # (hosts from .0.10 up, the infrastructure at .255.x: CS308)
                zone["pods"].append({"name": "pod%d" % (c // 8),
                                     "start": "%s.%d.1" % (mg, 128 + c // 8),
                                     "end": "%s.%d.254" % (mg, 128 + c // 8),
                                     "clusters": []})
            hosts = []
            for _k in range(size):
                name = "z%dh%05d" % (z, i)
                hosts.append(name)
                hostvars[name] = {
                    "cloudstack_management_address": _addr(mg, i),
                    "cloudstack_bonds": [{"name": "bond0",
                                          "mode": "active-backup",
                                          "members": ["eno1", "eno2"]}],
                    "cloudstack_management_device": "bond0",
                    "cloudstack_guest_device": "bond0.100",
                    "cloudstack_storage_interfaces": [
                        {"network": "storage-a", "device": "eno3",
                         "address": _addr(sa, i)},
                        {"network": "storage-b", "device": "eno4",
                         "address": _addr(sb, i)}],
                }
                if xen:
                    hostvars[name]["cloudstack_xen_dom0_memory_mb"] = 4096
                i += 1
            groups["cloudstack_xenserver_hosts" if xen else
                   "cloudstack_kvm_hosts"].extend(hosts)
            cluster = {
                # unique across zones (CS109: the API modules find a cluster by name)
                "name": "z%dc%d" % (z, c), "hypervisor": "XenServer" if xen else "KVM",
                "hosts": hosts, "max_instances_per_host": 50,
                "host_failures_to_tolerate": 1 if size > 1 else 0,
                "planned_instances": 10 * size,
                "overprovisioning": {"cpu": 2.0, "memory": 1.0,
                                     "storage": 1.0 if xen else 2.0},
                "features": ["ha", "live_migration"],
                "primary_storage": [
                    {"name": "ps-z%dc%d" % (z, c), "type": "iscsi",
                     "target": "iqn.2026-01.example:z%dc%d" % (z, c),
                     # a target outside the inventory: its portal (CS212)
                     "portal": sa + ".255.10",
                     "size_tb": 4, "multipath": True} if xen else
                    {"name": "ps-z%dc%d" % (z, c), "type": "nfs",
                     "server": "nfs1", "path": "/export/z%dc%d" % (z, c),
                     "size_tb": 4}],
            }
            zone["pods"][-1]["clusters"].append(cluster)
            c += 1
        made += zone_n
    global_vars = {
        "cloudstack_version": "4.20",
        "cloudstack_sites": [{"name": "dc1"}, {"name": "dc2"}],
        "cloudstack_mgmt_lb_external": False,
        "cloudstack_lb_vip": "10.1.255.9",
        "cloudstack_db_dr": True,
        "cloudstack_site_vpn": {"enabled": True},
        "cloudstack_zones": zones,
    }
    return groups, hostvars, global_vars


def write_inventory(path, groups, hostvars, global_vars):
    """An Ansible YAML inventory directory: hosts.yml + group_vars/all."""
    os.makedirs(os.path.join(path, "group_vars", "all"), exist_ok=True)
    children = {}
    for group, hosts in groups.items():
        children[group] = {"hosts": dict(
            (h, hostvars.get(h) or None) for h in hosts)}
    with open(os.path.join(path, "hosts.yml"), "w") as handle:
        yaml.safe_dump({"all": {"children": children}}, handle,
                       default_flow_style=None, sort_keys=False)
    with open(os.path.join(path, "group_vars", "all", "main.yml"), "w") as h:
        yaml.safe_dump(global_vars, h, default_flow_style=None)
