#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: host_files
short_description: A role's small files and directories, checked and written in one module run
version_added: "0.1.0"
description:
  - Puts a list of files (whole content given), directories and absent paths into the state asked,
    in the order given, in one module run. On a converged host this is one module run instead of
    one M(ansible.builtin.copy), M(ansible.builtin.template) or M(ansible.builtin.file) run per path,
    which is what a role's re-run costs on a slow host.
  - The whole list is checked before anything changes. A malformed item (a relative path, a path
    named twice, a file without content, an unknown state) fails the task, names the item and
    changes nothing.
  - A file whose content differs is written to a temporary file in the same directory, checked
    with O(files[].validate) when given, then moved into place atomically; owner, group and mode are
    then set as with M(ansible.builtin.file). Content is compared byte for byte.
  - Templates and role files are rendered on the controller by the caller, with
    C(lookup('ansible.builtin.template', ...)) or C(lookup('ansible.builtin.file', ..., rstrip=false)),
    and passed as O(files[].content).
  - Meant for small text files (configuration, unit files, scripts). The content travels in the module's
    arguments; for a file holding a secret, set C(no_log) on the task.
  - O(read) names files to read in the same run, before anything is written (what a role would otherwise ask
    M(ansible.builtin.stat) or M(ansible.builtin.slurp) for); they are returned in RV(read) and never changed.
author:
  - CloudStack infra maintainers (@cloudstack-infra)
options:
  files:
    description:
      - The paths, handled in this order (list a directory before the files in it).
    type: list
    elements: dict
    required: true
    suboptions:
      path:
        description: Absolute path, each named once.
        type: str
        required: true
      state:
        description:
          - V(file) writes O(files[].content) when the file's content differs.
          - V(directory) creates the directory (and missing parents) when absent.
          - V(absent) removes a file, a link, or a directory with what it holds.
        type: str
        choices: [file, directory, absent]
        default: file
      content:
        description: The whole content of a V(file) (V('') for an empty file).
        type: str
      owner:
        description: Owner of a file or directory; left as it is when not given.
        type: str
      group:
        description: Group of a file or directory; left as it is when not given.
        type: str
      mode:
        description: Mode of a file or directory (as for M(ansible.builtin.file), quote octal modes).
        type: raw
      validate:
        description:
          - Command that checks a new content before it replaces the file; C(%s) is the temporary
            file. A non-zero exit fails the task and leaves the file as it was. Runs only when the
            content changes, as with M(ansible.builtin.copy).
        type: str
  read:
    description:
      - Absolute paths of files to read before anything is written, returned in RV(read); nothing is changed
        for them. May name a path of O(files) (then its state before this run is returned).
    type: list
    elements: str
    default: []
attributes:
  check_mode:
    support: full
    description: Reports what would change; nothing is written.
  diff_mode:
    support: full
    description: A diff per changed path (content, and owner, group or mode).
  platform:
    support: full
    platforms: posix
    description: POSIX hosts (proven on Debian 12).
notes:
  - No SELinux contexts, no file attributes (chattr), no backups.
  - Owner and group are names or numeric ids, as for M(ansible.builtin.file).
seealso:
  - module: ansible.builtin.copy
  - module: ansible.builtin.file
"""

EXAMPLES = r"""
- name: Journald's cap and chrony's sources
  cloudstack.infra.host_files:
    files:
      - path: /etc/systemd/journald.conf.d
        state: directory
        mode: "0755"
      - path: /etc/systemd/journald.conf.d/50-cap.conf
        content: "{{ lookup('ansible.builtin.template', 'journald.conf.j2') }}"
        owner: root
        group: root
        mode: "0644"
      - path: /etc/chrony/chrony.conf
        content: "{{ lookup('ansible.builtin.template', 'chrony.conf.j2') }}"
        mode: "0644"
        validate: chronyd -p -f %s
      - path: /etc/systemd/system/chrony.service.d/old.conf
        state: absent
  register: files
  notify: Restart chrony

# A handler that acts only when its own file changed
- name: Restart chrony
  ansible.builtin.systemd_service:
    name: chrony
    state: restarted
  when: "'/etc/chrony/chrony.conf' in files.changed_paths"
"""

RETURN = r"""
read:
  description: For each path of O(read), what it was before this run.
  returned: always
  type: dict
  sample: {"/etc/nfs.conf": {"exists": true, "sha1": "0a4d55a8d778e5022fab701977c5d840bbc486d0", "owner": root,
           "group": root, "mode": "0644", "size": 512, "content": "[mountd]\nport=892\n"}}
  contains:
    exists:
      description: Whether the path exists (a file; a directory is named as such in RV(read.kind)).
      type: bool
    kind:
      description: V(file), V(directory), V(link) or V(other); absent when the path does not exist.
      type: str
    sha1:
      description: SHA-1 of a file's content.
      type: str
    owner:
      description: Owner's name (or numeric id when it has none).
      type: str
    group:
      description: Group's name (or numeric id).
      type: str
    mode:
      description: Permission bits, four octal digits.
      type: str
    size:
      description: Size in bytes.
      type: int
    content:
      description: A file's text (UTF-8; undecodable bytes replaced); null when larger than 100 kB.
      type: str
changed_paths:
  description: The paths that changed (or would change in check mode), in the order given.
  returned: always
  type: list
  elements: str
  sample: [/etc/chrony/chrony.conf]
"""

import grp
import hashlib
import os
import pwd
import shutil
import stat
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_native, to_text
from ansible_collections.cloudstack.infra.plugins.module_utils.host_files import (
    DIFF_MAX_BYTES,
    HostFilesError,
    check_items,
    check_reads,
    content_diff,
)

ITEM_SPEC = dict(
    path=dict(type="str", required=True),
    state=dict(type="str", choices=["file", "directory", "absent"], default="file"),
    content=dict(type="str", no_log=False),
    owner=dict(type="str"),
    group=dict(type="str"),
    mode=dict(type="raw"),
    validate=dict(type="str"),
)


def _attributes(module, item, changed, diffs):
    """Owner, group and mode as asked; True when one changed (or would)."""
    path = item["path"]
    diff = {"before": {"path": path}, "after": {"path": path}}
    # what load_file_common_arguments returns, for one item: SELinux context left as it is
    args = dict(path=path, owner=item.get("owner"), group=item.get("group"), mode=item.get("mode"),
                secontext=[None, None, None, None], attributes=None)
    now = module.set_fs_attributes_if_different(args, False, diff)
    if now and len(diff["before"]) > 1:
        diffs.append(diff)
    return bool(now) or changed


def _directory(module, item, diffs):
    path = item["path"]
    if os.path.lexists(path) and not os.path.isdir(path):
        module.fail_json(msg="host_files: %s exists and is not a directory; remove it or name another path" % path)
    if not os.path.isdir(path):
        diffs.append({"before": {"path": path, "state": "absent"}, "after": {"path": path, "state": "directory"}})
        if module.check_mode:
            return True
        os.makedirs(path)
        return _attributes(module, item, True, [])
    return _attributes(module, item, False, diffs)


def _file(module, item, diffs):
    path = item["path"]
    if os.path.isdir(path) and not os.path.islink(path):
        module.fail_json(msg="host_files: %s is a directory, not a file; remove it or name another path" % path)
    new = to_bytes(item["content"], errors="surrogate_or_strict")
    before = None
    if os.path.lexists(path):
        with open(path, "rb") as handle:
            before = handle.read()
    if before == new:
        return _attributes(module, item, False, diffs)
    diffs.append(content_diff(path, before, item["content"]))
    if module.check_mode:
        # a new file gets its owner and mode as it is written; an existing one is reported by its content
        return True
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        module.fail_json(msg="host_files: the directory of %s does not exist; list %s with state directory before it"
                         % (path, directory))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(new)
        if item.get("validate"):
            rc, out, err = module.run_command(item["validate"] % tmp)
            if rc != 0:
                module.fail_json(msg="host_files: %s not changed: %s refused the new content (rc %d): %s"
                                 % (path, item["validate"], rc, (err or out).strip()))
        module.atomic_move(tmp, path, unsafe_writes=False)
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)
    return _attributes(module, item, True, [])


def _absent(module, item, diffs):
    path = item["path"]
    if not os.path.lexists(path):
        return False
    kind = "directory" if os.path.isdir(path) and not os.path.islink(path) else "file"
    diffs.append({"before": {"path": path, "state": kind}, "after": {"path": path, "state": "absent"}})
    if not module.check_mode:
        if kind == "directory":
            shutil.rmtree(path)
        else:
            os.unlink(path)
    return True


HANDLERS = {"file": _file, "directory": _directory, "absent": _absent}


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def _read(path):
    """What path is now (nothing changed): exists, kind, owner, group, mode, size, and a file's sha1 and text."""
    try:
        st = os.lstat(path)
    except OSError:
        return {"exists": False}
    kind = ("link" if stat.S_ISLNK(st.st_mode) else "directory" if stat.S_ISDIR(st.st_mode)
            else "file" if stat.S_ISREG(st.st_mode) else "other")
    out = {"exists": True, "kind": kind, "owner": _name(pwd.getpwuid, st.st_uid),
           "group": _name(grp.getgrgid, st.st_gid), "mode": "%04o" % stat.S_IMODE(st.st_mode), "size": st.st_size}
    if kind == "file":
        with open(path, "rb") as handle:
            data = handle.read()
        out["sha1"] = hashlib.sha1(data).hexdigest()
        out["content"] = to_text(data, errors="surrogate_then_replace") if len(data) <= DIFF_MAX_BYTES else None
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(files=dict(type="list", elements="dict", required=True, options=ITEM_SPEC),
                           read=dict(type="list", elements="str", default=[])),
        supports_check_mode=True,
    )
    items = module.params["files"]
    try:
        check_items(items)
        check_reads(module.params["read"])
    except HostFilesError as err:
        module.fail_json(msg=to_native(err))
    try:
        read = dict((path, _read(path)) for path in module.params["read"])
    except (IOError, OSError) as err:
        module.fail_json(msg="host_files: cannot read: %s" % to_native(err))
    changed_paths = []
    diffs = []
    for item in items:
        try:
            if HANDLERS[item["state"] or "file"](module, item, diffs):
                changed_paths.append(item["path"])
        except (IOError, OSError) as err:
            module.fail_json(msg="host_files: %s: %s" % (item["path"], to_native(err)), changed_paths=changed_paths)
    result = dict(changed=bool(changed_paths), changed_paths=changed_paths, read=read)
    if module._diff and diffs:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
