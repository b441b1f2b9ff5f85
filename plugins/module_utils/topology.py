# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Topology validator engine of cloudstack.infra (plain Python).

No Ansible import at module level: pytest imports this file directly, the
filter, the module and the action plugin wrap it. Entry points (stable names,
other roles reuse them):

``validate_topology(groups, hostvars, global_vars)`` -> Report
    inventory rules CS001, CS101..CS604 (no facts needed).
``check_host_facts(facts, groups, hostvars, global_vars, thresholds=None)``
    -> Report, fact-based rules CS701..CS706; ``facts`` maps a host name to
    the dict the ``cloudstack.infra.host_preflight`` module returns.

Input is the inventory as data: ``groups`` (group name -> host names),
``hostvars`` (host name -> that host's variables; only the keys the rules
read are needed) and ``global_vars`` (group_vars/all and extra vars).
Every finding is a Violation; the Report holds them all plus the capacity
plan, and renders as text or JSON. Nothing here raises on bad input: the
shape is checked first (CS001) and the rules only see well-typed data.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import gc
import ipaddress
import json
import math

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M
from ansible_collections.cloudstack.infra.plugins.module_utils import firewall_rules as FW
from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as ST

ERROR = "error"
WARNING = "warning"

# group names of the contract
G_MGMT = "cloudstack_management"
G_DB_PRIMARY = "cloudstack_db_primary"
G_DB_REPLICAS = "cloudstack_db_replicas"
G_LB = "cloudstack_lb"
G_NFS = "cloudstack_nfs"
G_ISCSI = "cloudstack_iscsi_targets"
G_FIREWALL = "cloudstack_firewall"
CONTRACT_GROUPS = (G_MGMT, G_DB_PRIMARY, G_DB_REPLICAS, G_LB, G_NFS, G_ISCSI,
                   G_FIREWALL) + tuple(D.HYPERVISOR_GROUPS.values())

RULES = {
    "CS001": (ERROR, "malformed input"),
    "CS101": (ERROR, "cluster larger than its hypervisor allows"),
    "CS102": (ERROR, "cluster mixes hypervisors"),
    "CS103": (ERROR, "host in two clusters, unknown, or in no cluster"),
    "CS104": (ERROR, "unknown hypervisor name"),
    "CS105": (ERROR, "feature not supported by the hypervisor"),
    "CS106": (ERROR, "security groups in a basic zone unsupported"),
    "CS107": (ERROR, "cluster with no hosts"),
    "CS201": (ERROR, "primary storage larger than 6 TB"),
    "CS202": (ERROR, "primary storage type not supported"),
    "CS203": (ERROR, "storage over-provisioning not supported"),
    "CS204": (ERROR, "secondary storage missing or under 100 GB"),
    "CS205": (ERROR, "storage path not absolute"),
    "CS206": (ERROR, "storage server not in cloudstack_nfs"),
    "CS207": (ERROR, "multipath without two storage interfaces"),
    "CS208": (ERROR, "one NFS path both primary and secondary storage"),
    "CS209": (ERROR, "iSCSI name not an IQN that LIO accepts"),
    "CS210": (ERROR, "iSCSI pool the LIO targets cannot serve"),
    "CS301": (ERROR, "overlapping CIDRs"),
    "CS302": (ERROR, "address outside its network"),
    "CS303": (ERROR, "duplicate IP address"),
    "CS304": (ERROR, "multipath networks share a CIDR or gateway"),
    "CS305": (ERROR, "bad bond"),
    "CS306": (ERROR, "KVM bridge device name not recognised"),
    "CS307": (WARNING, "several sites without site-to-site VPN"),
    "CS401": (ERROR, "management servers without load balancer"),
    "CS402": (ERROR, "not exactly one database primary"),
    "CS403": (WARNING, "no database replica / DR replica"),
    "CS404": (ERROR, "max_connections too low"),
    "CS405": (ERROR, "host both database primary and replica"),
    "CS406": (ERROR, "database or management host without address"),
    "CS407": (ERROR, "database server id invalid"),
    "CS408": (ERROR, "duplicate database server id"),
    "CS501": (ERROR, "internal port forwarded from the Internet"),
    "CS502": (ERROR, "NFS export open too widely"),
    "CS503": (ERROR, "hypervisor hosts open to any source"),
    "CS504": (ERROR, "password left at a well-known default"),
    "CS505": (ERROR, "duplicate firewall forward"),
    "CS506": (ERROR, "firewall forward target unknown"),
    "CS507": (ERROR, "site-to-site VPN cannot be built"),
    "CS601": (ERROR, "cluster cannot hold planned instances after failures"),
    "CS602": (ERROR, "memory over-provisioned"),
    "CS603": (WARNING, "XenServer dom0 memory below 2940 MB"),
    "CS604": (WARNING, "planned instances near safe capacity"),
    "CS701": (ERROR, "KVM host without hardware virtualisation"),
    "CS702": (ERROR, "CPU models differ in a KVM cluster"),
    "CS703": (ERROR, "hostname does not resolve to an FQDN"),
    "CS704": (ERROR, "time not synchronised"),
    "CS705": (ERROR, "root filesystem too small or too full"),
    "CS706": (ERROR, "host RAM does not cover planned instances"),
}

ASSUMED_SITE = "(assumed site)"
# CS501: the contract's ports plus those the firewall planner also refuses
# (SSH)
FORBIDDEN_FORWARD_PORTS = tuple(sorted(set(D.FORBIDDEN_PUBLIC_PORTS)
                                       | set(FW.FORBIDDEN_PORTS)))
MAX_LISTED = 5


class Violation(object):
    """One finding: rule id, severity, location, message, hint."""

    __slots__ = ("rule", "severity", "location", "message", "hint")

    def __init__(self, rule, severity, location, message, hint):
        self.rule = rule
        self.severity = severity
        self.location = location
        self.message = message
        self.hint = hint

    def to_dict(self):
        return {"id": self.rule, "severity": self.severity,
                "location": self.location, "message": self.message,
                "hint": self.hint}

    def __repr__(self):
        return "Violation(%s %s %s: %s)" % (self.rule, self.severity,
                                            self.location, self.message)


class CapacityRow(object):
    """One row of the capacity plan (one per cluster)."""

    FIELDS = ("zone", "pod", "cluster", "hypervisor", "hosts",
              "failures_tolerated", "per_host_limit", "safe_capacity",
              "planned", "headroom")

    def __init__(self, **kw):
        for field in self.FIELDS:
            setattr(self, field, kw.get(field))

    def to_dict(self):
        return dict((f, getattr(self, f)) for f in self.FIELDS)


class Report(object):
    """All violations of one run plus the capacity plan."""

    def __init__(self, violations=None, capacity=None):
        self.violations = list(violations or [])
        self.capacity = list(capacity or [])

    @property
    def errors(self):
        return [v for v in self.violations if v.severity == ERROR]

    @property
    def warnings(self):
        return [v for v in self.violations if v.severity == WARNING]

    @property
    def failed(self):
        return bool(self.errors)

    def ids(self):
        return sorted(set(v.rule for v in self.violations))

    def summary(self):
        if not self.violations:
            return "no violations"
        return "%d error(s), %d warning(s)" % (len(self.errors),
                                               len(self.warnings))

    def to_dict(self):
        return {
            "summary": self.summary(),
            "failed": self.failed,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "violations": [v.to_dict() for v in self.violations],
            "capacity": [r.to_dict() for r in self.capacity],
        }

    def to_json(self, indent=2):
        return json.dumps(self.to_dict(), indent=indent, sort_keys=True)

    def format_violations(self):
        return format_violations(self.to_dict())

    def format_capacity(self):
        return format_capacity(self.to_dict()["capacity"])


def format_violations(report):
    """Readable lines for a report dict; a clean report is 'no violations'."""
    violations = report.get("violations") or []
    if not violations:
        return ["no violations"]
    lines = []
    for v in violations:
        lines.append("%s %s [%s] %s" % (v["severity"].upper(), v["id"],
                                        v["location"], v["message"]))
        lines.append("    fix: %s" % v["hint"])
    errors = sum(1 for v in violations if v["severity"] == ERROR)
    lines.append("%d error(s), %d warning(s)" % (errors,
                                                 len(violations) - errors))
    return lines


def format_capacity(rows):
    """The capacity plan as an aligned text table (list of lines)."""
    head = ("zone/pod/cluster", "hypervisor", "hosts", "f", "limit/host",
            "safe (N-f)xlimit", "planned", "headroom")
    table = [head]
    for r in rows:
        table.append(("%s/%s/%s" % (r["zone"], r["pod"], r["cluster"]),
                      _cell(r["hypervisor"]), _cell(r["hosts"]),
                      _cell(r["failures_tolerated"]),
                      _cell(r["per_host_limit"]), _cell(r["safe_capacity"]),
                      _cell(r["planned"]), _cell(r["headroom"])))
    if len(table) == 1:
        return ["(no clusters)"]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    return ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip()
            for row in table]


def _cell(value):
    return "-" if value is None else str(value)


def _names(hosts):
    hosts = list(hosts)
    if len(hosts) <= MAX_LISTED:
        return ", ".join(hosts)
    return "%s (+%d more)" % (", ".join(hosts[:MAX_LISTED]),
                              len(hosts) - MAX_LISTED)


def _group(groups, name):
    hosts = groups.get(name) or []
    return list(hosts) if isinstance(hosts, (list, tuple)) else []


class _Ctx(object):
    """State of one validation run."""

    def __init__(self, groups, hostvars, global_vars):
        self.v = []
        self.top_level = []   # CS001 for inputs that are not mappings
        for what, value in (("groups", groups), ("hostvars", hostvars),
                            ("global variables", global_vars)):
            if value is not None and not isinstance(value, dict):
                self.top_level.append(
                    ("%s must be a mapping, got %s" % (what, S._got(value)),
                     "pass the inventory's %s as a mapping" % what))
        self.groups = groups if isinstance(groups, dict) else {}
        self.raw_hostvars = hostvars if isinstance(hostvars, dict) else {}
        self.raw_globals = global_vars if isinstance(global_vars, dict) else {}
        self.hv = {}          # host -> sanitised host vars
        self.g = {}           # sanitised globals
        self.capacity = []
        # paths under cloudstack_zones with a CS001: findings that rest on
        # the absence of something (host in no cluster, unknown storage
        # network, ...) are not made there, so that a misspelt key gives
        # one finding and not a cascade
        self.bad_paths = set()
        self.zones_broken = False
        # variables with a CS001 (misspelt, or malformed): globally, and per
        # host; rules that would report their absence stay silent
        self.bad_keys = set()
        self.host_bad = {}
        self.model = None     # topology_model.Model, after the shape check

    def bad(self, key, hosts=()):
        return key in self.bad_keys or any(
            key in self.host_bad.get(h, ()) for h in hosts)

    def add(self, rule, location, message, hint, severity=None):
        self.v.append(Violation(rule, severity or RULES[rule][0], location,
                                message, hint))

    def host(self, name):
        return self.hv.get(name) or {}

    def scoped(self, key, hosts):
        """Distinct values of a key: the global value and those of hosts.

        Returns [(value, location)], one entry per distinct value, so that a
        group_vars value shared by 10k hosts is reported once.
        """
        seen = {}
        order = []
        by_id = {}      # id(value) -> repr: hosts of one group share it
        if key in self.g:
            k = repr(self.g[key])
            seen[k] = (self.g[key], ["group_vars/all"], None)
            order.append(k)
        for h in hosts:
            hv = self.hv.get(h)
            if not hv or key not in hv:
                continue
            value = hv[key]
            k = by_id.get(id(value))
            if k is None:
                k = by_id[id(value)] = repr(value)
            if k not in seen:
                seen[k] = (value, [], set())
                order.append(k)
            listed, members = seen[k][1], seen[k][2]
            if members is not None and h not in members:
                members.add(h)
                listed.append(h)
        return [(seen[k][0], _names(seen[k][1])) for k in order
                if seen[k][1]]


# --------------------------------------------------------------------------
# CS001: shape
# --------------------------------------------------------------------------

def _check_groups(ctx):
    for message, hint in ctx.top_level:
        ctx.add("CS001", "input", message, hint)
    clean = {}
    for name, hosts in ctx.groups.items():
        if not isinstance(name, str):
            ctx.add("CS001", "groups", "group names must be text, got %s"
                    % S._got(name), "check the inventory source")
            continue
        if not isinstance(hosts, (list, tuple)):
            if hosts is not None:
                ctx.add("CS001", "group %s" % name, "group %s must be a list "
                        "of host names, got %s" % (name, S._got(hosts)),
                        "check the inventory source")
            clean[name] = []
            continue
        bad = [h for h in hosts if not isinstance(h, str) or not h]
        if bad:
            ctx.add("CS001", "group %s" % name, "group %s holds %d entries "
                    "that are not host names (%s)" % (
                        name, len(bad), ", ".join(S.type_name(b)
                                                  for b in bad[:3])),
                    "list host names only")
        clean[name] = [h for h in hosts if isinstance(h, str) and h]
    ctx.groups = clean


def _check_shape(ctx):
    _check_groups(ctx)
    problems = []
    raw = ctx.raw_globals
    for key, spec in S.GLOBAL_SPECS.items():
        if key in raw:
            val = S.check(raw[key], spec, key, problems)
            if val is not S.INVALID:
                ctx.g[key] = val
    for key, spec in S.HOST_SPECS.items():
        if key in raw:      # a host key set for all hosts (group_vars/all)
            val = S.check(raw[key], spec, key, problems)
            if val is not S.INVALID:
                ctx.g[key] = val
    for key in S.SECRET_KEYS:
        if key in raw:
            val = S.check(raw[key], S.SECRET, key, problems)
            if val is not S.INVALID:
                ctx.g[key] = val
    typos = set()
    for key in raw:
        if isinstance(key, str) and key.startswith("cloudstack_") \
                and key not in S.KNOWN_KEYS:
            near = S.typo_of(key, S.KNOWN_KEYS)
            if near:
                typos.add(near)
                ctx.bad_keys.add(near)
                problems.append(S.Problem(
                    key, "unknown variable `%s`" % key,
                    "did you mean `%s`?" % near))
    if "cloudstack_zones" not in raw and "cloudstack_zones" not in typos:
        near = [k for k in raw if isinstance(k, str)
                and S.suggest(k, ["cloudstack_zones"], cutoff=0.8)]
        problems.append(S.Problem(
            "cloudstack_zones", "required variable `cloudstack_zones` is not "
            "defined", ("did you mean `%s`?" % near[0]) if near else
            "define cloudstack_zones in group_vars/all (see the contract)"))
    for p in problems:
        ctx.add("CS001", p.path, p.message, p.hint)
        ctx.bad_keys.add(p.path.split(".")[0].split("[")[0])
        if p.path.startswith("cloudstack_zones"):
            ctx.bad_paths.add(p.path)
    if not isinstance(ctx.g.get("cloudstack_zones"), list):
        ctx.zones_broken = True

    # host variables: check each distinct (key, value) once
    specs = dict(S.GLOBAL_SPECS)
    specs.update(S.HOST_SPECS)
    cache = {}
    failing = {}
    specs.update((k, S.SECRET) for k in S.SECRET_KEYS)
    for host, hvars in ctx.raw_hostvars.items():
        if not isinstance(host, str) or not host:
            ctx.add("CS001", "hostvars", "host names must be text, got %s"
                    % S._got(host), "check the inventory source")
            continue
        if not isinstance(hvars, dict):
            ctx.add("CS001", host, "variables of host %s must be a "
                    "mapping, got %s" % (host, S._got(hvars)),
                    "check the inventory source")
            continue
        clean = {}
        for key, value in hvars.items():
            spec = specs.get(key)
            if spec is None:
                if isinstance(key, str) and key.startswith("cloudstack_"):
                    near = S.typo_of(key, S.KNOWN_KEYS)
                    if near:
                        ctx.host_bad.setdefault(host, set()).add(near)
                        ck = ("typo", key, near)
                        failing.setdefault(ck, [S.Problem(
                            key, "unknown variable `%s`" % key,
                            "did you mean `%s`?" % near)], )
                        failing.setdefault(("hosts",) + ck, []).append(host)
                continue
            try:
                ck = (key, repr(value))
            except Exception:  # pragma: no cover - repr of odd objects
                ck = (key, id(value))
            if ck not in cache:
                probs = []
                cache[ck] = (S.check(value, spec, key, probs), probs)
            val, probs = cache[ck]
            if probs:
                ctx.host_bad.setdefault(host, set()).add(key)
                failing.setdefault(ck, probs)
                failing.setdefault(("hosts",) + ck, []).append(host)
            if val is not S.INVALID:
                clean[key] = val
        ctx.hv[host] = clean
    for ck, probs in failing.items():
        if ck[0] == "hosts":
            continue
        hosts = failing[("hosts",) + ck]
        for p in probs:
            ctx.add("CS001", "host %s" % _names(hosts),
                    "host var %s" % p.message, p.hint)


_hypervisor = M.hypervisor_name


def _max_hosts(ctx):
    limits = dict(D.CLUSTER_MAX_HOSTS)
    override = ctx.g.get("cloudstack_cluster_max_hosts")
    if override is None:
        return limits
    if not isinstance(override, dict):
        ctx.add("CS001", "cloudstack_cluster_max_hosts",
                "cloudstack_cluster_max_hosts must be a mapping from "
                "hypervisor name to a number, got %s" % S._got(override),
                "write e.g. {KVM: 32}")
        return limits
    for key, value in override.items():
        path = "cloudstack_cluster_max_hosts.%s" % S.key_text(key)
        hv = _hypervisor(key)
        if hv is None:
            near = S.suggest(key, D.HYPERVISORS + ("vSphere",), 0.6)
            ctx.add("CS001", path, "%s: unknown hypervisor `%s`"
                    % (path, S.key_text(key)),
                    ("did you mean `%s`?" % near) if near else
                    "use one of %s" % ", ".join(D.HYPERVISORS))
            continue
        probs = []
        val = S.check(value, S.INT1, path, probs)
        for p in probs:
            ctx.add("CS001", p.path, p.message, p.hint)
        if val is not S.INVALID:
            limits[hv] = val
    return limits


# --------------------------------------------------------------------------
# the inventory rules
# --------------------------------------------------------------------------

def _check_site_ref(ctx, sites, name, path):
    if sites and name not in sites:
        near = S.suggest(name, sites)
        ctx.add("CS001", path, "%s: site `%s` is not in cloudstack_sites (%s)"
                % (path, name, ", ".join(sites)),
                ("did you mean `%s`?" % near) if near else
                "add it to cloudstack_sites or fix the name")


def _iter_clusters(ctx):
    """The clusters as the model read them: (zone index, zone, pod, cluster,
    location, path) tuples of sanitised dicts. Given a list of zones (what
    topology_report passes), a model of those zones alone is read."""
    if isinstance(ctx, _Ctx):
        return [c.walk() for c in ctx.model.clusters]
    zones = ctx if isinstance(ctx, (list, tuple)) else []
    model = M.Model({}, {}, {"cloudstack_zones": list(zones)})
    return [c.walk() for c in model.clusters]


def _site_model(ctx):
    """(site names, default site) for topology_report (ctx: .g, .host())."""
    sites = [s.get("name") for s in ctx.g.get("cloudstack_sites") or []
             if s and s.get("name")]
    default = sites[0] if len(sites) == 1 else ASSUMED_SITE
    return sites, default


def _host_site(ctx, h, default_site, host_zone):
    """A host's site as topology_report shows it (the assumed site is not
    shown)."""
    site = ctx.host(h).get("cloudstack_site")
    if site is not None:
        return site
    zone = host_zone.get(h)
    if zone is not None:
        return zone.get("site", default_site)
    return default_site


def _gc_paused(func):
    """Pause the cyclic GC while the engine runs.

    The engine allocates many small acyclic objects; the generational GC
    rescans the whole (growing) heap and makes run time grow faster than
    the host count (measured: 2.4x time for 2x hosts at 10k). Reference
    counting frees everything; the previous GC state is restored.
    """
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return func(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    wrapper.__name__ = func.__name__
    wrapper.__doc__ = func.__doc__
    return wrapper


def same_value(a, b):
    """a == b, also for structures that contain themselves."""
    try:
        return a == b
    except RecursionError:
        return a is b


def build_model(groups, hostvars, global_vars, ctx=None):
    """The CS001 shape check, then the model (topology_model.Model) of the
    sanitised inventory; returns (ctx, model). The shape findings are in
    ctx.v."""
    if ctx is None:
        ctx = _Ctx(groups, hostvars, global_vars)
        _check_shape(ctx)
    model = M.Model(ctx.groups, ctx.hv, ctx.g)
    ctx.model = model
    return ctx, model


@_gc_paused
def validate_topology(groups, hostvars, global_vars):
    """Run every inventory rule; return a Report (never raises on input)."""
    ctx, model = build_model(groups, hostvars, global_vars)
    limits = _max_hosts(ctx)
    zones = [z.raw for z in model.zones]
    sites, default_site = model.site_names, model.default_site
    known = model.known
    known_index = _LazyIndex(known)
    hv_groups = model.hypervisor_groups

    for h in ctx.hv:
        site = ctx.hv[h].get("cloudstack_site")
        if site is not None:
            _check_site_ref(ctx, sites, site, "hostvars[%s].cloudstack_site"
                            % h)

    # cluster rules ------------------------------------------------------
    host_zone = dict((h, c.zone.raw) for h, c in model.placed.items())
    host_cluster = dict((h, (c.raw, c.hypervisor))
                        for h, c in model.placed.items())
    zone_sites = []
    for zone in model.zones:
        if "site" in zone.raw:
            _check_site_ref(ctx, sites, zone.site, "%s.site" % zone.path)
        zone_sites.append(zone.site)
    dups = {}
    for h, first, again in model.duplicates:
        dups.setdefault(id(again), []).append((h, first))
    for c in model.clusters:
        zone, pod, cl, loc, path = c.zone.raw, c.pod.raw, c.raw, c.location, \
            c.path
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
        hosts = []
        for h in c.hosts:
            if model.placed.get(h) is not c or h in hosts:
                continue
            hosts.append(h)
            hloc = "%s/%s" % (loc, h)
            if h not in known:
                ctx.add("CS103", hloc, "host %s listed in %s.hosts is not in "
                        "the inventory" % (h, path),
                        "add %s to the inventory (in %s) or fix the name%s" % (
                            h, D.HYPERVISOR_GROUPS.get(hv, "its hypervisor "
                                                       "group"),
                            _did_you_mean(h, known_index)))
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
        _cluster_features(ctx, zone, cl, hv, loc)
        _cluster_storage(ctx, cl, hv, loc, path, hosts)
        _cluster_capacity(ctx, zone, pod, cl, hv, hv_raw, loc, n)

    for h in hv_groups:
        if h not in model.placed and not ctx.zones_broken and \
                not ctx.bad_paths:
            ctx.add("CS103", h, "hypervisor host %s (in %s) is in no cluster"
                    % (h, ", ".join(D.HYPERVISOR_GROUPS[x]
                                    for x in hv_groups[h])),
                    "list %s in the hosts of a cluster in cloudstack_zones, "
                    "or remove it from the hypervisor group" % h)

    _zone_rules(ctx, zones, known)
    _network_rules(ctx, zones, host_zone, hv_groups, host_cluster)
    _site_vpn(ctx, zone_sites)
    _mgmt_db_rules(ctx, sites, default_site, host_zone, zones)
    _security_rules(ctx, zones)
    _storage_service_rules(ctx, zones)
    _firewall_plan_rules(ctx, zones)
    return Report(ctx.v, ctx.capacity)


def _zone_cs001(ctx, path, message, hint):
    ctx.add("CS001", path, message, hint)
    ctx.bad_paths.add(path)


def _broken(ctx, prefix):
    """Whether a CS001 was found at or under a path of cloudstack_zones."""
    for path in ctx.bad_paths:
        if path == prefix or path.startswith(prefix + ".") or \
                path.startswith(prefix + "["):
            return True
    return False


class _LazyIndex(object):
    """S.NameIndex of the known hosts, built on the first unknown name."""

    def __init__(self, names):
        self.names = names
        self.index = None

    def suggest(self, word, cutoff):
        if self.index is None:
            self.index = S.NameIndex(self.names)
        return self.index.suggest(word, cutoff)


def _did_you_mean(name, candidates):
    if isinstance(candidates, _LazyIndex):
        near = candidates.suggest(name, cutoff=0.8)
    else:
        near = S.suggest(name, sorted(candidates), cutoff=0.8)
    return ("; did you mean %s?" % near) if near else ""


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


def _cluster_storage(ctx, cl, hv, loc, path, hosts):
    nfs = set(_group(ctx.groups, G_NFS))
    over = (cl.get("overprovisioning") or {}).get("storage")
    for i, ps in enumerate(cl.get("primary_storage") or []):
        if not ps:
            continue
        ploc = "%s/%s" % (loc, ps.get("name", "primary_storage[%d]" % i))
        ppath = "%s.primary_storage[%d]" % (path, i)
        stype = ps.get("type")
        size = ps.get("size_tb")
        if size is not None and size > D.PRIMARY_STORAGE_MAX_TB:
            ctx.add("CS201", ploc, "primary storage %s is %s TB; mountpoints "
                    "and LUNs should not exceed %d TB" % (
                        ps.get("name"), size, D.PRIMARY_STORAGE_MAX_TB),
                    "split it into several pools of at most %d TB each"
                    % D.PRIMARY_STORAGE_MAX_TB)
        if stype is None:
            continue
        if hv is not None:
            sev, why = D.storage_type_support(stype, hv)
            if sev:
                ctx.add("CS202", ploc, "primary storage %s has type %s, not "
                        "supported on %s (%s)%s" % (
                            ps.get("name"), stype, hv, why,
                            "; unverified" if sev == WARNING else ""),
                        _storage_hint(stype, hv), severity=sev)
            if over is not None and over > 1:
                sev, why = D.overprovisioning_support(stype, hv)
                if sev:
                    ctx.add("CS203", ploc, "storage over-provisioning %s on "
                            "%s pool %s: %s does not over-provision %s (%s)" % (
                                over, stype, ps.get("name"), hv, stype, why),
                            "set overprovisioning.storage: 1.0 for this "
                            "cluster, or use a pool type %s over-provisions"
                            % hv, severity=sev)
        if stype == "nfs":
            server = ps.get("server")
            if server is None:
                ctx.add("CS001", ppath + ".server", "%s: an nfs pool needs "
                        "`server`" % ppath, "add server: <host in "
                        "cloudstack_nfs>")
            elif server not in nfs:
                ctx.add("CS206", ploc, "NFS server %s of primary storage %s "
                        "is not in the cloudstack_nfs group" % (
                            server, ps.get("name")),
                        "add %s to cloudstack_nfs or fix the name%s" % (
                            server, _did_you_mean(server, nfs)))
        if ps.get("multipath"):
            for h in hosts:
                if ctx.bad("cloudstack_storage_interfaces", (h,)):
                    continue    # misspelt or malformed: already a CS001
                ifaces = [x for x in ctx.host(h).get(
                    "cloudstack_storage_interfaces") or [] if x]
                nets = set(x.get("network") for x in ifaces)
                if len(ifaces) < 2 or len(nets) < 2:
                    ctx.add("CS207", "%s/%s" % (loc, h), "primary storage %s "
                            "uses multipath but host %s has %d storage "
                            "interface(s) on %d distinct network(s) (%s)" % (
                                ps.get("name"), h, len(ifaces), len(nets),
                                ", ".join(sorted(str(n) for n in nets))
                                or "none"),
                            "give %s two cloudstack_storage_interfaces on two "
                            "different storage networks, or set multipath: "
                            "false" % h)


def _storage_hint(stype, hv):
    if stype in ("iscsi", "fc") and hv in ("KVM", "LXC"):
        return ("put a clustered filesystem (e.g. OCFS2) on the LUN, mount it "
                "at the same path on every host and use type "
                "shared_mountpoint")
    supported = [t for t in D.PRIMARY_STORAGE_TYPES
                 if D.storage_type_support(t, hv)[0] is None]
    if not supported:
        return "%s takes no primary storage in the seed's table" % hv
    return "use a type %s supports: %s" % (hv, ", ".join(supported))


def capacity_warn_threshold(safe):
    """CS604's threshold: planned instances at or above it warn (the ratio
    D.CAPACITY_WARN_RATIO of the safe capacity; above safe is CS601)."""
    return D.CAPACITY_WARN_RATIO * safe


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


def _zone_rules(ctx, zones, known):
    nfs = set(_group(ctx.groups, G_NFS))
    for zi, zone in enumerate(zones):
        if not zone:
            continue
        name = zone.get("name", "zone[%d]" % zi)
        sec = zone.get("secondary_storage")
        if not sec and _broken(ctx, "cloudstack_zones[%d]" % zi):
            continue    # e.g. `secondary_storge:`, already a CS001
        if not sec:
            ctx.add("CS204", name, "zone %s has no secondary storage" % name,
                    "add secondary_storage: [{server: <nfs host>, path: ..., "
                    "size_gb: >= %d}]" % D.SECONDARY_STORAGE_MIN_GB)
            continue
        for i, s in enumerate(sec):
            if not s:
                continue
            size = s.get("size_gb")
            if size is not None and size < D.SECONDARY_STORAGE_MIN_GB:
                ctx.add("CS204", "%s/secondary_storage[%d]" % (name, i),
                        "secondary storage %s:%s of zone %s is %s GB, under "
                        "the %d GB minimum" % (
                            s.get("server"), s.get("path"), name, size,
                            D.SECONDARY_STORAGE_MIN_GB),
                        "give it at least %d GB" % D.SECONDARY_STORAGE_MIN_GB)
            server = s.get("server")
            if server is not None and server not in nfs:
                ctx.add("CS206", "%s/secondary_storage[%d]" % (name, i),
                        "secondary storage server %s of zone %s is not in the "
                        "cloudstack_nfs group" % (server, name),
                        "add %s to cloudstack_nfs or fix the name%s" % (
                            server, _did_you_mean(server, nfs)))


def _zone_networks(zone):
    """[(label, network dict)] of a zone, in a stable order."""
    nets = zone.get("networks") or {}
    out = []
    for key in ("management", "public", "guest"):
        if nets.get(key):
            out.append((key, nets[key]))
    for i, s in enumerate(nets.get("storage") or []):
        if s:
            out.append(("storage %s" % s.get("name", "[%d]" % i), s))
    return out


def _pod_networks(zone):
    """[(label, pod dict)] of the pods of a zone that have a cidr."""
    out = []
    for i, pod in enumerate(zone.get("pods") or []):
        if pod and "cidr" in pod:
            out.append(("pod %s" % pod.get("name", "[%d]" % i), pod))
    return out


def _gateway_rule(ctx, zone_name, label, net):
    """CS302: a gateway outside its CIDR, or at its network or broadcast
    address (IPv4 with room for hosts: prefix under 31)."""
    gw = net.get("gateway")
    cidr = net.get("cidr")
    if gw is None or cidr is None:
        return
    where = "%s/%s" % (zone_name, label)
    if gw not in cidr:
        ctx.add("CS302", where, "gateway %s of the %s network of zone %s is "
                "outside its CIDR %s" % (gw, label, zone_name, cidr),
                "use a gateway inside %s or fix the CIDR" % cidr)
    elif cidr.version == 4 and cidr.prefixlen < 31 and gw in (
            cidr.network_address, cidr.broadcast_address):
        ctx.add("CS302", where, "gateway %s of the %s network of zone %s is "
                "the %s address of %s" % (
                    gw, label, zone_name, "network" if
                    gw == cidr.network_address else "broadcast", cidr),
                "use a host address of %s as the gateway (e.g. %s)" % (
                    cidr, cidr.network_address + 1))


def _zone_gateways(zone):
    """{gateway address: label} of every network and pod of a zone."""
    out = {}
    for label, n in _zone_networks(zone) + _pod_networks(zone):
        if n.get("gateway") is not None:
            out.setdefault(n["gateway"], label)
    for i, pod in enumerate(zone.get("pods") or []):
        if pod and pod.get("gateway") is not None and "cidr" not in pod:
            out.setdefault(pod["gateway"], "pod %s" % pod.get(
                "name", "[%d]" % i))
    return out


def _multipath_zone(ctx, zone):
    for z in ctx.model.zones:
        if z.raw is zone:
            return any(c.multipath for c in z.clusters)
    return False


def _overlap(a, b):
    return a.version == b.version and a.overlaps(b)


def _network_rules(ctx, zones, host_zone, hv_groups, host_cluster):
    mgmt_nets = []
    for zi, zone in enumerate(zones):
        if not zone:
            continue
        name = zone.get("name", "zone[%d]" % zi)
        nets = [(label, n) for label, n in _zone_networks(zone)
                if "cidr" in n]
        multipath = _multipath_zone(ctx, zone)
        for label, n in _zone_networks(zone) + _pod_networks(zone):
            _gateway_rule(ctx, name, label, n)
        for i in range(len(nets)):
            for j in range(i + 1, len(nets)):
                (la, a), (lb, b) = nets[i], nets[j]
                same_storage = (multipath and la.startswith("storage")
                                and lb.startswith("storage"))
                if same_storage and a["cidr"] == b["cidr"]:
                    continue  # reported as CS304 below
                if _overlap(a["cidr"], b["cidr"]):
                    ctx.add("CS301", name, "zone %s: %s network %s overlaps "
                            "%s network %s" % (name, la, a["cidr"], lb,
                                               b["cidr"]),
                            "give every network of a zone its own "
                            "non-overlapping CIDR block")
        if multipath:
            stor = [(la, n) for la, n in nets if la.startswith("storage")]
            for i in range(len(stor)):
                for j in range(i + 1, len(stor)):
                    (la, a), (lb, b) = stor[i], stor[j]
                    shared = []
                    if a["cidr"] == b["cidr"]:
                        shared.append("CIDR %s" % a["cidr"])
                    if a.get("gateway") is not None and \
                            a.get("gateway") == b.get("gateway"):
                        shared.append("gateway %s" % a["gateway"])
                    if shared:
                        ctx.add("CS304", name, "zone %s uses multipath but "
                                "its %s and %s share %s" % (
                                    name, la, lb, " and ".join(shared)),
                                "MPIO needs two CIDR blocks, each with its "
                                "own gateway")
        mg = (zone.get("networks") or {}).get("management") or {}
        if "cidr" in mg:
            mgmt_nets.append((name, mg["cidr"]))
    for i in range(len(mgmt_nets)):
        for j in range(i + 1, len(mgmt_nets)):
            (za, a), (zb, b) = mgmt_nets[i], mgmt_nets[j]
            if _overlap(a, b):
                ctx.add("CS301", "%s, %s" % (za, zb), "management network %s "
                        "of zone %s overlaps management network %s of zone %s"
                        % (a, za, b, zb),
                        "give each zone its own management CIDR block")

    broken = set(id(z) for zi, z in enumerate(zones)
                 if z and _broken(ctx, "cloudstack_zones[%d]" % zi))
    # per-host address rules
    addresses = {}
    gateways = {}       # id(zone) -> {gateway: label}
    for h in ctx.hv:
        hv = ctx.hv[h]
        zone = host_zone.get(h)
        if zone is not None:
            zgw = gateways.get(id(zone))
            if zgw is None:
                zgw = gateways[id(zone)] = _zone_gateways(zone)
            _host_gateway_rule(ctx, h, hv, zone, zgw)
        ma = hv.get("cloudstack_management_address")
        if ma is not None:
            addresses.setdefault(ma, []).append(
                "%s cloudstack_management_address" % h)
            if zone is not None and h in hv_groups:
                mg = (zone.get("networks") or {}).get("management") or {}
                if "cidr" in mg and ma not in mg["cidr"]:
                    ctx.add("CS302", h, "management address %s of hypervisor "
                            "host %s is outside management network %s of zone "
                            "%s" % (ma, h, mg["cidr"], zone.get("name")),
                            "give %s an address inside %s" % (h, mg["cidr"]))
        storage = {}
        if zone is not None:
            for s in (zone.get("networks") or {}).get("storage") or []:
                if s and "name" in s:
                    storage[s["name"]] = s
        for i, si in enumerate(hv.get("cloudstack_storage_interfaces") or []):
            if not si:
                continue
            addr = si.get("address")
            if addr is not None:
                addresses.setdefault(addr, []).append(
                    "%s cloudstack_storage_interfaces[%d]" % (h, i))
            if zone is None:
                continue
            net = storage.get(si.get("network"))
            if net is None and id(zone) in broken:
                continue    # e.g. `netwroks:`, already a CS001
            if net is None:
                ctx.add("CS302", h, "storage interface %s of host %s names "
                        "storage network %s, which zone %s does not have (%s)"
                        % (si.get("device"), h, si.get("network"),
                           zone.get("name"), ", ".join(sorted(storage))
                           or "no storage networks"),
                        "use a storage network name of zone %s%s" % (
                            zone.get("name"),
                            _did_you_mean(si.get("network"), storage)))
            elif addr is not None and "cidr" in net and addr not in net["cidr"]:
                ctx.add("CS302", h, "storage address %s of host %s is outside "
                        "storage network %s (%s)" % (
                            addr, h, si.get("network"), net["cidr"]),
                        "give %s an address inside %s" % (h, net["cidr"]))
        _bond_rules(ctx, h, hv)
        if (h in hv_groups and "XenServer" in hv_groups[h]) or \
                host_cluster.get(h, (None, None))[1] == "XenServer":
            dom0 = hv.get("cloudstack_xen_dom0_memory_mb")
            if dom0 is not None and dom0 < D.XEN_DOM0_MEMORY_MB:
                ctx.add("CS603", h, "cloudstack_xen_dom0_memory_mb of "
                        "XenServer host %s is %d MB, below the recommended "
                        "%d MB" % (h, dom0, D.XEN_DOM0_MEMORY_MB),
                        "set cloudstack_xen_dom0_memory_mb: %d (or more)"
                        % D.XEN_DOM0_MEMORY_MB)
        if h in hv_groups and "KVM" in hv_groups[h] or \
                host_cluster.get(h, (None, None))[1] == "KVM":
            for key in ("cloudstack_management_device",
                        "cloudstack_guest_device"):
                dev = hv.get(key)
                if dev is not None and not any(
                        fnmatch.fnmatchcase(dev, p)
                        for p in D.KVM_BRIDGE_DEVICE_PATTERNS):
                    ctx.add("CS306", h, "%s %s of KVM host %s is not a name "
                            "the CloudStack agent recognises (%s)" % (
                                key, dev, h,
                                ", ".join(D.KVM_BRIDGE_DEVICE_PATTERNS)),
                            "rename the interface (udev/systemd .link) or use "
                            "a bond/VLAN device with a recognised name, e.g. "
                            "bond0")
    dups = [a for a, users in addresses.items() if len(users) > 1]
    for addr in sorted(dups, key=lambda a: (a.version, a)):
        users = addresses[addr]
        if users:
            ctx.add("CS303", _names(u.split()[0] for u in users),
                    "IP address %s is on %d interfaces: %s" % (
                        addr, len(users), "; ".join(users[:MAX_LISTED])),
                    "give every interface its own address")


def _host_gateway_rule(ctx, h, hv, zone, zgw):
    """CS303: a host of a zone using one of the zone's gateway addresses."""
    if not zgw:
        return
    used = [("cloudstack_management_address",
             hv.get("cloudstack_management_address"))]
    for i, si in enumerate(hv.get("cloudstack_storage_interfaces") or []):
        if si:
            used.append(("cloudstack_storage_interfaces[%d]" % i,
                         si.get("address")))
    for key, addr in used:
        if addr is not None and addr in zgw:
            ctx.add("CS303", h, "%s of host %s is %s, the gateway of the %s "
                    "network of zone %s" % (key, h, addr, zgw[addr],
                                            zone.get("name")),
                    "give %s its own address; the gateway's address belongs "
                    "to the router" % h)


def _bond_rules(ctx, h, hv):
    bonds = [b for b in hv.get("cloudstack_bonds") or [] if b]
    member_of = {}
    for b in bonds:
        members = [m for m in b.get("members") or [] if m]
        if len(set(members)) < 2:
            ctx.add("CS305", h, "bond %s of host %s has %d member(s) (%s)" % (
                b.get("name"), h, len(set(members)),
                ", ".join(members) or "none"),
                "give bond %s at least two NICs, or drop the bond"
                % b.get("name"))
        for m in sorted(set(members)):
            if m in member_of:
                ctx.add("CS305", h, "NIC %s of host %s is in bonds %s and %s"
                        % (m, h, member_of[m], b.get("name")),
                        "a NIC can be a member of one bond only")
            else:
                member_of[m] = b.get("name")
    for si in hv.get("cloudstack_storage_interfaces") or []:
        if si and si.get("device") in member_of:
            ctx.add("CS305", h, "storage interface %s of host %s is a member "
                    "of bond %s" % (si["device"], h, member_of[si["device"]]),
                    "storage (MPIO) interfaces are separate NICs, never bond "
                    "members")


def _site_vpn(ctx, zone_sites):
    distinct = sorted(set(zone_sites))
    if len(distinct) < 2:
        return
    fws = _group(ctx.groups, G_FIREWALL)
    lacking = []
    for h in fws:
        vpn = ctx.host(h).get("cloudstack_site_vpn",
                              ctx.g.get("cloudstack_site_vpn")) or {}
        if not vpn.get("enabled"):
            lacking.append(h)
    if not fws or lacking:
        ctx.add("CS307", G_FIREWALL, "zones span %d sites (%s) but %s" % (
            len(distinct), ", ".join(distinct),
            "there is no firewall in cloudstack_firewall" if not fws else
            "cloudstack_site_vpn.enabled is not true on %s" % _names(lacking)),
            "set cloudstack_site_vpn: {enabled: true, ...} on the firewalls "
            "so that servers in different zones reach each other")


def _effective(ctx, key, hosts, default=None):
    """Host-level value of the first host that has one, else global."""
    for h in hosts:
        if key in ctx.host(h):
            return ctx.host(h)[key]
    return ctx.g.get(key, default)


def _mgmt_db_rules(ctx, sites, default_site, host_zone, zones):
    mgmt = _group(ctx.groups, G_MGMT)
    lbs = _group(ctx.groups, G_LB)
    primary = _group(ctx.groups, G_DB_PRIMARY)
    replicas = _group(ctx.groups, G_DB_REPLICAS)
    if not mgmt:
        ctx.add("CS401", G_MGMT, "no management server: group %s is empty or "
                "missing" % G_MGMT, "put at least one host in %s" % G_MGMT)
    else:
        # a load balancer that is itself a management server (same host, or
        # same management address) balances nothing when that server fails
        mgmt_set = set(mgmt)
        mgmt_addrs = set(ctx.host(h).get("cloudstack_management_address")
                         for h in mgmt) - {None}
        selfish = [h for h in lbs if h in mgmt_set or ctx.host(h).get(
            "cloudstack_management_address") in mgmt_addrs]
        real_lbs = [h for h in lbs if h not in selfish]
        if len(mgmt) > 1 and not real_lbs and not _effective(
                ctx, "cloudstack_mgmt_lb_external", mgmt, False) and \
                not ctx.bad("cloudstack_mgmt_lb_external", mgmt):
            ctx.add("CS401", G_MGMT, "%d management servers (%s) but no load "
                    "balancer in %s%s" % (
                        len(mgmt), _names(mgmt), G_LB,
                        (" other than the management servers themselves "
                         "(%s)" % _names(selfish)) if selfish else ""),
                    "add load balancers (hosts other than the management "
                    "servers) to %s, or set cloudstack_mgmt_lb_external: "
                    "true when a hardware load balancer is in front" % G_LB)
    if len(primary) != 1:
        ctx.add("CS402", G_DB_PRIMARY, "%s holds %d hosts (%s); exactly one "
                "database primary is required" % (
                    G_DB_PRIMARY, len(primary), _names(primary) or "none"),
                "put exactly one host in %s; further databases go to %s" % (
                    G_DB_PRIMARY, G_DB_REPLICAS))
    db_hosts = primary + replicas
    dr = _effective(ctx, "cloudstack_db_dr", db_hosts, None)
    if not replicas and dr is None and ctx.bad("cloudstack_db_dr", db_hosts):
        pass    # misspelt or malformed: already a CS001
    elif not replicas:
        if dr is True:
            ctx.add("CS403", G_DB_REPLICAS, "cloudstack_db_dr is true but %s "
                    "is empty" % G_DB_REPLICAS,
                    "add a replica at another site to %s (with "
                    "cloudstack_site), or set cloudstack_db_dr: false"
                    % G_DB_REPLICAS, severity=ERROR)
        elif dr is None:
            ctx.add("CS403", G_DB_REPLICAS, "no database replica: %s is empty,"
                    " so there is no disaster recovery" % G_DB_REPLICAS,
                    "add a replica at a remote site, or set cloudstack_db_dr: "
                    "false to acknowledge running without DR",
                    severity=WARNING)
    elif dr is True and len(primary) == 1:
        psite = ctx.model.host_site(primary[0])
        away = [r for r in replicas if ctx.model.host_site(r) != psite]
        if not away:
            ctx.add("CS403", G_DB_REPLICAS, "cloudstack_db_dr is true but "
                    "every replica (%s) is at the primary's site %s" % (
                        _names(replicas), psite),
                    "set cloudstack_site of a replica to another site in "
                    "cloudstack_sites", severity=ERROR)
    need = D.DB_CONNECTIONS_PER_MGMT * len(mgmt)
    # every database host's value (primary and replicas: a replica becomes
    # the primary on failover), host, group and global values alike
    for maxc, where in ctx.scoped("cloudstack_db_max_connections", db_hosts):
        if maxc is not None and maxc < need:
            ctx.add("CS404", where, "cloudstack_db_max_connections is %d, "
                    "below %d x %d management server(s) = %d" % (
                        maxc, D.DB_CONNECTIONS_PER_MGMT, len(mgmt), need),
                    "set cloudstack_db_max_connections to at least %d (or "
                    "leave it unset for that default)" % need)
    _db_server_rules(ctx, primary, replicas, mgmt)


# The database role's own refusals (database_plan.DB101..DB105) as CS rules:
#   DB101 -> CS405  host in both cloudstack_db_primary and cloudstack_db_replicas
#   DB102 -> CS406  database host or management server without a
#                   cloudstack_management_address (malformed: CS001)
#   DB103 -> CS407  server id not an integer in 1..4294967295, or not
#                   derivable from the management address (IPv6, 0.0.0.0)
#   DB104 -> CS408  two database hosts with the same server id
#   DB105 -> CS303  two database hosts with the same management address
def _server_id(value):
    """An explicit server id as an int, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        if not S.ASCII_INT.match(text) or len(text) > 20:
            return None
        value = int(text)
    if isinstance(value, int) and D.DB_SERVER_ID_MIN <= value <= \
            D.DB_SERVER_ID_MAX:
        return value
    return None


def _db_server_rules(ctx, primary, replicas, mgmt):
    both = [h for h in primary if h in set(replicas)]
    for h in both:
        ctx.add("CS405", h, "host %s is in both %s and %s" % (
            h, G_DB_PRIMARY, G_DB_REPLICAS),
            "a database server is either the primary or a replica: remove "
            "%s from one of the groups" % h)
    db_hosts = []
    for h in primary + replicas:
        if h not in db_hosts:
            db_hosts.append(h)
    missing = [h for h in db_hosts + [m for m in mgmt if m not in db_hosts]
               if "cloudstack_management_address" not in ctx.host(h)
               and not ctx.bad("cloudstack_management_address", (h,))]
    if missing:
        ctx.add("CS406", _names(missing), "%d database host(s) or management "
                "server(s) without cloudstack_management_address: %s" % (
                    len(missing), _names(missing)),
                "set cloudstack_management_address (the host's address on "
                "the management network) in host_vars; the database admits "
                "the management servers by it")
    by_id = {}
    for h in db_hosts:
        hv = ctx.host(h)
        key = next((k for k in D.DB_SERVER_ID_KEYS if hv.get(k) not in
                    (None, "")), None)
        if key is not None:
            value = _server_id(hv[key])
            if value is None:
                ctx.add("CS407", h, "%s of host %s is %s, not a whole number "
                        "in %d..%d" % (key, h, S._show(hv[key]),
                                       D.DB_SERVER_ID_MIN, D.DB_SERVER_ID_MAX),
                        "set %s to a unique whole number in %d..%d, or remove "
                        "it to derive one from cloudstack_management_address"
                        % (key, D.DB_SERVER_ID_MIN, D.DB_SERVER_ID_MAX))
                continue
        else:
            addr = hv.get("cloudstack_management_address")
            if addr is None:
                continue        # CS406 or CS001
            value = int(addr) if addr.version == 4 else 0
            if value < D.DB_SERVER_ID_MIN:
                ctx.add("CS407", h, "no server id can be derived from the "
                        "management address %s of database host %s (IPv4 "
                        "only, not 0.0.0.0)" % (addr, h),
                        "set %s (a unique whole number in %d..%d) in "
                        "host_vars/%s.yml" % (D.DB_SERVER_ID_KEYS[0],
                                              D.DB_SERVER_ID_MIN,
                                              D.DB_SERVER_ID_MAX, h))
                continue
        by_id.setdefault(value, []).append(h)
    for value in sorted(by_id):
        hosts = by_id[value]
        if len(hosts) > 1:
            ctx.add("CS408", _names(hosts), "database hosts %s have the same "
                    "server id %d; replication needs a unique server id per "
                    "server" % (" and ".join(hosts), value),
                    "give each database host its own server id (or remove "
                    "the explicit ones so they derive from the distinct "
                    "management addresses)")


def _to_networks(value):
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        return None


def _covered(net, union):
    rest = [net]
    for u in union:
        nxt = []
        for r in rest:
            if r.version != u.version or not r.overlaps(u):
                nxt.append(r)
            elif r.subnet_of(u):
                continue
            else:
                nxt.extend(r.address_exclude(u))
        rest = nxt
        if not rest:
            return True
    return not rest


def _whole_space(nets):
    """Whether networks (of one IP version) together cover every address."""
    collapsed = list(ipaddress.collapse_addresses(nets))
    return len(collapsed) == 1 and collapsed[0].prefixlen == 0


def _security_rules(ctx, zones):
    fws = _group(ctx.groups, G_FIREWALL)
    for value, where in ctx.scoped("cloudstack_firewall_forwards", fws):
        for i, fwd in enumerate(value or []):
            if not fwd:
                continue
            bad = [p for p in (fwd.get("port"), fwd.get("to_port"))
                   if p in FORBIDDEN_FORWARD_PORTS]
            if bad:
                ctx.add("CS501", where, "cloudstack_firewall_forwards[%d] "
                        "forwards %s -> %s; port %s must never face the "
                        "Internet" % (i, fwd.get("port"),
                                      fwd.get("to_port", fwd.get("port")),
                                      bad[0]),
                        "forward only the UI/API ports (80 -> 8080, 443 -> "
                        "8443); reach %s over the management network or a VPN"
                        % bad[0])
    union = []
    for zone in zones:
        if not zone:
            continue
        nets = zone.get("networks") or {}
        if (nets.get("management") or {}).get("cidr"):
            union.append(nets["management"]["cidr"])
        for s in nets.get("storage") or []:
            if s and s.get("cidr"):
                union.append(s["cidr"])
    nfs = _group(ctx.groups, G_NFS)
    for value, where in ctx.scoped("cloudstack_nfs_export_clients", nfs):
        for i, client in enumerate(value or []):
            text = str(client).strip()
            net = None if text in ("*", "") else _to_networks(text)
            if net is not None and net.prefixlen == 0:
                net = None
            why = None
            if net is None:
                why = ("%r allows any client" % text) if text in (
                    "*", "0.0.0.0/0", "::/0", "") or _to_networks(text) \
                    is not None else "%r is not an IP range" % text
            elif not _covered(net, union) and not ctx.bad_paths \
                    and not ctx.zones_broken:
                why = ("%s is not inside any zone's management or storage "
                       "network (%s)" % (net, ", ".join(
                           str(u) for u in union) or "none"))
            if why:
                ctx.add("CS502", where, "cloudstack_nfs_export_clients[%d]: %s"
                        % (i, why),
                        "restrict exports to the zones' management and "
                        "storage networks (the default)")
    hv_hosts = []
    for group in D.HYPERVISOR_GROUPS.values():
        hv_hosts.extend(_group(ctx.groups, group))
    for value, where in ctx.scoped("cloudstack_host_allowed_sources",
                                   hv_hosts):
        nets = {4: [], 6: []}
        for i, src in enumerate(value or []):
            net = _to_networks(src)
            if net is None:
                continue
            if net.prefixlen == 0:
                ctx.add("CS503", where, "cloudstack_host_allowed_sources[%d] "
                        "is %s: hypervisor hosts would accept connections "
                        "from anywhere" % (i, src),
                        "list only the sources that need the hosts (e.g. "
                        "monitoring); management servers are always allowed")
                nets[net.version] = None
            elif nets[net.version] is not None:
                nets[net.version].append(net)
        for version in (4, 6):
            if nets[version] and _whole_space(nets[version]):
                ctx.add("CS503", where, "cloudstack_host_allowed_sources "
                        "together cover the whole IPv%d address space (%s): "
                        "hypervisor hosts would accept connections from "
                        "anywhere" % (version, _names(
                            str(n) for n in nets[version])),
                        "list only the sources that need the hosts (e.g. "
                        "monitoring); management servers are always allowed")
    db_side = (_group(ctx.groups, G_MGMT) + _group(ctx.groups, G_DB_PRIMARY)
               + _group(ctx.groups, G_DB_REPLICAS))
    for key in D.SECRET_VARS:
        for value, where in ctx.scoped(key, db_side):
            text = "" if value is None else str(value)
            if text.strip().lower() in D.WEAK_SECRETS:
                ctx.add("CS504", where, "%s is left at a well-known default "
                        "(one of: password, cloud, changeme, root, empty)"
                        % key,
                        "set %s from Ansible Vault or an AWX credential to a "
                        "generated secret" % key)


# --------------------------------------------------------------------------
# fact-based rules (CS7xx)
# --------------------------------------------------------------------------

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


@_gc_paused
def check_host_facts(facts, groups, hostvars, global_vars, thresholds=None):
    """Fact-based checks CS701..CS706.

    ``facts``: host -> dict as returned by cloudstack.infra.host_preflight
    (keys virtualization_flags, cpu_model, fqdn, fqdn_resolves,
    time_synchronized, root_size_mb, root_free_mb, memtotal_mb). Hosts
    without facts are skipped. ``thresholds`` overrides PREFLIGHT_DEFAULTS.
    The topology is read as validate_topology reads it (clusters, groups).
    """
    ctx = build_model(groups, hostvars, global_vars)[0]
    ctx.v = []  # shape findings belong to validate_topology
    limits = _thresholds(ctx, thresholds)
    facts = _facts(ctx, facts)
    kvm = set(_group(ctx.groups, D.HYPERVISOR_GROUPS["KVM"]))
    strict = set(_group(ctx.groups, G_MGMT))
    for group in D.HYPERVISOR_GROUPS.values():
        strict.update(_group(ctx.groups, group))
    clusters = _iter_clusters(ctx)
    for _zi, _zone, _pod, cl, _loc, _path in clusters:
        if _hypervisor(cl.get("hypervisor")) == "KVM":
            kvm.update(h for h in cl.get("hosts") or []
                       if isinstance(h, str))
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
    for _zi, _zone, _pod, cl, loc, _path in clusters:
        hosts = [h for h in cl.get("hosts") or [] if isinstance(h, str)]
        hv = _hypervisor(cl.get("hypervisor"))
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
    return Report(ctx.v, [])


def rule_table():
    """[(id, default severity, title)] of every rule, for docs and tests."""
    return [(k, v[0], v[1]) for k, v in sorted(RULES.items())]


# --------------------------------------------------------------------------
# what the storage planner (storage_topology) refuses, before any host
# --------------------------------------------------------------------------

def _storage_service_rules(ctx, zones):
    """CS205 (paths), CS208 (a path both primary and secondary), CS209
    (iSCSI names), CS210 (iSCSI pools the LIO targets cannot serve)."""
    nfs = set(_group(ctx.groups, G_NFS))
    targets = _group(ctx.groups, G_ISCSI)
    kinds = {}      # (server, path) -> {kind: location}
    for zi, zone in enumerate(zones):
        if not zone:
            continue
        name = zone.get("name", "zone[%d]" % zi)
        for i, sec in enumerate(zone.get("secondary_storage") or []):
            if not sec or sec.get("path") is None:
                continue
            loc = "%s/secondary_storage[%d]" % (name, i)
            if _storage_path_rule(ctx, loc, "secondary storage", sec["path"],
                                  True) and sec.get("server") in nfs:
                kinds.setdefault((sec.get("server"), sec["path"].rstrip("/")),
                                 {}).setdefault("secondary", loc)
    lio = []        # (zone, cluster, pool, location, server)
    for _zi, zone, _pod, cl, loc, _path in _iter_clusters(ctx):
        for i, ps in enumerate(cl.get("primary_storage") or []):
            if not ps:
                continue
            ploc = "%s/%s" % (loc, ps.get("name", "primary_storage[%d]" % i))
            stype = ps.get("type")
            if ps.get("path") is not None:
                export = stype == "nfs" and ps.get("server") in nfs
                if _storage_path_rule(ctx, ploc, "primary storage",
                                      ps["path"], export) and export:
                    kinds.setdefault((ps.get("server"),
                                      ps["path"].rstrip("/")),
                                     {}).setdefault("primary", ploc)
            if stype != "iscsi":
                continue
            server = ps.get("server")
            if server is None and len(targets) > 1:
                ctx.add("CS210", ploc, "iscsi primary storage %s has no "
                        "`server` and %s holds %d hosts (%s)" % (
                            ps.get("name"), G_ISCSI, len(targets),
                            _names(targets)),
                        "add server: <one of %s> to the pool" % G_ISCSI)
                continue
            if server is None and targets:
                server = targets[0]
            if server is not None and server in targets:
                lio.append((zone, cl, ps, ploc, server))
    for (server, path), used in sorted(kinds.items(), key=lambda kv: (
            str(kv[0][0]), kv[0][1])):
        if len(used) > 1:
            ctx.add("CS208", used["primary"], "%s:%s is exported both as "
                    "primary storage (%s) and as secondary storage (%s)" % (
                        server, path or "/", used["primary"],
                        used["secondary"]),
                    "give primary and secondary storage their own "
                    "directories")
    _iscsi_name_rules(ctx, lio)


def _storage_path_rule(ctx, loc, what, path, export):
    """CS205; True when the path is usable."""
    if not path.startswith("/"):
        ctx.add("CS205", loc, "%s path %s is not absolute" % (
            what, S._show(path)),
            "write the absolute path on the server, e.g. /export/%s"
            % what.split()[0])
        return False
    if export and not path.rstrip("/"):
        ctx.add("CS205", loc, "%s path is '/': the server would export its "
                "whole filesystem" % what,
                "export a dedicated directory such as /export/%s"
                % what.split()[0])
        return False
    return True


def _iqn_prefix(ctx):
    return ctx.g.get("cloudstack_iscsi_initiator_iqn_prefix",
                     D.ISCSI_INITIATOR_IQN_PREFIX)


def initiator_iqn(name, hostvars_clean, prefix=None):
    """The initiator name of a host: cloudstack_iscsi_initiator_iqn, or the
    one storage_topology.default_initiator_iqn derives (the name the LIO
    targets allow)."""
    iqn = (hostvars_clean or {}).get("cloudstack_iscsi_initiator_iqn")
    if iqn:
        return iqn
    return ST.default_initiator_iqn(name, prefix or
                                    D.ISCSI_INITIATOR_IQN_PREFIX)


def _iscsi_name_rules(ctx, lio):
    prefix = _iqn_prefix(ctx)
    hint = ("write iqn.YYYY-MM.<reversed domain with a dot>[:name] in lower "
            "case, e.g. %s" % ST.default_initiator_iqn("kvm1",
                                                       D.ISCSI_INITIATOR_IQN_PREFIX))
    if "cloudstack_iscsi_initiator_iqn_prefix" in ctx.g and \
            not ST.IQN_RE.match(ST.default_initiator_iqn("host", prefix)):
        ctx.add("CS209", "cloudstack_iscsi_initiator_iqn_prefix",
                "cloudstack_iscsi_initiator_iqn_prefix %s does not give "
                "initiator names that LIO accepts" % S._show(prefix), hint)
    for value, where in ctx.scoped("cloudstack_iscsi_initiator_iqn",
                                   sorted(ctx.hv)):
        if not ST.IQN_RE.match(value):
            ctx.add("CS209", where, "cloudstack_iscsi_initiator_iqn %s is "
                    "not an IQN that LIO accepts" % S._show(value), hint)
    by_target = {}
    for zone, cl, ps, ploc, server in lio:
        wwn = ps.get("target")
        if wwn is None:
            ctx.add("CS210", ploc, "iscsi primary storage %s served by %s "
                    "has no `target`" % (ps.get("name"), server),
                    "add target: <an IQN for the LUN>, e.g. "
                    "iqn.2025-01.lab.example:%s" % ps.get("name"))
        elif not ST.IQN_RE.match(wwn):
            ctx.add("CS209", ploc, "iscsi primary storage %s served by %s "
                    "has target %s, not an IQN that LIO accepts" % (
                        ps.get("name"), server, S._show(wwn)),
                    "write iqn.YYYY-MM.<reversed domain with a dot>[:name] "
                    "in lower case, e.g. iqn.2025-01.lab.example:%s"
                    % ps.get("name"))
        else:
            other = by_target.setdefault((server, wwn), (ps.get("name"),
                                                         ploc))
            if other[0] != ps.get("name"):
                ctx.add("CS210", ploc, "target %s on %s is used by two "
                        "storage pools (%s, %s)" % (wwn, server, other[0],
                                                    ps.get("name")),
                        "one LUN per target: give each pool its own IQN")
        if not _portals(ctx, server, zone):
            ctx.add("CS210", ploc, "iSCSI target host %s has no portal "
                    "address for zone %s" % (server, zone.get("name")),
                    "give %s cloudstack_storage_interfaces on the zone's "
                    "storage networks or a cloudstack_management_address"
                    % server)


def _portals(ctx, host, zone):
    """The portal addresses of an iSCSI target host for a zone (as the
    storage planner derives them)."""
    hv = ctx.host(host)
    names = set(s.get("name") for s in (zone.get("networks") or {}).get(
        "storage") or [] if s)
    ips = [str(si["address"]) for si in hv.get(
        "cloudstack_storage_interfaces") or []
           if si and si.get("network") in names and si.get("address")]
    if not ips and hv.get("cloudstack_management_address") is not None:
        ips.append(str(hv["cloudstack_management_address"]))
    return ips


# --------------------------------------------------------------------------
# what the firewall planner (firewall_rules.firewall_plan) refuses
# --------------------------------------------------------------------------

def _firewall_plan_rules(ctx, zones):
    """CS505 (duplicate forward), CS506 (no forward target), CS507 (site
    VPN that cannot be built)."""
    fws = _group(ctx.groups, G_FIREWALL)
    if not fws:
        return
    for value, where in ctx.scoped("cloudstack_firewall_forwards", fws):
        seen = {}
        for i, fwd in enumerate(value or []):
            if not fwd or "port" not in fwd:
                continue
            key = (fwd["port"], fwd.get("proto", "tcp"))
            if key in seen:
                ctx.add("CS505", where, "cloudstack_firewall_forwards[%d] "
                        "forwards %s/%d again (already in [%d])" % (
                            i, key[1], key[0], seen[key]),
                        "keep one entry per public port and protocol")
            else:
                seen[key] = i
    lbs = _group(ctx.groups, G_LB)
    mgmt = _group(ctx.groups, G_MGMT)
    external = _effective(ctx, "cloudstack_mgmt_lb_external", fws, False)
    if lbs or external:
        vip = _effective(ctx, "cloudstack_lb_vip", fws, None)
        why = ("%s has %s" % (G_LB, _names(lbs))) if lbs else \
            "cloudstack_mgmt_lb_external is true"
        if vip is None and not ctx.bad("cloudstack_lb_vip", fws):
            ctx.add("CS506", G_FIREWALL, "%s but cloudstack_lb_vip is not "
                    "set: the firewalls have nowhere to forward to" % why,
                    "set cloudstack_lb_vip to the load balancers' virtual "
                    "address")
        elif vip is not None and vip.version != 4:
            ctx.add("CS506", G_FIREWALL, "cloudstack_lb_vip %s is not an "
                    "IPv4 address; the firewall forwards IPv4 only" % vip,
                    "use the load balancers' virtual IPv4 address")
    elif len(mgmt) == 1:
        addr = ctx.host(mgmt[0]).get("cloudstack_management_address")
        if addr is not None and addr.version != 4:
            ctx.add("CS506", G_FIREWALL, "the firewall forwards to the "
                    "management server %s, whose address %s is not IPv4"
                    % (mgmt[0], addr),
                    "give %s an IPv4 cloudstack_management_address" % mgmt[0])
    _site_vpn_plan(ctx, zones, fws)


def _site_vpn_plan(ctx, zones, fws):
    zone_sites = []
    for zone in zones:
        if zone:
            site = zone.get("site") or FW.DEFAULT_SITE
            if site not in zone_sites:
                zone_sites.append(site)
    single = zone_sites[0] if len(zone_sites) == 1 else None
    fw_site = {}
    for h in fws:
        fw_site[h] = ctx.host(h).get("cloudstack_site") or single
    nets = []
    for zone in zones:
        if not zone:
            continue
        for label, n in _zone_networks(zone):
            if label != "public" and n.get("cidr") is not None:
                nets.append(n["cidr"])
    for h in fws:
        vpn = ctx.host(h).get("cloudstack_site_vpn",
                              ctx.g.get("cloudstack_site_vpn")) or {}
        if not vpn.get("enabled"):
            continue
        if fw_site[h] is None:
            ctx.add("CS507", h, "cloudstack_site_vpn is enabled on firewall "
                    "%s but it has no cloudstack_site and the zones span "
                    "several sites" % h, "set cloudstack_site on %s" % h)
        elif not any(fw_site[o] not in (None, fw_site[h])
                     for o in fws if o != h):
            ctx.add("CS507", h, "cloudstack_site_vpn is enabled on firewall "
                    "%s but no firewall of %s sits at a site other than %s"
                    % (h, G_FIREWALL, fw_site[h]),
                    "add the other sites' firewalls (with cloudstack_site) "
                    "or disable the VPN")
    for vpn, where in ctx.scoped("cloudstack_site_vpn", fws):
        if not vpn or not vpn.get("enabled"):
            continue
        port = vpn.get("port", D.SITE_VPN_PORT)
        if FW._port(port) is None:
            ctx.add("CS507", where, "cloudstack_site_vpn.port is %s, not a "
                    "port number" % S._show(port),
                    "a UDP port number from 1 to 65535 (default %d)"
                    % D.SITE_VPN_PORT)
        tunnel_text = vpn.get("tunnel_cidr", D.SITE_VPN_TUNNEL_CIDR)
        tunnel = FW._ipv4_net(tunnel_text)
        if tunnel is None:
            ctx.add("CS507", where, "cloudstack_site_vpn.tunnel_cidr is %s, "
                    "not an IPv4 network in CIDR form" % S._show(
                        tunnel_text),
                    "an unused IPv4 network such as %s"
                    % D.SITE_VPN_TUNNEL_CIDR)
            continue
        if len(fws) >= tunnel.num_addresses - 1:
            ctx.add("CS507", where, "cloudstack_site_vpn.tunnel_cidr %s has "
                    "no address for each of the %d firewalls" % (
                        tunnel, len(fws)),
                    "use a larger tunnel network, e.g. a /24")
        for net in nets:
            if net.version == 4 and net.overlaps(tunnel):
                ctx.add("CS507", where, "cloudstack_site_vpn.tunnel_cidr %s "
                        "overlaps the zone network %s" % (tunnel, net),
                        "choose an unused tunnel network")
                break
