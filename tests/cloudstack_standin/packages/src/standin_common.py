"""STAND-IN for tests only: helpers shared by the stand-in CloudStack packages.

This is NOT CloudStack and nothing it does is proof of CloudStack behaviour.
build_repo.py installs it as /usr/lib/cloudstack-standin/standin_common.py in
the stand-in cloudstack-common package.

The "encryption" here is NOT real cryptography: a value is XORed with a
SHA-256 counter stream keyed by the key file's text and a random nonce, with
a truncated HMAC-SHA256 tag so that a wrong key is detected; base64, wrapped
in ENC(...) like CloudStack's db.properties. It only has to be reversible
with the right key, fail with a wrong one and keep clear text out of files.
"""

import argparse
import base64
import grp
import hashlib
import hmac
import json
import logging
import os
import secrets
import subprocess
import time

ETC_MANAGEMENT = "/etc/cloudstack/management"
DB_PROPERTIES = ETC_MANAGEMENT + "/db.properties"
KEY_FILE = ETC_MANAGEMENT + "/key"
ETC_USAGE = "/etc/cloudstack/usage"
DEFAULTS_FILE = "/etc/default/cloudstack-management"
STANDIN_LOG_DIR = "/var/log/cloudstack-standin"

NONCE_BYTES = 8
TAG_BYTES = 8


def version_tuple(version):
    """'4.22.0.0' -> (4, 22, 0, 0); non-numeric parts count as 0."""
    parts = []
    for part in str(version).split("."):
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def version_line(version):
    """'4.22.0.0' -> '4.22', the component of CloudStack's apt repository."""
    return ".".join(str(version).split(".")[:2])


def _stream(key, nonce, length):
    out = b""
    counter = 0
    while len(out) < length:
        out += hashlib.sha256(key + nonce + counter.to_bytes(4, "big")).digest()
        counter += 1
    return out[:length]


def _key_bytes(key):
    return key.strip().encode() if isinstance(key, str) else key.strip()


def encrypt(key, text):
    """Stand-in (not real crypto) reversible encryption, 'ENC(...)'."""
    kbytes = _key_bytes(key)
    nonce = secrets.token_bytes(NONCE_BYTES)
    data = text.encode()
    body = bytes(a ^ b for a, b in zip(data, _stream(kbytes, nonce, len(data))))
    tag = hmac.new(kbytes, nonce + body, hashlib.sha256).digest()[:TAG_BYTES]
    return "ENC(%s)" % base64.b64encode(nonce + tag + body).decode()


def decrypt(key, value):
    """Reverse encrypt(); ValueError when the value was made with another key."""
    if not (value.startswith("ENC(") and value.endswith(")")):
        raise ValueError("not an ENC(...) value")
    try:
        raw = base64.b64decode(value[4:-1], validate=True)
    except ValueError as exc:
        raise ValueError("ENC(...) value is not base64") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise ValueError("ENC(...) value too short")
    kbytes = _key_bytes(key)
    nonce, tag, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:NONCE_BYTES + TAG_BYTES], raw[NONCE_BYTES + TAG_BYTES:]
    want = hmac.new(kbytes, nonce + body, hashlib.sha256).digest()[:TAG_BYTES]
    if not hmac.compare_digest(tag, want):
        raise ValueError("ENC(...) value was not made with this key")
    return bytes(a ^ b for a, b in zip(body, _stream(kbytes, nonce, len(body)))).decode()


def key_check(dbkey):
    """What the stand-in stores in cloud.configuration to compare database keys."""
    return hmac.new(_key_bytes(dbkey), b"cloudstack-standin", hashlib.sha256).hexdigest()


def read_properties(path):
    """A Java-style .properties file (key=value, '#' comments) as a dict."""
    props = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line or line.startswith(("#", "!")) or "=" not in line:
                continue
            name, value = line.split("=", 1)
            props[name.strip()] = value.strip()
    return props


def read_defaults(path=DEFAULTS_FILE):
    """KEY=VALUE lines of an /etc/default file; {} when it is missing."""
    values = {}
    if not os.path.exists(path):
        return values
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line.startswith("export "):
                line = line[len("export "):]
            if not line or line.startswith("#") or "=" not in line:
                continue
            name, value = line.split("=", 1)
            values[name.strip()] = value.strip().strip("'\"")
    return values


def chgrp_cloud(path):
    """Give path to group 'cloud' when that group exists (the real files are root:cloud)."""
    try:
        os.chown(path, 0, grp.getgrnam("cloud").gr_gid)
    except (KeyError, PermissionError):
        pass


def write_private(path, text, mode=0o640):
    """Write text to path with mode, atomically; the directory is created."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".standin-tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    chgrp_cloud(tmp)
    os.replace(tmp, path)


def log_call(name, record, log_dir=STANDIN_LOG_DIR):
    """Append one JSON line to LOG_DIR/NAME.jsonl (never pass passwords here)."""
    os.makedirs(log_dir, exist_ok=True)
    record = dict({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z")}, **record)
    with open(os.path.join(log_dir, name + ".jsonl"), "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, sort_keys=True) + "\n")


def mysql(host, port, user, password, sql, timeout=60, ssl="prefer"):
    """Run SQL (stdin) with the mysql client; the password goes in MYSQL_PWD only.

    ssl: "prefer" - TLS when the server offers it, else plain (what
    CloudStack's MySQL drivers do by default: Connector/J's sslMode=PREFERRED,
    Connector/Python's default); "require" - --ssl and no plain retry
    (CloudStack's db.cloud.useSSL=true); over TCP only. MariaDB 10.11's
    client with --ssl still talks plain to a server without TLS: the
    refusal of a plain connection is the server's (REQUIRE SSL), not this."""
    env = dict(os.environ)
    env.pop("MYSQL_PWD", None)
    if password:
        env["MYSQL_PWD"] = password
    cmd = ["mysql", "--batch", "--skip-column-names", "-u", user]
    tcp = bool(host and host != "localhost")
    if tcp:
        cmd += ["-h", host, "-P", str(port)]

    def run(args):
        return subprocess.run(args, input=sql, env=env, capture_output=True, text=True, timeout=timeout, check=False)

    if not tcp:
        return run(cmd)
    result = run(cmd + ["--ssl"])
    if result.returncode != 0 and ssl != "require" and ("SSL" in result.stderr or "2026" in result.stderr):
        result = run(cmd + ["--skip-ssl"])
    return result


def load_config(props_path=DB_PROPERTIES, key_path=KEY_FILE):
    """(properties, clear db password, clear database key) or ValueError saying why not.

    This is the check both stand-in servers make before they start: the
    db.properties file and the key file exist, and the key decrypts
    db.cloud.encrypt.secret (a server with another server's db.properties
    but its own key fails here, as a real one fails to decrypt)."""
    if not os.path.exists(props_path):
        raise ValueError("%s is missing (run cloudstack-setup-databases)" % props_path)
    if not os.path.exists(key_path):
        raise ValueError("key file %s is missing" % key_path)
    props = read_properties(props_path)
    with open(key_path, encoding="utf-8") as handle:
        key = handle.read().strip()
    try:
        dbkey = decrypt(key, props.get("db.cloud.encrypt.secret", ""))
        password = decrypt(key, props.get("db.cloud.password", ""))
    except ValueError as exc:
        raise ValueError("cannot decrypt %s with the key in %s: %s" % (props_path, key_path, exc)) from exc
    return props, password, dbkey


def service_start(what, log_file, argv=None):
    """The stand-in services' command line (--version) and their log file
    (the real server's path); returns the parsed options."""
    parser = argparse.ArgumentParser(description="STAND-IN for tests only of the CloudStack %s" % what)
    parser.add_argument("--version", default="unknown")
    opts = parser.parse_args(argv)
    os.makedirs(os.path.dirname(log_file), exist_ok=True)
    logging.basicConfig(filename=log_file, level=logging.INFO,
                        format="%(asctime)s %(levelname)s [standin] %(message)s")
    return opts
