"""A STAND-IN for CloudStack's management server API, for tests only.

This is not CloudStack and nothing it answers is proof of CloudStack
behaviour. It lets the roles and the ngine_io.cloudstack modules run
against something that checks what a test can check without a cloud:

* the request signature, computed as CloudStack's ApiServer.verifyRequest
  does (HMAC-SHA1 with the user's secret key over the parameters except
  `signature`, sorted by name, each `name=URLEncoder.encode(value)` with
  '+' turned into '%20', joined with '&', the whole string lower-cased;
  base64), `signatureVersion=3` with `expires`, unknown API keys;
* every command and parameter name against signatures.json, the table
  gen_signatures.py made from cloudstack-marvin's per-command modules
  (CloudStack's API annotations), plus allowlist.json for parameters that
  ngine_io sends and the table does not know;
* parents before children (a pod needs its zone, a cluster its pod, ...),
  unique names, and list* calls that return what was created, with the
  filters the ngine_io modules use; asynchronous commands answer a jobid
  that queryAsyncJobResult reports pending, then done.

Its strictness beyond CloudStack: an unknown parameter is refused (error
431, recorded in the state's `unknown_params`), where CloudStack ignores
it; duplicate disk offering names are refused. Errors use CloudStack's JSON
shape, `{"<command>response": {"uuidList": [], "errorcode": N,
"cserrorcode": M, "errortext": "..."}}`, with the HTTP status N.

    python tests/cloudstack_standin/server.py --port 8096 --state st.json \
        --keys KEY:SECRET [--keys-file FILE] [--async-polls 1]

It binds 127.0.0.1 only, serves /client/api (any path), and stops on
SIGTERM or SIGINT. `--state FILE` is read at start (when it exists) and
written after every change, so a test can seed virtual machines or
configurations and read back what was done. `host_events` lists the
maintenance calls in order ({command, host, time}: prepareHostForMaintenance,
cancelHostMaintenance), and the seeded `faults.hosts_stay_disconnected`
(host names) makes a host stay Disconnected after cancelHostMaintenance
(an agent that does not come back).

Seeded, not CloudStack's doing: the state key "xenserver_pools"
({"<pool master address>": ["<member address>", ...]}) stands for the
XenServer pools a test pretends exist; addCluster with a XenServer pool
master's url adds the master and those members as hosts of the cluster,
as CloudStack adds every host of the pool (it asks the pool; the stand-in
reads the seed). Three network offerings are seeded by name
(DefaultSharedNetworkOfferingWithSGService, DefaultSharedNetworkOffering,
DefaultIsolatedNetworkOfferingWithSourceNatService); shared guest networks
(createNetwork) and pod guest ranges on them (createVlanIpRange with podid
and networkid) are what a Basic zone needs.
"""

import argparse
import base64
import copy
import datetime
import hashlib
import hmac
import json
import logging
import os
import signal
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
LOG = logging.getLogger("cloudstack-standin")

# CloudStack's ApiErrorCode values and the cserrorcode its
# CSExceptionErrorCode gives ServerApiException (9999) and
# InvalidParameterValueException (4350).
UNAUTHORIZED = 401
PARAM_ERROR = 431
UNSUPPORTED_ACTION_ERROR = 432
INTERNAL_ERROR = 530
CS_SERVER_API_EXCEPTION = 9999
CS_INVALID_PARAMETER_VALUE = 4350

AUTH_ERROR_TEXT = "unable to verify user credentials and/or request signature"
UNKNOWN_COMMAND_TEXT = "The given command does not exist or it is not available for user"

# Names ApiServer reads itself (compared ignoring case); never command parameters.
FRAMEWORK_PARAMS = {"command", "apikey", "signature", "signatureversion", "expires", "response", "sessionkey", "_"}

JAVA_SAFE = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-*_")


class ApiError(Exception):
    """An error answered in CloudStack's shape."""

    def __init__(self, code, text, cserrorcode=CS_SERVER_API_EXCEPTION):
        super().__init__(text)
        self.code = code
        self.text = text
        self.cserrorcode = cserrorcode


def invalid(text):
    """CloudStack's InvalidParameterValueException: 431, cserrorcode 4350."""
    return ApiError(PARAM_ERROR, text, CS_INVALID_PARAMETER_VALUE)


def java_urlencode(value):
    """java.net.URLEncoder.encode(value, "UTF-8").replaceAll("\\+", "%20")."""
    out = []
    for byte in value.encode("utf-8"):
        if byte in JAVA_SAFE:
            out.append(chr(byte))
        else:
            out.append("%%%02X" % byte)
    return "".join(out)


def signing_string(params):
    """The string ApiServer.verifyRequest signs, from the request's name -> value."""
    names = sorted(name for name in params if name.lower() != "signature")
    return "&".join("%s=%s" % (name, java_urlencode(params[name])) for name in names).lower()


def sign(params, secret):
    """Base64 HMAC-SHA1 of signing_string(params) with secret."""
    digest = hmac.new(secret.encode("utf-8"), signing_string(params).encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def _get_ci(params, name):
    for key, value in params.items():
        if key.lower() == name:
            return value
    return None


def verify_signature(params, keys, now=None):
    """Raise ApiError(401) unless params carry a valid signature for one of keys (apikey -> secret)."""
    apikey = _get_ci(params, "apikey")
    signature = _get_ci(params, "signature")
    if apikey is None or signature is None:
        raise ApiError(UNAUTHORIZED, AUTH_ERROR_TEXT)
    if _get_ci(params, "signatureversion") == "3":
        expires = _get_ci(params, "expires")
        if expires is None:
            raise ApiError(UNAUTHORIZED, AUTH_ERROR_TEXT)
        try:
            deadline = datetime.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError as exc:
            raise ApiError(UNAUTHORIZED, AUTH_ERROR_TEXT) from exc
        if (now or datetime.datetime.now(datetime.timezone.utc)) > deadline:
            raise ApiError(UNAUTHORIZED, AUTH_ERROR_TEXT)
    secret = keys.get(apikey)
    if secret is None:
        raise ApiError(UNAUTHORIZED, AUTH_ERROR_TEXT)
    if not hmac.compare_digest(sign(params, secret), signature):
        raise ApiError(UNAUTHORIZED, AUTH_ERROR_TEXT)
    return apikey


def load_table(path=None):
    """signatures.json's commands merged with allowlist.json's extra parameters."""
    with open(path or os.path.join(HERE, "signatures.json"), encoding="utf-8") as src:
        table = json.load(src)
    with open(os.path.join(HERE, "allowlist.json"), encoding="utf-8") as src:
        allow = json.load(src)
    commands = copy.deepcopy(table["commands"])
    for section in ("newer", "ignored_by_cloudstack"):
        for command, params in allow[section].items():
            commands[command]["params"] = sorted(set(commands[command]["params"]) | set(params))
    return table, commands


def _param_name(key):
    """details[0].key -> details (CloudStack's map parameters)."""
    return key.split("[", 1)[0]


def _truthy(value):
    return str(value).lower() == "true"


SEED_CONFIGURATIONS = [
    # name, category, default value, scopes it may be set at
    ("cpu.overprovisioning.factor", "Advanced", "1", ("cluster",)),
    ("mem.overprovisioning.factor", "Advanced", "1", ("cluster",)),
    ("storage.overprovisioning.factor", "Storage", "2", ("zone", "storagepool")),
    ("expunge.delay", "Advanced", "86400", ()),
    ("expunge.interval", "Advanced", "86400", ()),
    ("secstorage.allowed.internal.sites", "Advanced", "", ()),
    ("system.vm.use.local.storage", "Advanced", "false", ("zone",)),
    ("use.external.dns", "Advanced", "false", ("zone",)),
    ("host", "Advanced", "", ()),
    ("indirect.agent.lb.algorithm", "Advanced", "static", ()),
    ("custom.diskoffering.size.min", "Advanced", "1", ()),
    ("custom.diskoffering.size.max", "Advanced", "1024", ()),
    ("network.gc.interval", "Advanced", "600", ()),
    # CloudStack's Prometheus exporter (PrometheusExporterServer's ConfigKeys)
    ("prometheus.exporter.enable", "Advanced", "false", ()),
    ("prometheus.exporter.port", "Advanced", "9595", ()),
    ("prometheus.exporter.allowed.ips", "Advanced", "127.0.0.1", ()),
]

SEED_HYPERVISORS = [("KVM", "default", 50), ("XenServer", "8.2.0", 500), ("VMware", "default", 128)]

SEED_NETWORK_OFFERINGS = [
    ("DefaultSharedNetworkOfferingWithSGService", "Shared", ("Dhcp", "Dns", "UserData", "SecurityGroup")),
    ("DefaultSharedNetworkOffering", "Shared", ("Dhcp", "Dns", "UserData")),
    ("DefaultIsolatedNetworkOfferingWithSourceNatService", "Isolated",
     ("Dhcp", "Dns", "UserData", "SourceNat", "StaticNat", "PortForwarding", "Firewall", "Lb", "Vpn")),
]

NSP_NAMES = ("VirtualRouter", "VpcVirtualRouter", "InternalLbVm", "SecurityGroupProvider", "ConfigDrive")


class State:
    """Everything the stand-in knows, kept as plain JSON."""

    COLLECTIONS = ("zones", "physicalnetworks", "traffictypes", "nsps", "vrouterelements", "vlans", "pods",
                   "clusters", "hosts", "storagepools", "imagestores", "diskofferings", "virtualmachines",
                   "hypervisorcapabilities", "jobs", "networkofferings", "networks")

    def __init__(self, path=None, async_polls=1):
        self.path = path
        self.async_polls = async_polls
        self.lock = threading.RLock()
        self.data = {name: [] for name in self.COLLECTIONS}
        self.data["configurations"] = {}
        self.data["xenserver_pools"] = {}
        self.data["unknown_params"] = []
        self.data["requests"] = []
        # who went into and out of maintenance, when (host name, unix time)
        self.data["host_events"] = []
        # seeded by a test: host names that do not come back Up after cancelHostMaintenance
        self.data["faults"] = {"hosts_stay_disconnected": []}
        if path and os.path.exists(path) and os.path.getsize(path):
            with open(path, encoding="utf-8") as src:
                self.data.update(json.load(src))
        self._seed()

    def _seed(self):
        configs = self.data["configurations"]
        for name, category, value, scopes in SEED_CONFIGURATIONS:
            configs.setdefault(name, {"category": category, "value": value, "scopes": list(scopes),
                                      "description": "STAND-IN seed", "overrides": {}})
        if not self.data["hypervisorcapabilities"]:
            for hypervisor, version, limit in SEED_HYPERVISORS:
                self.data["hypervisorcapabilities"].append({
                    "id": str(uuid.uuid4()), "hypervisor": hypervisor, "hypervisorversion": version,
                    "maxguestslimit": limit, "securitygroupenabled": True, "maxdatavolumeslimit": 6,
                    "storagemotionenabled": True})

        if not self.data["networkofferings"]:
            for name, guestiptype, services in SEED_NETWORK_OFFERINGS:
                self.data["networkofferings"].append({
                    "id": str(uuid.uuid4()), "name": name, "displaytext": name, "guestiptype": guestiptype,
                    "traffictype": "Guest", "isdefault": True, "state": "Enabled", "availability": "Optional",
                    "specifyipranges": guestiptype == "Shared", "specifyvlan": guestiptype == "Shared",
                    "service": [{"name": svc} for svc in services]})

    def save(self):
        """Write the state file (atomically) when there is one."""
        if not self.path:
            return
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as out:
            json.dump(self.data, out, indent=1, sort_keys=True)
        os.replace(tmp, self.path)

    def find(self, collection, ident, what):
        """The item of collection with id ident, or the 431 CloudStack answers for a bad id."""
        for item in self.data[collection]:
            if item["id"] == ident:
                return item
        raise invalid("Unable to execute API command due to invalid value. Invalid parameter %s value=%s due to "
                      "incorrect long value format, or entity does not exist or due to incorrect parameter "
                      "annotation for the field in api cmd class." % (what, ident))


def _filtered(items, params, fields):
    out = []
    for item in items:
        keep = True
        for param, field in fields.items():
            if param in params and str(item.get(field)).lower() != str(params[param]).lower():
                keep = False
        keyword = params.get("keyword")
        if keyword and keyword.lower() not in str(item.get("name", "")).lower():
            keep = False
        if keep:
            out.append(item)
    return out


def _page(items, params):
    if "pagesize" in params:
        size = int(params["pagesize"])
        page = int(params.get("page", 1))
        return items[(page - 1) * size:page * size]
    return items


class Api:
    """The commands the stand-in implements; each returns the response body's inner dict."""

    def __init__(self, state, commands):
        self.state = state
        self.commands = commands
        self.data = state.data
        self._pending = {}  # jobid -> what completing the job does (not kept across restarts)

    # -- helpers ---------------------------------------------------------

    def _list(self, key, items, params, fields):
        items = _filtered(items, params, fields)
        if not items:
            return {}
        return {"count": len(items), key: copy.deepcopy(_page(items, params))}

    def _unique(self, collection, name, text, field="name", **scope):
        for item in self.data[collection]:
            if item.get(field) == name and all(item.get(k) == v for k, v in scope.items()):
                raise invalid(text)

    def _job(self, command, key, apply, resource_id=None):
        """Queue an asynchronous job; apply() runs when it completes and returns its result object."""
        job = {"jobid": str(uuid.uuid4()), "cmd": command, "key": key, "polls": 0, "jobstatus": 0,
               "created": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S%z")}
        self.data["jobs"].append(job)
        self._pending[job["jobid"]] = apply
        out = {"jobid": job["jobid"]}
        if resource_id:
            out["id"] = resource_id
        return out

    def _zone(self, zoneid):
        return self.state.find("zones", zoneid, "zoneid")

    # -- zones -------------------------------------------------------------

    def listZones(self, p):
        return self._list("zone", self.data["zones"], p, {"id": "id", "name": "name", "networktype": "networktype"})

    def createZone(self, p):
        self._unique("zones", p["name"], "A zone with name: %s already exists" % p["name"])
        zone = {"id": str(uuid.uuid4()), "name": p["name"], "networktype": p["networktype"],
                "allocationstate": p.get("allocationstate", "Disabled"), "dhcpprovider": "VirtualRouter",
                "zonetoken": str(uuid.uuid4()), "localstorageenabled": _truthy(p.get("localstorageenabled")),
                "securitygroupsenabled": _truthy(p.get("securitygroupenabled")), "tags": []}
        for field in ("dns1", "dns2", "internaldns1", "internaldns2", "ip6dns1", "ip6dns2", "domain",
                      "guestcidraddress", "domainid"):
            if field in p:
                zone[field] = p[field]
        self.data["zones"].append(zone)
        return {"zone": copy.deepcopy(zone)}

    def updateZone(self, p):
        zone = self._zone(p["id"])
        if "name" in p and p["name"] != zone["name"]:
            self._unique("zones", p["name"], "A zone with name: %s already exists" % p["name"])
        for field in ("name", "dns1", "dns2", "internaldns1", "internaldns2", "ip6dns1", "ip6dns2", "domain",
                      "guestcidraddress", "allocationstate", "dhcpprovider", "dnssearchorder"):
            if field in p:
                zone[field] = p[field]
        if "localstorageenabled" in p:
            zone["localstorageenabled"] = _truthy(p["localstorageenabled"])
        return {"zone": copy.deepcopy(zone)}

    # -- physical networks, traffic types, providers ------------------------

    def listPhysicalNetworks(self, p):
        return self._list("physicalnetwork", self.data["physicalnetworks"], p,
                          {"id": "id", "name": "name", "zoneid": "zoneid"})

    def createPhysicalNetwork(self, p):
        zone = self._zone(p["zoneid"])
        self._unique("physicalnetworks", p["name"], "Physical network with name %s already exists in zone %s"
                     % (p["name"], zone["name"]), zoneid=zone["id"])
        net = {"id": str(uuid.uuid4()), "name": p["name"], "zoneid": zone["id"], "zonename": zone["name"],
               "state": "Disabled", "broadcastdomainrange": p.get("broadcastdomainrange", "ZONE").upper()}
        for field in ("isolationmethods", "networkspeed", "tags", "vlan", "domainid"):
            if field in p:
                net[field] = p[field]
        self.data["physicalnetworks"].append(net)
        for name in NSP_NAMES:
            nsp = {"id": str(uuid.uuid4()), "name": name, "physicalnetworkid": net["id"], "state": "Disabled",
                   "servicelist": [], "canenableindividualservice": True}
            self.data["nsps"].append(nsp)
            if name in ("VirtualRouter", "VpcVirtualRouter"):
                self.data["vrouterelements"].append({"id": str(uuid.uuid4()), "nspid": nsp["id"], "enabled": False})

        def done():
            return {"physicalnetwork": copy.deepcopy(net)}
        return self._job("createPhysicalNetwork", "physicalnetwork", done, net["id"])

    def updatePhysicalNetwork(self, p):
        net = self.state.find("physicalnetworks", p["id"], "id")

        def done():
            for field in ("networkspeed", "tags", "vlan", "state"):
                if field in p:
                    net[field] = p[field]
            return {"physicalnetwork": copy.deepcopy(net)}
        return self._job("updatePhysicalNetwork", "physicalnetwork", done, net["id"])

    def listTrafficTypes(self, p):
        self.state.find("physicalnetworks", p["physicalnetworkid"], "physicalnetworkid")
        return self._list("traffictype", self.data["traffictypes"], p, {"physicalnetworkid": "physicalnetworkid"})

    def addTrafficType(self, p):
        net = self.state.find("physicalnetworks", p["physicalnetworkid"], "physicalnetworkid")
        kind = p["traffictype"]
        if kind not in ("Guest", "Public", "Management", "Storage"):
            raise invalid("Unable to resolve trafficType %s" % kind)
        self._unique("traffictypes", kind, "The physical network %s already has a traffic type %s"
                     % (net["name"], kind), field="traffictype", physicalnetworkid=net["id"])
        ttype = {"id": str(uuid.uuid4()), "traffictype": kind, "physicalnetworkid": net["id"]}
        for field in ("kvmnetworklabel", "xennetworklabel", "vmwarenetworklabel", "hypervnetworklabel",
                      "ovm3networklabel", "isolationmethod", "vlan"):
            if field in p:
                ttype[field] = p[field]
        self.data["traffictypes"].append(ttype)

        def done():
            return {"traffictype": copy.deepcopy(ttype)}
        return self._job("addTrafficType", "traffictype", done, ttype["id"])

    def updateTrafficType(self, p):
        ttype = self.state.find("traffictypes", p["id"], "id")

        def done():
            for field in ("kvmnetworklabel", "xennetworklabel", "vmwarenetworklabel", "hypervnetworklabel",
                          "ovm3networklabel"):
                if field in p:
                    ttype[field] = p[field]
            return {"traffictype": copy.deepcopy(ttype)}
        return self._job("updateTrafficType", "traffictype", done, ttype["id"])

    def listNetworkServiceProviders(self, p):
        return self._list("networkserviceprovider", self.data["nsps"], p,
                          {"physicalnetworkid": "physicalnetworkid", "name": "name", "state": "state"})

    def updateNetworkServiceProvider(self, p):
        nsp = self.state.find("nsps", p["id"], "id")
        if p.get("state") not in (None, "Enabled", "Disabled", "Shutdown"):
            raise invalid("Unable to resolve state %s" % p["state"])

        def done():
            if "state" in p:
                nsp["state"] = p["state"]
            if "servicelist" in p:
                nsp["servicelist"] = p["servicelist"].split(",")
            return {"networkserviceprovider": copy.deepcopy(nsp)}
        return self._job("updateNetworkServiceProvider", "networkserviceprovider", done, nsp["id"])

    def listVirtualRouterElements(self, p):
        return self._list("virtualrouterelement", self.data["vrouterelements"], p,
                          {"id": "id", "nspid": "nspid", "enabled": "enabled"})

    def configureVirtualRouterElement(self, p):
        element = self.state.find("vrouterelements", p["id"], "id")

        def done():
            element["enabled"] = _truthy(p["enabled"])
            return {"virtualrouterelement": copy.deepcopy(element)}
        return self._job("configureVirtualRouterElement", "virtualrouterelement", done, element["id"])

    def listNetworkOfferings(self, p):
        return self._list("networkoffering", self.data["networkofferings"], p,
                          {"id": "id", "name": "name", "guestiptype": "guestiptype", "state": "state",
                           "traffictype": "traffictype", "isdefault": "isdefault"})

    def listNetworks(self, p):
        return self._list("network", self.data["networks"], p,
                          {"id": "id", "zoneid": "zoneid", "physicalnetworkid": "physicalnetworkid",
                           "type": "type", "traffictype": "traffictype", "vpcid": "vpcid"})

    def createNetwork(self, p):
        zone = self._zone(p["zoneid"])
        offering = self.state.find("networkofferings", p["networkofferingid"], "networkofferingid")
        if offering["guestiptype"] != "Shared":
            raise ApiError(INTERNAL_ERROR, "STAND-IN: createNetwork implements shared guest networks only")
        if zone["networktype"] == "Basic" and any(n["zoneid"] == zone["id"] for n in self.data["networks"]):
            raise invalid("STAND-IN: a Basic zone has one guest network; zone %s has one" % zone["name"])
        for field in ("gateway", "netmask"):
            if field not in p:
                raise invalid("STAND-IN: a shared network needs %s" % field)
        self._unique("networks", p["name"], "A network named %s already exists in zone %s" % (p["name"], zone["name"]),
                     zoneid=zone["id"])
        nets = [n for n in self.data["physicalnetworks"] if n["zoneid"] == zone["id"]]
        if "physicalnetworkid" in p:
            nets = [self.state.find("physicalnetworks", p["physicalnetworkid"], "physicalnetworkid")]
        if not nets:
            raise invalid("Unable to find physical network in zone %s" % zone["name"])
        network = {"id": str(uuid.uuid4()), "name": p["name"], "displaytext": p["displaytext"], "zoneid": zone["id"],
                   "zonename": zone["name"], "networkofferingid": offering["id"],
                   "networkofferingname": offering["name"], "physicalnetworkid": nets[0]["id"], "type": "Shared",
                   "traffictype": "Guest", "state": "Setup", "acltype": p.get("acltype", "Domain"),
                   "gateway": p["gateway"], "netmask": p["netmask"], "tags": [],
                   "securitygroupenabled": "SecurityGroup" in [s["name"] for s in offering["service"]]}
        for field in ("networkdomain", "vlan", "startip", "endip", "subdomainaccess", "domainid"):
            if field in p:
                network[field] = p[field]
        self.data["networks"].append(network)
        return {"network": copy.deepcopy(network)}

    def listVlanIpRanges(self, p):
        return self._list("vlaniprange", self.data["vlans"], p,
                          {"id": "id", "zoneid": "zoneid", "podid": "podid", "networkid": "networkid",
                           "physicalnetworkid": "physicalnetworkid", "vlan": "vlan",
                           "forvirtualnetwork": "forvirtualnetwork"})

    def createVlanIpRange(self, p):
        if "zoneid" not in p and "networkid" not in p and "podid" not in p:
            raise invalid("Please specify a zone, a network or a pod")
        vlan = {"id": str(uuid.uuid4()), "forvirtualnetwork": _truthy(p.get("forvirtualnetwork", "true")),
                "forsystemvms": _truthy(p.get("forsystemvms"))}
        if "zoneid" in p:
            zone = self._zone(p["zoneid"])
            vlan.update(zoneid=zone["id"])
        if "podid" in p:
            pod = self.state.find("pods", p["podid"], "podid")
            vlan.update(podid=pod["id"], podname=pod["name"], zoneid=pod["zoneid"])
        if "physicalnetworkid" in p:
            net = self.state.find("physicalnetworks", p["physicalnetworkid"], "physicalnetworkid")
            if vlan.get("zoneid", net["zoneid"]) != net["zoneid"]:
                raise invalid("Physical network %s is not in zone %s" % (net["id"], vlan["zoneid"]))
            vlan.update(physicalnetworkid=net["id"], zoneid=net["zoneid"])
        if "networkid" in p:
            network = self.state.find("networks", p["networkid"], "networkid")
            if vlan.get("zoneid", network["zoneid"]) != network["zoneid"]:
                raise invalid("Network %s is not in zone %s" % (network["name"], vlan["zoneid"]))
            vlan.update(networkid=network["id"], zoneid=network["zoneid"])
        for field in ("startip", "endip", "gateway", "netmask", "vlan", "startipv6", "endipv6", "ip6cidr",
                      "ip6gateway", "account", "domainid", "projectid"):
            if field in p:
                vlan[field] = p[field]
        vlan.setdefault("vlan", "untagged")
        for other in self.data["vlans"]:
            if other.get("zoneid") == vlan.get("zoneid") and other.get("startip") == vlan.get("startip"):
                raise invalid("The IP range with start ip %s already exists in zone" % vlan.get("startip"))
        self.data["vlans"].append(vlan)
        return {"vlan": copy.deepcopy(vlan)}

    # -- pods, clusters, hosts -------------------------------------------------

    @staticmethod
    def _pod_view(pod):
        view = copy.deepcopy(pod)
        view["startip"] = [pod["startip"]]
        view["endip"] = [pod.get("endip", "")]
        return view

    def listPods(self, p):
        out = self._list("pod", self.data["pods"], p,
                         {"id": "id", "name": "name", "zoneid": "zoneid", "allocationstate": "allocationstate"})
        if out:
            out["pod"] = [self._pod_view(pod) for pod in out["pod"]]
        return out

    def createPod(self, p):
        zone = self._zone(p["zoneid"])
        self._unique("pods", p["name"], "A pod with name: %s already exists in zone: %s"
                     % (p["name"], zone["name"]), zoneid=zone["id"])
        pod = {"id": str(uuid.uuid4()), "name": p["name"], "zoneid": zone["id"], "zonename": zone["name"],
               "gateway": p["gateway"], "netmask": p["netmask"], "startip": p["startip"],
               "endip": p.get("endip", ""), "allocationstate": p.get("allocationstate", "Enabled")}
        self.data["pods"].append(pod)
        return {"pod": self._pod_view(pod)}

    def updatePod(self, p):
        pod = self.state.find("pods", p["id"], "id")
        if "name" in p and p["name"] != pod["name"]:
            self._unique("pods", p["name"], "A pod with name: %s already exists" % p["name"], zoneid=pod["zoneid"])
        for field in ("name", "gateway", "netmask", "startip", "endip", "allocationstate"):
            if field in p:
                pod[field] = p[field]
        return {"pod": self._pod_view(pod)}

    def listClusters(self, p):
        return self._list("cluster", self.data["clusters"], p,
                          {"id": "id", "name": "name", "zoneid": "zoneid", "podid": "podid",
                           "hypervisor": "hypervisortype", "clustertype": "clustertype",
                           "allocationstate": "allocationstate", "managedstate": "managedstate"})

    def addCluster(self, p):
        zone = self._zone(p["zoneid"])
        pod = self.state.find("pods", p["podid"], "podid")
        if pod["zoneid"] != zone["id"]:
            raise invalid("Pod %s does not belong to zone %s" % (pod["name"], zone["name"]))
        self._unique("clusters", p["clustername"], "A cluster with name %s already exists in pod %s"
                     % (p["clustername"], pod["name"]), podid=pod["id"])
        cluster = {"id": str(uuid.uuid4()), "name": p["clustername"], "zoneid": zone["id"], "zonename": zone["name"],
                   "podid": pod["id"], "podname": pod["name"], "hypervisortype": p["hypervisor"],
                   "clustertype": p["clustertype"], "allocationstate": p.get("allocationstate", "Enabled"),
                   "managedstate": "Managed", "cpuovercommitratio": "1.0", "memoryovercommitratio": "1.0"}
        pool = []
        if "url" in p and p["hypervisor"] == "XenServer":
            if "username" not in p or "password" not in p:
                raise invalid("STAND-IN: a XenServer cluster with url needs the pool's username and password")
            master = urllib.parse.urlsplit(p["url"]).hostname or p["url"]
            pool = [master] + list(self.data["xenserver_pools"].get(master, []))
            for address in pool:
                self._unique("hosts", address, "A host with address %s already exists" % address, field="ipaddress")
        self.data["clusters"].append(cluster)
        for address in pool:
            self._new_host(zone, pod, cluster, {"url": "http://" + address, "hypervisor": "XenServer"})
        return {"count": 1, "cluster": [copy.deepcopy(cluster)]}

    def updateCluster(self, p):
        cluster = self.state.find("clusters", p["id"], "id")
        if "clustername" in p:
            cluster["name"] = p["clustername"]
        for field in ("allocationstate", "managedstate", "clustertype"):
            if field in p:
                cluster[field] = p[field]
        if "hypervisor" in p:
            cluster["hypervisortype"] = p["hypervisor"]
        return {"cluster": copy.deepcopy(cluster)}

    def listHosts(self, p):
        return self._list("host", self.data["hosts"], p,
                          {"id": "id", "name": "name", "zoneid": "zoneid", "podid": "podid", "clusterid": "clusterid",
                           "type": "type", "state": "state", "resourcestate": "resourcestate",
                           "hypervisor": "hypervisor"})

    def addHost(self, p):
        zone = self._zone(p["zoneid"])
        pod = self.state.find("pods", p["podid"], "podid")
        if "clusterid" in p:
            cluster = self.state.find("clusters", p["clusterid"], "clusterid")
        else:
            named = [c for c in self.data["clusters"] if c["name"] == p.get("clustername") and c["podid"] == pod["id"]]
            if not named:
                raise invalid("STAND-IN: addHost needs an existing cluster (clusterid or clustername)")
            cluster = named[0]
        if pod["zoneid"] != zone["id"] or cluster["podid"] != pod["id"]:
            raise invalid("Cluster %s is not in pod %s of zone %s" % (cluster["name"], pod["name"], zone["name"]))
        if cluster["hypervisortype"].lower() != p["hypervisor"].lower():
            raise invalid("Cluster's hypervisor type %s does not match the host's %s"
                          % (cluster["hypervisortype"], p["hypervisor"]))
        return {"count": 1, "host": [self._new_host(zone, pod, cluster, p)]}

    def _new_host(self, zone, pod, cluster, p):
        address = urllib.parse.urlsplit(p["url"]).hostname or p["url"]
        self._unique("hosts", address, "A host with address %s already exists" % address, field="ipaddress")
        host = {"id": str(uuid.uuid4()), "name": address, "ipaddress": address, "zoneid": zone["id"],
                "zonename": zone["name"], "podid": pod["id"], "podname": pod["name"], "clusterid": cluster["id"],
                "clustername": cluster["name"], "clustertype": cluster["clustertype"], "hypervisor": p["hypervisor"],
                "type": "Routing", "state": "Up", "resourcestate": "Enabled", "hosttags": p.get("hosttags", "")}
        if p.get("allocationstate") == "Disable":
            host["resourcestate"] = "Disabled"
        self.data["hosts"].append(host)
        return copy.deepcopy(host)

    def updateHost(self, p):
        host = self.state.find("hosts", p["id"], "id")
        state = p.get("allocationstate")
        if state not in (None, "Enable", "Disable"):
            raise invalid("Invalid allocation state %s" % state)
        if state:
            host["resourcestate"] = state + "d"
        if "hosttags" in p:
            host["hosttags"] = p["hosttags"]
        return {"host": copy.deepcopy(host)}

    def _host_event(self, command, host):
        self.data["host_events"].append({"command": command, "host": host["name"], "time": time.time()})

    def prepareHostForMaintenance(self, p):
        host = self.state.find("hosts", p["id"], "id")
        if host["resourcestate"] in ("PrepareForMaintenance", "Maintenance"):
            raise invalid("Host %s is already in maintenance" % host["name"])
        host["resourcestate"] = "PrepareForMaintenance"
        self._host_event("prepareHostForMaintenance", host)

        def done():
            host["resourcestate"] = "Maintenance"
            return {"host": copy.deepcopy(host)}
        return self._job("prepareHostForMaintenance", "host", done, host["id"])

    def cancelHostMaintenance(self, p):
        host = self.state.find("hosts", p["id"], "id")
        self._host_event("cancelHostMaintenance", host)
        stays_down = host["name"] in self.data.get("faults", {}).get("hosts_stay_disconnected", [])

        def done():
            # CloudStack: the host reconnects (state Up) unless its agent does not come back
            host["resourcestate"] = "Enabled"
            host["state"] = "Disconnected" if stays_down else "Up"
            return {"host": copy.deepcopy(host)}
        return self._job("cancelHostMaintenance", "host", done, host["id"])

    # -- storage -------------------------------------------------------------

    def listStoragePools(self, p):
        return self._list("storagepool", self.data["storagepools"], p,
                          {"id": "id", "name": "name", "zoneid": "zoneid", "podid": "podid", "clusterid": "clusterid",
                           "scope": "scope", "ipaddress": "ipaddress", "path": "path"})

    def createStoragePool(self, p):
        zone = self._zone(p["zoneid"])
        scope = p.get("scope", "cluster" if "clusterid" in p else "zone").upper()
        pool = {"id": str(uuid.uuid4()), "name": p["name"], "zoneid": zone["id"], "zonename": zone["name"],
                "scope": scope, "state": "Up", "provider": p.get("provider", "DefaultPrimary"),
                "tags": p.get("tags", ""), "overprovisionfactor": "2.0"}
        if scope == "CLUSTER":
            if "podid" not in p or "clusterid" not in p:
                raise invalid("Cluster id requires pod id")
            pod = self.state.find("pods", p["podid"], "podid")
            cluster = self.state.find("clusters", p["clusterid"], "clusterid")
            if pod["zoneid"] != zone["id"] or cluster["podid"] != pod["id"]:
                raise invalid("Cluster %s is not in pod %s of zone %s" % (cluster["name"], pod["name"], zone["name"]))
            pool.update(podid=pod["id"], podname=pod["name"], clusterid=cluster["id"], clustername=cluster["name"],
                        hypervisor=cluster["hypervisortype"])
        elif scope == "ZONE":
            if "hypervisor" not in p:
                raise invalid("Hypervisor type must be specified for zone wide primary storage")
            pool["hypervisor"] = p["hypervisor"]
        else:
            raise invalid("Invalid scope %s" % p["scope"])
        self._unique("storagepools", p["name"], "Storage pool %s already exists in zone %s"
                     % (p["name"], zone["name"]), zoneid=zone["id"])
        url = urllib.parse.urlsplit(p["url"])
        pool.update(ipaddress=url.hostname or "", path=url.path,
                    type={"nfs": "NetworkFilesystem", "rbd": "RBD", "iscsi": "IscsiLUN"}.get(url.scheme, url.scheme),
                    disksizetotal=int(p.get("capacitybytes", 0) or 0), disksizeallocated=0, disksizeused=0)
        if "capacityiops" in p:
            pool["capacityiops"] = int(p["capacityiops"])
        self.data["storagepools"].append(pool)
        return {"storagepool": copy.deepcopy(pool)}

    def updateStoragePool(self, p):
        pool = self.state.find("storagepools", p["id"], "id")
        if "tags" in p:
            pool["tags"] = p["tags"]
        if "capacitybytes" in p:
            pool["disksizetotal"] = int(p["capacitybytes"])
        if "capacityiops" in p:
            pool["capacityiops"] = int(p["capacityiops"])
        if "enabled" in p:
            pool["state"] = "Up" if _truthy(p["enabled"]) else "Disabled"
        return {"storagepool": copy.deepcopy(pool)}

    def listStorageProviders(self, p):
        if p["type"] not in ("primary", "image"):
            raise invalid("Invalid storage provider type %s" % p["type"])
        names = ["DefaultPrimary"] if p["type"] == "primary" else ["NFS", "S3", "Swift"]
        return {"count": len(names), "dataStoreProvider": [{"name": n, "type": p["type"]} for n in names]}

    def listImageStores(self, p):
        return self._list("imagestore", self.data["imagestores"], p,
                          {"id": "id", "name": "name", "zoneid": "zoneid", "provider": "providername",
                           "protocol": "protocol"})

    def addImageStore(self, p):
        if p["provider"] not in ("NFS", "S3", "Swift"):
            raise invalid("Invalid image store provider %s" % p["provider"])
        store = {"id": str(uuid.uuid4()), "providername": p["provider"], "scope": "REGION"}
        if "zoneid" in p:
            zone = self._zone(p["zoneid"])
            store.update(zoneid=zone["id"], zonename=zone["name"], scope="ZONE")
        if "url" in p:
            url = urllib.parse.urlsplit(p["url"])
            store.update(url=p["url"], protocol=url.scheme)
        store["name"] = p.get("name", store.get("url", store["id"]))
        self._unique("imagestores", store["name"], "An image store with name %s already exists" % store["name"])
        self.data["imagestores"].append(store)
        return {"imagestore": copy.deepcopy(store)}

    # -- configuration, hypervisor capabilities, offerings, VMs ----------------

    def _config_scope(self, p):
        for param, scope, collection in (("zoneid", "zone", "zones"), ("clusterid", "cluster", "clusters"),
                                         ("storageid", "storagepool", "storagepools"),
                                         ("accountid", "account", None)):
            if param in p:
                if collection:
                    self.state.find(collection, p[param], param)
                return scope, p[param]
        return None, None

    def _config_view(self, name, config, scope, ident):
        value = config["overrides"].get("%s/%s" % (scope, ident), config["value"]) if scope else config["value"]
        view = {"name": name, "category": config["category"], "value": value, "description": config["description"]}
        if scope:
            view.update(scope=scope, id=ident)
        return view

    def listConfigurations(self, p):
        scope, ident = self._config_scope(p)
        out = []
        for name, config in sorted(self.data["configurations"].items()):
            if "name" in p and p["name"].lower() not in name.lower():
                continue
            if "category" in p and p["category"] != config["category"]:
                continue
            if scope and scope not in config["scopes"]:
                continue
            out.append(self._config_view(name, config, scope, ident))
        if not out:
            return {}
        return {"count": len(out), "configuration": _page(out, p)}

    def updateConfiguration(self, p):
        config = self.data["configurations"].get(p["name"])
        if config is None:
            raise invalid("Config parameter with name %s doesn't exist" % p["name"])
        scope, ident = self._config_scope(p)
        if scope and scope not in config["scopes"]:
            raise invalid("Invalid scope id provided for the parameter %s" % p["name"])
        value = p.get("value", "")
        if scope:
            config["overrides"]["%s/%s" % (scope, ident)] = value
        else:
            config["value"] = value
        return {"configuration": self._config_view(p["name"], config, scope, ident)}

    def listHypervisorCapabilities(self, p):
        items = _filtered(self.data["hypervisorcapabilities"], p, {"id": "id", "hypervisor": "hypervisor"})
        if not items:
            return {}
        return {"count": len(items), "hypervisorCapabilities": copy.deepcopy(_page(items, p))}

    def updateHypervisorCapabilities(self, p):
        if "id" not in p:
            raise invalid("STAND-IN: updateHypervisorCapabilities needs id")
        caps = self.state.find("hypervisorcapabilities", p["id"], "id")
        if "maxguestslimit" in p:
            caps["maxguestslimit"] = int(p["maxguestslimit"])
        if "securitygroupenabled" in p:
            caps["securitygroupenabled"] = _truthy(p["securitygroupenabled"])
        return {"hypervisorcapabilities": copy.deepcopy(caps)}

    def listDiskOfferings(self, p):
        return self._list("diskoffering", self.data["diskofferings"], p,
                          {"id": "id", "name": "name", "domainid": "domainid"})

    def createDiskOffering(self, p):
        self._unique("diskofferings", p["name"], "STAND-IN: a disk offering named %s already exists "
                     "(CloudStack allows duplicate names; the stand-in does not)" % p["name"])
        offering = {"id": str(uuid.uuid4()), "name": p["name"], "displaytext": p["displaytext"],
                    "disksize": int(p.get("disksize", 0) or 0), "iscustomized": _truthy(p.get("customized")),
                    "storagetype": p.get("storagetype", "shared"), "provisioningtype": p.get("provisioningtype", "thin"),
                    "displayoffering": _truthy(p.get("displayoffering", "true"))}
        for field in ("tags", "domainid", "bytesreadrate", "byteswriterate", "iopsreadrate", "iopswriterate",
                      "miniops", "maxiops", "hypervisorsnapshotreserve"):
            if field in p:
                offering[field] = p[field]
        self.data["diskofferings"].append(offering)
        return {"diskoffering": copy.deepcopy(offering)}

    def updateDiskOffering(self, p):
        offering = self.state.find("diskofferings", p["id"], "id")
        for field in ("name", "displaytext", "sortkey"):
            if field in p:
                offering[field] = p[field]
        if "displayoffering" in p:
            offering["displayoffering"] = _truthy(p["displayoffering"])
        return {"diskoffering": copy.deepcopy(offering)}

    def listVirtualMachines(self, p):
        return self._list("virtualmachine", self.data["virtualmachines"], p,
                          {"id": "id", "name": "name", "zoneid": "zoneid", "podid": "podid", "hostid": "hostid",
                           "state": "state", "hypervisor": "hypervisor"})

    version = "?"

    def listCapabilities(self, p):
        del p
        return {"capability": {"cloudstackversion": "STAND-IN (API table of CloudStack %s)" % self.version,
                               "apilimitinterval": 1, "apilimitmax": 0, "securitygroupsenabled": False,
                               "userpublictemplateenabled": True, "supportELB": "false",
                               "projectinviterequired": False, "allowusercreateprojects": True}}

    def listApis(self, p):
        names = [p["name"]] if "name" in p else sorted(self.commands)
        apis = []
        for name in names:
            if name not in self.commands:
                raise invalid("Unable to find the API %s" % name)
            entry = self.commands[name]
            apis.append({"name": name, "isasync": entry["async"],
                         "params": [{"name": n, "required": n in entry["required"]} for n in entry["params"]]})
        return {"count": len(apis), "api": apis}

    def queryAsyncJobResult(self, p):
        for job in self.data["jobs"]:
            if job["jobid"] == p["jobid"]:
                break
        else:
            raise invalid("Unable to find job by id %s" % p["jobid"])
        if job["jobstatus"] == 0:
            job["polls"] += 1
            if job["polls"] > self.state.async_polls:
                apply = self._pending.pop(job["jobid"], None)
                if apply is None:
                    job.update(jobstatus=2, jobresultcode=530,
                               jobresult={"errorcode": 530, "errortext": "STAND-IN: job lost with a restart"})
                else:
                    try:
                        job.update(jobstatus=1, jobresultcode=0, jobresult=apply())
                    except ApiError as exc:
                        job.update(jobstatus=2, jobresultcode=exc.code,
                                   jobresult={"errorcode": exc.code, "errortext": exc.text})
        out = {"jobid": job["jobid"], "cmd": job["cmd"], "jobstatus": job["jobstatus"],
               "jobprocstatus": 0, "created": job["created"]}
        if job["jobstatus"] != 0:
            out.update(jobresultcode=job["jobresultcode"], jobresulttype="object",
                       jobresult=copy.deepcopy(job["jobresult"]))
        return out


IMPLEMENTED = sorted(name for name in dir(Api) if name[:1].islower() and callable(getattr(Api, name)))


class StandIn:
    """The request pipeline: signature, command, parameters, state."""

    def __init__(self, keys, state, table_path=None):
        self.keys = keys
        self.state = state
        self.table, self.commands = load_table(table_path)
        self.api = Api(state, self.commands)
        self.api.version = self.table["cloudstack_version"]
        missing = [name for name in IMPLEMENTED if name not in self.commands]
        if missing:
            raise SystemExit("STAND-IN bug: implemented but not in the table: %s" % missing)

    def handle(self, params):
        """Return (HTTP status, body dict) for one request's parameters (name -> first value)."""
        command = _get_ci(params, "command") or ""
        response_name = command.lower() + "response"
        try:
            with self.state.lock:
                result = self._dispatch(command, params)
                self.state.save()
            return 200, {response_name: result}
        except ApiError as exc:
            LOG.info("STAND-IN %s -> %s %s", command, exc.code, exc.text)
            with self.state.lock:
                self.state.save()
            return exc.code, {response_name: {"uuidList": [], "errorcode": exc.code,
                                              "cserrorcode": exc.cserrorcode, "errortext": exc.text}}

    def _dispatch(self, command, params):
        verify_signature(params, self.keys)
        if (_get_ci(params, "response") or "xml").lower() != "json":
            raise ApiError(INTERNAL_ERROR, "STAND-IN: only response=json is implemented")
        entry = self.commands.get(command)
        if entry is None:
            raise ApiError(UNSUPPORTED_ACTION_ERROR, UNKNOWN_COMMAND_TEXT)
        args = {}
        unknown = []
        for key, value in params.items():
            if key.lower() in FRAMEWORK_PARAMS:
                continue
            if _param_name(key) not in entry["params"]:
                unknown.append(key)
            args[key] = value
        self.state.data["requests"].append({"command": command, "params": sorted(args)})
        if unknown:
            self.state.data["unknown_params"].append({"command": command, "params": sorted(unknown)})
            raise ApiError(PARAM_ERROR, "STAND-IN: unknown parameter(s) %s for command %s (CloudStack would ignore "
                                        "them; the stand-in refuses them, see signatures.json and allowlist.json)"
                           % (", ".join(sorted(unknown)), command))
        for name in entry["required"]:
            if name not in args:
                raise ApiError(PARAM_ERROR, "Unable to execute API command %s due to missing parameter %s"
                               % (command.lower(), name))
        handler = getattr(self.api, command, None) if command in IMPLEMENTED else None
        if handler is None:
            raise ApiError(INTERNAL_ERROR, "STAND-IN: command %s is in CloudStack's API but not implemented by "
                                           "the stand-in" % command)
        LOG.info("STAND-IN %s %s", command, sorted(args))
        return handler(args)


def parse_request(query, body, content_type):
    """The request's parameters as the servlet sees them: query string and form body, first value wins."""
    params = {}
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        pairs += urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True)
    for key, value in pairs:
        params.setdefault(key, value)
    return params


def make_handler(standin):
    """A BaseHTTPRequestHandler class bound to standin."""

    class Handler(BaseHTTPRequestHandler):
        """GET and POST on any path."""

        server_version = "CloudStack-API-STAND-IN"

        def _answer(self, body):
            length = int(self.headers.get("Content-Length") or 0)
            data = self.rfile.read(length) if length else b""
            query = urllib.parse.urlsplit(self.path).query
            params = parse_request(query, data, self.headers.get("Content-Type", ""))
            status, payload = standin.handle(params)
            out = json.dumps(payload).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            if body:
                self.wfile.write(out)

        def do_GET(self):  # pylint: disable=invalid-name
            """CloudStack accepts GET with the parameters in the query string."""
            self._answer(True)

        def do_POST(self):  # pylint: disable=invalid-name
            """... and POST with them in a form body."""
            self._answer(True)

        def log_message(self, format, *args):  # pylint: disable=redefined-builtin
            LOG.debug("STAND-IN http %s", format % args)

    return Handler


def serve(port, keys, state_path=None, async_polls=1, ready=None):
    """Serve on 127.0.0.1:port until SIGTERM/SIGINT (or server.shutdown()); returns the server."""
    standin = StandIn(keys, State(state_path, async_polls))
    httpd = ThreadingHTTPServer(("127.0.0.1", port), make_handler(standin))
    httpd.daemon_threads = True
    httpd.standin = standin
    if ready is not None:
        ready(httpd)
    return httpd


def main(argv=None):
    parser = argparse.ArgumentParser(description="CloudStack API STAND-IN (tests only; not CloudStack)")
    parser.add_argument("--port", type=int, default=8096)
    parser.add_argument("--state", help="JSON state file, read at start and written after each change")
    parser.add_argument("--keys", action="append", default=[], metavar="APIKEY:SECRET")
    parser.add_argument("--keys-file", metavar="FILE",
                        help="APIKEY:SECRET lines (keeps the secret off the process list)")
    parser.add_argument("--async-polls", type=int, default=1,
                        help="queryAsyncJobResult answers jobstatus 0 this many times before the result")
    args = parser.parse_args(argv)
    pairs = list(args.keys)
    if args.keys_file:
        with open(args.keys_file, encoding="utf-8") as handle:
            pairs += [line.strip() for line in handle if line.strip()]
    if not pairs or not all(":" in pair for pair in pairs):
        parser.error("give the API keys as APIKEY:SECRET with --keys or --keys-file")
    keys = dict(k.split(":", 1) for k in pairs)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    httpd = serve(args.port, keys, args.state, args.async_polls)

    def stop(signum, frame):
        del frame
        LOG.info("STAND-IN stopping on signal %s", signum)
        threading.Thread(target=httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    LOG.info("CloudStack API STAND-IN (not CloudStack) on http://127.0.0.1:%d/client/api, table of CloudStack %s",
             httpd.server_address[1], httpd.standin.table["cloudstack_version"])
    try:
        httpd.serve_forever()
    finally:
        httpd.server_close()


if __name__ == "__main__":
    main()
