"""TLS between the management servers and the database (database_tls and
management_server_db_tls, both on by default), read from the running hosts
(molecule/management). The management servers here are STAND-INs: these
tests prove what the roles did and what the database server enforces, not
what CloudStack does with db.cloud.useSSL."""
import os

import testinfra

DB_ADDRESS = "172.30.85.10"
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "")
INVENTORY = os.environ.get("MOLECULE_INVENTORY_FILE", "")


def _password():
    with open(os.path.join(EPHEMERAL, "secrets", "db_password"), encoding="utf-8") as handle:
        return handle.read().split()[0]


def _mysql(host, *flags):
    """SELECT the session's TLS cipher as cloud on the database from host;
    the password in MYSQL_PWD only (not on the command line)."""
    cmd = "MYSQL_PWD=%s mysql -N -B -h %s -u cloud %s -e \"SHOW SESSION STATUS LIKE 'Ssl_cipher'\""
    return host.run(cmd % (_password(), DB_ADDRESS, " ".join(flags)))


def properties(host):
    text = host.file("/etc/cloudstack/management/db.properties").content_string
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line and not line.startswith("#"))


def test_db_properties_turn_tls_on_for_cloud_and_usage(host):
    props = properties(host)
    assert props.get("db.cloud.useSSL") == "true"
    assert props.get("db.usage.useSSL") == "true"
    # CloudStack sets the javax.net.ssl properties from these keys: present (empty: the JVM defaults)
    for key in ("db.cloud.keyStore", "db.cloud.keyStorePassword", "db.cloud.trustStore", "db.cloud.trustStorePassword"):
        assert key in props, key


def test_database_ca_installed_and_public_only(host):
    ca = host.file("/etc/cloudstack/management/db-ca.pem")
    assert ca.exists and ca.mode == 0o644
    assert "BEGIN CERTIFICATE" in ca.content_string and "PRIVATE KEY" not in ca.content_string


def test_cloud_without_tls_is_refused(host):
    out = _mysql(host, "--skip-ssl")
    assert out.rc != 0 and ("1045" in out.stderr or "Access denied" in out.stderr), (out.rc, out.stdout, out.stderr)


def test_cloud_with_tls_verified_against_the_ca_is_accepted(host):
    out = _mysql(host, "--ssl", "--ssl-ca=/etc/cloudstack/management/db-ca.pem", "--ssl-verify-server-cert")
    assert out.rc == 0, out.stderr
    name, cipher = out.stdout.split()
    assert name == "Ssl_cipher" and cipher


def test_database_server_key_is_private():
    db = testinfra.get_host("ansible://management-db?ansible_inventory=%s" % INVENTORY)
    key = db.file("/etc/mysql/ssl/server.key")
    assert key.mode == 0o640 and key.user == "root" and key.group == "mysql"
