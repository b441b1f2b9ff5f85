# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cluster rules: membership, size, hypervisor, features."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, WARNING, _zone_cs001, _broken, _did_you_mean)


@rule("CS101", ERROR, "cluster larger than its hypervisor allows",
      "Cluster sizes stay within the hypervisor's supported maximum "
      "(XenServer 8, VMware 8, KVM 16 hosts).", "cluster",
      reads=("cloudstack_zones", "cloudstack_cluster_max_hosts"))
@rule("CS102", ERROR, "cluster mixes hypervisors",
      "A cluster runs one hypervisor type only.", "cluster",
      reads=("cloudstack_zones",))
@rule("CS103", ERROR, "host in two clusters, unknown, or in no cluster",
      "Every hypervisor host belongs to exactly one cluster of the "
      "inventory.", "cluster", reads=("cloudstack_zones",))
@rule("CS104", ERROR, "unknown hypervisor name",
      "Clusters name a hypervisor CloudStack supports.", "cluster",
      reads=("cloudstack_zones",))
@rule("CS107", ERROR, "cluster with no hosts",
      "A cluster holds at least one host.", "cluster",
      reads=("cloudstack_zones",))
def cluster_rules(ctx):
    """Cluster membership and size (the model's placement)."""
    model = ctx.model
    limits = ctx.limits
    hv_groups = model.hypervisor_groups
    dups = {}
    for h, first, again in model.duplicates:
        dups.setdefault(id(again), []).append((h, first))
    for c in model.clusters:
        cl, loc, path = c.raw, c.location, c.path
        hv_raw, hv = c.hypervisor_raw, c.hypervisor
        if hv is None and "hypervisor" in cl:
            near = S.suggest(hv_raw, D.HYPERVISORS + ("vSphere",), 0.6) \
                if isinstance(hv_raw, str) else None
            ctx.add("CS104", loc, "unknown hypervisor %s in %s.hypervisor "
                    "(known: %s, vSphere = VMware)" % (
                        S._show(hv_raw), path, ", ".join(D.HYPERVISORS)),
                    ("did you mean `%s`?" % near) if near else
                    "use one of %s" % ", ".join(D.HYPERVISORS))
        if c.hosts_state in ("missing", "empty") and _broken(ctx, path):
            pass        # e.g. `hostz:`, already a CS001
        elif c.hosts_state in ("missing", "empty"):
            ctx.add("CS107", loc, "cluster %s has no hosts (%s.hosts is %s)"
                    % (loc, path, c.hosts_state),
                    "list at least one host in hosts, or remove the cluster")
        elif c.hosts_state == "not a list":
            _zone_cs001(ctx, path + ".hosts", "%s.hosts must be a list of "
                        "host names, got %s" % (path, S._got(cl.get("hosts"))),
                        "write hosts: [kvm1, kvm2]")
        for i, h in c.host_problems:
            _zone_cs001(ctx, "%s.hosts[%d]" % (path, i),
                        "%s.hosts[%d] must be a host name (text), got %s"
                        % (path, i, S._got(h)),
                        "write the inventory host name")
        for h, first in dups.get(id(c), ()):
            other = loc if first is c else first.location
            ctx.add("CS103", "%s/%s" % (loc, h), "host %s is listed in "
                    "cluster %s and again in %s" % (h, other, loc),
                    "a host belongs to exactly one cluster: remove the "
                    "duplicate entry")
        hosts = ctx.cluster_hosts[id(c)]
        for h in hosts:
            hloc = "%s/%s" % (loc, h)
            if h not in model.known:
                ctx.add("CS103", hloc, "host %s listed in %s.hosts is not in "
                        "the inventory" % (h, path),
                        "add %s to the inventory (in %s) or fix the name%s" % (
                            h, D.HYPERVISOR_GROUPS.get(hv, "its hypervisor "
                                                       "group"),
                            _did_you_mean(h, ctx.known_index)))
                continue
            if hv is not None:
                in_groups = hv_groups.get(h, [])
                others = [o for o in in_groups if o != hv]
                if others or hv not in in_groups:
                    where = (" but it is in %s" % ", ".join(
                        D.HYPERVISOR_GROUPS[o] for o in others)) if others \
                        else " (it is in no hypervisor group)"
                    ctx.add("CS102", hloc, "host %s is in %s cluster %s%s; "
                            "a %s cluster takes hosts of %s only" % (
                                h, hv, loc, where, hv,
                                D.HYPERVISOR_GROUPS[hv]),
                            "each cluster runs one hypervisor: move %s to a %s "
                            "cluster or into the group %s only" % (
                                h, "/".join(others) or "matching",
                                D.HYPERVISOR_GROUPS[hv]))
        n = len(hosts)
        if hv is not None and hv in limits and n > limits[hv]:
            ctx.add("CS101", loc, "cluster %s has %d hosts; %s allows at most "
                    "%d per cluster" % (loc, n, hv, limits[hv]),
                    "split it into clusters of at most %d hosts (or set "
                    "cloudstack_cluster_max_hosts.%s if your %s version "
                    "allows more)" % (limits[hv], hv, hv))
    for h in hv_groups:
        if h not in model.placed and not ctx.zones_broken and \
                not ctx.bad_paths:
            ctx.add("CS103", h, "hypervisor host %s (in %s) is in no cluster"
                    % (h, ", ".join(D.HYPERVISOR_GROUPS[x]
                                    for x in hv_groups[h])),
                    "list %s in the hosts of a cluster in cloudstack_zones, "
                    "or remove it from the hypervisor group" % h)


@rule("CS105", ERROR, "feature not supported by the hypervisor",
      "A cluster relies only on features its hypervisor supports (the "
      "seed's hypervisor feature table).", "cluster",
      reads=("cloudstack_zones",))
@rule("CS106", ERROR, "security groups in a basic zone unsupported",
      "Security groups in a basic zone need a hypervisor that supports "
      "them.", "cluster", reads=("cloudstack_zones",))
def feature_rules(ctx):
    for c in ctx.model.clusters:
        _cluster_features(ctx, c.zone.raw, c.raw, c.hypervisor, c.location)


def _cluster_features(ctx, zone, cl, hv, loc):
    if hv is None:
        return
    for feature in cl.get("features") or []:
        if feature is None:
            continue
        cell = D.feature_cell(feature, hv)
        sev = D.cell_severity(cell)
        if sev:
            label = D.FEATURE_TABLE[feature][0]
            ctx.add("CS105", loc, "cluster %s relies on %s but the seed's "
                    "hypervisor table says '%s' for %s (%s)%s" % (
                        loc, feature, cell, hv, label,
                        "; unverified" if sev == WARNING else ""),
                    "remove %s from features or use a hypervisor that "
                    "supports it" % feature if sev == ERROR else
                    "verify %s on %s in a staging system before relying on "
                    "it" % (feature, hv), severity=sev)
    if zone.get("network_type") == "basic" and zone.get("security_groups"):
        cell = D.feature_cell("security_groups_basic_zone", hv)
        sev = D.cell_severity(cell)
        if sev:
            ctx.add("CS106", loc, "zone %s is basic with security groups but "
                    "cluster %s runs %s: the seed's table says '%s'%s" % (
                        zone.get("name"), loc, hv, cell,
                        "; unverified" if sev == WARNING else ""),
                    "use XenServer, KVM or LXC in this zone, or turn "
                    "security_groups off", severity=sev)


@rule("CS108", ERROR, "one hypervisor, two per-host limits",
      "The per-host instance limit is one setting per hypervisor (its "
      "capabilities), the same for every cluster that runs it.", "cluster",
      reads=("cloudstack_zones",))
def hypervisor_limit_rules(ctx):
    first = {}
    for c in ctx.model.clusters:
        limit = c.raw.get("max_instances_per_host")
        if c.hypervisor is None or limit is None:
            continue
        seen = first.setdefault(c.hypervisor, (limit, c.location))
        if seen[0] != limit:
            ctx.add("CS108", c.location, "cluster %s sets "
                    "max_instances_per_host %d for %s, cluster %s sets %d; "
                    "CloudStack keeps one limit per hypervisor" % (
                        c.location, limit, c.hypervisor, seen[1], seen[0]),
                    "give every %s cluster the same max_instances_per_host "
                    "(%d)" % (c.hypervisor, seen[0]))


@rule("CS109", ERROR, "cluster or pool name used twice",
      "Every cluster and every primary storage pool has a name of its own "
      "in the whole cloud: CloudStack's API tools find them by name.",
      "cluster", reads=("cloudstack_zones",))
def unique_name_rules(ctx):
    clusters, pools = {}, {}
    for c in ctx.model.clusters:
        first = clusters.setdefault(c.name, c.location)
        if first != c.location:
            ctx.add("CS109", c.location, "cluster name %s is used by %s "
                    "too" % (c.name, first),
                    "rename one of them (cs_cluster and cs_configuration "
                    "find a cluster by its name alone)")
        for p in c.primary_storage:
            name = p.get("name")
            where = "%s/%s" % (c.location, name)
            first = pools.setdefault(name, where)
            if name is not None and first != where:
                ctx.add("CS109", where, "primary storage name %s is used by "
                        "%s too" % (name, first),
                        "rename one of them (cs_configuration finds a pool "
                        "by its name alone)")
