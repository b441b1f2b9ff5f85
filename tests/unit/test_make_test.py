"""tests/make_test.sh, make test's runner, driven with a stand-in `make`
that sleeps per step: queue order, work stealing, failure handling, the
time-limit guard and the verdict line."""

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_MAKE = textwrap.dedent(
    """\
    #!/bin/bash
    # stand-in for make: make --no-print-directory STEP
    step=$2
    echo "$(date +%s.%N) start $step" >>order.log
    case $step in
      bad*) echo "step $step fails"; exit 2 ;;
      *) sleep "$(awk -v s="$step" '$1 == s {print $2}' durations)" ;;
    esac
    echo "$(date +%s.%N) end $step" >>order.log
    """
)


@pytest.fixture()
def runner(tmp_path):
    (tmp_path / "tests").mkdir()
    for f in ("make_test.sh", "step_report.py"):
        shutil.copy(ROOT / "tests" / f, tmp_path / "tests" / f)
    fake = tmp_path / "fakemake"
    fake.write_text(FAKE_MAKE)
    fake.chmod(0o755)

    def run(main, vm, durations, recorded=None, limit=None):
        (tmp_path / "durations").write_text("".join(f"{k} {v}\n" for k, v in durations.items()))
        (tmp_path / "tests" / "step-seconds").write_text(
            "# comment\n" + "".join(f"{k} {v}\n" for k, v in (recorded or {}).items())
        )
        (tmp_path / "order.log").write_text("")
        env = dict(os.environ, MAKE=str(fake))
        if limit:
            env["TEST_TIME_LIMIT"] = str(limit)
        p = subprocess.run(
            ["bash", "tests/make_test.sh", " ".join(main), " ".join(vm)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False,
        )
        starts = [ln.split()[2] for ln in (tmp_path / "order.log").read_text().splitlines() if " start " in ln]
        times = (tmp_path / ".cache" / "test-times").read_text()
        return p, starts, times

    return run


def test_vm_queue_longest_first_and_main_worker_takes_the_shortest(runner):
    p, starts, times = runner(
        ["m1", "m2"], ["vshort", "vlong", "vmid"],
        {"m1": 0.2, "m2": 0.2, "vshort": 0.5, "vlong": 2, "vmid": 1},
        recorded={"vshort": 10, "vlong": 100, "vmid": 50},
    )
    assert p.returncode == 0, p.stdout + p.stderr
    # the vm worker starts with the longest; the main worker, done with its
    # own queue, takes the shortest VM scenario from the tail
    assert starts[0] in ("vlong", "m1")
    assert starts.index("vlong") < starts.index("vmid")
    assert starts.index("vshort") < starts.index("vmid")
    assert "test: 5 passed, 0 failed, 0 not run" in p.stdout
    assert sorted(line.split()[0] for line in times.splitlines()) == ["m1", "m2", "vlong", "vmid", "vshort"]


def test_unrecorded_vm_step_goes_first(runner):
    p, starts = runner(["m1"], ["vold", "vnew"], {"m1": 0.1, "vold": 0.3, "vnew": 0.3}, recorded={"vold": 5})[:2]
    assert p.returncode == 0
    assert starts.index("vnew") < starts.index("vold")


def test_a_failure_stops_its_worker_and_fails_the_run(runner):
    p, starts, times = runner(["m1", "bad", "m2", "m3"], ["v1"], {"m1": 0.1, "m2": 0.1, "m3": 0.1, "v1": 0.2})
    assert p.returncode != 0
    assert "bad 0 FAILED" in times or " FAILED" in times
    assert "[bad] step bad fails" in p.stdout  # the failed step's log tail is printed
    assert "1 failed" in p.stdout


def test_time_limit_names_the_slowest_steps_and_fails(runner):
    p = runner(["m1"], ["vslow"], {"m1": 0.1, "vslow": 30}, limit=3)[0]
    assert p.returncode != 0
    assert "over the time limit (TEST_TIME_LIMIT=3 s" in p.stderr
    assert "still running: vslow" in p.stderr
    assert "m1 " in p.stderr  # a finished step is named with its time
