"""State of the management tier after converge (molecule/management).

Run by verify.yml on the controller:
    pytest -q -p no:cacheprovider --hosts='ansible://cloudstack_management' \
        --ansible-inventory="$MOLECULE_INVENTORY_FILE" molecule/management/tests/

Everything CloudStack here is a STAND-IN (tests/cloudstack_standin/packages):
these tests prove what the role did to the hosts, not CloudStack's behaviour.
"""
import hashlib
import json
import os

import pytest
import testinfra

VERSION = "4.22.0.0"
DB_ADDRESS = "172.30.85.10"
OUTSIDE_DB = "172.30.86.10"
ADDRESSES = {"management-ms1": "172.30.85.11", "management-ms2": "172.30.85.12"}
OUTSIDE = {"management-ms1": "172.30.86.11", "management-ms2": "172.30.86.12"}
VIP = "172.30.85.30"
LBS = {"management-lb1": "172.30.85.21", "management-lb2": "172.30.85.22"}
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")

PROBE = (
    "import socket,sys,threading\n"
    "def one(i,address,port,src):\n"
    "    s=socket.socket(); s.settimeout(3)\n"
    "    src and s.bind((src,0))\n"
    "    try:\n"
    "        s.connect((address,int(port))); out[i]='open'\n"
    "    except socket.timeout: out[i]='dropped'\n"
    "    except ConnectionRefusedError: out[i]='refused'\n"
    "args=[a.split(',') for a in sys.argv[1:]]\n"
    "out=[None]*len(args)\n"
    "ts=[threading.Thread(target=one,args=(i,*a)) for i,a in enumerate(args)]\n"
    "[t.start() for t in ts]; [t.join() for t in ts]\n"
    "print(' '.join(out))\n"
)


def other_host(name):
    return testinfra.get_host("ansible://%s?ansible_inventory=%s" % (name, INVENTORY))


def probes(client, targets):
    """open / dropped (no answer in 3 s: the firewall) / refused (nothing
    listens) for each (address, port, source) of targets, probed at once from
    client (a dropped probe waits its 3 s beside the others, not after them)."""
    args = " ".join("%s,%s,%s" % (address, port, source) for address, port, source in targets)
    out = client.run("python3 -c %s %s" % (_quote(PROBE), args))
    assert out.rc == 0, out.stderr
    return out.stdout.split()


def probe(client, address, port, source=""):
    """open / dropped (no answer: the firewall) / refused (nothing listens)."""
    return probes(client, [(address, port, source)])[0]


def _quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def name_of(host):
    return host.backend.get_hostname()


def db_query(sql):
    db = other_host("management-db")
    out = db.run("mysql -N -B -e %s", sql)
    assert out.rc == 0, out.stderr
    return out.stdout.strip()


def properties(host):
    text = host.file("/etc/cloudstack/management/db.properties").content_string
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


def test_packages_from_the_standin_repository_at_the_version(host):
    for name in ("cloudstack-common", "cloudstack-management"):
        package = host.package(name)
        assert package.is_installed and package.version == VERSION
    policy = host.check_output("apt-cache policy cloudstack-management")
    assert "http://%s:8090 bookworm/4.22" % DB_ADDRESS in policy


def test_apt_source_is_signed_by_the_pinned_key(host):
    source = host.file("/etc/apt/sources.list.d/cloudstack.sources").content_string
    assert "Signed-By: /etc/apt/keyrings/cloudstack.asc" in source
    colons = host.check_output("gpg --batch --show-keys --with-colons /etc/apt/keyrings/cloudstack.asc")
    fprs = [line.split(":")[9] for line in colons.splitlines() if line.startswith("fpr:")]
    with open(os.path.join(EPHEMERAL, "standin-repo", "fingerprint"), encoding="utf-8") as handle:
        pinned = handle.read().strip()
    assert fprs[0] == pinned


def test_java_17_and_chrony(host):
    assert host.package("openjdk-17-jre-headless").is_installed
    assert 'version "17.' in host.run("java -version").stderr
    assert host.package("chrony").is_installed


def test_hostname_fqdn(host):
    assert host.check_output("hostname --fqdn") == name_of(host) + ".cloud.internal"


def test_management_service_running_and_api_answers(host):
    service = host.service("cloudstack-management")
    assert service.is_running and service.is_enabled
    out = host.check_output(
        "python3 -c %s", "import urllib.request as u; r=u.urlopen('http://127.0.0.1:8080/client/api?"
        "command=listCapabilities', timeout=10); print(r.status, r.headers['X-Standin-Server'])")
    assert out == "200 %s" % name_of(host)


def test_usage_server_on_ms2_only(host):
    if name_of(host) == "management-ms2":
        assert host.package("cloudstack-usage").is_installed
        assert host.service("cloudstack-usage").is_running
        assert host.service("cloudstack-usage").is_enabled
    else:
        assert not host.package("cloudstack-usage").is_installed


def test_key_file_is_the_first_servers():
    digests = {}
    for name in ADDRESSES:
        content = other_host(name).file("/etc/cloudstack/management/key").content
        digests[name] = hashlib.sha256(content).hexdigest()
    assert len(set(digests.values())) == 1, digests


def test_shared_secrets_are_the_first_servers():
    first = properties(other_host("management-ms1"))
    second = properties(other_host("management-ms2"))
    for key in ("db.cloud.encrypt.secret", "db.cloud.password", "db.usage.password"):
        assert first[key] == second[key] and first[key].startswith("ENC(")


def test_db_properties_database_host_and_ha_keys(host):
    props = properties(host)
    assert props["db.cloud.host"] == DB_ADDRESS
    assert props["cluster.node.IP"] == ADDRESSES[name_of(host)]
    # 4.22 (current class): the replicas keys, HA off (no replica)
    assert props["db.ha.enabled"] == "false"
    assert props["db.cloud.replicas"] == "" and props["db.usage.replicas"] == ""
    assert props["db.cloud.secondsBeforeRetrySource"] == "3600"
    assert "db.cloud.slaves" not in props


def test_setup_databases_deployed_once_on_ms1_only(host):
    log = host.file("/var/log/cloudstack-standin/setup-databases.jsonl").content_string
    calls = [json.loads(line) for line in log.splitlines() if line.strip()]
    deploys = [c for c in calls if c["deploy_as"]]
    if name_of(host) == "management-ms1":
        assert len(deploys) == 1 and deploys[0]["action"] == "created"
        assert not deploys[0]["force_recreate"] and not deploys[0]["schema_only"]
    else:
        assert deploys == [] and [c["action"] for c in calls] == ["config-only"]
    assert not any(c["schema_only"] for c in calls)
    # the secrets never reach the log
    assert "--deploy-as=root:***" in json.dumps(deploys) or not deploys


def test_schema_exists_and_host_setting():
    tables = db_query("SELECT table_name FROM information_schema.tables WHERE table_schema='cloud' ORDER BY 1")
    assert set(tables.split()) >= {"configuration", "mshost", "version"}
    assert db_query("SELECT value FROM cloud.configuration WHERE name='host'") == VIP
    # the tool's wildcard cloud accounts are gone (the database role's least privilege)
    assert db_query("SELECT COUNT(*) FROM mysql.user WHERE User='cloud' AND Host IN ('%','localhost')") == "0"


def test_firewall_from_the_database_host(host):
    """management-db is in the management network (172.30.85.10) and, as
    172.30.86.10, outside every source of the firewall; it is no load
    balancer."""
    db = other_host("management-db")
    me = name_of(host)
    inside, outside = ADDRESSES[me], OUTSIDE[me]
    expected = [
        # API: only the load balancers (and firewalls, admin sources), not the
        # rest of the management network, never the outside
        ((inside, 8080, DB_ADDRESS), "dropped"),
        ((outside, 8080, OUTSIDE_DB), "dropped"),
        # agent port: the management network (hosts, system VMs), not the outside
        ((inside, 8250, DB_ADDRESS), "open"),
        ((outside, 8250, OUTSIDE_DB), "dropped"),
        # cluster port: the other management server only
        ((inside, 9090, DB_ADDRESS), "dropped"),
        # integration port (cloudstack_mgmt_integration_api: true): open to the
        # management network, dropped from the outside
        ((inside, 8096, DB_ADDRESS), "open"),
        ((outside, 8096, OUTSIDE_DB), "dropped"),
        # SSH: management network only
        ((outside, 22, OUTSIDE_DB), "dropped"),
    ]
    got = probes(db, [target for target, _want in expected])
    assert list(zip([target for target, _want in expected], got)) == expected


@pytest.mark.parametrize("lb", ["management-lb1", "management-lb2"])
def test_api_port_open_to_the_load_balancers(host, lb):
    assert probe(other_host(lb), ADDRESSES[name_of(host)], 8080, LBS[lb]) == "open"


@pytest.mark.parametrize("pair", [("management-ms1", "management-ms2"), ("management-ms2", "management-ms1")])
def test_cluster_port_between_management_servers(pair):
    client, server = pair
    assert probe(other_host(client), ADDRESSES[server], 9090, ADDRESSES[client]) == "open"
