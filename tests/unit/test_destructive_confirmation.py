"""The one rule for destructive opt-ins (database_redeploy,
management_server_redeploy_database): plugins/module_utils/destructive_confirmation.py."""
import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import destructive_confirmation as DC


@pytest.mark.parametrize("value", [None, False, "", "  ", "false", "False", "no", "off", "0"])
def test_off(value):
    assert DC.check("opt", value, "db1", "drops x") == {"off": True, "confirmed": False, "refusal": ""}


@pytest.mark.parametrize("value", [True, "true", "yes", 1, "db2", "DB1", " db1", ["db1"], {"db1": True}])
def test_refused_unless_the_exact_name(value):
    verdict = DC.check("opt", value, "db1", "drops x")
    assert not verdict["off"] and not verdict["confirmed"]
    assert verdict["refusal"].startswith("opt=") and '"db1"' in verdict["refusal"]
    assert "drops x" in verdict["refusal"] and "Nothing has been changed" in verdict["refusal"]


def test_confirmed_once():
    assert DC.check("opt", "db1", "db1", "drops x") == {"off": False, "confirmed": True, "refusal": ""}
    used = DC.check("opt", "db1", "db1", "drops x", used=True, marker="/m")
    assert not used["confirmed"] and "used on db1 already (marker /m)" in used["refusal"]
    assert "Remove opt from the inventory" in used["refusal"]
