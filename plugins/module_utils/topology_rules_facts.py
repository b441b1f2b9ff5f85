# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fact-based rules (CS7xx), after fact gathering."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import math

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import (
    rule, ERROR, WARNING, G_MGMT, _names, _group)


@rule("CS701", ERROR, "KVM host without hardware virtualisation",
      "KVM hosts expose hardware virtualisation (vmx/svm).", "facts")
@rule("CS702", ERROR, "CPU models differ in a KVM cluster",
      "The CPUs of a KVM cluster are the same model, so that instances "
      "migrate.", "facts")
@rule("CS703", ERROR, "hostname does not resolve to an FQDN",
      "Host names resolve to fully qualified names.", "facts")
@rule("CS704", ERROR, "time not synchronised",
      "Every host's clock is synchronised (NTP).", "facts")
@rule("CS705", ERROR, "root filesystem too small or too full",
      "The root filesystem has room: hosts fail when logs fill it.",
      "facts")
@rule("CS706", ERROR, "host RAM does not cover planned instances",
      "Host RAM covers the planned instances after failures (RAM is not "
      "over-provisioned).", "facts")
def facts_rules(ctx, facts=None, limits=None):
    """The fact-based rules; run by topology.check_host_facts only."""
    if facts is None:
        return
    kvm = set(_group(ctx.groups, D.HYPERVISOR_GROUPS["KVM"]))
    strict = set(_group(ctx.groups, G_MGMT))
    for group in D.HYPERVISOR_GROUPS.values():
        strict.update(_group(ctx.groups, group))
    for c in ctx.model.clusters:
        if c.hypervisor == "KVM":
            kvm.update(c.hosts)
    for h in sorted(facts):
        f = facts[h]
        if h in kvm:
            flags = set(f.get("virtualization_flags") or [])
            # None: an item that was not text (CS001), so flags unknown
            if "virtualization_flags" in f and None not in flags \
                    and not flags & {"vmx", "svm"}:
                ctx.add("CS701", h, "KVM host %s exposes no hardware "
                        "virtualisation (no vmx/svm CPU flag; model %s)" % (
                            h, f.get("cpu_model") or "unknown"),
                        "enable VT-x/AMD-V in the firmware (or nested "
                        "virtualisation for a VM), or move %s out of KVM" % h)
        if "fqdn_resolves" in f and (not f.get("fqdn_resolves")
                                     or "." not in (f.get("fqdn") or "")):
            ctx.add("CS703", h, "hostname of %s does not resolve to an FQDN "
                    "(got %s)" % (h, S._show(f.get("fqdn"))),
                    "set a fully qualified hostname and make it resolve "
                    "(DNS or /etc/hosts)",
                    severity=ERROR if h in strict else WARNING)
        if "time_synchronized" in f and f.get("time_synchronized") is not True:
            ctx.add("CS704", h, "clock of %s is not synchronised (%s)" % (
                h, f.get("time_source") or "no NTP source found"),
                "enable chrony or systemd-timesyncd against your NTP servers")
        size, free = f.get("root_size_mb"), f.get("root_free_mb")
        if isinstance(size, (int, float)) and isinstance(free, (int, float)) \
                and size > 0:
            used = 100.0 * (size - free) / size
            min_free = limits["root_min_free_gb"] * 1024
            if free < min_free:
                ctx.add("CS705", h, "root filesystem of %s has %.1f GiB free, "
                        "under %s GiB" % (h, free / 1024.0,
                                          limits["root_min_free_gb"]),
                        "grow / or free space (rotate logs) on %s" % h)
            elif used > limits["root_max_used_percent"]:
                ctx.add("CS705", h, "root filesystem of %s is %.0f%% used, "
                        "above %s%%" % (h, used,
                                        limits["root_max_used_percent"]),
                        "free space (rotate logs) or grow / on %s" % h,
                        severity=WARNING)
    for c in ctx.model.clusters:
        loc, hosts, hv, cl = c.location, c.hosts, c.hypervisor, c.raw
        with_facts = [h for h in hosts if h in facts]
        if hv == "KVM":
            models = {}
            for h in with_facts:
                model = facts[h].get("cpu_model")
                if model:
                    models.setdefault(model, []).append(h)
            if len(models) > 1:
                migr = set(cl.get("features") or []) & {"live_migration", "ha"}
                listing = "; ".join("%s: %s" % (m, _names(hs))
                                    for m, hs in sorted(models.items()))
                ctx.add("CS702", loc, "KVM cluster %s mixes CPU models: %s"
                        % (loc, listing),
                        "use identical CPUs in a KVM cluster (or a common "
                        "guest CPU model in the agent) so instances can "
                        "migrate", severity=ERROR if migr else WARNING)
        planned = cl.get("planned_instances")
        f_tol = cl.get("host_failures_to_tolerate", D.DEFAULT_HOST_FAILURES)
        usable = len(hosts) - f_tol
        if planned is None or usable < 1:
            continue
        per_inst = cl.get("instance_memory_mb", limits["instance_memory_mb"])
        per_host = int(math.ceil(planned / float(usable)))
        for h in with_facts:
            mem = facts[h].get("memtotal_mb")
            if not isinstance(mem, (int, float)):
                continue
            reserve = 0
            if hv == "XenServer":
                reserve = ctx.host(h).get("cloudstack_xen_dom0_memory_mb",
                                          D.XEN_DOM0_MEMORY_MB)
            need = per_host * per_inst + reserve
            if mem < need:
                ctx.add("CS706", "%s/%s" % (loc, h), "host %s has %d MB RAM; "
                        "after %d failure(s) it must hold ceil(%d / %d) = %d "
                        "instances x %d MB%s = %d MB" % (
                            h, mem, f_tol, planned, usable, per_host,
                            per_inst, (" + %d MB dom0" % reserve)
                            if reserve else "", need),
                        "add RAM or hosts, or lower planned_instances (RAM "
                        "cannot be over-provisioned)")


THRESHOLDS_PATH = "cloudstack_preflight_thresholds"


def _thresholds(ctx, thresholds):
    """PREFLIGHT_DEFAULTS overridden by the valid thresholds given (a
    mapping, or JSON text of one: the form `-e key='{...}'` passes)."""
    limits = dict(D.PREFLIGHT_DEFAULTS)
    if thresholds is None:
        return limits
    if isinstance(thresholds, str):
        text = thresholds.strip()
        try:
            parsed = json.loads(text) if text else {}
        except (ValueError, RecursionError):
            parsed = None
        if not isinstance(parsed, dict):
            ctx.add("CS001", THRESHOLDS_PATH, "%s must be %s (or JSON text of "
                    "one), got %s" % (THRESHOLDS_PATH, S.THRESHOLDS["what"],
                                      S._got(thresholds)),
                    "write e.g. -e '{\"%s\": {\"root_min_free_gb\": 20}}'"
                    % THRESHOLDS_PATH)
            return limits
        thresholds = parsed
    problems = []
    clean = S.check(thresholds, S.THRESHOLDS, THRESHOLDS_PATH, problems)
    for p in problems:
        ctx.add("CS001", p.path, p.message, p.hint)
    if clean is not S.INVALID:
        limits.update((k, v) for k, v in clean.items() if v is not None)
    return limits


def _facts(ctx, facts):
    """host -> sanitised facts; what is malformed is CS001 and left out."""
    if facts is None:
        return {}
    if not isinstance(facts, dict):
        ctx.add("CS001", "facts", "facts must be a mapping of host name to "
                "that host's cloudstack_preflight facts, got %s"
                % S._got(facts), "pass what host_preflight returned, per host")
        return {}
    clean = {}
    for host, value in facts.items():
        if not isinstance(host, str) or not host:
            ctx.add("CS001", "facts", "facts: host names must be text, got %s"
                    % S._got(host), "key the facts by inventory host name")
            continue
        problems = []
        val = S.check(value, S.FACTS, "hostvars[%s].cloudstack_preflight"
                      % host, problems)
        for p in problems:
            ctx.add("CS001", host, p.message, p.hint)
        if val is not S.INVALID:
            clean[host] = val
    return clean
