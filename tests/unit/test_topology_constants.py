"""Each constant of the topology contract is defined once (issue 11, item 4)."""
import os

import pytest
import yaml

from ansible_collections.cloudstack.infra.plugins.module_utils import topology_data as D

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_cloudstack_constant_filter():
    from ansible.errors import AnsibleFilterError
    from ansible_collections.cloudstack.infra.plugins.filter.cloudstack_constant import FilterModule
    f = FilterModule().filters()["cloudstack_constant"]
    assert f("BOND_MODES") == ["balance-rr", "active-backup", "balance-xor", "broadcast",
                               "802.3ad", "balance-tlb", "balance-alb"]
    assert f("DB_CONNECTIONS_PER_MGMT") == 350
    assert f("SECONDARY_STORAGE_MIN_GB") == 100
    assert f("PRIMARY_STORAGE_MAX_TB") == 6
    assert f("IQN_PATTERN") == D.IQN_RE.pattern
    with pytest.raises(AnsibleFilterError, match="unknown constant 'GB'"):
        f("GB")


def test_filter_docs_list_every_constant():
    from ansible_collections.cloudstack.infra.plugins.filter.cloudstack_constant import CONSTANTS
    with open(os.path.join(ROOT, "plugins", "filter", "cloudstack_constant.yml")) as handle:
        doc = yaml.safe_load(handle)
    assert doc["DOCUMENTATION"]["options"]["_input"]["choices"] == list(CONSTANTS)
    assert all(hasattr(D, name) for name in CONSTANTS)


def test_kvm_host_bond_modes_are_still_the_contracts():
    # roles/kvm_host belongs to another change; until it reads
    # 'BOND_MODES' | cloudstack.infra.cloudstack_constant, its copy must not drift
    with open(os.path.join(ROOT, "roles", "kvm_host", "vars", "main.yml")) as handle:
        kvm_vars = yaml.safe_load(handle)
    modes = kvm_vars.get("__kvm_host_bond_modes")
    if isinstance(modes, str):
        pytest.skip("kvm_host takes the bond modes from Python now")
    assert tuple(modes) == D.BOND_MODES
