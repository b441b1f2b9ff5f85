"""placeholder"""
from ansible_collections.cloudstack.infra.plugins.module_utils import topology as T
from ansible_collections.cloudstack.infra.plugins.module_utils import exposure_plan as E

from test_topology_rules import base  # noqa: E402 pylint: disable=wrong-import-order


def test_smoke():
    g, h, gl = base()
    m = T.build_model(g, h, gl)[1]
    for host in ("db1", "lb1", "mgmt1", "kvm1", "nfs1"):
        p = E.plan_exposure(m, host)
        print(host, p["tiers"], p["ssh_sources"])
        for r in p["services"]:
            print("  ", r["name"], r["protocol"], r["ports"], r["sources"])
    print(E.render_nft(E.plan_exposure(m, "lb1"), "cloudstack_lb"))
    assert 0
