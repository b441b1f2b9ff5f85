# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller side of cloudstack.infra.topology_report.

Reads the inventory exactly as cloudstack.infra.topology_validate does (its
reader is reused), runs the validator and writes the DOT diagram and the
capacity table (module_utils/topology_report.py) to a directory on the
controller. No connection to any inventory host is made.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.cloudstack.infra.plugins.action.topology_validate import (
    ActionModule as ValidateAction)
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import topology_report as R

DOT_FILE = "topology.dot"
MARKDOWN_FILE = "capacity.md"


class ActionModule(ValidateAction):

    _VALID_ARGS = frozenset(("groups", "hostvars", "global_vars", "dest",
                             "title"))

    def run(self, tmp=None, task_vars=None):
        result = super(ValidateAction, self).run(tmp, task_vars)
        task_vars = task_vars or {}
        args = self._task.args
        dest = args.get("dest")
        if not dest or not isinstance(dest, str):
            raise AnsibleActionFail("dest (the report directory) is required")
        title = args.get("title") or ""
        if args.get("groups") is not None:
            groups = args.get("groups")
            hostvars = args.get("hostvars") or {}
            global_vars = args.get("global_vars") or {}
        else:
            groups, hostvars, global_vars, _source = self._from_inventory(
                task_vars)
        if self._problems:
            raise AnsibleActionFail("the inventory is malformed (CS001), fix "
                                    "it first (make validate): %s" % "; ".join(
                                        m for _l, m, _h in self._problems))
        try:
            report = R.build(groups, hostvars, global_vars)
            dot = R.topology_dot(groups, hostvars, global_vars, report, title)
            markdown = R.capacity_markdown(report, title)
        except R.ReportError as exc:
            raise AnsibleActionFail(to_native(exc))
        except Exception as exc:  # the engine must not raise; say so clearly
            raise AnsibleActionFail("topology report crashed (a bug, please "
                                    "report it): %s" % to_native(exc))
        dest = os.path.expanduser(dest)
        files = ((os.path.join(dest, DOT_FILE), dot),
                 (os.path.join(dest, MARKDOWN_FILE), markdown))
        changed = False
        for path, text in files:
            if _read(path) != text:
                changed = True
                if not self._task.check_mode:
                    _write(dest, path, text)
        result.update(
            changed=changed, dest=dest, dot=dot, markdown=markdown,
            dot_path=files[0][0], markdown_path=files[1][0],
            summary=report.summary(),
            capacity_lines=T.format_capacity(report.to_dict()["capacity"]),
            msg="wrote %s and %s (validator: %s)" % (
                files[0][0], files[1][0], report.summary()))
        return result


def _read(path):
    try:
        with open(path) as handle:
            return handle.read()
    except (IOError, OSError):
        return None


def _write(dest, path, text):
    try:
        if not os.path.isdir(dest):
            os.makedirs(dest)
        with open(path, "w") as handle:
            handle.write(text)
    except (IOError, OSError) as exc:
        raise AnsibleActionFail("cannot write %s: %s" % (path, to_native(exc)))
