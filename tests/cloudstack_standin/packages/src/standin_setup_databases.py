"""STAND-IN for tests only: cloudstack-setup-databases.

This is NOT CloudStack's tool and nothing it does is proof of CloudStack
behaviour. It parses enough of the real command line, emulates the
version-dependent handling of --deploy-as / --force-recreate / --schema-only
(see decide()), writes /etc/cloudstack/management/db.properties and the key
file, and records every call (passwords and keys replaced by ***) in
/var/log/cloudstack-standin/setup-databases.jsonl. The schema it makes is a
handful of tables, not CloudStack's.

Installed by the stand-in cloudstack-common package as
/usr/lib/cloudstack-standin/standin_setup_databases.py; /usr/bin/cloudstack-
setup-databases is a wrapper that passes the package version baked in at
build time.
"""

import argparse
import os
import secrets
import socket
import sys

import standin_common as common

DEFAULT_DBKEY = "password"  # the real tool's default for -k
SECRET_OPTIONS = ("--deploy-as", "-m", "--managementserver-key", "-k", "--database-secretkey")

TABLES = (
    "CREATE TABLE IF NOT EXISTS `cloud`.`configuration` (name varchar(255) PRIMARY KEY, value text, category varchar(255))",
    "CREATE TABLE IF NOT EXISTS `cloud`.`version` (id int AUTO_INCREMENT PRIMARY KEY, version varchar(40))",
    "CREATE TABLE IF NOT EXISTS `cloud`.`mshost` (id int PRIMARY KEY, msid bigint, name varchar(255), service_ip varchar(40))",
    "CREATE TABLE IF NOT EXISTS `cloud_usage`.`usage_event` (id int)",
)


def decide(version, deploy_as, force_recreate, schema_only, schema_has_tables):
    """The action the stand-in takes: created, kept, dropped-and-created, refused or config-only.

    Emulated (not proved) behaviour of the real tool:
    * before 4.21, --deploy-as (and --schema-only) drop and recreate;
    * from 4.21, --schema-only without --force-recreate is refused, and
      --deploy-as creates only what is absent unless --force-recreate;
    * without either, only db.properties is written.
    """
    modern = common.version_tuple(version) >= (4, 21)
    if modern and schema_only and not force_recreate:
        return "refused"
    if not deploy_as and not schema_only:
        return "config-only"
    if not modern or force_recreate:
        return "dropped-and-created"
    if schema_only:  # modern with --force-recreate was handled above
        return "dropped-and-created"
    return "kept" if schema_has_tables else "created"


class Parser(argparse.ArgumentParser):
    """argparse that exits 2 with the usage, like the real optparse-based tool."""

    def error(self, message):
        self.print_usage(sys.stderr)
        sys.stderr.write("cloudstack-setup-databases (STAND-IN): error: %s\n" % message)
        sys.exit(2)


def build_parser():
    parser = Parser(prog="cloudstack-setup-databases",
                    description="STAND-IN for tests only of CloudStack's cloudstack-setup-databases")
    parser.add_argument("dburl", help="user:password@host[:port] of the cloud database user")
    parser.add_argument("--deploy-as", dest="deploy_as", metavar="USER:PASSWORD",
                        help="database administrator that creates the databases and the cloud user")
    parser.add_argument("-e", "--encrypt-type", dest="encrypt_type", default="file", choices=("file", "web"))
    parser.add_argument("-m", "--managementserver-key", dest="ms_key")
    parser.add_argument("-k", "--database-secretkey", dest="db_key")
    parser.add_argument("-i", "--mshost", dest="mshost")
    parser.add_argument("-r", "--regionid", dest="region_id", default="1")
    parser.add_argument("--force-recreate", dest="force_recreate", action="store_true")
    parser.add_argument("--schema-only", dest="schema_only", action="store_true")
    return parser


def parse_args(argv):
    """(options, unknown arguments); unknown options are accepted and recorded."""
    return build_parser().parse_known_args(argv)


def parse_dburl(text):
    """'user:password@host[:port]' -> (user, password, host, port)."""
    if "@" not in text or ":" not in text.split("@", 1)[0]:
        raise ValueError("expected user:password@host[:port], got %r" % redact([text])[0])
    cred, hostport = text.rsplit("@", 1)
    user, password = cred.split(":", 1)
    host, port = hostport, 3306
    if ":" in hostport:
        host, port_text = hostport.rsplit(":", 1)
        port = int(port_text)
    if not user or not host:
        raise ValueError("user and host must not be empty")
    return user, password, host, port


def parse_deploy_as(text):
    """'root:PASSWORD' -> ('root', 'PASSWORD'); 'root' -> ('root', '')."""
    parts = text.split(":", 1)
    return parts[0], parts[1] if len(parts) > 1 else ""


def _redact_value(option, value):
    if option == "--deploy-as":
        return parse_deploy_as(value)[0] + ":***"
    return "***"


def redact(argv):
    """argv with every password and key replaced by ***."""
    out = []
    hide_next = None
    for arg in argv:
        if hide_next:
            out.append(_redact_value(hide_next, arg))
            hide_next = None
            continue
        if arg in SECRET_OPTIONS:
            out.append(arg)
            hide_next = arg
            continue
        long_opt = next((opt for opt in SECRET_OPTIONS if opt.startswith("--") and arg.startswith(opt + "=")), None)
        if long_opt:
            out.append(long_opt + "=" + _redact_value(long_opt, arg[len(long_opt) + 1:]))
        elif arg[:2] in ("-m", "-k") and len(arg) > 2:
            out.append(arg[:2] + "***")
        elif not arg.startswith("-") and "@" in arg and ":" in arg.split("@", 1)[0]:
            cred, host = arg.rsplit("@", 1)
            out.append(cred.split(":", 1)[0] + ":***@" + host)
        else:
            out.append(arg)
    return out


def sql_str(value):
    """A MariaDB string literal."""
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def schema_sql(action, version, cloud_user, cloud_password, dbkey, host_value, with_users=True):
    """The SQL the stand-in runs for action (dropped-and-created, created or kept)."""
    drop = action == "dropped-and-created"
    stmts = []
    for name in ("cloud", "cloud_usage"):
        if drop:
            stmts.append("DROP DATABASE IF EXISTS `%s`" % name)
        stmts.append("CREATE DATABASE IF NOT EXISTS `%s`" % name)
    if with_users:
        for host in ("localhost", "%"):
            account = "%s@%s" % (sql_str(cloud_user), sql_str(host))
            stmts.append("CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s" % (account, sql_str(cloud_password)))
            if drop:
                stmts.append("ALTER USER %s IDENTIFIED BY %s" % (account, sql_str(cloud_password)))
            stmts.append("GRANT ALL ON `cloud`.* TO %s" % account)
            stmts.append("GRANT ALL ON `cloud_usage`.* TO %s" % account)
    stmts.extend(TABLES)
    stmts.append("INSERT IGNORE INTO `cloud`.`version` (id, version) VALUES (1, %s)" % sql_str(version))
    for name, value in (("host", host_value), ("indirect.agent.lb.algorithm", "roundrobin"),
                        ("standin.dbkey.check", common.key_check(dbkey))):
        stmts.append("INSERT IGNORE INTO `cloud`.`configuration` (name, value, category) VALUES (%s, %s, 'Advanced')"
                     % (sql_str(name), sql_str(value)))
    return ";\n".join(stmts) + ";\n"


def schema_has_tables(user, password, host, port):
    result = common.mysql(host, port, user, password,
                          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='cloud';")
    if result.returncode != 0:
        raise RuntimeError("cannot query the database as %s: %s" % (user, result.stderr.strip()))
    return int(result.stdout.strip() or 0) > 0


def db_properties(opts, user, password, host, port, ms_key, dbkey):
    mshost = opts.mshost or _own_ip()
    lines = [
        "# STAND-IN for tests only: written by the cloudstack-setup-databases stand-in,",
        "# not by CloudStack. ENC(...) values use the stand-in's non-cryptographic scheme.",
        "cluster.node.IP=%s" % mshost,
        "cluster.servlet.port=9090",
        "region.id=%s" % opts.region_id,
    ]
    for prefix, name in (("db.cloud", "cloud"), ("db.usage", "cloud_usage")):
        lines += [
            "%s.username=%s" % (prefix, user),
            "%s.password=%s" % (prefix, common.encrypt(ms_key, password)),
            "%s.host=%s" % (prefix, host),
            "%s.port=%s" % (prefix, port),
            "%s.name=%s" % (prefix, name),
        ]
    lines += [
        "db.cloud.encryption.type=%s" % opts.encrypt_type,
        "db.cloud.encrypt.secret=%s" % common.encrypt(ms_key, dbkey),
        "db.ha.enabled=false",
    ]
    return "\n".join(lines) + "\n"


def _own_ip():
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def main(argv, version):
    opts, unknown = parse_args(argv)
    record = {"argv": redact(argv), "unknown": redact(unknown), "deploy_as": bool(opts.deploy_as),
              "force_recreate": opts.force_recreate, "schema_only": opts.schema_only, "version": version}
    try:
        user, password, host, port = parse_dburl(opts.dburl)
    except ValueError as exc:
        common.log_call("setup-databases", dict(record, action="error", error=str(exc)))
        sys.stderr.write("cloudstack-setup-databases (STAND-IN): %s\n" % exc)
        return 2
    modern = common.version_tuple(version) >= (4, 21)
    has_tables = False
    admin_user, admin_password = parse_deploy_as(opts.deploy_as) if opts.deploy_as else (user, password)
    try:
        if opts.deploy_as and modern and not opts.force_recreate and not opts.schema_only:
            has_tables = schema_has_tables(admin_user, admin_password, host, port)
        action = decide(version, bool(opts.deploy_as), opts.force_recreate, opts.schema_only, has_tables)
        record["action"] = action
        if action == "refused":
            common.log_call("setup-databases", record)
            sys.stderr.write("cloudstack-setup-databases (STAND-IN %s): --schema-only needs --force-recreate "
                             "from 4.21 on (it would drop the existing schema); refused\n" % version)
            return 1
        ms_key = opts.ms_key
        key_state = "kept"
        if not os.path.exists(common.KEY_FILE):
            ms_key = ms_key or secrets.token_urlsafe(24)
            common.write_private(common.KEY_FILE, ms_key + "\n")
            key_state = "written"
        elif not ms_key:
            with open(common.KEY_FILE, encoding="utf-8") as handle:
                ms_key = handle.read().strip()
        record["key_file"] = key_state
        dbkey = opts.db_key or DEFAULT_DBKEY
        if action != "config-only":
            sql = schema_sql(action, version, user, password, dbkey, opts.mshost or "localhost",
                             with_users=bool(opts.deploy_as))
            result = common.mysql(host, port, admin_user, admin_password, sql)
            if result.returncode != 0:
                raise RuntimeError("mysql failed as %s: %s" % (admin_user, result.stderr.strip()))
        common.write_private(common.DB_PROPERTIES, db_properties(opts, user, password, host, port, ms_key, dbkey))
    except (RuntimeError, OSError) as exc:
        common.log_call("setup-databases", dict(record, action="error", error=str(exc)))
        sys.stderr.write("cloudstack-setup-databases (STAND-IN): %s\n" % exc)
        return 1
    common.log_call("setup-databases", record)
    print("STAND-IN cloudstack-setup-databases %s: %s; wrote %s (key file %s)"
          % (version, action, common.DB_PROPERTIES, key_state))
    return 0
