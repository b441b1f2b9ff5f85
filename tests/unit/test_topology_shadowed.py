"""A whole-cloud variable (cloudstack_zones, ...) redefined in a group's or
a host's variables is refused (CS002): the roles on those hosts would read
that copy while the validator checks group_vars/all's. Read through the
action plugin's own inventory reader, as validate.yml reads it."""
import shutil

import pytest
import yaml

from inventory_reader import read_inventory
from ansible_collections.cloudstack.infra.plugins.module_utils.topology import (
    validate_topology)


@pytest.fixture
def production(tmp_path):
    dest = tmp_path / "production"
    shutil.copytree(read_inventory.__globals__["ROOT"] + "/inventories/production", dest)
    return dest


def _zones(inventory):
    with open(str(inventory / "group_vars" / "all" / "main.yml")) as handle:
        return yaml.safe_load(handle)["cloudstack_zones"]


def _ids(inventory):
    read = read_inventory(str(inventory))
    report = validate_topology(read.groups, read.hostvars, read.global_vars)
    return report, [v.rule for v in report.violations if v.severity == "error"]


def test_production_copy_is_clean(production):
    report, errors = _ids(production)
    assert errors == [], report.format_violations()


def _widen(zones):
    for zone in zones:
        zone["networks"]["management"]["cidr"] = "0.0.0.0/0"
    return zones


@pytest.mark.parametrize("group_file, key, value", [
    ("cloudstack_nfs.yml", "cloudstack_zones", _widen),
    ("cloudstack_kvm_hosts.yml", "cloudstack_version", "4.18"),
    ("cloudstack_firewall.yml", "cloudstack_db_dr", False),
])
def test_group_copy_of_a_whole_cloud_key_is_cs002(production, group_file, key,
                                                  value):
    path = production / "group_vars" / group_file
    data = yaml.safe_load(path.read_text()) or {}
    if key == "cloudstack_zones":
        zones = _zones(production)
        data[key] = value(zones)
    else:
        data[key] = value
    path.write_text(yaml.safe_dump(data))
    report, errors = _ids(production)
    assert errors == ["CS002"], report.format_violations()
    (finding,) = [v for v in report.violations if v.rule == "CS002"]
    assert key in finding.message and "group_vars/all" in finding.hint


def test_host_vars_copy_is_cs002(production):
    host_vars = production / "host_vars"
    host_vars.mkdir(exist_ok=True)
    # not read_inventory(): host_group_vars caches the directory listing
    hosts = yaml.safe_load((production / "hosts.yml").read_text())
    host = sorted(_find(hosts, "cloudstack_nfs")["hosts"])[0]
    (host_vars / ("%s.yml" % host)).write_text(yaml.safe_dump(
        {"cloudstack_zones": _widen(_zones(production))}))
    report, errors = _ids(production)
    assert errors == ["CS002"], report.format_violations()
    assert host in report.violations[0].location


def _find(tree, group):
    """The group's entry in a YAML inventory."""
    if isinstance(tree, dict):
        if group in tree:
            return tree[group]
        for value in tree.values():
            found = _find(value, group)
            if found is not None:
                return found
    return None


def test_an_equal_group_copy_is_accepted(production):
    """Some inventory sources give every host a copy of the globals: a copy
    equal to group_vars/all's is what the validator checks, so it passes."""
    path = production / "group_vars" / "cloudstack_kvm_hosts.yml"
    data = yaml.safe_load(path.read_text()) or {}
    data["cloudstack_zones"] = _zones(production)
    path.write_text(yaml.safe_dump(data))
    report, errors = _ids(production)
    assert errors == [], report.format_violations()
