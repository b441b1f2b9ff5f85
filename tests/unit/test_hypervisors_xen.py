# -*- coding: utf-8 -*-
"""Unit tests of the XenServer modules against recorded command output.

The fixtures under fixtures/xen/ were written by hand from the documented
output formats of ``xe`` (``--minimal`` comma lists, ``param-get`` single
values, ``slaves`` as ``a; b``, "Key ... not found in map" errors) and
``xen-cmdline --get-xen`` (``dom0_mem=...``); they were NOT captured on a real
XenServer (none is reachable from this project's machines). What these tests
prove: the real module code reads before it writes, builds the right command
lines, writes only what differs, and honours check mode.
"""

from __future__ import annotations

import json
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "collections"))

from ansible_collections.cloudstack.infra.plugins.module_utils import xen_common as xc  # noqa: E402

FIX = os.path.join(os.path.dirname(__file__), "fixtures", "xen")
HOST = "0b6a4bd1-4f8e-4a3c-9d1e-6a7b8c9d0e1f"
ETH0 = "c9a1e0f2-2222-4333-8444-a55566677788"
ETH1 = "d8b2f1e3-3333-4444-9555-b66677788899"
ETH2 = "e7c3a2f4-4444-4555-a666-c77788899900"
NET_BOND = "f6d4b3a5-5555-4666-b777-d88899900011"
BOND_MASTER = "0a1b2c3d-6666-4777-8888-e99900011122"
BOND = "1b2c3d4e-7777-4888-9999-fa0011223344"
NET_ETH2 = "2c3d4e5f-8888-4999-aaaa-0b1122334455"


def fixture(name):
    with open(os.path.join(FIX, name)) as handle:
        return handle.read()


class FakeRun(object):
    """A run_command fed from recorded output; unknown commands fail the test."""

    def __init__(self, table):
        self.table = table
        self.calls = []

    def __call__(self, argv):
        key = " ".join(argv)
        self.calls.append(key)
        if key not in self.table:
            raise AssertionError("unexpected command: %s" % key)
        rc, out, err = self.table[key]
        if out.startswith("@"):
            out = fixture(out[1:])
        if err.startswith("@"):
            err = fixture(err[1:])
        return rc, out, err

    def writes(self):
        return [c for c in self.calls if "-set" in c or "-create" in c
                or "reconfigure" in c or c.startswith("xe-switch")]


XC = "/opt/xensource/libexec/xen-cmdline"


# ------------------------------------------------------------------ dom0 memory

@pytest.mark.parametrize("name,raw,size,mx", [
    ("xen-cmdline_get_dom0_mem_752.txt", "752M,max:752M", 752, 752),
    ("xen-cmdline_get_dom0_mem_2940.txt", "2940M,max:2940M", 2940, 2940),
    ("xen-cmdline_get_dom0_mem_nomax.txt", "4096M", 4096, None),
    ("xen-cmdline_get_dom0_mem_unset.txt", None, None, None),
])
def test_parse_dom0_mem(name, raw, size, mx):
    assert xc.parse_dom0_mem(fixture(name)) == (raw, size, mx)


def test_parse_dom0_mem_units():
    assert xc.parse_dom0_mem("dom0_mem=3G,max:3G")[1:] == (3072, 3072)
    assert xc.parse_dom0_mem("dom0_mem=min:512M,1024M,max:2048M")[1:] == (1024, 2048)


def test_format_dom0_mem():
    assert xc.format_dom0_mem(2940) == "2940M,max:2940M"
    assert xc.format_dom0_mem(2940, 4096) == "2940M,max:4096M"
    with pytest.raises(xc.XenError, match="max >= size"):
        xc.format_dom0_mem(4096, 2048)


def test_dom0_memory_changes_from_752():
    run = FakeRun({XC + " --get-xen dom0_mem": (0, "@xen-cmdline_get_dom0_mem_752.txt", ""),
                   XC + " --set-xen dom0_mem=2940M,max:2940M": (0, "", "")})
    res = xc.ensure_dom0_memory(xc.Xe(run, binary=XC), 2940)
    assert res["changed"] and res["reboot_required"]
    assert res["before"] == "752M,max:752M" and res["after"] == "2940M,max:2940M"
    assert run.calls == [XC + " --get-xen dom0_mem", XC + " --set-xen dom0_mem=2940M,max:2940M"]
    assert res["diff"] == {"before": "dom0_mem=752M,max:752M\n",
                           "after": "dom0_mem=2940M,max:2940M\n"}


def test_dom0_memory_already_right_issues_no_write():
    run = FakeRun({XC + " --get-xen dom0_mem": (0, "@xen-cmdline_get_dom0_mem_2940.txt", "")})
    res = xc.ensure_dom0_memory(xc.Xe(run, binary=XC), 2940)
    assert not res["changed"] and not res["reboot_required"]
    assert res["commands"] == [] and len(run.calls) == 1


def test_dom0_memory_unset_or_without_max_is_changed():
    for name in ("xen-cmdline_get_dom0_mem_unset.txt", "xen-cmdline_get_dom0_mem_nomax.txt"):
        run = FakeRun({XC + " --get-xen dom0_mem": (0, "@" + name, ""),
                       XC + " --set-xen dom0_mem=4096M,max:4096M": (0, "", "")})
        res = xc.ensure_dom0_memory(xc.Xe(run, binary=XC), 4096)
        assert res["changed"], name


def test_dom0_memory_check_mode_does_not_write():
    run = FakeRun({XC + " --get-xen dom0_mem": (0, "@xen-cmdline_get_dom0_mem_752.txt", "")})
    res = xc.ensure_dom0_memory(xc.Xe(run, binary=XC, check_mode=True), 2940)
    assert res["changed"] and res["reboot_required"]
    assert res["commands"] == [XC + " --set-xen dom0_mem=2940M,max:2940M"]
    assert run.writes() == []


def test_dom0_memory_read_failure_is_reported():
    run = FakeRun({XC + " --get-xen dom0_mem": (1, "", "xen-cmdline: cannot find grub config")})
    with pytest.raises(xc.XenCommandError, match="cannot find grub config"):
        xc.ensure_dom0_memory(xc.Xe(run, binary=XC), 2940)


# ------------------------------------------------------------- network backend

SW = "/opt/xensource/bin/xe-switch-network-backend"


def test_network_backend_switches_openvswitch_to_bridge():
    run = FakeRun({SW + " bridge": (0, "Switching to bridge networking\n", "")})
    res = xc.ensure_network_backend(xc.Xe(run, binary=SW), fixture("network.conf_openvswitch.txt"),
                                    "bridge")
    assert res["changed"] and res["reboot_required"] and res["before"] == "openvswitch"
    assert run.calls == [SW + " bridge"]


def test_network_backend_already_bridge():
    run = FakeRun({})
    res = xc.ensure_network_backend(xc.Xe(run, binary=SW), fixture("network.conf_bridge.txt"),
                                    "bridge")
    assert not res["changed"] and run.calls == []


def test_network_backend_rejects_unknown():
    with pytest.raises(xc.XenError, match="'linuxbridge' is not valid"):
        xc.ensure_network_backend(xc.Xe(FakeRun({})), "bridge", "linuxbridge")


# ----------------------------------------------------------------- host params

def test_inventory_uuid():
    assert xc.read_inventory_uuid(fixture("xensource-inventory.txt")) == HOST
    with pytest.raises(xc.XenError, match="INSTALLATION_UUID"):
        xc.read_inventory_uuid("PRODUCT_VERSION='8.2.1'\n")


def _get(cls, uuid, name, key=None):
    cmd = "xe %s-param-get uuid=%s param-name=%s" % (cls, uuid, name)
    return cmd + (" param-key=%s" % key if key else "")


def test_host_iqn_and_multipath_written_in_one_set():
    run = FakeRun({
        _get("host", HOST, "other-config", "iscsi_iqn"): (1, "", "@xe_map_key_not_found.stderr"),
        _get("host", HOST, "other-config", "multipathhandle"): (1, "", "@xe_map_key_not_found.stderr"),
        _get("host", HOST, "other-config", "multipathing"): (0, "@xe_false.txt", ""),
        "xe host-param-set uuid=%s other-config:iscsi_iqn=iqn.2025-01.lab:xen1 "
        "other-config:multipathhandle=dmp other-config:multipathing=true" % HOST: (0, "", ""),
    })
    xe = xc.Xe(run)
    changed, before, after = xc.ensure_map_keys(
        xe, "host", HOST, "other-config",
        {"iscsi_iqn": "iqn.2025-01.lab:xen1", "multipathing": "true", "multipathhandle": "dmp"})
    assert changed
    assert before == {"iscsi_iqn": None, "multipathing": "false", "multipathhandle": None}
    assert len(run.writes()) == 1


def test_host_iqn_unchanged_issues_no_write():
    run = FakeRun({_get("host", HOST, "other-config", "iscsi_iqn"): (0, "@xe_host_iscsi_iqn.txt", "")})
    changed, before, _after = xc.ensure_map_keys(xc.Xe(run), "host", HOST, "other-config",
                                                 {"iscsi_iqn": "iqn.2025-01.lab:xen1"})
    assert not changed and run.writes() == []


def test_map_read_error_other_than_missing_key_fails():
    run = FakeRun({_get("host", HOST, "other-config", "iscsi_iqn"):
                   (1, "", "The uuid you supplied was invalid.")})
    with pytest.raises(xc.XenCommandError, match="uuid you supplied was invalid"):
        xc.ensure_map_keys(xc.Xe(run), "host", HOST, "other-config", {"iscsi_iqn": "x"})


# ----------------------------------------------------------------------- bonds

def _bond_reads(extra):
    table = {
        "xe pif-list host-uuid=%s device=eth0 --minimal" % HOST: (0, "@xe_pif-list_eth0.txt", ""),
        "xe pif-list host-uuid=%s device=eth1 --minimal" % HOST: (0, "@xe_pif-list_eth1.txt", ""),
    }
    table.update(extra)
    return table


def test_bond_created_when_absent():
    run = FakeRun(_bond_reads({
        "xe network-list name-label=bond0 --minimal": (0, "@xe_empty.txt", ""),
        "xe network-create name-label=bond0": (0, "@xe_network-list_bond0.txt", ""),
        _get("pif", ETH0, "bond-slave-of"): (0, "@xe_pif_bond-slave-of_none.txt", ""),
        _get("pif", ETH1, "bond-slave-of"): (0, "@xe_pif_bond-slave-of_none.txt", ""),
        "xe bond-create network-uuid=%s pif-uuids=%s,%s mode=active-backup"
        % (NET_BOND, ETH0, ETH1): (0, "@xe_bond-list.txt", ""),
    }))
    res = xc.ensure_bond(xc.Xe(run), HOST, "bond0", ["eth0", "eth1"], "active-backup")
    assert res["changed"] and res["created"] and res["bond"] == BOND
    assert run.writes() == ["xe network-create name-label=bond0",
                            "xe bond-create network-uuid=%s pif-uuids=%s,%s mode=active-backup"
                            % (NET_BOND, ETH0, ETH1)]


def _existing_bond(mode_fixture):
    return _bond_reads({
        "xe network-list name-label=bond0 --minimal": (0, "@xe_network-list_bond0.txt", ""),
        "xe pif-list host-uuid=%s network-uuid=%s --minimal" % (HOST, NET_BOND):
            (0, "@xe_pif-list_bond_master.txt", ""),
        "xe bond-list master=%s --minimal" % BOND_MASTER: (0, "@xe_bond-list.txt", ""),
        _get("bond", BOND, "slaves"): (0, "@xe_bond_slaves.txt", ""),
        _get("bond", BOND, "mode"): (0, "@" + mode_fixture, ""),
    })


def test_bond_existing_same_members_same_mode_is_unchanged():
    run = FakeRun(_existing_bond("xe_bond_mode_active-backup.txt"))
    res = xc.ensure_bond(xc.Xe(run), HOST, "bond0", ["eth1", "eth0"], "active-backup")
    assert not res["changed"] and run.writes() == []


def test_bond_existing_other_mode_sets_mode_only():
    table = _existing_bond("xe_bond_mode_balance-slb.txt")
    table["xe bond-param-set uuid=%s mode=active-backup" % BOND] = (0, "", "")
    run = FakeRun(table)
    res = xc.ensure_bond(xc.Xe(run), HOST, "bond0", ["eth0", "eth1"], "active-backup")
    assert res["changed"] and not res["created"]
    assert run.writes() == ["xe bond-param-set uuid=%s mode=active-backup" % BOND]


def test_bond_with_other_members_is_refused():
    table = _existing_bond("xe_bond_mode_active-backup.txt")
    table["xe pif-list host-uuid=%s device=eth2 --minimal" % HOST] = (0, "@xe_pif-list_eth2.txt", "")
    run = FakeRun(table)
    with pytest.raises(xc.XenError, match="destroy the bond by hand"):
        xc.ensure_bond(xc.Xe(run), HOST, "bond0", ["eth0", "eth2"], "active-backup")
    assert run.writes() == []


def test_bond_bad_input():
    with pytest.raises(xc.XenError, match="'802.3ad' is not a XenServer bond mode"):
        xc.ensure_bond(xc.Xe(FakeRun({})), HOST, "bond0", ["eth0", "eth1"], "802.3ad")
    with pytest.raises(xc.XenError, match="at least two devices"):
        xc.ensure_bond(xc.Xe(FakeRun({})), HOST, "bond0", ["eth0"], "lacp")


def test_bond_unknown_device():
    run = FakeRun({"xe pif-list host-uuid=%s device=eth9 --minimal" % HOST: (0, "@xe_empty.txt", ""),
                   "xe pif-list host-uuid=%s device=eth0 --minimal" % HOST:
                       (0, "@xe_pif-list_eth0.txt", "")})
    with pytest.raises(xc.XenError, match="device 'eth9' has 0 PIFs"):
        xc.ensure_bond(xc.Xe(run), HOST, "bond0", ["eth0", "eth9"], "lacp")


# ---------------------------------------------------------------- storage PIF

def _storage_reads(label_fixture, mode_fixture, ip_fixture, purpose, unplug):
    return {
        "xe pif-list host-uuid=%s device=eth2 --minimal" % HOST: (0, "@xe_pif-list_eth2.txt", ""),
        _get("pif", ETH2, "bond-slave-of"): (0, "@xe_pif_bond-slave-of_none.txt", ""),
        _get("pif", ETH2, "network-uuid"): (0, "@xe_pif_network-uuid.txt", ""),
        "xe network-list name-label=storage-a --minimal":
            (0, "@xe_pif_network-uuid.txt" if label_fixture.endswith("storage-a.txt")
             else "@xe_empty.txt", ""),
        _get("network", NET_ETH2, "name-label"): (0, "@" + label_fixture, ""),
        _get("pif", ETH2, "IP-configuration-mode"): (0, "@" + mode_fixture, ""),
        _get("pif", ETH2, "IP"): (0, "@" + ip_fixture, ""),
        _get("pif", ETH2, "netmask"): (0, "@xe_pif_netmask.txt" if ip_fixture != "xe_empty.txt"
                                       else "@xe_empty.txt", ""),
        _get("pif", ETH2, "gateway"): (0, "@xe_empty.txt", ""),
        _get("pif", ETH2, "other-config", "management_purpose"): purpose,
        _get("pif", ETH2, "disallow-unplug"): (0, "@" + unplug, ""),
    }


def test_storage_pif_configured_from_scratch():
    table = _storage_reads("xe_network_name-label_default.txt", "xe_pif_mode_none.txt",
                           "xe_empty.txt", (1, "", "@xe_map_key_not_found.stderr"), "xe_false.txt")
    writes = [
        "xe network-param-set uuid=%s name-label=storage-a" % NET_ETH2,
        "xe pif-reconfigure-ip uuid=%s mode=static IP=10.20.0.31 netmask=255.255.255.0" % ETH2,
        "xe pif-param-set uuid=%s other-config:management_purpose=storage-a" % ETH2,
        "xe pif-param-set uuid=%s disallow-unplug=true" % ETH2,
    ]
    for w in writes:
        table[w] = (0, "", "")
    run = FakeRun(table)
    res = xc.ensure_storage_pif(xc.Xe(run), HOST, "eth2", "storage-a", "10.20.0.31",
                                "255.255.255.0")
    assert res["changed"]
    assert res["changes"] == ["label", "ip", "management_purpose", "disallow-unplug"]
    assert run.writes() == writes


def test_storage_pif_already_configured_is_unchanged():
    run = FakeRun(_storage_reads("xe_network_name-label_storage-a.txt", "xe_pif_mode_static.txt",
                                 "xe_pif_ip.txt", (0, "storage-a\n", ""), "xe_true.txt"))
    res = xc.ensure_storage_pif(xc.Xe(run), HOST, "eth2", "storage-a", "10.20.0.31",
                                "255.255.255.0")
    assert not res["changed"] and run.writes() == []


def test_storage_pif_duplicate_label_refused():
    table = _storage_reads("xe_network_name-label_default.txt", "xe_pif_mode_none.txt",
                           "xe_empty.txt", (1, "", "@xe_map_key_not_found.stderr"), "xe_false.txt")
    table["xe network-list name-label=storage-a --minimal"] = (0, "@xe_network-list_bond0.txt", "")
    run = FakeRun(table)
    with pytest.raises(xc.XenError, match="labels must be unique"):
        xc.ensure_storage_pif(xc.Xe(run), HOST, "eth2", "storage-a", "10.20.0.31",
                              "255.255.255.0")
    assert run.writes() == []


def test_storage_pif_bond_member_refused():
    run = FakeRun({
        "xe pif-list host-uuid=%s device=eth0 --minimal" % HOST: (0, "@xe_pif-list_eth0.txt", ""),
        _get("pif", ETH0, "bond-slave-of"): (0, "@xe_bond-list.txt", ""),
    })
    with pytest.raises(xc.XenError, match="outside any bond"):
        xc.ensure_storage_pif(xc.Xe(run), HOST, "eth0", "storage-a", "10.20.0.31",
                              "255.255.255.0")


def test_parse_helpers():
    assert xc.parse_minimal("a,b, c\n") == ["a", "b", "c"]
    assert xc.parse_minimal("\n") == []
    assert xc.parse_semicolon_list(fixture("xe_bond_slaves.txt")) == [ETH0, ETH1]
    assert xc.parse_semicolon_list("<not in database>") == []


# ------------------------------------------------ the module itself (main())

def _run_module(module_name, args, run_table, monkeypatch, capsys):
    from ansible.module_utils import basic
    from ansible.module_utils.testing import patch_module_args
    import importlib
    mod = importlib.import_module("ansible_collections.cloudstack.infra.plugins.modules."
                                  + module_name)
    run = FakeRun(run_table)
    monkeypatch.setattr(basic.AnsibleModule, "run_command",
                        lambda self, argv, **kw: run(argv))
    monkeypatch.setattr(os.path, "exists", lambda p: True)
    with patch_module_args(args):
        with pytest.raises(SystemExit):
            mod.main()
    out = capsys.readouterr().out
    return json.loads(out), run


def test_module_xen_dom0_memory_check_and_diff(monkeypatch, capsys):
    table = {XC + " --get-xen dom0_mem": (0, "@xen-cmdline_get_dom0_mem_752.txt", "")}
    res, run = _run_module("xen_dom0_memory",
                           {"memory_mb": 2940, "_ansible_check_mode": True,
                            "_ansible_diff": True}, table, monkeypatch, capsys)
    assert res["changed"] is True and res["reboot_required"] is True
    assert res["diff"]["after"] == "dom0_mem=2940M,max:2940M\n"
    assert run.writes() == []


def test_module_xen_dom0_memory_applies(monkeypatch, capsys):
    table = {XC + " --get-xen dom0_mem": (0, "@xen-cmdline_get_dom0_mem_752.txt", ""),
             XC + " --set-xen dom0_mem=2940M,max:2940M": (0, "", "")}
    res, run = _run_module("xen_dom0_memory", {}, table, monkeypatch, capsys)
    assert res["changed"] is True and res["after"] == "2940M,max:2940M"
    assert run.writes() == [XC + " --set-xen dom0_mem=2940M,max:2940M"]


def test_module_xen_host_param_uuid_from_inventory(monkeypatch, capsys, tmp_path):
    inv = tmp_path / "xensource-inventory"
    inv.write_text(fixture("xensource-inventory.txt"))
    table = {_get("host", HOST, "other-config", "iscsi_iqn"): (0, "@xe_host_iscsi_iqn.txt", "")}
    res, run = _run_module("xen_host_param",
                           {"values": {"iscsi_iqn": "iqn.2025-01.lab:xen1"},
                            "xe": "xe", "inventory": str(inv)}, table, monkeypatch, capsys)
    assert res["changed"] is False and res["uuid"] == HOST and run.writes() == []
