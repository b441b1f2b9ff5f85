"""The STAND-IN CloudStack packages (tests/cloudstack_standin/packages): the
repository build_repo.py makes (control fields, signature, fingerprint) and
the setup-databases stand-in's flag logic. These prove the stand-in, never
CloudStack behaviour."""

import json
import os
import shutil
import subprocess
import sys

import pytest

PACKAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "cloudstack_standin", "packages")
sys.path.insert(0, os.path.join(PACKAGES, "src"))

import standin_common as common  # noqa: E402  pylint: disable=wrong-import-position,import-error
import standin_setup_databases as setup_db  # noqa: E402  pylint: disable=wrong-import-position,import-error

TOOLS = ("dpkg-deb", "gpg", "gpgv", "apt-ftparchive")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
needs_tools = pytest.mark.skipif(bool(MISSING), reason="needs %s (apt-get install dpkg-dev gnupg gpgv apt-utils)"
                                 % ", ".join(MISSING))
VERSIONS = ("4.20.1.0", "4.22.0.0")


@pytest.fixture(name="repo", scope="module")
def repo_fixture(tmp_path_factory):
    """The repository for two versions, built by running the script as documented."""
    out = tmp_path_factory.mktemp("standin") / "repo"
    cmd = [sys.executable, os.path.join(PACKAGES, "build_repo.py"), str(out)]
    for version in VERSIONS:
        cmd += ["--version", version]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        pytest.fail(result.stderr)
    return out, result.stdout


def control(deb):
    out = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    fields = {}
    for line in out.splitlines():
        if line[:1] not in (" ", "\t") and ":" in line:
            name, value = line.split(":", 1)
            fields[name] = value.strip()
    return fields


@needs_tools
def test_summary_and_layout(repo):
    out, stdout = repo
    summary = json.loads(stdout)
    assert summary["repo"] == str(out)
    assert summary["suite"] == "bookworm"
    assert summary["components"] == ["4.20", "4.22"]
    assert len(summary["packages"]) == 6
    for line in ("4.20", "4.22"):
        for arch in ("all", "amd64"):
            assert (out / "dists" / "bookworm" / line / ("binary-" + arch) / "Packages").is_file()
    assert summary["fingerprint"] == (out / "fingerprint").read_text().strip()


@needs_tools
@pytest.mark.parametrize("version", VERSIONS)
def test_control_fields(repo, version):
    out = repo[0]
    pool = out / "pool" / common.version_line(version)
    for name in ("cloudstack-common", "cloudstack-management", "cloudstack-usage"):
        fields = control(pool / ("%s_%s_all.deb" % (name, version)))
        assert fields["Package"] == name
        assert fields["Version"] == version
        assert fields["Architecture"] == "all"
        assert fields["Description"].startswith("STAND-IN for tests:")
        assert "java" not in fields.get("Depends", "").lower()
    common_deps = control(pool / ("cloudstack-common_%s_all.deb" % version))["Depends"]
    assert "mariadb-client | default-mysql-client" in common_deps
    for name in ("cloudstack-management", "cloudstack-usage"):
        depends = control(pool / ("%s_%s_all.deb" % (name, version)))["Depends"]
        assert "cloudstack-common (= %s)" % version in depends
    assert "cloudstack-management" not in control(pool / ("cloudstack-usage_%s_all.deb" % version))["Depends"]


@needs_tools
def test_inrelease_verifies_with_key_and_fingerprint(repo, tmp_path):
    out = repo[0]
    keyring = tmp_path / "keyring.gpg"
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    subprocess.run(["gpg", "--batch", "--dearmor", "-o", str(keyring), str(out / "key.asc")], env=env, check=True)
    dist = out / "dists" / "bookworm"
    ok = subprocess.run(["gpgv", "--keyring", str(keyring), str(dist / "InRelease")], capture_output=True, text=True,
                        check=False)
    assert ok.returncode == 0, ok.stderr
    ok = subprocess.run(["gpgv", "--keyring", str(keyring), str(dist / "Release.gpg"), str(dist / "Release")],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    listing = subprocess.run(["gpg", "--batch", "--with-colons", "--show-keys", str(out / "key.asc")], env=env,
                             capture_output=True, text=True, check=True).stdout
    fprs = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")]
    fingerprint = (out / "fingerprint").read_text().strip()
    assert len(fingerprint) == 40 and fingerprint == fingerprint.upper()
    assert fprs[0] == fingerprint
    assert "CloudStack STAND-IN test repository" in listing
    subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True, check=False)


@needs_tools
def test_rebuild_keeps_the_key_and_adds_a_component(repo):
    out = repo[0]
    before = (out / "fingerprint").read_text()
    result = subprocess.run([sys.executable, os.path.join(PACKAGES, "build_repo.py"), str(out), "--version",
                             "4.15.2.0"], capture_output=True, text=True, check=True, timeout=120)
    assert (out / "fingerprint").read_text() == before
    assert '"4.15"' in result.stdout
    release = (out / "dists" / "bookworm" / "Release").read_text()
    assert "Components: 4.15 4.20 4.22" in release


# decide(version, deploy_as, force_recreate, schema_only, schema_has_tables)
DECISIONS = [
    # no --deploy-as: db.properties only
    ("4.15.2.0", False, False, False, True, "config-only"),
    ("4.22.0.0", False, False, False, True, "config-only"),
    # before 4.21 --deploy-as always drops
    ("4.15.2.0", True, False, False, False, "dropped-and-created"),
    ("4.15.2.0", True, False, False, True, "dropped-and-created"),
    ("4.20.1.0", True, False, False, True, "dropped-and-created"),
    ("4.20.1.0", True, True, False, True, "dropped-and-created"),
    ("4.20.1.0", False, False, True, True, "dropped-and-created"),
    # from 4.21 it keeps what exists unless --force-recreate
    ("4.21.0.0", True, False, False, False, "created"),
    ("4.21.0.0", True, False, False, True, "kept"),
    ("4.22.0.0", True, False, False, True, "kept"),
    ("4.21.0.0", True, True, False, True, "dropped-and-created"),
    ("4.22.0.0", True, True, False, False, "dropped-and-created"),
    # --schema-only needs --force-recreate from 4.21
    ("4.21.0.0", False, False, True, True, "refused"),
    ("4.22.0.0", True, False, True, False, "refused"),
    ("4.22.0.0", False, True, True, True, "dropped-and-created"),
]


@pytest.mark.parametrize("version,deploy_as,force,schema_only,has_tables,action", DECISIONS)
def test_decide(version, deploy_as, force, schema_only, has_tables, action):
    assert setup_db.decide(version, deploy_as, force, schema_only, has_tables) == action


def test_parse_args_and_dburl():
    opts, unknown = setup_db.parse_args(["cloud:p@ss:w@10.0.0.5:3307", "--deploy-as=root:R00T", "-e", "file",
                                         "-m", "MS", "-k", "DB", "-i", "10.0.0.9", "--force-recreate", "--bogus"])
    assert unknown == ["--bogus"]
    assert (opts.deploy_as, opts.encrypt_type, opts.ms_key, opts.db_key, opts.mshost) == (
        "root:R00T", "file", "MS", "DB", "10.0.0.9")
    assert opts.force_recreate and not opts.schema_only
    assert setup_db.parse_dburl("cloud:p@ss:w@10.0.0.5:3307") == ("cloud", "p@ss:w", "10.0.0.5", 3307)
    assert setup_db.parse_dburl("cloud:secret@db") == ("cloud", "secret", "db", 3306)
    assert setup_db.parse_deploy_as("root") == ("root", "")
    with pytest.raises(ValueError):
        setup_db.parse_dburl("cloud@db")


def test_redact_hides_every_secret():
    argv = ["cloud:PW1@localhost", "--deploy-as=root:PW2", "--deploy-as", "root:PW3", "-m", "PW4", "-kPW5",
            "--managementserver-key=PW6", "--database-secretkey", "PW7", "-i", "127.0.0.1"]
    redacted = setup_db.redact(argv)
    assert not [arg for arg in redacted if "PW" in arg]
    assert redacted[:4] == ["cloud:***@localhost", "--deploy-as=root:***", "--deploy-as", "root:***"]
    assert redacted[-2:] == ["-i", "127.0.0.1"]


def test_schema_sql_keeps_or_drops():
    kept = setup_db.schema_sql("kept", "4.22.0.0", "cloud", "it's", "k", "localhost")
    assert "DROP" not in kept and "ALTER USER" not in kept
    assert "IDENTIFIED BY 'it\\'s'" in kept
    dropped = setup_db.schema_sql("dropped-and-created", "4.15.2.0", "cloud", "pw", "k", "localhost",
                                  with_users=False)
    assert "DROP DATABASE IF EXISTS `cloud`" in dropped and "CREATE USER" not in dropped
    assert "'4.15.2.0'" in dropped


def test_standin_encryption_round_trip_and_wrong_key():
    value = common.encrypt("MSKEY", "secret")
    assert value.startswith("ENC(") and "secret" not in value
    assert common.decrypt("MSKEY\n", value) == "secret"
    with pytest.raises(ValueError):
        common.decrypt("OTHER", value)
    assert common.version_line("4.22.0.0") == "4.22"
    assert common.version_tuple("4.20.1.0") < (4, 21) <= common.version_tuple("4.21.0.0")
