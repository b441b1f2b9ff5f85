# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Capacity rules: N - f sizing, over-provisioning, dom0 memory."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import math

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, WARNING, CapacityRow)


@rule("CS601", ERROR, "cluster cannot hold planned instances after failures",
      "Size a cluster for (N - f) x the per-host limit, so that it "
      "survives the host failures it must tolerate.", "capacity",
      reads=("cloudstack_zones",))
@rule("CS602", ERROR, "memory over-provisioned",
      "RAM is never over-provisioned.", "capacity",
      reads=("cloudstack_zones",))
@rule("CS604", WARNING, "planned instances near safe capacity",
      "Disable allocation to a cluster before it reaches its safe "
      "capacity.", "capacity", reads=("cloudstack_zones",))
def capacity_rules(ctx):
    for c in ctx.model.clusters:
        _cluster_capacity(ctx, c.zone.raw, c.pod.raw, c.raw, c.hypervisor,
                          c.hypervisor_raw, c.location,
                          len(ctx.cluster_hosts[id(c)]))


@rule("CS603", WARNING, "XenServer dom0 memory below 2940 MB",
      "XenServer's dom0 gets at least 2940 MB of RAM.", "capacity",
      reads=("cloudstack_xen_dom0_memory_mb",))
def dom0_rules(ctx):
    for h in ctx.hv:
        if "XenServer" in ctx.model.hypervisor_groups.get(h, ()) or \
                ctx.host_cluster.get(h, (None, None))[1] == "XenServer":
            dom0 = ctx.hv[h].get("cloudstack_xen_dom0_memory_mb")
            if dom0 is not None and dom0 < D.XEN_DOM0_MEMORY_MB:
                ctx.add("CS603", h, "cloudstack_xen_dom0_memory_mb of "
                        "XenServer host %s is %d MB, below the recommended "
                        "%d MB" % (h, dom0, D.XEN_DOM0_MEMORY_MB),
                        "set cloudstack_xen_dom0_memory_mb: %d (or more)"
                        % D.XEN_DOM0_MEMORY_MB)


def capacity_warn_threshold(safe):
    """CS604's threshold: planned instances at or above it warn (the ratio
    D.CAPACITY_WARN_RATIO of the safe capacity; above safe is CS601)."""
    return D.CAPACITY_WARN_RATIO * safe


def capacity_warn_from(safe):
    """The smallest whole instance count at or above CS604's threshold (the
    capacity guard disables allocation from it); float round-off such as
    0.9 x 70 = 63.000000000000007 does not push it one higher."""
    return int(math.ceil(round(capacity_warn_threshold(safe), 9)))


def _cluster_capacity(ctx, zone, pod, cl, hv, hv_raw, loc, n):
    f = cl.get("host_failures_to_tolerate", D.DEFAULT_HOST_FAILURES)
    limit = cl.get("max_instances_per_host")
    planned = cl.get("planned_instances")
    usable = n - f
    safe = usable * limit if (limit is not None and usable > 0) else (
        0 if limit is not None else None)
    headroom = (safe - planned) if (safe is not None and planned is not None) \
        else None
    ctx.capacity.append(CapacityRow(
        zone=zone.get("name"), pod=pod.get("name"), cluster=cl.get("name"),
        hypervisor=hv or (hv_raw if isinstance(hv_raw, str) else None),
        hosts=n, failures_tolerated=f, per_host_limit=limit,
        safe_capacity=safe, planned=planned, headroom=headroom))
    over = cl.get("overprovisioning") or {}
    if "memory" in over and over["memory"] != 1.0:
        ctx.add("CS602", loc, "cluster %s over-provisions memory by %s; RAM "
                "may not be over-provisioned" % (loc, over["memory"]),
                "set overprovisioning.memory: 1.0 and size the cluster by "
                "RAM")
    if n < 1:
        return
    if usable < 1:
        ctx.add("CS601", loc, "cluster %s has %d host(s) and must tolerate %d "
                "failure(s): N - f = %d, it cannot survive them" % (
                    loc, n, f, usable),
                "add hosts (at least %d) or lower host_failures_to_tolerate"
                % (f + 1))
        return
    if planned is None or limit is None:
        return
    if planned > safe:
        ctx.add("CS601", loc, "cluster %s plans %d instances but can safely "
                "hold (N - f) x limit = (%d - %d) x %d = %d" % (
                    loc, planned, n, f, limit, safe),
                "add %d host(s) or plan at most %d instances" % (
                    int(math.ceil((planned - safe) / float(limit))), safe))
    elif planned >= capacity_warn_threshold(safe):
        ctx.add("CS604", loc, "cluster %s plans %d instances, at or above "
                "%d%% of its safe capacity %d" % (
                    loc, planned, int(D.CAPACITY_WARN_RATIO * 100), safe),
                "plan to disable allocation to this cluster soon, or add "
                "hosts")
