"""STAND-IN for tests only: build stand-in CloudStack .debs and a signed apt repository.

These packages are NOT CloudStack and nothing they do is proof of CloudStack
behaviour; see README.md beside this file for what they emulate.

    python tests/cloudstack_standin/packages/build_repo.py OUTDIR --version 4.22.0.0 [--version 4.20.1.0 ...]

Builds cloudstack-common, cloudstack-management and cloudstack-usage
(Architecture: all) for each version into OUTDIR/pool/<line>/, and a
dists-style repository like download.cloudstack.org's (suite = codename,
component = the version line): OUTDIR/dists/bookworm/<line>/binary-{all,
amd64,arm64}/Packages for every line in the pool (so calling it again with
another version adds a component), a Release signed into InRelease and
Release.gpg with a throwaway key kept in OUTDIR/gnupg (made on the first
run, reused after), OUTDIR/key.asc (armored public key) and
OUTDIR/fingerprint (40 hex digits). Prints a JSON summary.

Needs only the Python standard library and dpkg-deb, gpg, apt-ftparchive:
on Debian/Ubuntu `apt-get install dpkg-dev gnupg apt-utils`.
"""

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "src")
sys.path.insert(0, SRC)

import standin_common as common  # noqa: E402  pylint: disable=wrong-import-position

UID = "CloudStack STAND-IN test repository"
TOOLS = {"dpkg-deb": "dpkg-dev (dpkg)", "gpg": "gnupg", "apt-ftparchive": "apt-utils"}
ARCHES = ("all", "amd64", "arm64")
LIB = "/usr/lib/cloudstack-standin"
MAINTAINER = "cloudstack.infra tests <standin@invalid>"
HEADER = "STAND-IN for tests only: not Apache CloudStack, never proof of CloudStack behaviour."

WRAPPER = '''#!/usr/bin/python3
# {header}
# Installed by the stand-in {package} {version} package (tests/cloudstack_standin/packages).
import sys

sys.path.insert(0, "{lib}")
import {module}  # noqa: E402

sys.exit({module}.main(sys.argv[1:], "{version}"))
'''

UNIT = '''# {header}
# Installed by the stand-in {package} {version} package (tests/cloudstack_standin/packages).
[Unit]
Description=STAND-IN for tests: {what} (not CloudStack)
After=network.target mariadb.service mysql.service

[Service]
Type=simple
EnvironmentFile=-/etc/default/{package}
ExecStart=/usr/bin/python3 {lib}/{script} --version {version}
Restart=no

[Install]
WantedBy=multi-user.target
'''

POSTINST_MANAGEMENT = '''#!/bin/sh
# {header}
set -e
if [ "$1" = configure ]; then
    if ! getent passwd cloud >/dev/null; then
        useradd --system --home-dir /var/lib/cloudstack --create-home --shell /usr/sbin/nologin \\
            --user-group --comment "CloudStack STAND-IN" cloud
    fi
    install -d -m 0755 /etc/cloudstack/management /var/log/cloudstack/management /var/log/cloudstack-standin
    install -d -o cloud -g cloud /var/lib/cloudstack
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
    fi
fi
exit 0
'''

POSTINST_USAGE = '''#!/bin/sh
# {header}
set -e
if [ "$1" = configure ]; then
    install -d -m 0755 /etc/cloudstack/usage /var/log/cloudstack/usage /var/log/cloudstack-standin
    [ -e /etc/cloudstack/usage/db.properties ] || [ -L /etc/cloudstack/usage/db.properties ] \\
        || ln -s /etc/cloudstack/management/db.properties /etc/cloudstack/usage/db.properties
    [ -e /etc/cloudstack/usage/key ] || [ -L /etc/cloudstack/usage/key ] \\
        || ln -s ../management/key /etc/cloudstack/usage/key
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload || true
    fi
fi
exit 0
'''

POSTRM = '''#!/bin/sh
# {header}
set -e
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
fi
exit 0
'''


def run(cmd, **kwargs):
    """subprocess.run that raises with the command's stderr."""
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    if result.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(cmd), result.returncode, result.stderr.strip()))
    return result.stdout


def check_tools():
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        raise RuntimeError("missing %s; install: apt-get install %s"
                           % (", ".join(missing), " ".join(sorted({TOOLS[t].split()[0] for t in missing}))))


def source(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as handle:
        return handle.read()


def packages_for(version):
    """{package: (control fields, {path: (text, mode)}, {maintainer script: text})}."""
    fmt = {"header": HEADER, "version": version, "lib": LIB}
    marker = ("%s\nThis system has the stand-in cloudstack-common %s from tests/cloudstack_standin/packages.\n"
              % (HEADER, version))

    def wrapper(package, module):
        return WRAPPER.format(package=package, module=module, **fmt), 0o755

    def lib(name):
        return source(name), 0o644

    common_files = {
        "/usr/bin/cloudstack-setup-databases": wrapper("cloudstack-common", "standin_setup_databases"),
        "/usr/bin/cloud-install-sys-tmplt": wrapper("cloudstack-common", "standin_sys_tmplt"),
        LIB + "/standin_common.py": lib("standin_common.py"),
        LIB + "/standin_setup_databases.py": lib("standin_setup_databases.py"),
        LIB + "/standin_sys_tmplt.py": lib("standin_sys_tmplt.py"),
        "/usr/share/cloudstack-common/STANDIN": (marker, 0o644),
    }
    management_files = {
        "/usr/bin/cloudstack-setup-management": wrapper("cloudstack-management", "standin_setup_management"),
        LIB + "/standin_setup_management.py": lib("standin_setup_management.py"),
        LIB + "/management_server.py": lib("management_server.py"),
        "/lib/systemd/system/cloudstack-management.service": (UNIT.format(
            package="cloudstack-management", what="CloudStack management server", script="management_server.py",
            **fmt), 0o644),
    }
    usage_files = {
        LIB + "/usage_server.py": lib("usage_server.py"),
        "/lib/systemd/system/cloudstack-usage.service": (UNIT.format(
            package="cloudstack-usage", what="CloudStack usage server", script="usage_server.py", **fmt), 0o644),
    }
    same = "cloudstack-common (= %s)" % version
    return {
        "cloudstack-common": ({"Depends": "python3, mariadb-client | default-mysql-client"},
                              common_files, {}),
        "cloudstack-management": ({"Depends": "%s, python3, systemd" % same}, management_files,
                                  {"postinst": POSTINST_MANAGEMENT.format(**fmt), "postrm": POSTRM.format(**fmt)}),
        "cloudstack-usage": ({"Depends": "%s, python3" % same}, usage_files,
                             {"postinst": POSTINST_USAGE.format(**fmt), "postrm": POSTRM.format(**fmt)}),
    }


def build_deb(name, version, fields, files, scripts, outdir):
    with tempfile.TemporaryDirectory(prefix="standin-deb-") as root:
        os.chmod(root, 0o755)  # the tar's ./ must not be 0700
        os.makedirs(os.path.join(root, "DEBIAN"))
        for path, (text, mode) in files.items():
            dest = os.path.join(root, path.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(dest, mode)
        for script, text in scripts.items():
            dest = os.path.join(root, "DEBIAN", script)
            with open(dest, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(dest, 0o755)
        control = {
            "Package": name, "Version": version, "Architecture": "all", "Maintainer": MAINTAINER,
            "Section": "admin", "Priority": "optional", "Homepage": "https://cloudstack.apache.org/",
        }
        control.update(fields)
        control["Description"] = ("STAND-IN for tests: %s %s, not Apache CloudStack\n"
                                  " Built by tests/cloudstack_standin/packages/build_repo.py of the\n"
                                  " cloudstack.infra collection. Never proof of CloudStack behaviour." % (name, version))
        with open(os.path.join(root, "DEBIAN", "control"), "w", encoding="utf-8") as handle:
            handle.writelines("%s: %s\n" % item for item in control.items())
        os.makedirs(outdir, exist_ok=True)
        deb = os.path.join(outdir, "%s_%s_all.deb" % (name, version))
        run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, deb])
    return deb


def gpg_env(outdir):
    home = os.path.join(outdir, "gnupg")
    os.makedirs(home, mode=0o700, exist_ok=True)
    os.chmod(home, 0o700)
    return dict(os.environ, GNUPGHOME=home)


def fingerprint_of(env):
    out = run(["gpg", "--batch", "--with-colons", "--list-secret-keys", UID], env=env)
    for line in out.splitlines():
        if line.startswith("fpr:"):
            return line.split(":")[9]
    raise RuntimeError("no fingerprint in gpg's listing")


def ensure_key(outdir, env):
    listing = subprocess.run(["gpg", "--batch", "--list-secret-keys", UID], env=env, capture_output=True,
                             check=False)
    if listing.returncode != 0:
        run(["gpg", "--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key", UID,
             "ed25519", "sign", "never"], env=env)
    fpr = fingerprint_of(env)
    with open(os.path.join(outdir, "key.asc"), "w", encoding="utf-8") as handle:
        handle.write(run(["gpg", "--batch", "--armor", "--export", fpr], env=env))
    with open(os.path.join(outdir, "fingerprint"), "w", encoding="utf-8") as handle:
        handle.write(fpr + "\n")
    return fpr


def write_indexes(outdir, suite):
    pool = os.path.join(outdir, "pool")
    components = sorted(d for d in os.listdir(pool) if os.path.isdir(os.path.join(pool, d)))
    dist = os.path.join(outdir, "dists", suite)
    shutil.rmtree(dist, ignore_errors=True)
    for component in components:
        packages = run(["apt-ftparchive", "packages", os.path.join("pool", component)], cwd=outdir)
        for arch in ARCHES:
            bdir = os.path.join(dist, component, "binary-" + arch)
            os.makedirs(bdir)
            with open(os.path.join(bdir, "Packages"), "w", encoding="utf-8") as handle:
                handle.write(packages)
            with gzip.open(os.path.join(bdir, "Packages.gz"), "wt", encoding="utf-8") as handle:
                handle.write(packages)
    opts = {"Origin": "cloudstack-standin", "Label": "CloudStack STAND-IN (tests only)", "Suite": suite,
            "Codename": suite, "Components": " ".join(components), "Architectures": " ".join(ARCHES),
            "Description": HEADER}
    cmd = ["apt-ftparchive"]
    for name, value in opts.items():
        cmd += ["-o", "APT::FTPArchive::Release::%s=%s" % (name, value)]
    release = run(cmd + ["release", "."], cwd=dist)
    with open(os.path.join(dist, "Release"), "w", encoding="utf-8") as handle:
        handle.write(release)
    return dist, components


def sign(dist, env, fpr):
    release = os.path.join(dist, "Release")
    run(["gpg", "--batch", "--yes", "--local-user", fpr, "--digest-algo", "SHA512", "--clearsign",
         "-o", os.path.join(dist, "InRelease"), release], env=env)
    run(["gpg", "--batch", "--yes", "--local-user", fpr, "--digest-algo", "SHA512", "--armor", "--detach-sign",
         "-o", os.path.join(dist, "Release.gpg"), release], env=env)


def build(outdir, versions, suite="bookworm"):
    check_tools()
    outdir = os.path.abspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    env = gpg_env(outdir)
    built = []
    try:
        fpr = ensure_key(outdir, env)
        for version in versions:
            line = common.version_line(version)
            for name, (fields, files, scripts) in packages_for(version).items():
                deb = build_deb(name, version, fields, files, scripts, os.path.join(outdir, "pool", line))
                built.append(os.path.relpath(deb, outdir))
        dist, components = write_indexes(outdir, suite)
        sign(dist, env, fpr)
    finally:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=env, capture_output=True, check=False)
    with open(os.path.join(outdir, "README.STANDIN"), "w", encoding="utf-8") as handle:
        handle.write("%s\nBuilt by tests/cloudstack_standin/packages/build_repo.py of cloudstack.infra.\n" % HEADER)
    lines = [common.version_line(v) for v in versions]
    return {
        "repo": outdir, "suite": suite, "component": lines[-1], "components": components,
        "fingerprint": fpr, "key": os.path.join(outdir, "key.asc"), "packages": built,
        "sources": ["deb [signed-by=%s] file:%s %s %s" % (os.path.join(outdir, "key.asc"), outdir, suite, line)
                    for line in dict.fromkeys(lines)],
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("outdir")
    parser.add_argument("--version", dest="versions", action="append",
                        help="package version, e.g. 4.22.0.0 (repeatable; default 4.22.0.0)")
    parser.add_argument("--suite", default="bookworm")
    opts = parser.parse_args(argv)
    try:
        summary = build(opts.outdir, opts.versions or ["4.22.0.0"], opts.suite)
    except RuntimeError as exc:
        sys.stderr.write("build_repo.py: %s\n" % exc)
        return 1
    print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
