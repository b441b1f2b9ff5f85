# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rule registry of the topology engine (plain Python, no Ansible import).

Every rule is registered with ``@rule(rule_id, severity, title, practice,
concern)`` on the function that checks it (a function that checks several
closely related rules carries one decorator per id and runs once). The rule
table (``RULES``, ``rule_table()``), docs/validator.md's table and
docs/inventory.md are generated from this registry. The rule functions live
in files by concern (topology_rules_cluster, _storage, _network, _mgmt_db,
_security, _capacity, _facts); ``topology.run_rules`` runs a subset.

One finding type everywhere: ``Violation`` (rule id, severity, location,
message, hint). Messages never carry the rule id nor a "fix:" part.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S

ERROR = "error"
WARNING = "warning"

# group names of the contract
G_MGMT = M.G_MGMT
G_DB_PRIMARY = M.G_DB_PRIMARY
G_DB_REPLICAS = M.G_DB_REPLICAS
G_LB = M.G_LB
G_NFS = M.G_NFS
G_ISCSI = M.G_ISCSI
G_FIREWALL = M.G_FIREWALL
G_MONITORING = M.G_MONITORING
CONTRACT_GROUPS = M.CONTRACT_GROUPS

ASSUMED_SITE = M.ASSUMED_SITE
MAX_LISTED = 5

CONCERNS = ("input", "cluster", "storage", "network", "mgmt_db", "security",
            "capacity", "facts")


class Rule(object):
    """One registered rule: id, default severity, title, the seed practice
    it enforces, its concern, the variables it reads and its function."""

    __slots__ = ("id", "severity", "title", "practice", "concern", "reads",
                 "func")

    def __init__(self, rule_id, severity, title, practice, concern, reads,
                 func):
        self.id = rule_id
        self.severity = severity
        self.title = title
        self.practice = practice
        self.concern = concern
        self.reads = tuple(reads)
        self.func = func


REGISTRY = {}           # rule id -> Rule
CHECKS = []             # rule functions in registration order (run order)


def rule(rule_id, severity, title, practice, concern, reads=()):
    """Register the decorated function as the check of ``rule_id``."""
    if concern not in CONCERNS:
        raise ValueError("unknown concern %r of %s" % (concern, rule_id))
    if severity not in (ERROR, WARNING):
        raise ValueError("unknown severity %r of %s" % (severity, rule_id))

    def register(func):
        if rule_id in REGISTRY:
            raise ValueError("rule %s registered twice" % rule_id)
        REGISTRY[rule_id] = Rule(rule_id, severity, title, practice, concern,
                                 reads, func)
        if func is not None and func not in CHECKS:
            CHECKS.append(func)
        return func
    return register


def severity_of(rule_id):
    return REGISTRY[rule_id].severity


def rules():
    """Every registered Rule, sorted by id."""
    return [REGISTRY[k] for k in sorted(REGISTRY)]


def checks_for(ids=None):
    """The rule functions to run for ``ids`` (None: all), in run order."""
    if ids is None:
        return list(CHECKS)
    wanted = set(REGISTRY[i].func for i in ids if i in REGISTRY)
    return [f for f in CHECKS if f in wanted]


rule("CS001", ERROR, "malformed input",
     "The inventory is read once and checked for shape before any rule or "
     "host sees it: a wrong type is named with its path, never a crash.",
     "input", reads=("(every key)",))(None)

rule("CS002", ERROR, "whole-cloud variable set per host or group",
     "One description of the cloud: what the validator checks is what every "
     "role reads, so a whole-cloud variable has one copy, in group_vars/all.",
     "input", reads=S.GLOBAL_ONLY_KEYS)(None)


def _names(hosts):
    hosts = list(hosts)
    if len(hosts) <= MAX_LISTED:
        return ", ".join(hosts)
    return "%s (+%d more)" % (", ".join(hosts[:MAX_LISTED]),
                              len(hosts) - MAX_LISTED)


def _group(groups, name):
    hosts = groups.get(name) or []
    return list(hosts) if isinstance(hosts, (list, tuple)) else []


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


def _effective(ctx, key, hosts, default=None):
    """Host-level value of the first host that has one, else global."""
    for h in hosts:
        if key in ctx.host(h):
            return ctx.host(h)[key]
    return ctx.g.get(key, default)


def _to_networks(value):
    try:
        return ipaddress.ip_network(str(value).strip(), strict=False)
    except ValueError:
        return None


def _overlap(a, b):
    return a.version == b.version and a.overlaps(b)


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
    for i, pod in enumerate(M.zone_pods(zone)):
        if "cidr" in pod:
            out.append(("pod %s" % pod.get("name", "[%d]" % i), pod))
    return out


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

    def text(self):
        """One line: [rule id] [location] message; the fix. The planners'
        refusals of role settings (no rule id) use it too."""
        head = "%s [%s]" % (self.rule, self.location) if self.rule \
            else "[%s]" % self.location
        return "%s %s; fix: %s" % (head, self.message, self.hint)


_hypervisor = M.hypervisor_name
