# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What cloudstack.infra.host_files decides before it touches a host (plain
Python, no Ansible import): whether the list of files and directories is
well formed, and how a file's content change is shown in a diff.

The module (plugins/modules/host_files.py) does the reading and writing;
tests/unit/test_host_files.py tests these functions with tables and the
module on real files.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath

STATES = ("file", "directory", "absent")
# A diff shows text up to this size (the copy module's default max_file_size_for_diff is 100 kB)
DIFF_MAX_BYTES = 100000


class HostFilesError(ValueError):
    """The list of files is malformed; nothing may be changed."""


def item_problems(items):
    """Every problem of the list of items (dicts: path, state, content,
    owner, group, mode, validate), each naming the item by index and path
    and saying what to write instead; empty when the list is usable."""
    problems = []
    if not isinstance(items, list) or not items:
        return ["files must be a non-empty list of items (path, state, content, ...), got %r" % (items,)]
    seen = {}
    for index, item in enumerate(items):
        where = "files[%d]" % index
        if not isinstance(item, dict):
            problems.append("%s must be a dict with at least path, got %r" % (where, item))
            continue
        path = item.get("path")
        if not isinstance(path, str) or not path.startswith("/") or path.rstrip("/") == "":
            problems.append("%s: path must be an absolute path other than /, got %r" % (where, path))
            continue
        where = "%s (%s)" % (where, path)
        norm = posixpath.normpath(path)
        if norm != path.rstrip("/") or "\n" in path:
            problems.append("%s: write the path without '.', '..', '//' or a newline: %r" % (where, norm))
        if norm in seen:
            problems.append("%s: the same path as files[%d]; name each path once" % (where, seen[norm]))
        seen.setdefault(norm, index)
        state = item.get("state") or "file"
        if state not in STATES:
            problems.append("%s: state must be one of %s, got %r" % (where, ", ".join(STATES), state))
            continue
        content = item.get("content")
        if state == "file":
            if not isinstance(content, str):
                problems.append("%s: a file needs content (a string; '' for an empty file), got %r"
                                % (where, content))
        elif content is not None:
            problems.append("%s: content is only for state file, not %s" % (where, state))
        validate = item.get("validate")
        if validate is not None:
            if state != "file":
                problems.append("%s: validate is only for state file, not %s" % (where, state))
            elif not isinstance(validate, str) or "%s" not in validate:
                problems.append("%s: validate must be a command with %%s where the new file goes, got %r"
                                % (where, validate))
        if state == "absent":
            for key in ("owner", "group", "mode"):
                if item.get(key) is not None:
                    problems.append("%s: %s makes no sense for state absent; drop it" % (where, key))
    return problems


def read_problems(paths):
    """The problems of the list of paths to read (absolute, each once)."""
    if paths is None:
        return []
    if not isinstance(paths, list):
        return ["read must be a list of absolute paths, got %r" % (paths,)]
    problems = []
    seen = set()
    for index, path in enumerate(paths):
        if not isinstance(path, str) or not path.startswith("/") or "\n" in path:
            problems.append("read[%d] must be an absolute path, got %r" % (index, path))
        elif posixpath.normpath(path) in seen:
            problems.append("read[%d] (%s) is named twice; name each path once" % (index, path))
        else:
            seen.add(posixpath.normpath(path))
    return problems


def check_reads(paths):
    """Raise HostFilesError naming every problem (read_problems)."""
    problems = read_problems(paths)
    if problems:
        raise HostFilesError("host_files refused, nothing changed: " + "; ".join(problems))


def check_items(items):
    """Raise HostFilesError naming every problem (item_problems)."""
    problems = item_problems(items)
    if problems:
        raise HostFilesError("host_files refused, nothing changed: " + "; ".join(problems))


def content_diff(path, before, after):
    """The diff entry of a file whose content changes: ``before`` the bytes
    on the host (None: no file yet), ``after`` the new text. Binary or large
    content is named, not shown."""
    entry = {"before_header": path, "after_header": path}
    entry["before"] = _shown(before)
    entry["after"] = _shown(after.encode("utf-8"))
    return entry


def _shown(data):
    if data is None:
        return ""
    if len(data) > DIFF_MAX_BYTES:
        return "[content of %d bytes, larger than %d: not shown]\n" % (len(data), DIFF_MAX_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "[binary content of %d bytes: not shown]\n" % len(data)
    if "\x00" in text:
        return "[binary content of %d bytes: not shown]\n" % len(data)
    return text
