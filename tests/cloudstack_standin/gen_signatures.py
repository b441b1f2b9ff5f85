"""Generate signatures.json, the CloudStack API STAND-IN's command table.

The table comes from cloudstack-marvin, CloudStack's own Python test client,
whose marvin/cloudstackAPI/<command>.py modules are generated from the
management server's API annotations: each has `self.isAsync = "true"` or
`"false"`, one attribute per request parameter and `self.required = [...]`.
Marvin on PyPI is Python 2 code, so the files are parsed (ast), never
imported, and the sdist is fetched with `pip download --no-deps` (its
dependencies, nose and mysql-connector among them, are not needed).

    python tests/cloudstack_standin/gen_signatures.py            # download
    python tests/cloudstack_standin/gen_signatures.py --sdist F  # offline

The result is checked in; regenerate it only to move to another marvin.
"""

import argparse
import ast
import json
import os
import subprocess
import sys
import tarfile
import tempfile

MARVIN_VERSION = "4.4.0"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "signatures.json")
API_DIR = "marvin/cloudstackAPI/"


def download(dest):
    """Fetch the marvin sdist pinned by MARVIN_VERSION into dest."""
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                    "-d", dest, "cloudstack-marvin==%s" % MARVIN_VERSION], check=True)
    for name in os.listdir(dest):
        if name.startswith("cloudstack-marvin-") or name.startswith("cloudstack_marvin-"):
            return os.path.join(dest, name)
    raise SystemExit("pip download left no cloudstack-marvin sdist in %s" % dest)


def parse_command(source, command):
    """Return {required, params, async} from one cloudstackAPI module's text."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == command + "Cmd":
            init = [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"][0]
            params, required, is_async = [], [], None
            for stmt in init.body:
                if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1:
                    continue
                target = stmt.targets[0]
                if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self"):
                    continue
                if target.attr == "isAsync":
                    is_async = stmt.value.value == "true"
                elif target.attr == "required":
                    required = [e.value for e in stmt.value.elts]
                else:
                    params.append(target.attr)
            if is_async is None:
                raise ValueError("%s: no isAsync" % command)
            missing = set(required) - set(params)
            if missing:
                raise ValueError("%s: required but not a parameter: %s" % (command, sorted(missing)))
            return {"required": sorted(set(required)), "params": sorted(set(params)), "async": is_async}
    return None


def table_from_sdist(path):
    """Read every marvin/cloudstackAPI/<command>.py in the sdist at path."""
    commands = {}
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = member.name.split("/", 1)[-1]
            if not (name.startswith(API_DIR) and name.endswith(".py")):
                continue
            command = name[len(API_DIR):-3]
            if command.startswith("__") or "/" in command:
                continue
            source = tar.extractfile(member).read().decode("utf-8")
            entry = parse_command(source, command)
            if entry is not None:
                commands[command] = entry
    return commands


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sdist", help="a cloudstack-marvin-%s.tar.gz already downloaded" % MARVIN_VERSION)
    parser.add_argument("--out", default=OUT)
    args = parser.parse_args(argv)
    if args.sdist:
        commands = table_from_sdist(args.sdist)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            commands = table_from_sdist(download(tmp))
    table = {
        "source": "cloudstack-marvin %s (PyPI sdist), marvin/cloudstackAPI/*.py, "
                  "generated from Apache CloudStack %s's API annotations" % (MARVIN_VERSION, MARVIN_VERSION),
        "marvin_version": MARVIN_VERSION,
        "cloudstack_version": MARVIN_VERSION,
        "generator": "tests/cloudstack_standin/gen_signatures.py",
        "commands": dict(sorted(commands.items())),
    }
    with open(args.out, "w", encoding="utf-8") as out:
        json.dump(table, out, indent=1, sort_keys=False)
        out.write("\n")
    count = sum(len(c["params"]) for c in commands.values())
    print("%s: %d commands, %d parameters" % (args.out, len(commands), count))


if __name__ == "__main__":
    main()
