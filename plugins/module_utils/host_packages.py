# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which packages a host has (plain Python, no Ansible import): dpkg's
status file parsed, and the packages of a list a host does not have yet.

cloudstack.infra.dpkg_facts reads the file on the host with
``installed_from_dpkg_status``; the filter cloudstack.infra.packages_missing
(``packages_missing``) lets a role skip its apt run when every package it
needs is installed. tests/unit/test_host_packages.py tests both with tables.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections.abc import Mapping

# A plain package name (Debian policy 5.6.1); anything else (a version
# "=1.2", an architecture ":amd64", a pattern, a .deb path) is left to apt.
PLAIN_NAME = re.compile(r"^[a-z0-9][a-z0-9+.-]+$")
# dpkg's Status field: want, flag, status; only "ok installed" counts
INSTALLED = re.compile(r"^\S+ ok installed$")
# The fact cloudstack.infra.dpkg_facts sets
FACT = "cloudstack_dpkg_installed"


class HostPackagesError(ValueError):
    """Malformed input to packages_missing."""


def installed_from_dpkg_status(text):
    """The names (sorted, without duplicates) of the packages dpkg's status
    file lists as installed (Status: ... ok installed); a package installed
    for several architectures is named once."""
    names = set()
    for stanza in re.split(r"\n\s*\n", text or ""):
        name = status = None
        for line in stanza.splitlines():
            if line.startswith("Package:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("Status:"):
                status = line.split(":", 1)[1].strip()
        if name and status and INSTALLED.match(status):
            names.add(name)
    return sorted(names)


def packages_missing(names, installed):
    """The names of ``names`` (a list, or one name) not installed, in order.
    ``installed`` is the installed package names, or a host's facts
    (``ansible_facts``: their ``cloudstack_dpkg_installed``), or None; when
    unknown (None, or facts without it) every name is returned. A name that
    is not a plain package name (a version, an architecture, a pattern)
    counts as missing: apt decides."""
    if isinstance(names, str):
        names = [names]
    if names is None:
        names = []
    if not isinstance(names, (list, tuple)):
        raise HostPackagesError("packages_missing: the packages must be a list of names, got %r" % (names,))
    if isinstance(installed, Mapping):
        installed = installed.get(FACT)
    if installed is not None and not isinstance(installed, (list, tuple, set, frozenset)):
        raise HostPackagesError("packages_missing: installed must be a list of package names, a host's facts "
                                "or null, got %r" % (installed,))
    known = set(installed) if installed is not None else set()
    out = []
    for name in names:
        if not isinstance(name, str):
            raise HostPackagesError("packages_missing: each package must be a name, got %r" % (name,))
        if installed is None or not PLAIN_NAME.match(name) or name not in known:
            if name not in out:
                out.append(name)
    return out
