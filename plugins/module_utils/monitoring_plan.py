# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python plan of the monitoring (no Ansible import at module level).

``plan_monitoring(model, knobs)`` derives, from the topology model, what
Prometheus scrapes and which alerts it evaluates:

- ``servers``: the ``cloudstack_monitoring`` hosts (Prometheus and
  Alertmanager); ``sources``: who may scrape the exporters
  (``Model.monitoring_sources()``); ``ports``: the exporters' and servers'
  ports (topology_data);
- ``targets``: one per host of the cloud with its exporters: the node
  exporter on every Linux host the collection configures, mysqld_exporter
  on the database hosts, CloudStack's own exporter on the management
  servers; ``scrape_configs``: the same as Prometheus' scrape_configs (jobs
  ``node``, ``mysqld``, ``cloudstack``; labels host, role, zone, cluster);
- ``rules``: the alert rules file ({groups: [...]}); ``clusters``: the
  capacity rows the cluster alerts read (cloud_plan.limits_and_capacity,
  the CS604 arithmetic: the capacity guard's threshold).

Knobs (all optional) tune the alerts; a knob that is not one of
``DEFAULT_KNOBS`` or not of its kind is a ``KnobError`` naming it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math
import re

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import cloud_plan as CP
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_model import (
    CONTRACT_GROUPS, G_MGMT, G_DB_PRIMARY, G_DB_REPLICAS, G_LB, G_NFS, G_ISCSI, G_FIREWALL, G_MONITORING)

PORTS = {"node": D.NODE_EXPORTER_PORT, "mysqld": D.MYSQLD_EXPORTER_PORT,
         "cloudstack": D.CLOUDSTACK_EXPORTER_PORT,
         "prometheus": D.PROMETHEUS_PORT,
         "alertmanager": D.ALERTMANAGER_PORT}
JOBS = ("node", "mysqld", "cloudstack")

# the role label of a host: its groups' short names, in this order
ROLES = [(G_MGMT, "management"), (G_DB_PRIMARY, "db_primary"),
         (G_DB_REPLICAS, "db_replica"), (G_LB, "lb"), (G_NFS, "nfs"),
         (G_ISCSI, "iscsi"), (G_FIREWALL, "firewall"),
         (G_MONITORING, "monitoring")] + [
    (group, hv.lower()) for hv, group in sorted(D.HYPERVISOR_GROUPS.items())]
# hypervisor hosts that run a Debian the roles configure (the others,
# XenServer's dom0, ESXi, Hyper-V, bare metal, get no node exporter)
NODE_EXPORTER_HYPERVISORS = ("KVM", "LXC")

# free space below which a file system alerts: the preflight's limit
# (CS7xx: root_max_used_percent, 80 % used = 20 % free)
DEFAULT_KNOBS = {
    "disk_free_percent": 100 - D.PREFLIGHT_DEFAULTS["root_max_used_percent"],
    "disk_mountpoints": ["/"],
    "predict_hours": 24,
    "security_update_days": 7,
    "cert_days": 30,
    "replication_lag_seconds": 300,
    "alert_for": "10m",
}
# the range predict_linear fits its line over
PREDICT_RANGE = "6h"
DURATION = re.compile(r"^([0-9]+(ms|s|m|h|d|w|y))+$")
# CloudStack's exporter: VMs per host (labels zone, hostname, address)
HOST_VMS_METRIC = "cloudstack_host_vms_total"
SECURITY_PENDING = "cloudstack_security_updates_pending"
SECURITY_SINCE = "cloudstack_security_updates_pending_since_seconds"
LIBVIRT_CERT = "cloudstack_libvirt_cert_not_after_seconds"
MYSQL_UP = "mysql_up"
SLAVE_IO = "mysql_slave_status_slave_io_running"
SLAVE_SQL = "mysql_slave_status_slave_sql_running"
SLAVE_LAG = "mysql_slave_status_seconds_behind_master"


class KnobError(ValueError):
    """A knob that is unknown or not of its kind (names it and the fix)."""


def _number(name, value, low, high=None, low_open=True):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            (isinstance(value, float) and not math.isfinite(value)):
        raise KnobError("knob %s must be a number, got %r" % (name, value))
    if (value <= low if low_open else value < low) or \
            (high is not None and value >= high):
        raise KnobError("knob %s must be %s %s%s, got %r" % (
            name, "above" if low_open else "at least", _num(low),
            (" and below %s" % _num(high)) if high is not None else "",
            value))
    return value


def check_knobs(knobs):
    """The knobs with their defaults filled in; KnobError names a knob
    that is unknown or not of its kind."""
    if knobs is None:
        knobs = {}
    if not isinstance(knobs, dict):
        raise KnobError("knobs must be a mapping (e.g. {disk_free_percent: "
                        "15}), got %s" % type(knobs).__name__)
    unknown = sorted(str(k) for k in knobs if k not in DEFAULT_KNOBS)
    if unknown:
        raise KnobError("unknown knob(s) %s; the knobs are %s" % (
            ", ".join(unknown), ", ".join(sorted(DEFAULT_KNOBS))))
    out = dict(DEFAULT_KNOBS)
    out.update(knobs)
    _number("disk_free_percent", out["disk_free_percent"], 0, 100)
    for name in ("predict_hours", "security_update_days", "cert_days",
                 "replication_lag_seconds"):
        _number(name, out[name], 0)
    mounts = out["disk_mountpoints"]
    if not isinstance(mounts, (list, tuple)) or not mounts or not all(
            isinstance(m, str) and m.startswith("/") for m in mounts):
        raise KnobError("knob disk_mountpoints must be a non-empty list of "
                        "absolute paths (e.g. [/, /var/lib/mysql]), got %r"
                        % (mounts,))
    out["disk_mountpoints"] = list(mounts)
    if not isinstance(out["alert_for"], str) or \
            not DURATION.match(out["alert_for"]):
        raise KnobError("knob alert_for must be a Prometheus duration (e.g. "
                        "10m, 1h30m, 0s), got %r" % (out["alert_for"],))
    return out


def _num(value):
    """A number as PromQL and messages write it (20, not 20.0)."""
    value = float(value)
    return "%d" % value if value.is_integer() else repr(value)


def _quote(text):
    """A PromQL double-quoted string literal."""
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def _regex(values):
    """A PromQL string matching any of the values exactly (=~ anchors)."""
    return _quote("|".join(re.escape(v) for v in values))


def _roles(model, name):
    groups = model.host_groups.get(name) or []
    return [short for group, short in ROLES if group in groups]


def _cloud_hosts(model):
    """Every host of a contract group, then the hosts listed in clusters
    (no duplicates)."""
    out, seen = [], set()
    for hosts in [model.group(g) for g in CONTRACT_GROUPS] + [
            cl.hosts for cl in model.clusters]:
        for h in hosts:
            if h not in seen:
                seen.add(h)
                out.append(h)
    return out


def _targets(model):
    out = []
    mgmt = set(model.group(G_MGMT))
    dbs = set(model.group(G_DB_PRIMARY) + model.group(G_DB_REPLICAS))
    hypervisor_roles = [hv.lower() for hv in D.HYPERVISOR_GROUPS]
    for name in _cloud_hosts(model):
        address = model.address(name)
        if address is None:
            continue        # CS1xx: nothing to scrape
        host = model.host(name)
        roles = _roles(model, name)
        exporters = []
        only_hypervisor = host.hypervisor is not None and all(
            r in hypervisor_roles for r in roles)
        if not only_hypervisor or \
                host.hypervisor in NODE_EXPORTER_HYPERVISORS:
            exporters.append("node")
        if name in dbs:
            exporters.append("mysqld")
        if name in mgmt:
            exporters.append("cloudstack")
        labels = {"host": name, "role": ",".join(roles) or "host"}
        if host.zone is not None:
            labels["zone"] = host.zone.name
        if host.cluster is not None:
            labels["cluster"] = host.cluster.name
        out.append(({"host": name, "address": address,
                     "exporters": exporters}, labels))
    return out


def _target(address, port):
    if ":" in address:
        return "[%s]:%d" % (address, port)
    return "%s:%d" % (address, port)


def _scrape_configs(targets):
    out = []
    for job in JOBS:
        static = [{"targets": [_target(t["address"], PORTS[job])],
                   "labels": dict(labels)}
                  for t, labels in targets if job in t["exporters"]]
        if static:
            out.append({"job_name": job, "static_configs": static})
    return out


def _clusters(model):
    rows = dict(((r["zone"], r["pod"], r["cluster"]), r)
                for r in reversed(CP.limits_and_capacity(model)[1]))
    out = []
    for cl in model.clusters:
        row = rows.get((cl.zone.name, cl.pod.name, cl.name))
        if row is None:
            continue        # no per-host limit: no threshold
        hosts = list(dict.fromkeys(cl.hosts))     # once each, in order
        addresses = [a for a in (model.address(h) for h in hosts)
                     if a is not None]
        out.append({"zone": cl.zone.name, "pod": cl.pod.name,
                    "cluster": cl.name, "hypervisor": cl.hypervisor,
                    "hosts": hosts, "addresses": addresses,
                    "tolerate": row["tolerate"], "limit": row["limit"],
                    "safe": row["safe"], "threshold": row["threshold"]})
    return out


def _alert(name, expr, knobs, severity, summary, description, labels=None):
    out_labels = {"severity": severity}
    out_labels.update(labels or {})
    return {"alert": name, "expr": expr, "for": knobs["alert_for"],
            "labels": out_labels,
            "annotations": {"summary": summary, "description": description}}


def _host_rules(knobs):
    mounts = _regex(knobs["disk_mountpoints"])
    fs = 'job="node",mountpoint=~%s' % mounts
    avail = "node_filesystem_avail_bytes{%s}" % fs
    size = "node_filesystem_size_bytes{%s}" % fs
    free = _num(knobs["disk_free_percent"])
    hours = _num(knobs["predict_hours"])
    days = _num(knobs["security_update_days"])
    cert = _num(knobs["cert_days"])
    return [
        _alert("CloudStackHostDown", 'up{job="node"} == 0', knobs, "critical",
               "Host {{ $labels.host }} is down (node exporter)",
               "Prometheus cannot scrape the node exporter of "
               "{{ $labels.host }} ({{ $labels.role }}) at "
               "{{ $labels.instance }}. Check that the host is up, that "
               "prometheus-node-exporter runs on it and that its firewall "
               "accepts port %d from the monitoring sources (playbooks/"
               "monitoring.yml)." % PORTS["node"]),
        _alert("CloudStackFilesystemLowSpace",
               "100 * %s / %s < %s" % (avail, size, free), knobs, "warning",
               "{{ $labels.mountpoint }} on {{ $labels.host }} has less than "
               "%s%% free" % free,
               "{{ $labels.mountpoint }} on {{ $labels.host }} "
               "({{ $labels.role }}) has {{ $value | printf \"%%.1f\" }}%% "
               "free, below %s%%. Free space (logs, old packages, images) or "
               "grow the file system." % free),
        _alert("CloudStackFilesystemFullSoon",
               "predict_linear(%s[%s], %s * 3600) < 0" % (
                   avail, PREDICT_RANGE, hours), knobs, "warning",
               "{{ $labels.mountpoint }} on {{ $labels.host }} fills up "
               "within %s hours" % hours,
               "At the rate of the last %s, {{ $labels.mountpoint }} on "
               "{{ $labels.host }} ({{ $labels.role }}) is full within %s "
               "hours. Find what grows (journal, logs, database, images) and "
               "free space or grow the file system." % (PREDICT_RANGE, hours)),
        _alert("CloudStackSecurityUpdatesPending",
               "%s > 0 and (time() - %s) > %s * 86400" % (
                   SECURITY_PENDING, SECURITY_SINCE, days), knobs, "warning",
               "{{ $labels.host }} has had security updates pending for more "
               "than %s days" % days,
               "{{ $value }} security update(s) have been pending on "
               "{{ $labels.host }} ({{ $labels.role }}) for more than %s "
               "days. Install them (playbooks/patch.yml, one host at a "
               "time)." % days),
        _alert("CloudStackLibvirtCertExpiring",
               "%s - time() < %s * 86400" % (LIBVIRT_CERT, cert), knobs,
               "warning",
               "The libvirt TLS certificate of {{ $labels.host }} expires "
               "within %s days" % cert,
               "{{ $labels.path }} on {{ $labels.host }} expires in "
               "{{ $value | humanizeDuration }}; live migrations to and from "
               "this KVM host fail once it expires. Renew it: "
               "CloudStack's provisionCertificate for the host, or playbooks/"
               "hypervisors.yml with kvm_host_tls_manage_certs."),
    ]


def _cluster_rule(cl, knobs):
    zone = _quote(cl["zone"])
    parts = []
    if cl["addresses"]:
        parts.append("%s{zone=%s,address=~%s}" % (
            HOST_VMS_METRIC, zone, _regex(cl["addresses"])))
    parts.append("%s{zone=%s,hostname=~%s}" % (
        HOST_VMS_METRIC, zone, _regex(cl["hosts"])))
    # every management server exports the same counts: one per host
    expr = "sum(max by (zone, hostname, address) (%s)) >= %d" % (
        " or ".join(parts), cl["threshold"])
    where = "%s/%s/%s" % (cl["zone"], cl["pod"], cl["cluster"])
    return _alert(
        "CloudStackClusterInstancesAtThreshold", expr, knobs, "warning",
        "Cluster %s runs {{ $value }} instances, at or above %d"
        % (where, cl["threshold"]),
        "Cluster %s (%s, hosts %s) runs {{ $value }} instances; its safe "
        "capacity is (N - f) x limit = (%d - %d) x %d = %d and allocation "
        "stops at %d (rule CS604, 0.9 x safe). Run the capacity guard "
        "(playbooks/capacity.yml) to disable allocation on the cluster, and "
        "add hosts." % (where, cl["hypervisor"], ", ".join(cl["hosts"]),
                        len(cl["hosts"]), cl["tolerate"], cl["limit"],
                        cl["safe"], cl["threshold"]),
        {"zone": cl["zone"], "cluster": cl["cluster"]})


def _management_rules(clusters, knobs):
    out = [_alert(
        "CloudStackManagementServerDown", 'up{job="cloudstack"} == 0', knobs,
        "critical",
        "CloudStack's exporter on {{ $labels.host }} does not answer",
        "Prometheus cannot scrape CloudStack's exporter (port %d) on "
        "management server {{ $labels.host }} at {{ $labels.instance }}. "
        "Check cloudstack-management (systemctl status, "
        "/var/log/cloudstack/management/management-server.log), the global "
        "settings prometheus.exporter.enable and prometheus.exporter.allowed"
        ".ips (playbooks/cloud.yml sets them; the management server needs a "
        "restart after a change) and the firewall." % PORTS["cloudstack"])]
    for cl in clusters:
        out.append(_cluster_rule(cl, knobs))
    return out


def _database_rules(replicas, knobs):
    lag = _num(knobs["replication_lag_seconds"])
    out = []
    if replicas:
        # a replica whose exporter answers but that has no replica status:
        # replication never set up, or reset
        out.append(_alert(
            "CloudStackReplicationStopped",
            '%s{job="mysqld",host=~%s} == 1 unless on (instance) %s' % (
                MYSQL_UP, _regex(replicas), SLAVE_IO), knobs, "critical",
            "Database replica {{ $labels.host }} does not replicate",
            "{{ $labels.host }} is a database replica (cloudstack_db_"
            "replicas) but reports no replica status: replication was never "
            "set up on it, or was reset. Set it up again (playbooks/"
            "database.yml).", {"problem": "no_replica_status"}))
    return out + [
        _alert("CloudStackReplicationStopped",
               "%s == 0 or %s == 0" % (SLAVE_IO, SLAVE_SQL), knobs,
               "critical",
               "Database replication stopped on {{ $labels.host }}",
               "A replication thread of the database replica "
               "{{ $labels.host }} is not running; the replica no longer "
               "follows the primary. Read SHOW REPLICA STATUS (Last_IO_Error, "
               "Last_SQL_Error) on it, fix the cause and start the replica, "
               "or rebuild it (playbooks/database.yml).",
               {"problem": "thread_stopped"}),
        _alert("CloudStackReplicationLagging",
               "%s > %s" % (SLAVE_LAG, lag), knobs, "warning",
               "Database replica {{ $labels.host }} lags more than %s "
               "seconds" % lag,
               "The database replica {{ $labels.host }} is {{ $value }} "
               "seconds behind the primary (limit %s). Check the replica's "
               "load and disk and the link to the primary." % lag),
    ]


def plan_monitoring(model, knobs=None):
    """The monitoring plan (JSON-able dict); see the module docstring."""
    knobs = check_knobs(knobs)
    targets = _targets(model)
    clusters = _clusters(model)
    return {
        "servers": model.group(G_MONITORING),
        "sources": model.monitoring_sources(),
        "ports": dict(PORTS),
        "targets": [t for t, labels in targets],
        "scrape_configs": _scrape_configs(targets),
        "rules": {"groups": [
            {"name": "cloudstack-hosts", "rules": _host_rules(knobs)},
            {"name": "cloudstack-management",
             "rules": _management_rules(clusters, knobs)},
            {"name": "cloudstack-database",
             "rules": _database_rules(model.group(G_DB_REPLICAS), knobs)},
        ]},
        "clusters": clusters,
    }
