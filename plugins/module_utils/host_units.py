# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which systemd units are not in the state a role asks (plain Python, no
Ansible import), from one read on the host:

    systemctl show --property=P1,P2 --value -- unit1 unit2 ...

prints each unit's values one per line, units separated by an empty line, in
the order the units were named. The roles (host_hygiene: chrony and the
report timer enabled and active; kvm_host: libvirt's sockets masked and
inactive) run systemd_service only for the units this returns.
tests/unit/test_host_units.py tests it with tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class HostUnitsError(ValueError):
    """Malformed input."""


def units_not_in_state(units, output, values):
    """The units (in order) whose values in ``output`` (the text of the
    read above, for these units in this order, with as many properties as
    ``values`` has) are not exactly ``values`` (in any order). A unit the
    output does not cover (a short or empty output: the read did not run)
    is not in the state."""
    if not isinstance(units, (list, tuple)) or not all(isinstance(u, str) for u in units):
        raise HostUnitsError("systemd_units_not_in_state: the units must be a list of unit names, got %r" % (units,))
    if not isinstance(values, (list, tuple)) or not values or not all(isinstance(v, str) for v in values):
        raise HostUnitsError("systemd_units_not_in_state: the state must be a non-empty list of values, "
                             "e.g. [active, enabled], got %r" % (values,))
    if output is None:
        output = ""
    if not isinstance(output, str):
        raise HostUnitsError("systemd_units_not_in_state: the output must be systemctl's text, got %r" % (output,))
    # each unit prints exactly one line per property (an empty value is an
    # empty line), then one empty line before the next unit: unit i's values
    # are lines i*(k+1) .. i*(k+1)+k-1, whatever the values are
    lines = output.split("\n")
    k = len(values)
    wanted = sorted(values)
    out = []
    for index, unit in enumerate(units):
        start = index * (k + 1)
        got = lines[start:start + k]
        if len(got) != k or sorted(got) != wanted or (start + k < len(lines) - 1 and lines[start + k] != ""):
            if unit not in out:
                out.append(unit)
    return out
