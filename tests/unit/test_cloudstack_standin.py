"""The CloudStack API STAND-IN (tests/cloudstack_standin/server.py): its
signature check, command table, state and async jobs, and the real `cs`
client talking to it. These prove the stand-in, not CloudStack."""

import base64
import hashlib
import hmac
import json
import os
import signal
import subprocess
import sys
import threading
import types
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest
import requests
from cs import CloudStack, CloudStackApiException

from ansible_collections.cloudstack.infra.tests.cloudstack_standin import ngine_io_calls
from ansible_collections.cloudstack.infra.tests.cloudstack_standin import server

KEY, SECRET = "standin-key", "standin-secret/+="
HERE = os.path.dirname(os.path.abspath(server.__file__))


@pytest.fixture(name="standin")
def standin_fixture(tmp_path):
    """A stand-in on a free port with a state file; yields .url and .httpd."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"virtualmachines": [
        {"id": "vm-1", "name": "vm1", "displayname": "vm1", "hostid": "h-a", "clusterid": "c-a", "state": "Running"},
        {"id": "vm-2", "name": "vm2", "displayname": "vm2", "hostid": "h-b", "clusterid": "c-a", "state": "Running"},
    ]}))
    httpd = server.serve(0, {KEY: SECRET}, str(state), async_polls=1)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield types.SimpleNamespace(url="http://127.0.0.1:%d/client/api" % httpd.server_address[1], httpd=httpd)
    httpd.shutdown()
    httpd.server_close()


def client(url, secret=SECRET, method="get"):
    return CloudStack(endpoint=url, key=KEY, secret=secret, method=method, timeout=5, job_timeout=10,
                      poll_interval=0.05, fetch_result=True)


def signed(params, secret=SECRET):
    """Sign params by hand, the way CloudStack documents it."""
    query = "&".join("%s=%s" % (k, urllib.parse.quote(params[k], safe="*")) for k in sorted(params))
    digest = hmac.new(secret.encode(), query.lower().encode(), hashlib.sha1).digest()
    return dict(params, signature=base64.b64encode(digest).decode())


def call(url, secret=SECRET, **params):
    params = dict({"apiKey": KEY, "response": "json"}, **params)
    resp = requests.get(url, params=signed(params, secret), timeout=5)
    return resp.status_code, resp.json()


def zone_args(name="z1"):
    return {"name": name, "dns1": "192.0.2.53", "internaldns1": "192.0.2.53",
            "networktype": "Advanced"}


# -- signatures ---------------------------------------------------------------


def test_signing_string_follows_java_urlencoder_and_lowercases_the_whole():
    params = {"command": "listZones", "name": "A b+c*d~e/f", "apiKey": "KeY", "signature": "x"}
    assert server.signing_string(params) == "apikey=key&command=listzones&name=a%20b%2bc*d%7ee%2ff"


def test_good_signature_is_accepted(standin):
    url = standin.url
    assert call(url, command="listZones") == (200, {"listzonesresponse": {}})


@pytest.mark.parametrize("tamper", ["wrong-secret", "missing-signature", "unknown-key", "changed-value"])
def test_bad_signature_is_refused_with_cloudstacks_401(standin, tamper):
    url = standin.url
    params = {"apiKey": KEY, "response": "json", "command": "listZones", "name": "z"}
    if tamper == "unknown-key":
        params["apiKey"] = "nobody"
    query = signed(params, "other" if tamper == "wrong-secret" else SECRET)
    if tamper == "missing-signature":
        del query["signature"]
    if tamper == "changed-value":
        query["name"] = "z2"
    resp = requests.get(url, params=query, timeout=5)
    assert resp.status_code == 401
    assert resp.json() == {"listzonesresponse": {
        "uuidList": [], "errorcode": 401, "cserrorcode": 9999,
        "errortext": "unable to verify user credentials and/or request signature"}}


def test_signature_version_3_checks_expires(standin):
    url = standin.url
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S%z")
    future = (datetime.now(timezone.utc) + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S%z")
    assert call(url, command="listZones", signatureVersion="3", expires=future)[0] == 200
    assert call(url, command="listZones", signatureVersion="3", expires=past)[0] == 401
    assert call(url, command="listZones", signatureVersion="3")[0] == 401


def test_values_with_spaces_plus_and_star_sign_alike_in_get_and_post(standin):
    url = standin.url
    for method, name in (("get", "zone a+b*c"), ("post", "zone d+e*f g")):
        zone = client(url, method=method).createZone(**zone_args(name))["zone"]
        assert zone["name"] == name


# -- the command table --------------------------------------------------------


def test_unknown_command_is_432(standin):
    url = standin.url
    status, body = call(url, command="createUnicorn", name="x")
    assert status == 432
    assert body == {"createunicornresponse": {
        "uuidList": [], "errorcode": 432, "cserrorcode": 9999,
        "errortext": "The given command does not exist or it is not available for user"}}


def test_unknown_parameter_is_refused_and_recorded(standin):
    url, httpd = standin.url, standin.httpd
    status, body = call(url, command="createZone", colour="blue", **zone_args())
    assert status == 431
    assert "unknown parameter(s) colour for command createZone" in body["createzoneresponse"]["errortext"]
    assert httpd.standin.state.data["unknown_params"] == [{"command": "createZone", "params": ["colour"]}]
    assert call(url, command="listZones")[1] == {"listzonesresponse": {}}


def test_allowlisted_newer_parameter_is_accepted(standin):
    url = standin.url
    assert call(url, command="createZone", ipv6dns1="2001:db8::53", **zone_args())[0] == 200


def test_missing_required_parameter_is_431(standin):
    url = standin.url
    args = zone_args()
    del args["dns1"]
    status, body = call(url, command="createZone", **args)
    assert status == 431
    assert body["createzoneresponse"]["errortext"] == \
        "Unable to execute API command createzone due to missing parameter dns1"


def test_table_came_from_marvin_and_matches_known_signatures():
    table, commands = server.load_table()
    assert table["marvin_version"] == "4.4.0"
    assert commands["createPod"]["required"] == ["gateway", "name", "netmask", "startip", "zoneid"]
    assert commands["prepareHostForMaintenance"]["async"] is True
    assert commands["createZone"]["async"] is False
    assert set(server.IMPLEMENTED) <= set(commands)


def test_every_parameter_ngine_io_sends_for_a_zone_build_is_in_the_table_or_allowlist():
    commands = server.load_table()[1]
    # cs_image_store renames provider to providername after the call, for its result.
    static_false_positives = {("addImageStore", "providername")}
    sent = ngine_io_calls.calls(ngine_io_calls.ZONE_BUILD_MODULES)
    missing = sorted((cmd, p) for cmd, params in sent.items() for p in params
                     if cmd not in commands or p not in commands[cmd]["params"])
    assert [m for m in missing if m not in static_false_positives] == []
    assert {"createZone", "addHost", "createStoragePool", "updateConfiguration"} <= set(sent)


def test_allowlist_names_only_parameters_the_table_lacks():
    table = server.load_table()[0]
    with open(os.path.join(HERE, "allowlist.json"), encoding="utf-8") as src:
        allow = json.load(src)
    for section in ("newer", "ignored_by_cloudstack"):
        for command, params in allow[section].items():
            for param, note in params.items():
                assert param not in table["commands"][command]["params"], (command, param)
                assert note


# -- state ---------------------------------------------------------------------


def test_children_need_their_parents(standin):
    url = standin.url
    status, body = call(url, command="createPod", name="p", zoneid="no-such-zone", gateway="10.0.0.1",
                        netmask="255.255.255.0", startip="10.0.0.10")
    assert status == 431 and "zoneid value=no-such-zone" in body["createpodresponse"]["errortext"]
    cs = client(url)
    zone = cs.createZone(**zone_args())["zone"]
    other = cs.createZone(**zone_args("z2"))["zone"]
    pod = cs.createPod(name="p", zoneid=zone["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                       startip="10.0.0.10")["pod"]
    with pytest.raises(CloudStackApiException, match="does not belong"):
        cs.addCluster(clustername="c", zoneid=other["id"], podid=pod["id"], hypervisor="KVM",
                      clustertype="CloudManaged")
    with pytest.raises(CloudStackApiException, match="existing cluster"):
        cs.addHost(zoneid=zone["id"], podid=pod["id"], hypervisor="KVM", url="http://10.0.0.21",
                   username="root", password="x", clustername="none")
    with pytest.raises(CloudStackApiException, match="invalid value"):
        cs.addImageStore(provider="NFS", name="sec", url="nfs://10.0.0.5/sec", zoneid="no-such-zone")
    with pytest.raises(CloudStackApiException, match="invalid value"):
        cs.addTrafficType(physicalnetworkid="no-such-net", traffictype="Guest")


def test_duplicate_names_are_refused(standin):
    url = standin.url
    assert call(url, command="createZone", **zone_args())[0] == 200
    status, body = call(url, command="createZone", **zone_args())
    assert status == 431 and body["createzoneresponse"]["errortext"] == "A zone with name: z1 already exists"


def test_async_job_is_pending_then_done(standin):
    url = standin.url
    zone = call(url, command="createZone", **zone_args())[1]["createzoneresponse"]["zone"]
    status, body = call(url, command="createPhysicalNetwork", name="pn", zoneid=zone["id"], isolationmethods="VLAN")
    job = body["createphysicalnetworkresponse"]
    assert status == 200 and set(job) == {"jobid", "id"}
    first = call(url, command="queryAsyncJobResult", jobid=job["jobid"])[1]["queryasyncjobresultresponse"]
    assert first["jobstatus"] == 0 and "jobresult" not in first
    done = call(url, command="queryAsyncJobResult", jobid=job["jobid"])[1]["queryasyncjobresultresponse"]
    assert done["jobstatus"] == 1 and done["jobresultcode"] == 0
    assert done["jobresult"]["physicalnetwork"]["name"] == "pn"


def test_list_filters(standin):
    url = standin.url
    cs = client(url)
    zones = [cs.createZone(**zone_args(n))["zone"] for n in ("za", "zb")]
    assert [z["name"] for z in cs.listZones(name="zb")["zone"]] == ["zb"]
    assert [z["name"] for z in cs.listZones(id=zones[0]["id"])["zone"]] == ["za"]
    assert cs.listZones(fetch_list=True) == cs.listZones()["zone"]
    pod = cs.createPod(name="p", zoneid=zones[1]["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                       startip="10.0.0.10", endip="10.0.0.20")["pod"]
    assert pod["startip"] == ["10.0.0.10"]
    assert cs.listPods(zoneid=zones[0]["id"]) == {}
    assert cs.listPods(zoneid=zones[1]["id"], name="p")["pod"][0]["id"] == pod["id"]
    assert [v["id"] for v in cs.listVirtualMachines(hostid="h-b")["virtualmachine"]] == ["vm-2"]


def test_a_zone_build_with_the_cs_client(standin):
    """The real `cs` client signs every request and polls the jobs: the signature algorithms agree."""
    url, httpd = standin.url, standin.httpd
    cs = client(url)
    zone = cs.createZone(**zone_args())["zone"]
    net = cs.createPhysicalNetwork(name="pn", zoneid=zone["id"], isolationmethods="VLAN", vlan="100-199")
    assert net["physicalnetwork"]["state"] == "Disabled"
    assert cs.addTrafficType(physicalnetworkid=net["physicalnetwork"]["id"], traffictype="Guest",
                             kvmnetworklabel="cloudbr1")["traffictype"]["kvmnetworklabel"] == "cloudbr1"
    nsps = cs.listNetworkServiceProviders(physicalnetworkid=net["physicalnetwork"]["id"])["networkserviceprovider"]
    vr_nsp = [n for n in nsps if n["name"] == "VirtualRouter"][0]
    element = [e for e in cs.listVirtualRouterElements()["virtualrouterelement"] if e["nspid"] == vr_nsp["id"]][0]
    assert cs.configureVirtualRouterElement(id=element["id"], enabled="true")["virtualrouterelement"]["enabled"]
    assert cs.updateNetworkServiceProvider(id=vr_nsp["id"], state="Enabled")["networkserviceprovider"]["state"] \
        == "Enabled"
    cs.createVlanIpRange(zoneid=zone["id"], physicalnetworkid=net["physicalnetwork"]["id"], startip="203.0.113.10",
                         endip="203.0.113.20", gateway="203.0.113.1", netmask="255.255.255.0", vlan="untagged",
                         forvirtualnetwork="true")
    assert cs.listVlanIpRanges(zoneid=zone["id"])["vlaniprange"][0]["startip"] == "203.0.113.10"
    pod = cs.createPod(name="p", zoneid=zone["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                       startip="10.0.0.10", endip="10.0.0.20")["pod"]
    cluster = cs.addCluster(clustername="c", zoneid=zone["id"], podid=pod["id"], hypervisor="KVM",
                            clustertype="CloudManaged")["cluster"][0]
    host = cs.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="KVM",
                      url="http://10.0.0.21", username="root", password="pw")["host"][0]
    assert cs.listHosts(clusterid=cluster["id"])["host"][0]["id"] == host["id"]
    assert cs.prepareHostForMaintenance(id=host["id"])["host"]["resourcestate"] == "Maintenance"
    assert cs.cancelHostMaintenance(id=host["id"])["host"]["resourcestate"] == "Enabled"
    pool = cs.createStoragePool(name="primary", zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"],
                                url="nfs://10.0.0.5/export/primary", scope="cluster")["storagepool"]
    assert (pool["type"], pool["path"], pool["scope"]) == ("NetworkFilesystem", "/export/primary", "CLUSTER")
    assert cs.updateStoragePool(id=pool["id"], enabled="false")["storagepool"]["state"] == "Disabled"
    cs.addImageStore(provider="NFS", name="sec", url="nfs://10.0.0.5/export/secondary", zoneid=zone["id"])
    assert cs.listImageStores(zoneid=zone["id"])["imagestore"][0]["protocol"] == "nfs"
    conf = cs.updateConfiguration(name="cpu.overprovisioning.factor", value="4", clusterid=cluster["id"])
    assert conf["configuration"]["value"] == "4"
    assert cs.listConfigurations(name="cpu.overprovisioning.factor")["configuration"][0]["value"] == "1"
    with pytest.raises(CloudStackApiException, match="Invalid scope"):
        cs.updateConfiguration(name="expunge.delay", value="1", zoneid=zone["id"])
    kvm = cs.listHypervisorCapabilities(hypervisor="KVM")["hypervisorCapabilities"][0]
    assert cs.updateHypervisorCapabilities(id=kvm["id"], maxguestslimit=99)["hypervisorcapabilities"][
        "maxguestslimit"] == 99
    assert cs.createDiskOffering(name="d", displaytext="d", disksize=5)["diskoffering"]["disksize"] == 5
    assert "STAND-IN" in cs.listCapabilities()["capability"]["cloudstackversion"]
    assert httpd.standin.state.data["unknown_params"] == []
    with pytest.raises(CloudStackApiException) as err:
        client(url, secret="not-the-secret").listZones()
    assert err.value.error["errorcode"] == 401


def test_server_script_starts_answers_and_stops_on_sigterm(tmp_path):
    state = tmp_path / "state.json"
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port", "0", "--state", str(state),
                             "--keys", "%s:%s" % (KEY, SECRET)], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "STAND-IN" in line and "127.0.0.1" in line
        url = line.split(" on ", 1)[1].split(",", 1)[0]
        assert call(url, command="createZone", **zone_args())[0] == 200
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert json.loads(state.read_text())["zones"][0]["name"] == "z1"


def test_xenserver_pool_and_basic_zone_guest_network(tmp_path):
    """The stand-in's seeded XenServer pool and its Basic-zone guest network (what the cloud role needs)."""
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"xenserver_pools": {"10.0.0.41": ["10.0.0.42"]}}))
    httpd = server.serve(0, {KEY: SECRET}, str(state), async_polls=1)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        cs = client("http://127.0.0.1:%d/client/api" % httpd.server_address[1])
        zone = cs.createZone(**dict(zone_args(), networktype="Basic", securitygroupenabled="true"))["zone"]
        pod = cs.createPod(name="p", zoneid=zone["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                           startip="10.0.0.10", endip="10.0.0.20")["pod"]
        with pytest.raises(CloudStackApiException, match="username and password"):
            cs.addCluster(clustername="x", zoneid=zone["id"], podid=pod["id"], hypervisor="XenServer",
                          clustertype="CloudManaged", url="http://10.0.0.41")
        cluster = cs.addCluster(clustername="x", zoneid=zone["id"], podid=pod["id"], hypervisor="XenServer",
                                clustertype="CloudManaged", url="http://10.0.0.41", username="root",
                                password="pw")["cluster"][0]
        assert [h["ipaddress"] for h in cs.listHosts(clusterid=cluster["id"])["host"]] == ["10.0.0.41", "10.0.0.42"]
        offerings = {o["name"]: o for o in cs.listNetworkOfferings()["networkoffering"]}
        assert set(offerings) == {"DefaultSharedNetworkOfferingWithSGService", "DefaultSharedNetworkOffering",
                                  "DefaultIsolatedNetworkOfferingWithSourceNatService"}
        with pytest.raises(CloudStackApiException, match="no physical network|Unable to find physical network"):
            cs.createNetwork(name="g", displaytext="g", zoneid=zone["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                             networkofferingid=offerings["DefaultSharedNetworkOfferingWithSGService"]["id"])
        cs.createPhysicalNetwork(name="pn", zoneid=zone["id"])
        with pytest.raises(CloudStackApiException, match="shared guest networks only"):
            cs.createNetwork(name="g", displaytext="g", zoneid=zone["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                             networkofferingid=offerings["DefaultIsolatedNetworkOfferingWithSourceNatService"]["id"])
        net = cs.createNetwork(name="g", displaytext="g", zoneid=zone["id"], gateway="10.0.0.1",
                               netmask="255.255.255.0",
                               networkofferingid=offerings["DefaultSharedNetworkOfferingWithSGService"]["id"])["network"]
        assert net["securitygroupenabled"] is True
        with pytest.raises(CloudStackApiException, match="one guest network"):
            cs.createNetwork(name="g2", displaytext="g2", zoneid=zone["id"], gateway="10.0.0.1",
                             netmask="255.255.255.0",
                             networkofferingid=offerings["DefaultSharedNetworkOffering"]["id"])
        cs.createVlanIpRange(podid=pod["id"], networkid=net["id"], startip="10.0.0.100", endip="10.0.0.199",
                             gateway="10.0.0.1", netmask="255.255.255.0", vlan="untagged", forvirtualnetwork="false")
        ranges = cs.listVlanIpRanges(networkid=net["id"])["vlaniprange"]
        assert [(r["podid"], r["zoneid"], r["forvirtualnetwork"]) for r in ranges] == [(pod["id"], zone["id"], False)]
        assert httpd.standin.state.data["unknown_params"] == []
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_maintenance_calls_are_logged_and_a_host_can_stay_disconnected(standin):
    """host_events records prepare/cancel in order; faults.hosts_stay_disconnected keeps a host Disconnected."""
    url, httpd = standin.url, standin.httpd
    cs = client(url)
    zone = cs.createZone(**zone_args())["zone"]
    pod = cs.createPod(name="p", zoneid=zone["id"], gateway="10.0.0.1", netmask="255.255.255.0",
                       startip="10.0.0.10", endip="10.0.0.20")["pod"]
    cluster = cs.addCluster(clustername="c", zoneid=zone["id"], podid=pod["id"], hypervisor="KVM",
                            clustertype="CloudManaged")["cluster"][0]
    hosts = [cs.addHost(zoneid=zone["id"], podid=pod["id"], clusterid=cluster["id"], hypervisor="KVM",
                        url="http://10.0.0.%d" % n, username="root", password="pw")["host"][0] for n in (21, 22)]
    httpd.standin.state.data["faults"]["hosts_stay_disconnected"] = ["10.0.0.22"]
    for host in hosts:
        cs.prepareHostForMaintenance(id=host["id"])
        after = cs.cancelHostMaintenance(id=host["id"])["host"]
        assert after["resourcestate"] == "Enabled"
        assert after["state"] == ("Disconnected" if host["name"] == "10.0.0.22" else "Up")
    events = httpd.standin.state.data["host_events"]
    assert [(e["command"], e["host"]) for e in events] == [
        ("prepareHostForMaintenance", "10.0.0.21"), ("cancelHostMaintenance", "10.0.0.21"),
        ("prepareHostForMaintenance", "10.0.0.22"), ("cancelHostMaintenance", "10.0.0.22")]
    assert [e["time"] for e in events] == sorted(e["time"] for e in events)
