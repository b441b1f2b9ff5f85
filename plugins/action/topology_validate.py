# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of cloudstack.infra.topology_validate.

Runs the engine on the controller: nothing is sent to any host. Without
explicit data it reads the inventory itself. Reading ``hostvars[h]`` for
every host goes through VariableManager.get_vars (facts cleaning, magic
variables, templating) and costs about 1 ms per host in ansible-core 2.19;
for 10k hosts that alone doubles a run. So the plugin reads the variable
layers itself, in VariableManager's precedence order, caching the group
layers per distinct set of groups, and only for the cloudstack_* keys the
rules read; only values that are templates (or vaulted) are templated,
through the regular hostvars path of that host. When the inventory objects
are not reachable (a future ansible-core), it falls back to hostvars.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native
from ansible.plugins.action import ActionBase

from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_model as M
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_schema as S

BASIC = (str, int, float, bool, type(None))


def _needs_template(value, _seen=None):
    if isinstance(value, str):
        return "{{" in value or "{%" in value or "{#" in value
    if isinstance(value, (dict, list, tuple)):
        # a recursive YAML anchor makes a structure that contains itself
        seen = set() if _seen is None else _seen
        if id(value) in seen:
            return False
        seen.add(id(value))
        if isinstance(value, dict):
            return any(_needs_template(k, seen) or _needs_template(v, seen)
                       for k, v in value.items())
        return any(_needs_template(v, seen) for v in value)
    return not isinstance(value, BASIC)     # e.g. a vaulted value


VARS_FILE = re.compile(r"Could not process '([^']+)'")


def _wanted(key):
    # database_server_id: the database role's older name of
    # cloudstack_db_server_id (CS407, CS408 read both)
    return isinstance(key, str) and (key.startswith("cloudstack_")
                                     or key == "database_server_id")


class _InventoryReader(object):
    """Per-host cloudstack_* variables, without HostVars templating."""

    def __init__(self, hostvars, task):
        from ansible import constants as C
        from ansible.inventory.helpers import get_group_vars, sort_groups
        from ansible.utils.vars import combine_vars
        from ansible.vars.plugins import (get_vars_from_inventory_sources,
                                          get_vars_from_path)
        self.inventory = hostvars._inventory
        self.loader = hostvars._loader
        self.vm = hostvars._variable_manager
        self.extra = set(self.vm.extra_vars or {})
        self._sort = sort_groups
        self._gv = get_group_vars
        self._combine = combine_vars
        self._inv_src = get_vars_from_inventory_sources
        self._path = get_vars_from_path
        self.precedence = list(C.VARIABLE_PRECEDENCE)
        if C.PLAYBOOK_VARS_ROOT == "all":
            self.basedirs = task.get_search_path()
        elif C.PLAYBOOK_VARS_ROOT in ("bottom", "playbook_dir"):
            self.basedirs = task.get_search_path()[:1]
        else:
            self.basedirs = [self.loader.get_basedir()]
        self._group_cache = {}
        self.problems = {}      # entity name -> (location, message, hint)
        all_group = self.inventory.groups.get("all")
        self.all_layer = {}
        for entry in self.precedence:
            if entry.startswith("all_"):
                self.all_layer = self._combine(self.all_layer,
                                               self._entry(entry, [all_group]))

    def _plugins_inventory(self, entities):
        return self._safe(self._inv_src_raw, entities)

    def _plugins_play(self, entities):
        return self._safe(self._path_raw, entities)

    def _inv_src_raw(self, entities):
        return self._inv_src(self.loader, self.inventory._sources, entities,
                             "task")

    def _path_raw(self, entities):
        data = {}
        for path in self.basedirs:
            data = self._combine(data, self._path(self.loader, path, entities,
                                                  "task"))
        return data

    def _safe(self, read, entities):
        """Variables of the entities; a vars file Ansible cannot use (e.g.
        a group_vars file that is a list) becomes a CS001 for its group or
        host and is left out, instead of stopping the whole run."""
        try:
            return read(entities)
        except Exception as exc:  # AnsibleError (and what vars plugins raise)
            if len(entities) > 1:
                data = {}
                for entity in entities:
                    data = self._combine(data, self._safe(read, [entity]))
                return data
            self._problem(entities[0], exc)
            return {}

    def _problem(self, entity, exc):
        name = getattr(entity, "name", "?")
        is_group = hasattr(entity, "get_hosts")
        found = VARS_FILE.search(to_native(exc))
        where = (" (%s)" % found.group(1)) if found else ""
        self.problems[name] = (
            ("group %s" % name) if is_group else name,
            "variables of %s %s%s must be a mapping of variable names to "
            "values; Ansible cannot read them" % (
                "group" if is_group else "host", name, where),
            "write the file as key: value pairs (a YAML mapping), not a "
            "list or a single value")

    def _entry(self, entry, groups):
        if entry == "all_inventory":
            return groups[0].get_vars()
        if entry == "groups_inventory":
            return self._gv(groups)
        if entry.endswith("plugins_inventory"):
            return self._plugins_inventory(groups)
        if entry.endswith("plugins_play"):
            return self._plugins_play(groups)
        return {}

    def _group_layer(self, host):
        groups = self._sort([g for g in host.get_groups() if g.name != "all"])
        key = tuple(g.name for g in groups)
        if key not in self._group_cache:
            all_group = self.inventory.groups.get("all")
            data = {}
            for entry in self.precedence:
                if entry.startswith("all_"):
                    layer = self._entry(entry, [all_group])
                elif entry.startswith("groups_"):
                    layer = self._entry(entry, groups)
                else:
                    continue
                data = self._combine(data, layer)
            self._group_cache[key] = dict(
                (k, v) for k, v in data.items() if _wanted(k))
        return self._group_cache[key]

    def host_vars(self, name):
        """cloudstack_* keys set for this host other than by group 'all'."""
        host = self.inventory.get_host(name)
        if host is None:
            return None
        data = dict(self._group_layer(host))
        for layer in (host.get_vars(), self._plugins_inventory([host]),
                      self._plugins_play([host])):
            for k, v in layer.items():
                if _wanted(k):
                    data[k] = v
        return dict((k, v) for k, v in data.items()
                    if k not in self.extra
                    and not (k in self.all_layer and v is self.all_layer[k]))


# Always reported, whatever `rules` asks for: input the engine could not
# read (CS001) or a whole-cloud variable shadowed per host (CS002) makes
# every other finding unreliable.
ALWAYS = ("CS001", "CS002")


def _rule_filter(rules):
    """The rule ids a role asked for (with ALWAYS), or None for all."""
    if rules is None:
        return None
    if isinstance(rules, str) or not isinstance(rules, (list, tuple)):
        raise AnsibleActionFail("rules must be a list of rule ids such as "
                                "[CS305, CS306], got %s" % type(rules).__name__)
    known = set(T.RULES)
    unknown = [r for r in rules if r not in known]
    if unknown:
        raise AnsibleActionFail("rules: unknown rule id(s) %s; the ids are "
                                "listed in docs/validator.md" % ", ".join(
                                    sorted(str(r) for r in unknown)))
    return frozenset(rules) | frozenset(ALWAYS)


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("groups", "hostvars", "global_vars", "facts",
                             "thresholds", "fail_on_error", "report_path",
                             "rules"))

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        fail_on_error = args.get("fail_on_error", True)
        if not isinstance(fail_on_error, bool):
            raise AnsibleActionFail("fail_on_error must be a boolean")
        rules = _rule_filter(args.get("rules"))
        try:
            if args.get("groups") is not None:
                groups = args.get("groups")
                hostvars = args.get("hostvars") or {}
                global_vars = args.get("global_vars") or {}
                source = "options"
            else:
                groups, hostvars, global_vars, source = self._from_inventory(
                    task_vars)
            if args.get("facts") is not None:
                report = T.check_host_facts(args.get("facts"), groups,
                                            hostvars, global_vars,
                                            args.get("thresholds"))
            else:
                report = T.validate_topology(groups, hostvars, global_vars)
            for location, message, hint in self._problems:
                report.violations.insert(0, T.Violation(
                    "CS001", T.ERROR, location, message, hint))
            if rules is not None:
                report.violations = [v for v in report.violations
                                     if v.rule in rules]
        except AnsibleActionFail:
            raise
        except Exception as exc:  # the engine must not raise; say so clearly
            raise AnsibleActionFail("topology validator crashed (a bug, please "
                                    "report it): %s" % to_native(exc))
        data = report.to_dict()
        result["report"] = data
        result["source"] = source
        result["violation_lines"] = report.format_violations()
        result["capacity_lines"] = report.format_capacity()
        result["changed"] = False
        path = args.get("report_path")
        if path:
            result["report_path"] = path
            if self._task.check_mode:
                result["report_written"] = False
            else:
                try:
                    with open(os.path.expanduser(path), "w") as handle:
                        json.dump(data, handle, indent=2, sort_keys=True)
                        handle.write("\n")
                except (IOError, OSError) as exc:
                    raise AnsibleActionFail("cannot write the report to %s: %s"
                                            % (path, to_native(exc)))
                result["report_written"] = True
        if fail_on_error and report.failed:
            result["failed"] = True
            result["msg"] = "\n".join(["topology validation failed:"]
                                      + result["violation_lines"])
        else:
            result["msg"] = report.summary()
        return result

    _problems = ()

    def _from_inventory(self, task_vars):
        groups = dict((k, list(v)) for k, v in
                      (task_vars.get("groups") or {}).items())
        wanted_groups = set(T.CONTRACT_GROUPS)
        hosts = set()
        for name in wanted_groups:
            hosts.update(groups.get(name) or [])
        # malformed zones: the engine reports them (CS001)
        hosts.update(M.listed_hosts(task_vars.get("cloudstack_zones")))
        global_vars = {}
        for key in task_vars:
            if _wanted(key):
                global_vars[key] = self._template(task_vars[key], key)
        hv = task_vars.get("hostvars")
        reader = None
        try:
            reader = _InventoryReader(hv, self._task)
            source = "inventory (direct)"
        except (AttributeError, ImportError, KeyError, TypeError):
            source = "inventory (hostvars)"
        if reader is not None:
            # task_vars are the variables of the host the task runs for:
            # its own host-level keys are not whole-cloud values (only
            # group_vars/all and extra vars are)
            for key in list(global_vars):
                if key in S.HOST_SPECS and key not in reader.all_layer \
                        and key not in reader.extra:
                    del global_vars[key]
        hostvars = {}
        for host in sorted(hosts):
            if reader is not None:
                raw = reader.host_vars(host)
                if raw is None:
                    continue        # listed but not in the inventory: CS103
                data = {}
                for key, value in raw.items():
                    if _needs_template(value):
                        value = self._host_value(hv, host, key)
                    data[key] = value
            else:
                if host not in hv:
                    continue
                data = {}
                for key in hv.raw_get(host):
                    if not _wanted(key):
                        continue
                    value = self._host_value(hv, host, key)
                    if key in global_vars and value == global_vars[key]:
                        continue    # the group_vars/all value: checked once
                    data[key] = value
            hostvars[host] = data
        if reader is not None:
            self._problems = sorted(reader.problems.values())
        return groups, hostvars, global_vars, source

    def _template(self, value, key):
        if not _needs_template(value):
            return value
        try:
            return self._templar.template(value)
        except Exception as exc:
            raise AnsibleActionFail("cannot template %s: %s" % (
                key, type(exc).__name__))

    @staticmethod
    def _host_value(hv, host, key):
        try:
            return hv[host][key]
        except Exception as exc:
            raise AnsibleActionFail("cannot template %s of host %s: %s" % (
                key, host, type(exc).__name__))
