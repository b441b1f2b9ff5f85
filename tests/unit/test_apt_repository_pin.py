"""cloudstack.infra.apt_repository (the repository step of management_server
and kvm_host) pins the signing key by fingerprint: a key whose fingerprint
is not the pinned one, or a file that is not a key, is refused before
anything is installed (no python3-debian, no keyring directory, no source),
naming the key's fingerprint, the pin and the caller's variable; the right
key passes the check (the rest of the role in check mode: nothing on the
controller changes). The role runs on the controller with ansible-playbook
(connection local) and a throwaway key served from a file:// URL."""
import os
import shutil
import subprocess
import sys

import pytest

from playbook_run import run_play

pytestmark = pytest.mark.skipif(shutil.which("gpg") is None, reason="gpg is needed")


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    """(path of an armoured public key, its fingerprint)."""
    home = tmp_path_factory.mktemp("gnupg")
    os.chmod(home, 0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    subprocess.run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                    "apt_repository test <test@example.invalid>", "ed25519", "sign", "never"],
                   env=env, check=True, capture_output=True)
    colons = subprocess.run(["gpg", "--batch", "--with-colons", "--list-keys"], env=env,
                            check=True, capture_output=True, text=True).stdout
    fpr = next(line.split(":")[9] for line in colons.splitlines() if line.startswith("fpr:"))
    path = home / "key.asc"
    path.write_text(subprocess.run(["gpg", "--batch", "--armor", "--export", fpr], env=env,
                                   check=True, capture_output=True, text=True).stdout)
    return path, fpr


def run_role(tmp_path, key_url, fingerprint, check_mode=False):
    keyrings = tmp_path / "keyrings"
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "check_mode": check_mode,
             "vars": {"ansible_python_interpreter": sys.executable},
             "tasks": [{"name": "repository", "ansible.builtin.include_role": {
                 "name": "cloudstack.infra.apt_repository"},
                 "vars": {"apt_repository_name": "cloudstack",
                          "apt_repository_uris": ["http://mirror.example.invalid/ubuntu"],
                          "apt_repository_suites": ["jammy"],
                          "apt_repository_components": ["4.22"],
                          "apt_repository_key_url": key_url,
                          "apt_repository_key_fingerprint": fingerprint,
                          "apt_repository_key_fingerprint_var": "kvm_host_cloudstack_repo_key_fingerprint",
                          "apt_repository_keyring_dir": str(keyrings)}}]}]
    rc, results = run_play(tmp_path, play, "localhost")
    return rc, results, keyrings


def ran(results):
    """Names of the tasks that ran (not skipped)."""
    return [r.get("task", {}).get("name", "") if isinstance(r.get("task"), dict) else ""
            for r in results if not r.get("skipped")]


WRONG = "0123 4567 89AB CDEF 0123  4567 89AB CDEF 0123 4567"


def test_a_wrong_fingerprint_is_refused_before_anything_is_installed(tmp_path, key):
    path, fpr = key
    rc, results, keyrings = run_role(tmp_path, "file://%s" % path, WRONG)
    failed = [r for r in results if r.get("failed")]
    assert rc != 0 and len(failed) == 1
    msg = failed[0]["msg"]
    assert fpr in msg and "0123456789ABCDEF0123456789ABCDEF01234567" in msg
    assert "kvm_host_cloudstack_repo_key_fingerprint" in msg and "nothing installed" in msg
    assert results[-1] is failed[0], "a task ran after the refusal"
    assert not any("python3-debian" in str(r.get("invocation", "")) for r in results)
    assert not keyrings.exists()


def test_a_file_that_is_not_a_key_is_refused(tmp_path, key):
    bogus = tmp_path / "not-a-key.asc"
    bogus.write_text("<html>mirror error page</html>\n")
    rc, results, keyrings = run_role(tmp_path, "file://%s" % bogus, key[1])
    assert rc != 0 and results[-1].get("failed")
    assert "none (not an OpenPGP key" in results[-1]["msg"]
    assert not keyrings.exists()


@pytest.mark.parametrize("pin", ["", "ABCD", None])
def test_a_missing_or_short_pin_is_refused_first(tmp_path, key, pin):
    rc, results, keyrings = run_role(tmp_path, "file://%s" % key[0], pin)
    assert rc != 0 and results[-1].get("failed")
    assert "kvm_host_cloudstack_repo_key_fingerprint" in results[-1]["msg"]
    assert "Nothing has been changed" in results[-1]["msg"]
    assert not any("gpg" in str(r.get("cmd", "")) for r in results)   # refused before the download's check
    assert not keyrings.exists()


def test_the_pinned_key_passes_the_check(tmp_path, key):
    path, fpr = key
    spaced = " ".join(fpr[i:i + 4] for i in range(0, 40, 4)).lower()
    rc, results, keyrings = run_role(tmp_path, "file://%s" % path, spaced, check_mode=True)
    assert rc == 0, [r.get("msg") for r in results if r.get("failed")]
    assert not any(r.get("failed") for r in results)
    assert not keyrings.exists()      # check mode: nothing written
