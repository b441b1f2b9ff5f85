# -*- coding: utf-8 -*-
# Copyright: CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filter destructive_confirmation: the verdict on a destructive opt-in
(documentation: destructive_confirmation.yml beside this file; logic:
plugins/module_utils/destructive_confirmation.py)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.cloudstack.infra.plugins.module_utils import destructive_confirmation as DC


def destructive_confirmation(value, option, target, what, used=False, marker=""):
    """The verdict on ``option=value`` for ``target`` (see
    destructive_confirmation.check)."""
    if not isinstance(option, str) or not isinstance(target, str):
        raise AnsibleFilterError("destructive_confirmation: option and target must be strings, got %r and %r"
                                 % (option, target))
    return DC.check(option, value, target, str(what), used=bool(used), marker=str(marker or ""))


class FilterModule(object):
    """Destructive opt-in filters."""

    def filters(self):
        return {"destructive_confirmation": destructive_confirmation}
