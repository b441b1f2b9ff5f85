"""Offline stand-in for ansible-test's pip bootstrap script (get-pip.py).

ansible-test creates its sanity virtual environments without pip and then
downloads get-pip.py from ci-files.testing.ansible.com, which the build
machines cannot reach. ansible-test runs a cached copy instead when one
exists, so `make sanity` copies this file into that cache. It does what
get-pip does with the same arguments: install pip into the running
interpreter (from the interpreter's own ensurepip wheel), then let that pip
install the exact versions ansible-test asked for from PyPI.

ansible-test runs pip with PIP_CONFIG_FILE=/dev/null, so a CA bundle set in
pip.conf is not seen; the system bundle is passed explicitly instead (build
machines may sit behind a TLS-inspecting proxy whose CA only the system
bundle has).
"""

import ensurepip
import os
import ssl
import subprocess
import sys

GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')
CA_BUNDLES = ('/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt')


def system_ca_bundle():
    """Return the system CA bundle path, or None."""
    candidates = [os.environ.get('PIP_CERT'), os.environ.get('SSL_CERT_FILE'),
                  ssl.get_default_verify_paths().cafile] + list(CA_BUNDLES)
    for path in candidates:
        if path and os.path.isfile(path):
            return path
    return None


def main():
    """Bootstrap pip, then install what ansible-test asked for."""
    args = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_OPTIONS]
    ensurepip.bootstrap(upgrade=True)
    bundle = system_ca_bundle()
    if bundle:
        args = ['--cert', bundle] + args
    subprocess.check_call([sys.executable, '-m', 'pip', 'install'] + args)


if __name__ == '__main__':
    main()
