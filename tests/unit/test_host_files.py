"""cloudstack.infra.host_files: the list checks (tables, plain Python) and the
module on real files under a temporary directory (ansible-playbook on the
controller, connection local): first run writes, second changes nothing,
check mode writes nothing, a refused validate and a malformed list leave
everything as it was."""
import hashlib
import os
import stat
import sys

import pytest

from ansible_collections.cloudstack.infra.plugins.module_utils import host_files as H
from playbook_run import run_play

GOOD = [
    {"path": "/etc/x.d", "state": "directory", "mode": "0755"},
    {"path": "/etc/x.d/a.conf", "content": "a=1\n", "owner": "root", "mode": "0644", "validate": "true %s"},
    {"path": "/etc/x.d/empty", "content": ""},
    {"path": "/etc/x.d/old.conf", "state": "absent"},
]


def test_good_list_has_no_problem():
    assert H.item_problems(GOOD) == []
    H.check_items(GOOD)


BAD = [
    (None, "non-empty list"),
    ([], "non-empty list"),
    (["/etc/a"], "files[0] must be a dict"),
    ([{"content": "x"}], "files[0]: path must be an absolute path"),
    ([{"path": "etc/a", "content": "x"}], "path must be an absolute path"),
    ([{"path": "/", "state": "directory"}], "other than /"),
    ([{"path": "/etc/../a", "content": "x"}], "without '.', '..'"),
    ([{"path": "/etc//a", "content": "x"}], "without '.', '..', '//'"),
    ([{"path": "/etc/a", "content": "x"}, {"path": "/etc/a/", "state": "absent"}],
     "files[1] (/etc/a/): the same path as files[0]"),
    ([{"path": "/etc/a", "state": "link"}], "state must be one of file, directory, absent, got 'link'"),
    ([{"path": "/etc/a"}], "a file needs content"),
    ([{"path": "/etc/a", "content": 3}], "a file needs content"),
    ([{"path": "/etc/a", "state": "directory", "content": "x"}], "content is only for state file"),
    ([{"path": "/etc/a", "content": "x", "validate": "logrotate -d"}], "validate must be a command with %s"),
    ([{"path": "/etc/a", "state": "directory", "validate": "true %s"}], "validate is only for state file"),
    ([{"path": "/etc/a", "state": "absent", "mode": "0644"}], "mode makes no sense for state absent"),
]


@pytest.mark.parametrize("items,expected", BAD)
def test_bad_list_names_the_item(items, expected):
    problems = H.item_problems(items)
    assert any(expected in problem for problem in problems), problems
    with pytest.raises(H.HostFilesError, match="nothing changed"):
        H.check_items(items)


def test_every_problem_is_reported_at_once():
    problems = H.item_problems([{"path": "a", "content": "x"}, {"path": "/b"}, {"path": "/c", "state": "x"}])
    assert len(problems) == 3, problems


@pytest.mark.parametrize("before,after,shown_before,shown_after", [
    (None, "new\n", "", "new\n"),
    (b"old\n", "new\n", "old\n", "new\n"),
    (b"\xff\xfe\x00", "text\n", "[binary content of 3 bytes: not shown]\n", "text\n"),
    (b"a\x00b", "text\n", "[binary content of 3 bytes: not shown]\n", "text\n"),
    (b"x" * (H.DIFF_MAX_BYTES + 1), "y\n", "[content of 100001 bytes, larger than 100000: not shown]\n", "y\n"),
])
def test_content_diff(before, after, shown_before, shown_after):
    diff = H.content_diff("/etc/a", before, after)
    assert diff == {"before_header": "/etc/a", "after_header": "/etc/a",
                    "before": shown_before, "after": shown_after}


def _task(name, files, **extra):
    task = {"name": name, "cloudstack.infra.host_files": {"files": files}, "register": "out"}
    task.update(extra)
    return task


def _play(tasks):
    # the test's own Python (it has ansible), not whatever interpreter discovery finds
    return [{"hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": sys.executable}, "tasks": tasks}]


def test_module_on_real_files(tmp_path):
    base = tmp_path / "etc"
    conf = base / "x.d" / "a.conf"
    old = base / "x.d" / "old.conf"
    files = [
        {"path": str(base / "x.d"), "state": "directory", "mode": "0750"},
        {"path": str(conf), "content": "a=1\n", "mode": "0640", "validate": "grep -q a= %s"},
        {"path": str(old), "state": "absent"},
    ]
    changed_mode = [dict(files[0]), dict(files[1], mode="0600"), files[2]]
    changed_text = [dict(files[1], content="a=2\n")]
    refused = [dict(files[1], content="b=2\n")]
    malformed = [{"path": str(base / "new"), "state": "directory"}, {"path": "relative", "content": "x"}]
    rc, results = run_play(tmp_path, _play([
        _task("first", files),
        _task("again", files),
        {"name": "an old file", "ansible.builtin.copy": {"content": "old\n", "dest": str(old), "mode": "0644"}},
        _task("removes it", files),
        _task("check mode", changed_text, check_mode=True, diff=True),
        _task("mode only", changed_mode, diff=True),
        _task("refused", refused, ignore_errors=True),
        _task("malformed", malformed, ignore_errors=True),
        _task("content", changed_text, diff=True),
    ]), "localhost")
    first, again, _copy, removes, check, mode_only, refused_r, malformed_r, content = results
    assert rc == 0, results
    assert first["changed"] and first["changed_paths"] == [str(base / "x.d"), str(conf)], first
    assert not again["changed"] and again["changed_paths"] == [], again
    assert removes["changed_paths"] == [str(old)], removes
    # check mode: reported with its diff, nothing written
    assert check["changed"] and check["changed_paths"] == [str(conf)], check
    assert check["diff"][0]["before"] == "a=1\n" and check["diff"][0]["after"] == "a=2\n", check
    # owner/mode only: the file's attributes in the diff, its content untouched
    assert mode_only["changed_paths"] == [str(conf)], mode_only
    assert mode_only["diff"] == [{"before": {"path": str(conf), "mode": "0640"},
                                  "after": {"path": str(conf), "mode": "0600"}}], mode_only
    # a refused validate: the task fails, names the file, and the file keeps its content
    assert refused_r["failed"] and str(conf) in refused_r["msg"] and "refused the new content" in refused_r["msg"]
    # a malformed list: nothing at all is done, not even its good first item
    assert malformed_r["failed"] and "files[1]: path must be an absolute path" in malformed_r["msg"], malformed_r
    assert not (base / "new").exists()
    # the last task's diff starts from a=1: neither check mode nor the refused content was written
    assert content["changed_paths"] == [str(conf)], content
    assert content["diff"][0]["before"] == "a=1\n" and content["diff"][0]["after"] == "a=2\n", content
    assert conf.read_text() == "a=2\n"
    assert stat.S_IMODE(os.stat(conf).st_mode) == 0o640, "the last task asks 0640 again"
    assert stat.S_IMODE(os.stat(base / "x.d").st_mode) == 0o750
    assert not old.exists()
    assert [p.name for p in (base / "x.d").iterdir()] == ["a.conf"], "no temporary file left behind"


@pytest.mark.parametrize("paths,expected", [
    (["/etc/a", "/proc/sys/x"], []),
    ([], []),
    (None, []),
    ("/etc/a", ["read must be a list"]),
    (["etc/a"], ["read[0] must be an absolute path"]),
    (["/etc/a", "/etc//a"], ["read[1] (/etc//a) is named twice"]),
    ([3], ["read[0] must be an absolute path"]),
])
def test_read_list_checks(paths, expected):
    problems = H.read_problems(paths)
    assert len(problems) == len(expected) and all(e in p for e, p in zip(expected, problems)), problems


def test_module_reads_before_it_writes(tmp_path):
    conf = tmp_path / "a.conf"
    conf.write_text("old\n")
    os.chmod(conf, 0o640)
    big = tmp_path / "big"
    big.write_bytes(b"x" * (H.DIFF_MAX_BYTES + 1))
    files = [{"path": str(conf), "content": "new\n", "mode": "0644"}]
    read = [str(conf), str(tmp_path), str(tmp_path / "none"), str(big), str(tmp_path / "none" / "below")]
    rc, (check, real, bad) = run_play(tmp_path, _play([
        _task("check mode", files, check_mode=True),
        {"name": "real", "cloudstack.infra.host_files": {"files": files, "read": read}, "register": "out"},
        {"name": "bad", "ignore_errors": True,
         "cloudstack.infra.host_files": {"files": [dict(files[0], content="other\n")], "read": ["relative"]}},
    ]), "localhost")
    assert rc == 0
    # check mode reported the change; the next task's read still finds the old content: it wrote nothing
    assert check["read"] == {} and check["changed_paths"] == [str(conf)], check
    got = real["read"]
    # read before the write: the old content, sha1 and mode
    assert got[str(conf)] == {"exists": True, "kind": "file", "owner": "root", "group": "root", "mode": "0640",
                              "size": 4, "sha1": hashlib.sha1(b"old\n").hexdigest(), "content": "old\n"}
    assert got[str(tmp_path)]["kind"] == "directory" and "content" not in got[str(tmp_path)]
    assert got[str(tmp_path / "none")] == {"exists": False}
    assert got[str(tmp_path / "none" / "below")] == {"exists": False}
    assert got[str(big)]["content"] is None and got[str(big)]["size"] == H.DIFF_MAX_BYTES + 1
    assert real["changed_paths"] == [str(conf)] and conf.read_text() == "new\n"
    assert bad["failed"] and "read[0] must be an absolute path" in bad["msg"]
    assert conf.read_text() == "new\n"
