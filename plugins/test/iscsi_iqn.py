# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Jinja test ``cloudstack.infra.iscsi_iqn``: the IQN syntax of the storage planner.

The same regular expression (storage_topology.IQN_RE) as the iSCSI target's
ACLs and targets, so a name a role accepts is never refused by the planner.
Documentation: plugins/test/iscsi_iqn.yml.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.cloudstack.infra.plugins.module_utils import storage_topology as st


def iscsi_iqn(value):
    return isinstance(value, str) and st.IQN_RE.match(value) is not None


class TestModule(object):
    """iSCSI tests."""

    def tests(self):
        return {"iscsi_iqn": iscsi_iqn}
