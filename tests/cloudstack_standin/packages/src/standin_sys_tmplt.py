"""STAND-IN for tests only: cloud-install-sys-tmplt.

This is NOT CloudStack's script and nothing it does is proof of CloudStack
behaviour. It accepts the real options (-m MOUNTPOINT, -f FILE or -u URL,
-h HYPERVISOR, -F), copies FILE (a URL is only recorded, never downloaded)
to MOUNTPOINT/template/tmpl/1/<id>/ and writes a template.properties there,
and records every call in /var/log/cloudstack-standin/sys-tmplt.jsonl.
Without -F an existing template.properties is an error (exit 1).
"""

import argparse
import hashlib
import os
import shutil
import sys

import standin_common as common

# The template ids CloudStack's system VM templates have per hypervisor.
TEMPLATE_IDS = {"xenserver": 1, "kvm": 3, "lxc": 3, "vmware": 8, "hyperv": 9, "ovm3": 10, "ovm": 10}
EXTENSIONS = {"xenserver": "vhd", "kvm": "qcow2", "lxc": "qcow2", "vmware": "ova", "hyperv": "vhd", "ovm3": "raw",
              "ovm": "raw"}


def build_parser():
    parser = argparse.ArgumentParser(prog="cloud-install-sys-tmplt", add_help=False,
                                     description="STAND-IN for tests only of CloudStack's cloud-install-sys-tmplt")
    parser.add_argument("-m", dest="mount", required=True)
    parser.add_argument("-f", dest="file")
    parser.add_argument("-u", dest="url")
    parser.add_argument("-h", dest="hypervisor", required=True)
    parser.add_argument("-F", dest="force", action="store_true")
    parser.add_argument("-e", dest="extension")
    parser.add_argument("-t", dest="template_id", type=int)
    parser.add_argument("-s", dest="secret")
    parser.add_argument("-d", dest="dbhost")
    parser.add_argument("-o", dest="dbport")
    return parser


def template_dir(mount, hypervisor, template_id=None):
    tid = template_id or TEMPLATE_IDS.get(hypervisor.lower(), 3)
    return tid, os.path.join(mount, "template", "tmpl", "1", str(tid))


def main(argv, version):
    opts, unknown = build_parser().parse_known_args(argv)
    record = {"argv": ["***" if i > 0 and argv[i - 1] == "-s" else a for i, a in enumerate(argv)],
              "unknown": unknown, "version": version}

    def fail(message):
        common.log_call("sys-tmplt", dict(record, result="failed", error=message))
        sys.stderr.write("cloud-install-sys-tmplt (STAND-IN): %s\n" % message)
        return 1

    if bool(opts.file) == bool(opts.url):
        return fail("give one of -f FILE or -u URL")
    if opts.file and not os.path.isfile(opts.file):
        return fail("template file %s does not exist" % opts.file)
    if not os.path.isdir(opts.mount):
        return fail("mount point %s is not a directory" % opts.mount)
    tid, dest = template_dir(opts.mount, opts.hypervisor, opts.template_id)
    props_path = os.path.join(dest, "template.properties")
    if os.path.exists(props_path) and not opts.force:
        return fail("%s already exists; use -F to overwrite" % props_path)
    os.makedirs(dest, exist_ok=True)
    ext = opts.extension or EXTENSIONS.get(opts.hypervisor.lower(), "qcow2")
    props = {"id": tid, "uniquename": "routing-%d" % tid, "public": "true", "description": "SystemVM Template (STAND-IN)",
             "hvm": "false", ext: "true"}
    if opts.file:
        name = os.path.basename(opts.file)
        shutil.copyfile(opts.file, os.path.join(dest, name))
        with open(opts.file, "rb") as handle:
            digest = hashlib.md5(handle.read(), usedforsecurity=False).hexdigest()
        size = os.path.getsize(opts.file)
        props.update({"filename": name, "%s.filename" % ext: name, "size": size, "virtualsize": size,
                      "%s.size" % ext: size, "checksum": digest})
    else:
        props.update({"filename": os.path.basename(opts.url), "url": opts.url, "standin.downloaded": "false"})
    with open(props_path, "w", encoding="utf-8") as handle:
        handle.write("# STAND-IN for tests only: written by the cloud-install-sys-tmplt stand-in\n")
        handle.writelines("%s=%s\n" % item for item in props.items())
    common.log_call("sys-tmplt", dict(record, result="installed", template_id=tid, dir=dest))
    print("STAND-IN cloud-install-sys-tmplt: template %d installed in %s" % (tid, dest))
    return 0
