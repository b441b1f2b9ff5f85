# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Options and attributes shared by the modules that drive XenServer's xe CLI."""

from __future__ import absolute_import, division, print_function
__metaclass__ = type


class ModuleDocFragment(object):
    """cloudstack.infra.xen_cli: where xe and the host inventory are; check mode."""

    DOCUMENTATION = r"""
options:
  xe:
    description: Path of the xe CLI.
    type: path
    default: /opt/xensource/bin/xe
  inventory:
    description: XenServer inventory file that names this host's UUID.
    type: path
    default: /etc/xensource-inventory
  uuid:
    description: Host UUID; defaults to this dom0's host.
    type: str
attributes:
  check_mode:
    support: full
    description: Reads run as usual; no write command is run, the result says what would change.
"""

    # cloudstack.infra.xen_cli.diff: the modules that show before and after
    DIFF = r"""
attributes:
  diff_mode:
    support: full
    description: Returns the values before and after.
"""

    # cloudstack.infra.xen_cli.modes: a dom0 tool other than xe, with check
    # and diff mode
    MODES = r"""
attributes:
  check_mode:
    support: full
    description: Reads run as usual; no write command is run, the result says what would change.
  diff_mode:
    support: full
    description: Returns the values before and after.
"""
