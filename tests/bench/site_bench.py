"""Site benchmark (`make bench`, after the validator's): the lab from nothing.

1. `make lab-down`, then `lab/bin/lab-up --no-converge`: the machines, timed.
2. site.yml, the first converge, timed.
3. site.yml again: the idempotent re-run, timed; it must change nothing.
4. site.yml --check --diff on the converged site: it must report no change.
Target: the re-run takes at most 35% of the first converge (BENCH_SITE_RATIO).
The runs use ansible.posix.profile_tasks; their logs are in .cache/bench/
(site-1.log, site-2.log, site-check.log), and the re-run's slowest tasks are
printed. Exits non-zero when a target is missed or a run fails.
BENCH_SITE_KEEP=1 keeps a running lab (no lab-down; the first figure is then
not a first converge and is labelled so).
"""
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "lab" / "lib"))

import lab_up  # noqa: E402

LOGS = ROOT / ".cache" / "bench"
RATIO = float(os.environ.get("BENCH_SITE_RATIO", "0.35"))
INVENTORY = os.environ.get("INVENTORY", "inventories/lab")
RECAP = re.compile(r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.M)
PROFILE = re.compile(r"^(.+?) -+ (\d+\.\d+)s$", re.M)


def run(name, cmd, env=None):
    LOGS.mkdir(parents=True, exist_ok=True)
    log = LOGS / (name + ".log")
    start = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                            check=False).returncode
    spent = time.monotonic() - start
    text = log.read_text(encoding="utf-8", errors="replace")
    recap = RECAP.findall(text)
    changed = {host: int(c) for host, _ok, c, _u, _f in recap if int(c)}
    failed = {host: int(f) + int(u) for host, _ok, _c, u, f in recap if int(f) + int(u)}
    return {"name": name, "rc": rc, "seconds": spent, "changed": changed, "failed": failed,
            "log": log, "text": text}


def main():
    keep = os.environ.get("BENCH_SITE_KEEP") == "1"
    print("site bench: %s the lab, then site.yml three times (logs in %s)"
          % ("keeping" if keep else "recreating (make lab-down)", LOGS.relative_to(ROOT)), flush=True)
    if not keep:
        subprocess.run([str(ROOT / "lab" / "bin" / "lab-down")], cwd=ROOT, check=True)
    start = time.monotonic()
    subprocess.run([str(ROOT / "lab" / "bin" / "lab-up"), "--inventory", INVENTORY, "--no-converge"],
                   cwd=ROOT, check=True)
    machines = time.monotonic() - start
    env = lab_up.ansible_env(ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks")
    cmd = lab_up.site_command(INVENTORY, (lab_up.STATE / "standin.yml").exists())
    first = run("site-1", cmd, env)
    second = run("site-2", cmd, env)
    check = run("site-check", cmd + ["--check", "--diff"], env)
    ratio = second["seconds"] / first["seconds"] if first["seconds"] else 0
    label = "converge (lab kept, not a first)" if keep else "first converge"
    print("site bench:")
    print("  machines up (lab-up --no-converge)   %6.0f s" % machines)
    print("  %-36s %6.0f s  rc %d" % (label, first["seconds"], first["rc"]))
    print("  idempotent re-run                    %6.0f s  rc %d, changed %s  (%.0f%% of the first; target <= %.0f%%)"
          % (second["seconds"], second["rc"], second["changed"] or 0, 100 * ratio, 100 * RATIO))
    print("  --check --diff on the converged site %6.0f s  rc %d, changed %s"
          % (check["seconds"], check["rc"], check["changed"] or 0))
    print("  the re-run's slowest tasks (profile_tasks):")
    for task, secs in PROFILE.findall(second["text"])[:12]:
        print("    %6.2f s  %s" % (float(secs), task.strip()))
    problems = []
    for result in (first, second, check):
        if result["rc"] != 0 or result["failed"]:
            problems.append("%s failed (rc %d, %s): %s"
                            % (result["name"], result["rc"], result["failed"], result["log"]))
    for result in (second, check):
        if result["changed"]:
            problems.append("%s changed %s: %s" % (result["name"], result["changed"], result["log"]))
    if ratio > RATIO:
        problems.append("the re-run took %.0f%% of the first converge (target <= %.0f%%)"
                        % (100 * ratio, 100 * RATIO))
    for problem in problems:
        print("site bench: FAILED: " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
