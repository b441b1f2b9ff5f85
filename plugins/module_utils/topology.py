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

import gc
import json

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules as R
# the rule functions, by concern: importing them registers them (run order)
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_cluster as R_CLUSTER
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_storage as R_STORAGE
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_capacity as R_CAPACITY
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_network as R_NETWORK
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_mgmt_db as R_MGMT_DB
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_security as R_SECURITY
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_rules_facts as R_FACTS

# re-exported from the registry (other modules and tests use these names)
ERROR = R.ERROR
WARNING = R.WARNING
G_MGMT = R.G_MGMT
G_DB_PRIMARY = R.G_DB_PRIMARY
G_DB_REPLICAS = R.G_DB_REPLICAS
G_LB = R.G_LB
G_NFS = R.G_NFS
G_ISCSI = R.G_ISCSI
G_FIREWALL = R.G_FIREWALL
CONTRACT_GROUPS = R.CONTRACT_GROUPS
ASSUMED_SITE = R.ASSUMED_SITE
MAX_LISTED = R.MAX_LISTED
FORBIDDEN_FORWARD_PORTS = R_SECURITY.FORBIDDEN_FORWARD_PORTS
Violation = R.Violation
CapacityRow = R.CapacityRow
capacity_warn_threshold = R_CAPACITY.capacity_warn_threshold
capacity_warn_from = R_CAPACITY.capacity_warn_from
initiator_iqn = R_STORAGE.initiator_iqn
_names = R._names
_group = R._group
_zone_networks = R._zone_networks
_broken = R._broken
_hypervisor = R._hypervisor
_LazyIndex = R._LazyIndex

# the concern files whose rule functions the registry runs, in run order
RULE_MODULES = (R_CLUSTER, R_STORAGE, R_CAPACITY, R_NETWORK, R_MGMT_DB,
                R_SECURITY, R_FACTS)

# {id: (default severity, title)}, generated from the registry
RULES = dict((r.id, (r.severity, r.title)) for r in R.rules())
# the inventory rules (no facts needed)
INVENTORY_RULES = tuple(r.id for r in R.rules() if r.concern != "facts")


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


def _key_of(value):
    """repr() of a value for grouping equal values; values repr() cannot
    render (integers of thousands of digits in open mappings) are their own
    group."""
    try:
        return repr(value)
    except (ValueError, RecursionError):
        return "<%d>" % id(value)


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
        self.v.append(Violation(rule, severity or R.severity_of(rule),
                                location, message, hint))

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
            k = _key_of(self.g[key])
            seen[k] = (self.g[key], ["group_vars/all"], None)
            order.append(k)
        for h in hosts:
            hv = self.hv.get(h)
            if not hv or key not in hv:
                continue
            value = hv[key]
            k = by_id.get(id(value))
            if k is None:
                k = by_id[id(value)] = _key_of(value)
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
    shadowed = {}         # whole-cloud key -> hosts that set their own copy
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
            if key in S.GLOBAL_ONLY_KEYS:
                # a whole-cloud key: the rules check the global value, so a
                # host's or group's own copy would escape them (an equal
                # copy, as some inventory sources give every host, is fine)
                if not (key in ctx.raw_globals
                        and same_value(ctx.raw_globals[key], value)):
                    shadowed.setdefault(key, []).append(host)
                    ctx.host_bad.setdefault(host, set()).add(key)
                continue
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
    for key in sorted(shadowed):
        hosts = shadowed[key]
        ctx.add("CS002", "host %s" % _names(hosts),
                "%s is set to its own value in the variables of %s "
                "(host_vars, or group_vars of a group other than all); it "
                "describes the whole cloud: the roles there would read that "
                "copy while the validator and every other host read "
                "group_vars/all's" % (key, _names(hosts)),
                "remove %s from those host_vars/group_vars files and keep "
                "its one copy in group_vars/all" % key)
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


def _prepare(ctx):
    """State every inventory rule reads, computed once from the model."""
    model = ctx.model
    ctx.limits = _max_hosts(ctx)
    ctx.zones = [z.raw for z in model.zones]
    ctx.known_index = _LazyIndex(model.known)
    ctx.hv_groups = model.hypervisor_groups
    ctx.host_zone = dict((h, c.zone.raw) for h, c in model.placed.items())
    ctx.host_cluster = dict((h, (c.raw, c.hypervisor))
                            for h, c in model.placed.items())
    ctx.cluster_hosts = {}      # id(cluster) -> its hosts, each once
    for c in model.clusters:
        hosts = []
        seen = set()
        for h in c.hosts:
            if model.placed.get(h) is c and h not in seen:
                seen.add(h)
                hosts.append(h)
        ctx.cluster_hosts[id(c)] = hosts
    sites = model.site_names
    for h in ctx.hv:
        site = ctx.hv[h].get("cloudstack_site")
        if site is not None:
            _check_site_ref(ctx, sites, site, "hostvars[%s].cloudstack_site"
                            % h)
    for zone in model.zones:
        if "site" in zone.raw:
            _check_site_ref(ctx, sites, zone.site, "%s.site" % zone.path)


def _run(ctx, ids):
    for check in R.checks_for(ids):
        check(ctx)
    return Report(ctx.v, ctx.capacity)


@_gc_paused
def validate_topology(groups, hostvars, global_vars):
    """Run every inventory rule; return a Report (never raises on input)."""
    ctx = build_model(groups, hostvars, global_vars)[0]
    _prepare(ctx)
    return _run(ctx, INVENTORY_RULES)


@_gc_paused
def run_rules(groups, hostvars, global_vars, ids=None):
    """Run the inventory rules ``ids`` (None: all) on the inventory; the
    Report holds their findings and every CS001 (the rules rest on the
    shape). For a role that must check on its own: the same engine, not a
    copy of its rules."""
    ctx = build_model(groups, hostvars, global_vars)[0]
    _prepare(ctx)
    wanted = set(INVENTORY_RULES if ids is None else ids)
    unknown = sorted(str(i) for i in wanted if i not in R.REGISTRY)
    if unknown:
        raise ValueError("unknown rule id(s): %s" % ", ".join(unknown))
    report = _run(ctx, [i for i in INVENTORY_RULES if i in wanted])
    report.violations = [v for v in report.violations
                         if v.rule in wanted or v.rule == "CS001"]
    if not wanted & set(("CS601", "CS602", "CS604")):
        report.capacity = []
    return report


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
    limits = R_FACTS._thresholds(ctx, thresholds)
    facts = R_FACTS._facts(ctx, facts)
    R_FACTS.facts_rules(ctx, facts, limits)
    return Report(ctx.v, [])


def rule_table():
    """[(id, default severity, title)] of every rule, for docs and tests
    (generated from the registry)."""
    return [(r.id, r.severity, r.title) for r in R.rules()]
