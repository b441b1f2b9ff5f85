"""CHANGELOG.md from changelogs/ (antsibull-changelog), before a release too.

    python tests/changelog.py          (make changelog) writes CHANGELOG.md
    python tests/changelog.py --check  exits 1 when CHANGELOG.md is stale

The changes of a version not released yet are fragments in
changelogs/fragments/, and `antsibull-changelog generate` renders released
versions only. So this runs `antsibull-changelog release` for galaxy.yml's
version on a throwaway copy (changelogs/, galaxy.yml, meta/, plugins/) and
keeps its CHANGELOG.md with that version marked "(unreleased)"; nothing in
changelogs/ changes. At the release, run `antsibull-changelog release` here
instead: it moves the fragments into changelogs/changelog.yaml.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COPIED = ("changelogs", "galaxy.yml", "meta", "plugins")
RELEASE_DATE = "1970-01-01"  # not shown in the Markdown output


def tool():
    return os.path.join(os.path.dirname(sys.executable), "antsibull-changelog")


def tool_env():
    """antsibull-changelog release runs ansible-doc: the one beside this Python."""
    bin_dir = os.path.dirname(sys.executable)
    return dict(os.environ, PATH=bin_dir + os.pathsep + os.environ.get("PATH", ""))


def version(root=ROOT):
    with open(os.path.join(root, "galaxy.yml"), encoding="utf-8") as handle:
        return str(yaml.safe_load(handle)["version"])


def released(root=ROOT):
    with open(os.path.join(root, "changelogs", "changelog.yaml"), encoding="utf-8") as handle:
        return str(version(root)) in (yaml.safe_load(handle).get("releases") or {})


def render(root=ROOT):
    """The CHANGELOG.md text for the current changelogs/."""
    if released(root):
        with tempfile.TemporaryDirectory() as tmp:
            output = os.path.join(tmp, "CHANGELOG.md")
            subprocess.run([tool(), "generate", "--output", output, "--output-format", "md"],
                           cwd=root, check=True, capture_output=True, env=tool_env())
            with open(output, encoding="utf-8") as handle:
                return handle.read()
    with tempfile.TemporaryDirectory() as tmp:
        for name in COPIED:
            source = os.path.join(root, name)
            if os.path.isdir(source):
                shutil.copytree(source, os.path.join(tmp, name),
                                ignore=shutil.ignore_patterns(".plugin-cache.yaml", "__pycache__"))
            else:
                shutil.copy(source, tmp)
        subprocess.run([tool(), "release", "--version", version(root), "--date", RELEASE_DATE],
                       cwd=tmp, check=True, capture_output=True, env=tool_env())
        with open(os.path.join(tmp, "CHANGELOG.md"), encoding="utf-8") as handle:
            text = handle.read()
    heading = "## v" + version(root).replace(".", "\\.")
    text = text.replace(heading + "\n", heading + " \\(unreleased\\)\n", 1)
    title, rest = text.split("\n", 1)
    note = ("\n%s is not released yet: its changes are the fragments in "
            "`changelogs/fragments/`, rendered by `make changelog`.\n" % version(root))
    return title + "\n" + note + rest


def main(argv):
    path = os.path.join(ROOT, "CHANGELOG.md")
    text = render()
    if argv[1:] == ["--check"]:
        with open(path, encoding="utf-8") as handle:
            if handle.read() != text:
                print("changelog: CHANGELOG.md is stale (run make changelog)")
                return 1
        return 0
    if argv[1:]:
        print(__doc__)
        return 2
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    print("changelog: wrote CHANGELOG.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
