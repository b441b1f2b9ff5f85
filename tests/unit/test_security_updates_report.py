"""roles/host_hygiene/files/cloudstack_security_updates_report.py: counting and pending-since."""

import importlib.machinery
import importlib.util
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "roles", "host_hygiene", "files",
                      "cloudstack_security_updates_report.py")


def _load():
    loader = importlib.machinery.SourceFileLoader("security_updates_report", SCRIPT)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


REPORT = _load()

SIMULATION = """NOTE: This is only a simulation!
Reading package lists...
Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst openssl [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])
Inst hotfix [1.0] (2.0 cloud-api-test:hotfix-security [all])
Inst newpkg (1.0 Debian:12.11/stable [amd64])
Conf libssl3 (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
"""


def test_counts_only_packages_from_a_security_suite():
    assert REPORT.pending_security(SIMULATION) == ["hotfix", "libssl3", "openssl"]
    assert REPORT.pending_security("Reading package lists...\n0 upgraded, 0 newly installed.\n") == []


def test_pending_since_is_kept_while_pending_and_reset_when_none():
    assert REPORT.since(3, 0, 1000.5) == 1000
    assert REPORT.since(2, 1000, 2000) == 1000
    assert REPORT.since(0, 1000, 3000) == 0


def test_main_writes_the_metrics_and_keeps_since(tmp_path, monkeypatch):
    class Run:  # pylint: disable=too-few-public-methods
        returncode, stdout, stderr = 0, SIMULATION, ""

    monkeypatch.setattr(REPORT.subprocess, "run", lambda *a, **k: Run())
    monkeypatch.setattr(REPORT.time, "time", lambda: 5000.0)
    args = ["--textfile-dir", str(tmp_path / "textfile"), "--state-dir", str(tmp_path / "state")]
    assert REPORT.main(args) == 0
    monkeypatch.setattr(REPORT.time, "time", lambda: 9000.0)
    assert REPORT.main(args) == 0
    text = (tmp_path / "textfile" / "cloudstack_security_updates.prom").read_text()
    assert "cloudstack_security_updates_pending 3\n" in text
    assert "cloudstack_security_updates_pending_since_seconds 5000\n" in text
    assert "cloudstack_security_updates_check_timestamp_seconds 9000\n" in text
