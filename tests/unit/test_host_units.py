"""The filter cloudstack.infra.systemd_units_not_in_state (plain Python
behind it): which units of one `systemctl show --value` read are not in the
state a role asks (host_hygiene: active + enabled; kvm_host: inactive +
masked). The outputs are what systemd 252 (Debian 12) prints."""
import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import host_units as HU

UNITS = ["chrony.service", "report.timer"]
ON = ["active", "enabled"]


@pytest.mark.parametrize("output,expected", [
    ("active\nenabled\n\nactive\nenabled\n", []),
    ("active\nenabled\n\nactive\nenabled", []),
    ("enabled\nactive\n\nactive\nenabled\n", []),            # order of the values does not matter
    ("active\ndisabled\n\nactive\nenabled\n", ["chrony.service"]),
    ("active\nenabled\n\ninactive\nenabled\n", ["report.timer"]),
    ("inactive\n\n\ninactive\n\n", UNITS),                   # not installed yet: empty UnitFileState
    ("inactive\n\n\nactive\nenabled\n", ["chrony.service"]),  # an empty value shifts nothing
    ("active\nenabled\n", ["report.timer"]),                 # the read covers only the first unit
    ("", UNITS),                                             # the read was skipped
    (None, UNITS),
    ("active\nenabled-runtime\n\nactive\nenabled\n", ["chrony.service"]),
])
def test_units_not_active_and_enabled(output, expected):
    assert HU.units_not_in_state(UNITS, output, ON) == expected


def test_sockets_not_masked():
    sockets = ["libvirtd.socket", "libvirtd-ro.socket", "libvirtd-tcp.socket"]
    output = "masked\ninactive\n\nloaded\nactive\n\nmasked\ninactive\n"
    assert HU.units_not_in_state(sockets, output, ["inactive", "masked"]) == ["libvirtd-ro.socket"]


def test_no_units():
    assert HU.units_not_in_state([], "", ON) == []


@pytest.mark.parametrize("units,output,values,message", [
    ("chrony.service", "", ON, "the units must be a list"),
    ([1], "", ON, "the units must be a list"),
    (UNITS, "", [], "non-empty list of values"),
    (UNITS, "", "active", "non-empty list of values"),
    (UNITS, b"active", ON, "must be systemctl's text"),
])
def test_malformed_input_refused(units, output, values, message):
    with pytest.raises(HU.HostUnitsError, match=message):
        HU.units_not_in_state(units, output, values)
