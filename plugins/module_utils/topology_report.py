# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the operator sees: a topology diagram and the capacity table.

Plain Python, no Ansible import (pytest imports it directly; the action
plugin cloudstack.infra.topology_report wraps it). Input is the inventory as
data, exactly what the validator takes (``groups``, ``hostvars``,
``global_vars``); the validator runs first, and the report is drawn only
from an inventory without CS001 (shape) errors. Everything is read through
the validator's own code: its walk of the clusters (``_iter_clusters``),
its zone networks (``_zone_networks``), its site model, its capacity plan
(``Report.capacity``) and its CS604 threshold; nothing is computed twice.

``build(groups, hostvars, global_vars)`` -> Report (raises ReportError)
``topology_dot(groups, hostvars, global_vars, report, title)`` -> DOT text
``capacity_rows(report)`` / ``capacity_markdown(report, title)``

The DOT text is rendered by Graphviz's ``dot`` (SVG, PNG) outside Python.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M

CAPACITY_RULES = ("CS601", "CS602", "CS604")
HOSTS_PER_ROW = 4

# roles of the management layer, top to bottom of the diagram
ROLES = (
    (T.G_FIREWALL, "firewall"),
    (T.G_LB, "load balancer"),
    (T.G_MGMT, "management server"),
    (T.G_DB_PRIMARY, "database primary"),
    (T.G_DB_REPLICAS, "database replica"),
)
STORAGE_ROLES = (
    (T.G_NFS, "NFS server"),
    (T.G_ISCSI, "iSCSI target"),
)

COLOURS = {
    "site": "#fafafa",
    "services": "#eaf1fb",
    "mgmt": "#d6e4f5",
    "zone": "#f2f2f2",
    "pod": "#e3f0e3",
    "cluster": "#fff7dc",
    "host": "#ffffff",
    "primary": "#fde0c5",
    "secondary": "#f6c9a4",
    "server": "#ead7f2",
    "network": "#d9efe9",
    "internet": "#e8e8e8",
}


class ReportError(Exception):
    """The inventory cannot be drawn (malformed input, CS001)."""


def build(groups, hostvars, global_vars):
    """Run the validator; refuse an inventory with CS001 (shape) errors."""
    report = T.validate_topology(groups, hostvars, global_vars)
    shape = [v for v in report.violations if v.rule == "CS001"]
    if shape:
        lines = T.format_violations({"violations": [v.to_dict()
                                                    for v in shape]})
        raise ReportError("the inventory is malformed (CS001), fix it first "
                          "(make validate):\n" + "\n".join(lines))
    return report


# --------------------------------------------------------------------------
# the model: what the validator reads, in its order
# --------------------------------------------------------------------------

class _Sites(object):
    """Just enough of the validator's context for its site functions."""

    def __init__(self, hostvars, global_vars):
        self.g = global_vars
        self.hostvars = hostvars

    def host(self, name):
        value = self.hostvars.get(name)
        return value if isinstance(value, dict) else {}


def _zones(global_vars):
    """[(zone, [(pod, [(cluster, loc)])])] in the validator's order (the
    model's walk; pods without a cluster are left out)."""
    model = M.Model({}, {}, {"cloudstack_zones": list(
        global_vars.get("cloudstack_zones") or [])})
    return [(zone.raw, [(pod.raw, [(cl.raw, cl.location) for cl in pod.clusters])
                        for pod in zone.pods if pod.clusters])
            for zone in model.zones]


def _group(groups, name):
    return T._group(groups, name)


# --------------------------------------------------------------------------
# DOT
# --------------------------------------------------------------------------

def _esc(text):
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def _q(text):
    return '"%s"' % _esc(text)


def _label(*lines):
    return '"%s"' % "\\n".join(_esc(x) for x in lines if x not in (None, ""))


def _attrs(**kw):
    return "[%s]" % ", ".join("%s=%s" % (k, v) for k, v in sorted(kw.items()))


class _Dot(object):

    def __init__(self):
        self.lines = []
        self.edges = []
        self.depth = 1
        self.count = 0

    def add(self, text):
        self.lines.append("  " * self.depth + text)

    def node(self, ident, label, **kw):
        self.add("%s %s;" % (_q(ident), _attrs(label=label, **kw)))

    def edge(self, src, dst, **kw):
        # at the top level, at the end: an edge written inside a box
        # would pull both its nodes into that box
        self.edges.append("  %s -> %s%s;" % (
            _q(src), _q(dst), (" " + _attrs(**kw)) if kw else ""))

    def open(self, label, fill, **kw):
        self.count += 1
        name = "cluster_%d" % self.count
        self.add("subgraph %s {" % name)
        self.depth += 1
        self.add("label=%s;" % label)
        self.add('style="rounded,filled"; fillcolor="%s"; color="#8a8a8a";'
                 % fill)
        for key, value in sorted(kw.items()):
            self.add("%s=%s;" % (key, value))
        return name

    def close(self):
        self.depth -= 1
        self.add("}")


def _address(hostvars, host):
    hv = hostvars.get(host)
    if isinstance(hv, dict):
        return hv.get("cloudstack_management_address")
    return None


def _network_lines(label, net):
    lines = ["%s network" % label, net.get("cidr")]
    if net.get("gateway"):
        lines.append("gw %s" % net.get("gateway"))
    if net.get("vlan") is not None:
        lines.append("vlan %s" % net.get("vlan"))
    return lines


def _primary_lines(ps):
    where = ps.get("target")
    if ps.get("server") is not None:
        where = "%s:%s" % (ps.get("server"), ps.get("path") or "")
    size = ps.get("size_tb")
    return ["primary: %s" % ps.get("name", "?"),
            "%s%s" % (ps.get("type", "?"),
                      ", multipath" if ps.get("multipath") else ""),
            where, ("%s TB" % size) if size is not None else None]


def _capacity_line(row):
    if row["per_host_limit"] is None:
        return "%d host(s), no per-host limit" % row["hosts"]
    text = "safe (%d - %d) x %d = %d" % (
        row["hosts"], row["failures_tolerated"], row["per_host_limit"],
        row["safe_capacity"])
    if row["planned"] is not None:
        text += ", planned %d" % row["planned"]
    return text


def topology_dot(groups, hostvars, global_vars, report, title=""):
    """DOT text of the site: management layer on top, zones with pods,
    clusters (hosts, primary storage), secondary storage and networks with
    their CIDRs, storage servers at the bottom."""
    groups = groups if isinstance(groups, dict) else {}
    hostvars = hostvars if isinstance(hostvars, dict) else {}
    ctx = _Sites(hostvars, global_vars)
    sites, default_site = T._site_model(ctx)
    zones = _zones(global_vars)
    capacity = [r.to_dict() for r in report.capacity]
    dot = _Dot()
    head = "CloudStack site%s" % ((": %s" % title) if title else "")
    dot.lines.append("digraph cloudstack {")
    dot.add("graph %s;" % _attrs(
        label=_label(head, "validator: %s" % report.summary()),
        labelloc="t", fontname="Helvetica", fontsize="16", rankdir="TB",
        compound="true", newrank="true", nodesep="0.3", ranksep="0.5",
        bgcolor='"white"'))
    dot.add('node [fontname="Helvetica", fontsize=10, shape=box, '
            'style="rounded,filled", fillcolor="%s"];' % COLOURS["host"])
    dot.add('edge [fontname="Helvetica", fontsize=9, color="#555555"];')

    # management layer ----------------------------------------------------
    placed = set()
    layer = [(group, _group(groups, group)) for group, _role in ROLES]

    def roles_of(host, table):
        return [r for g, r in table if host in _group(groups, g)]

    def host_site(host):
        site = T._host_site(ctx, host, default_site, {})
        return None if (site == T.ASSUMED_SITE or not sites) else site

    def service_node(host, table, fill, shape="box"):
        site = host_site(host)
        dot.node("host:" + host, _label(
            " + ".join(roles_of(host, table)), host, _address(hostvars, host),
            ("site %s" % site) if site else None),
            fillcolor=_q(fill), shape=shape)
        placed.add(host)

    dot.node("internet", _label("Internet"), shape="ellipse",
             fillcolor=_q(COLOURS["internet"]))
    dot.open(_label("management layer"), COLOURS["services"])
    for group, hosts in layer:
        if group == T.G_MGMT and hosts:
            dot.open(_label("management servers"), COLOURS["mgmt"])
            for h in hosts:
                if h not in placed:
                    service_node(h, ROLES, COLOURS["host"])
            dot.close()
            continue
        for h in hosts:
            if h not in placed:
                service_node(h, ROLES, COLOURS["host"])
    dot.close()

    fws = _group(groups, T.G_FIREWALL)
    lbs = _group(groups, T.G_LB)
    mgmt = _group(groups, T.G_MGMT)
    dbp = _group(groups, T.G_DB_PRIMARY)
    dbr = _group(groups, T.G_DB_REPLICAS)
    tiers = [t for t in (fws, lbs, mgmt, dbp) if t]
    if tiers:
        for h in tiers[0]:
            dot.edge("internet", "host:" + h)
    for upper, lower in zip(tiers, tiers[1:]):
        for a in upper:
            for b in lower:
                if a != b:
                    dot.edge("host:" + a, "host:" + b)
    for a in dbp:
        for b in dbr:
            if a != b:
                dot.edge("host:" + a, "host:" + b, label=_q("replication"),
                         style="dashed")

    # zones ----------------------------------------------------------------
    by_site = []
    for zone, pods in zones:
        site = zone.get("site", default_site)
        site = None if (site == T.ASSUMED_SITE or not sites) else site
        for entry in by_site:
            if entry[0] == site:
                entry[1].append((zone, pods))
                break
        else:
            by_site.append((site, [(zone, pods)]))
    storage_edges = []
    row_index = 0
    zone_links = []     # (network node, zone cluster name)
    for site, site_zones in by_site:
        if site is not None:
            dot.open(_label("site %s" % site), COLOURS["site"])
        for zone, pods in site_zones:
            name = zone.get("name", "?")
            zid = "zone:%s" % name
            zone_box = dot.open(_label(
                "zone %s" % name, "%s networking%s" % (
                    zone.get("network_type", "advanced"),
                    ", security groups" if zone.get("security_groups")
                    else "")), COLOURS["zone"], fontsize="13")
            nets = T._zone_networks(zone)
            net_ids = []
            for label, net in nets:
                nid = "%s/net:%s" % (zid, label)
                dot.node(nid, _label(*_network_lines(label, net)),
                         shape="box", style='"filled"',
                         fillcolor=_q(COLOURS["network"]))
                net_ids.append((label, nid))
            if len(net_ids) > 1:
                dot.add("{rank=same; %s}" % "; ".join(
                    _q(n) for _l, n in net_ids))
            mgmt_net = [n for lb, n in net_ids if lb == "management"]
            storage_nets = [n for lb, n in net_ids if lb.startswith("storage")]
            if net_ids:
                zone_links.append(((mgmt_net or [net_ids[0][1]])[0],
                                   zone_box))
            last = None
            for pod, clusters in pods:
                pod_name = pod.get("name", "?")
                pod_box = dot.open(_label("pod %s" % pod_name),
                                   COLOURS["pod"])
                first = None
                tops = []
                for cl, loc in clusters:
                    row = capacity[row_index]
                    row_index += 1
                    dot.open(_label(
                        "cluster %s (%s)" % (cl.get("name", "?"),
                                             row["hypervisor"] or "?"),
                        _capacity_line(row)), COLOURS["cluster"])
                    host_ids = []
                    for h in cl.get("hosts") or []:
                        hid = "host:" + h
                        if h in placed:
                            hid = "%s/host:%s" % (loc, h)
                        placed.add(h)
                        dot.node(hid, _label(h, _address(hostvars, h)))
                        host_ids.append(hid)
                    ps_ids = []
                    for i, ps in enumerate(cl.get("primary_storage") or []):
                        if not ps:
                            continue
                        pid = "%s/primary[%d]" % (loc, i)
                        dot.node(pid, _label(*_primary_lines(ps)),
                                 shape="cylinder", style='"filled"',
                                 fillcolor=_q(COLOURS["primary"]))
                        ps_ids.append(pid)
                        if ps.get("server") is not None:
                            storage_edges.append((pid, ps.get("server")))
                        for snet in storage_nets:
                            dot.edge(snet, pid, style="dotted",
                                     arrowhead="none", color=_q("#3c8d78"))
                    rows = [host_ids[i:i + HOSTS_PER_ROW]
                            for i in range(0, len(host_ids), HOSTS_PER_ROW)]
                    for i, row_ids in enumerate(rows):
                        if len(row_ids) > 1:
                            dot.add("{rank=same; %s}" % "; ".join(
                                _q(x) for x in row_ids))
                        if i:
                            for above, below in zip(rows[i - 1], row_ids):
                                dot.edge(above, below, style="invis")
                    if rows:
                        first = first or host_ids[0]
                        tops.extend(rows[0])
                        for pid in ps_ids:
                            dot.edge(rows[-1][len(rows[-1]) // 2], pid,
                                     style="invis")
                    last = (ps_ids or host_ids or [last])[-1]
                    dot.close()
                dot.close()
                if first and net_ids:
                    # one line from the management network to the pod;
                    # every network sits above the pod's hosts
                    dot.edge((mgmt_net or [net_ids[0][1]])[0], first,
                             arrowhead="none", color=_q("#3c8d78"),
                             lhead=pod_box)
                    for _lb, nid in net_ids:
                        for top in tops:
                            dot.edge(nid, top, style="invis")
            for i, sec in enumerate(zone.get("secondary_storage") or []):
                if not sec:
                    continue
                sid = "%s/secondary[%d]" % (zid, i)
                size = sec.get("size_gb")
                where = "%s:%s" % (sec.get("server"), sec.get("path"))
                dot.node(sid, _label(
                    "secondary storage", where,
                    ("%s GB" % size) if size is not None else None),
                    shape="cylinder", style='"filled"',
                    fillcolor=_q(COLOURS["secondary"]))
                if last:
                    dot.edge(last, sid, style="invis")
                if sec.get("server") is not None:
                    storage_edges.append((sid, sec.get("server")))
            dot.close()
        if site is not None:
            dot.close()

    if mgmt:
        for nid, _box in zone_links:
            dot.edge("host:" + mgmt[0], nid, label=_q("manages"),
                     color=_q("#2f5f9e"))

    # storage servers ------------------------------------------------------
    servers = []
    for group, _role in STORAGE_ROLES:
        for h in _group(groups, group):
            if h not in servers:
                servers.append(h)
    fresh = [h for h in servers if h not in placed]
    if fresh:
        dot.open(_label("storage servers"), COLOURS["services"])
        for h in fresh:
            service_node(h, STORAGE_ROLES, COLOURS["server"], shape="box3d")
        dot.close()
    for src, server in storage_edges:
        if server in servers or server in placed:
            dot.edge(src, "host:" + server, style="dashed",
                     color=_q("#8a5a9e"), arrowhead="none")
    dot.lines.extend(dot.edges)
    dot.lines.append("}")
    return "\n".join(dot.lines) + "\n"


# --------------------------------------------------------------------------
# capacity table
# --------------------------------------------------------------------------

def capacity_rows(report):
    """The validator's capacity plan, one dict per cluster, plus the CS604
    threshold (the first planned count that warns) and the capacity
    findings (CS601/CS602/CS604) of that cluster."""
    rows = []
    for row in report.capacity:
        data = row.to_dict()
        loc = "%s/%s/%s" % (data["zone"], data["pod"], data["cluster"])
        safe = data["safe_capacity"]
        data["location"] = loc
        data["warn_from"] = (T.capacity_warn_from(safe)
                             if safe else None)
        data["findings"] = ["%s (%s)" % (v.rule, v.severity)
                            for v in report.violations
                            if v.location == loc and v.rule in CAPACITY_RULES]
        rows.append(data)
    return rows


def _md(value):
    return "-" if value is None else str(value).replace("|", "\\|")


def capacity_markdown(report, title=""):
    """The capacity table as Markdown (a whole page)."""
    rows = capacity_rows(report)
    pct = int(round(D.CAPACITY_WARN_RATIO * 100))
    out = ["# Capacity plan%s" % ((": %s" % title) if title else ""), "",
           "Written by `make report` (playbooks/report.yml) from the "
           "inventory; do not edit by hand. Validator: %s." % report.summary(),
           "",
           "Safe capacity = (N - f) x limit: N hosts in the cluster, f host "
           "failures tolerated (`host_failures_to_tolerate`, default %d), "
           "limit = `max_instances_per_host`. The validator warns (CS604) "
           "when the planned instances reach %d%% of the safe capacity "
           "(\"CS604 from\" is the first planned count that warns) and fails "
           "(CS601) above it." % (D.DEFAULT_HOST_FAILURES, pct), "",
           "| zone | pod | cluster | hypervisor | hosts N | limit/host | f "
           "| safe (N - f) x limit | planned | headroom | CS604 from "
           "| findings |",
           "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|---|"]
    totals = {"hosts": 0, "safe": 0, "planned": 0, "headroom": 0}
    for r in rows:
        if r["safe_capacity"] is not None and r["per_host_limit"] is not None:
            safe = "(%d - %d) x %d = %d" % (
                r["hosts"], r["failures_tolerated"], r["per_host_limit"],
                r["safe_capacity"])
            totals["safe"] += r["safe_capacity"]
        else:
            safe = "-"
        totals["hosts"] += r["hosts"] or 0
        totals["planned"] += r["planned"] or 0
        totals["headroom"] += r["headroom"] or 0
        out.append("| %s |" % " | ".join(_md(x) for x in (
            r["zone"], r["pod"], r["cluster"], r["hypervisor"], r["hosts"],
            r["per_host_limit"], r["failures_tolerated"]))
            + " %s | %s |" % (safe, " | ".join(_md(x) for x in (
                r["planned"], r["headroom"], r["warn_from"],
                ", ".join(r["findings"]) or "none"))))
    if not rows:
        out.append("| (no clusters) | | | | | | | | | | | |")
    else:
        out.append("| **total** | | | | %d | | | %d | %d | %d | | |" % (
            totals["hosts"], totals["safe"], totals["planned"],
            totals["headroom"]))
    return "\n".join(out) + "\n"
