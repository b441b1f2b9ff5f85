# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Destructive opt-ins of the collection (database_redeploy,
management_server_redeploy_database): a confirmation that names its target
and works once.

* off: unset, false, or an empty/"false"-like string (``-e`` passes
  strings): nothing destructive happens;
* anything else must be the target's inventory name, exactly (``true`` is
  not a confirmation);
* a confirmation that has been used (the role leaves a marker on the target
  when the destructive step ran) is refused, so that a value left in the
  inventory never wipes again.

One implementation for every such option; the roles' guard tasks call it
through the filter cloudstack.infra.destructive_confirmation. No Ansible
import: unit-tested with plain pytest tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

OFF_STRINGS = ("", "false", "no", "off", "0")


def is_off(value):
    """Whether ``value`` leaves the destructive option off."""
    if value is None or value is False:
        return True
    if isinstance(value, str):
        return value.strip().lower() in OFF_STRINGS
    return False


def _shown(value):
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return json.dumps(str(value))


def check(option, value, target, what, used=False, marker=""):
    """The verdict on ``option=value`` for ``target`` (an inventory name).

    what: what the option destroys, in words (for the message);
    used: the marker of a used confirmation exists on the target.
    Returns {"off": bool, "confirmed": bool, "refusal": str}: refusal is ""
    when the value may proceed (off, or naming the target and unused), else
    a message naming the value, the fix, and that nothing has changed.
    """
    if is_off(value):
        return {"off": True, "confirmed": False, "refusal": ""}
    if not (isinstance(value, str) and value == target):
        return {"off": False, "confirmed": False, "refusal": (
            "%s=%s is not accepted. It is DESTRUCTIVE: it %s. To confirm, set it to the "
            "target's inventory name, %s (true is not a confirmation); otherwise remove it. "
            "Nothing has been changed." % (option, _shown(value), what, json.dumps(target)))}
    if used:
        return {"off": False, "confirmed": False, "refusal": (
            "%s=%s has been used on %s already (marker %s): a confirmation works once, so "
            "that a value left in the inventory never wipes again. Remove %s from the "
            "inventory. To wipe %s once more, delete that marker on the host first, then "
            "run with the confirmation. Nothing has been changed."
            % (option, _shown(value), target, marker, option, target))}
    return {"off": False, "confirmed": True, "refusal": ""}
