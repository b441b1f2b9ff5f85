"""Build the dummy "hotfix" package (1.0 and 2.0) and a flat apt repository.

    hotfix_repo.py DIR

DIR/hotfix_1.0_all.deb is installed by prepare_hosts.yml; DIR/repo/ holds
hotfix_2.0_all.deb with Packages and Release (suite hotfix-security, so
host_hygiene's report counts it as a pending security update). 2.0's
postinst writes the time of its installation to /var/lib/hotfix/installed-at
(verify_tasks/patch.yml compares it with the stand-in's maintenance calls).
Test material only; no network needed.
"""

import hashlib
import os
import subprocess
import sys
import tempfile

POSTINST = """#!/bin/sh
set -e
if [ "$1" = configure ]; then
    mkdir -p /var/lib/hotfix
    date +%s.%N > /var/lib/hotfix/installed-at
fi
"""


def build(version, out, postinst=None):
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(os.path.join(root, "DEBIAN"))
        os.makedirs(os.path.join(root, "usr/share/doc/hotfix"))
        with open(os.path.join(root, "usr/share/doc/hotfix/VERSION"), "w", encoding="utf-8") as f:
            f.write(version + "\n")
        with open(os.path.join(root, "DEBIAN/control"), "w", encoding="utf-8") as f:
            f.write("Package: hotfix\nVersion: %s\nArchitecture: all\nMaintainer: cloud_api test <test@example.org>\n"
                    "Description: cloud_api test package (patch.yml), not software\n" % version)
        if postinst:
            path = os.path.join(root, "DEBIAN/postinst")
            with open(path, "w", encoding="utf-8") as f:
                f.write(postinst)
            os.chmod(path, 0o755)
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", root, out], check=True,
                       stdout=subprocess.DEVNULL)


def main(top):
    repo = os.path.join(top, "repo")
    os.makedirs(repo, exist_ok=True)
    build("1.0", os.path.join(top, "hotfix_1.0_all.deb"))
    deb = os.path.join(repo, "hotfix_2.0_all.deb")
    build("2.0", deb, POSTINST)
    with open(deb, "rb") as f:
        data = f.read()
    with open(os.path.join(repo, "Packages"), "w", encoding="utf-8") as f:
        f.write("Package: hotfix\nVersion: 2.0\nArchitecture: all\nMaintainer: cloud_api test <test@example.org>\n"
                "Filename: ./hotfix_2.0_all.deb\nSize: %d\nSHA256: %s\n"
                "Description: cloud_api test package (patch.yml), not software\n\n"
                % (len(data), hashlib.sha256(data).hexdigest()))
    with open(os.path.join(repo, "Packages"), "rb") as f:
        packages = f.read()
    with open(os.path.join(repo, "Release"), "w", encoding="utf-8") as f:
        f.write("Origin: cloud-api-test\nLabel: cloud-api-test\nSuite: hotfix-security\nCodename: hotfix-security\n"
                "Date: Thu, 01 Jan 2026 00:00:00 UTC\nArchitectures: all\nSHA256:\n %s %d Packages\n"
                % (hashlib.sha256(packages).hexdigest(), len(packages)))


if __name__ == "__main__":
    main(sys.argv[1])
