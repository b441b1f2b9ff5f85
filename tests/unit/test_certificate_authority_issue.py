"""The collection's CA (roles/certificate_authority) end to end on the
controller, with ansible-playbook: issue.yml makes the CA and a certificate
signed by it with the asked subjectAltName; a second run changes nothing;
--check on a controller without a CA writes nothing; the CA from Vault (PEM
texts) signs without writing a CA key; a half-given Vault CA is refused; and
no private key appears in the output, even with --diff -v."""
import datetime
import json
import os
import subprocess
import sys

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from playbook_run import ROOT


def run(tmp_path, ca_dir, extra_vars=None, check=False):
    (tmp_path / "play").mkdir(exist_ok=True)
    issue = {"name": "Issue",
             "ansible.builtin.include_role": {"name": "cloudstack.infra.certificate_authority", "tasks_from": "issue"},
             "vars": {"certificate_authority_dir": str(ca_dir),
                      "certificate_authority_issue_name": "mysql-server",
                      "certificate_authority_issue_sans": ["DNS:db1", "IP:192.0.2.10"]}}
    # what a calling role installs on its host: the fact's PEM texts
    write = {"name": "Write the fact",
             "ansible.builtin.copy": {"content": "{{ certificate_authority_issued[item] }}",
                                      "dest": str(tmp_path) + "/fact-{{ item }}.pem"},
             "loop": ["ca", "cert", "key"], "no_log": True, "when": "not ansible_check_mode"}
    play = [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": sys.executable}, "tasks": [issue, write]}]
    book = tmp_path / "play" / "play.yml"
    book.write_text(yaml.safe_dump(play))
    argv = [os.path.join(os.path.dirname(sys.executable), "ansible-playbook"), "-i", "localhost,",
            str(book), "--diff", "-v"]
    if extra_vars:
        varfile = tmp_path / "vault.yml"
        varfile.write_text(yaml.safe_dump(extra_vars))
        argv += ["-e", "@" + str(varfile)]
    if check:
        argv.append("--check")
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json")
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert "PRIVATE KEY" not in proc.stdout + proc.stderr
    out = json.loads(proc.stdout[proc.stdout.index("{"):])
    return proc.returncode, out["stats"]["localhost"], out


def load_cert(path):
    return x509.load_pem_x509_certificate(path.read_bytes())


def test_issue_twice_then_nothing_changes(tmp_path):
    ca_dir = tmp_path / "ca"
    rc, stats, unused = run(tmp_path, ca_dir)
    assert rc == 0 and stats["changed"] > 0, stats
    ca = load_cert(ca_dir / "ca.pem")
    cert = load_cert(ca_dir / "issued" / "localhost-mysql-server.pem")
    cert.verify_directly_issued_by(ca)
    sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert sans.get_values_for_type(x509.DNSName) == ["db1"]
    assert [str(a) for a in sans.get_values_for_type(x509.IPAddress)] == ["192.0.2.10"]
    assert oct((ca_dir / "ca.key").stat().st_mode & 0o777) == "0o600"
    assert oct((ca_dir / "issued" / "localhost-mysql-server.key").stat().st_mode & 0o777) == "0o600"
    # the PEM texts a role copies to its host are the files, byte for byte
    # (a CA text ending in a literal backslash-n made MariaDB refuse to start)
    assert (tmp_path / "fact-ca.pem").read_bytes() == (ca_dir / "ca.pem").read_bytes()
    assert (tmp_path / "fact-cert.pem").read_bytes() == (ca_dir / "issued" / "localhost-mysql-server.pem").read_bytes()
    assert (tmp_path / "fact-key.pem").read_bytes() == (ca_dir / "issued" / "localhost-mysql-server.key").read_bytes()
    rc, stats, unused = run(tmp_path, ca_dir)
    assert rc == 0 and stats["changed"] == 0, stats


def test_check_mode_on_a_fresh_controller_writes_nothing(tmp_path):
    ca_dir = tmp_path / "ca"
    rc, stats, unused = run(tmp_path, ca_dir, check=True)
    assert rc == 0 and stats["failures"] == 0, stats
    assert not ca_dir.exists()


def _vault_ca():
    key = ec.generate_private_key(ec.SECP384R1())
    name = x509.Name([x509.NameAttribute(x509.oid.NameOID.COMMON_NAME, "vault CA")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode(), cert


def test_ca_from_vault_signs_without_a_ca_key_on_disk(tmp_path):
    key_pem, cert_pem, ca = _vault_ca()
    ca_dir = tmp_path / "ca"
    vault = {"certificate_authority_key_pem": key_pem, "certificate_authority_cert_pem": cert_pem}
    rc, stats, unused = run(tmp_path, ca_dir, vault)
    assert rc == 0, stats
    assert not (ca_dir / "ca.key").exists() and not (ca_dir / "ca.pem").exists()
    load_cert(ca_dir / "issued" / "localhost-mysql-server.pem").verify_directly_issued_by(ca)
    assert (tmp_path / "fact-ca.pem").read_text() == cert_pem.strip() + "\n"


def test_half_a_vault_ca_is_refused(tmp_path):
    key_pem = _vault_ca()[0]
    ca_dir = tmp_path / "ca"
    rc, stats, out = run(tmp_path, ca_dir, {"certificate_authority_key_pem": key_pem})
    assert rc != 0 and stats["failures"] == 1, stats
    assert "Nothing has been changed" in json.dumps(out)
    assert not ca_dir.exists()
