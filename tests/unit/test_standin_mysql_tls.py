"""The stand-in's mysql client wrapper (tests/cloudstack_standin/packages/
src/standin_common.py) and TLS: db.cloud.useSSL=true ("require") never falls
back to a plain connection; the default ("prefer", what CloudStack's drivers
do without useSSL) tries TLS, then plain when the server has none. A fake
`mysql` on PATH records its arguments. These prove the stand-in, never
CloudStack behaviour."""
import os
import sys

PACKAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cloudstack_standin", "packages")
sys.path.insert(0, os.path.join(PACKAGES, "src"))

import standin_common as common  # noqa: E402  pylint: disable=wrong-import-position,import-error

FAKE = """#!/bin/sh
echo "$@" >> "{log}"
case "$*" in
  *--skip-ssl*) echo 1; exit 0;;
  *--ssl*) [ "{tls}" = yes ] && {{ echo 1; exit 0; }}
           echo "ERROR 2026 (HY000): TLS/SSL error: SSL is required, but the server does not support it" >&2; exit 1;;
esac
echo 1
"""


def fake_mysql(tmp_path, monkeypatch, tls):
    log = tmp_path / "calls"
    tool = tmp_path / "bin" / "mysql"
    tool.parent.mkdir()
    tool.write_text(FAKE.format(log=log, tls="yes" if tls else "no"))
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", "%s:%s" % (tool.parent, os.environ["PATH"]))
    return log


def test_require_uses_tls_and_never_falls_back(tmp_path, monkeypatch):
    log = fake_mysql(tmp_path, monkeypatch, tls=False)
    result = common.mysql("192.0.2.10", 3306, "cloud", "pw", "SELECT 1;", ssl="require")
    assert result.returncode != 0
    calls = log.read_text().splitlines()
    assert len(calls) == 1 and "--ssl" in calls[0].split()


def test_prefer_uses_tls_when_offered(tmp_path, monkeypatch):
    log = fake_mysql(tmp_path, monkeypatch, tls=True)
    assert common.mysql("192.0.2.10", 3306, "cloud", "pw", "SELECT 1;").returncode == 0
    assert [c.split()[-1] for c in log.read_text().splitlines()] == ["--ssl"]


def test_prefer_falls_back_to_plain_without_tls(tmp_path, monkeypatch):
    log = fake_mysql(tmp_path, monkeypatch, tls=False)
    assert common.mysql("192.0.2.10", 3306, "cloud", "pw", "SELECT 1;").returncode == 0
    assert [c.split()[-1] for c in log.read_text().splitlines()] == ["--ssl", "--skip-ssl"]


def test_unix_socket_has_no_tls_flag(tmp_path, monkeypatch):
    log = fake_mysql(tmp_path, monkeypatch, tls=False)
    assert common.mysql("localhost", 3306, "root", "", "SELECT 1;", ssl="require").returncode == 0
    assert "ssl" not in log.read_text()
