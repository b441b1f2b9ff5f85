"""cloudstack.infra.cloud_traffic_label against the CloudStack API STAND-IN:
it sets the XenServer label that ngine_io's cs_traffic_type drops, changes
nothing the second time, writes nothing in check mode (and shows the diff),
leaves a label it is not given alone, and names what is missing. Proves the
module's calls fit the stand-in's table, nothing about CloudStack."""

from test_cloud_api_modules import (  # noqa: F401 pylint: disable=unused-import
    changed, cs, failed, play, standin_fixture, writes)

ZONE = [cs("cs_zone", name="z", network_type="Advanced", dns1="8.8.8.8", internal_dns1="10.10.0.1"),
        cs("cs_physical_network", name="z-management", zone="z"),
        cs("cs_traffic_type", physical_network="z-management", zone="z", traffic_type="Management",
           kvm_networklabel="cloudbr0", xen_networklabel="cloudbr0")]


def label(**args):
    params = dict(zone="z", physical_network="z-management", traffic_type="Management")
    params.update(args)
    return {"name": "label", "cloudstack.infra.cloud_traffic_label": params}


def test_traffic_label(standin):
    rc, res, out = play(standin, ZONE)
    assert rc == 0 and not failed(res), out
    [ttype] = standin.data["traffictypes"]
    assert ttype.get("kvmnetworklabel") == "cloudbr0"
    assert "xennetworklabel" not in ttype      # what cs_traffic_type 2.5.0 does

    since = len(standin.data["requests"])
    rc, res, out = play(standin, [label(kvm_label="cloudbr0", xen_label="cloudbr0")], check=True, diff=True)
    assert rc == 0 and changed(res) == ["label"], out
    assert res["label"]["diff"]["after"] == {"kvm_label": "cloudbr0", "xen_label": "cloudbr0"}
    assert writes(standin, since) == [] and "xennetworklabel" not in ttype

    rc, res, out = play(standin, [label(kvm_label="cloudbr0", xen_label="cloudbr0")])
    assert rc == 0 and changed(res) == ["label"], out
    assert writes(standin, since) == ["updateTrafficType"]
    assert (ttype["kvmnetworklabel"], ttype["xennetworklabel"]) == ("cloudbr0", "cloudbr0")

    since = len(standin.data["requests"])
    rc, res, out = play(standin, [label(kvm_label="cloudbr0", xen_label="cloudbr0"), label(xen_label="cloudbr0")])
    assert rc == 0 and changed(res) == [], out
    assert writes(standin, since) == []

    rc, res, out = play(standin, [label(traffic_type="Guest", xen_label="cloudbr1")])
    assert rc != 0 and "has no Guest traffic type" in failed(res)["label"], out
    rc, res, out = play(standin, [label(physical_network="nope", xen_label="cloudbr1")])
    assert rc != 0 and "physical network nope not found in zone z" in failed(res)["label"], out
