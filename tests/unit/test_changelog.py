"""changelogs/ passes `antsibull-changelog lint` and CHANGELOG.md is what
tests/changelog.py renders from it now."""
import os
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import changelog  # noqa: E402 pylint: disable=wrong-import-position


def test_fragments_lint():
    result = subprocess.run([changelog.tool(), "lint"], cwd=changelog.ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_config_renders_markdown_into_changelog_md():
    path = os.path.join(changelog.ROOT, "changelogs", "config.yaml")
    with open(path, encoding="utf-8") as handle:
        config = yaml.safe_load(handle)
    assert config["output"] == [{"file": "CHANGELOG.md", "format": "md"}]
    assert config["notesdir"] == "fragments"


def test_changelog_md_is_current():
    with open(os.path.join(changelog.ROOT, "CHANGELOG.md"), encoding="utf-8") as handle:
        checked_in = handle.read()
    assert checked_in == changelog.render(), "CHANGELOG.md is stale: run make changelog"


def test_unreleased_version_is_marked():
    assert not changelog.released()
    text = changelog.render()
    heading = "## v%s \\(unreleased\\)" % changelog.version().replace(".", "\\.")
    assert heading in text
