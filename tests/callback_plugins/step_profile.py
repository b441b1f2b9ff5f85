# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: wall and CPU time of each molecule step, slowest tasks.

Enabled for molecule runs only (.config/molecule/config.yml). Each
ansible-playbook run molecule makes is one step (create, prepare, converge,
idempotence, check, side_effect, verify, destroy); at its end one JSON line
goes to $CLOUDSTACK_INFRA_ROOT/.cache/test-profile/<scenario>.jsonl:

  step, wall (s), controller CPU (ansible-playbook and its workers, s),
  guest CPU (the scenario's qemu VMs or docker containers, s), the five
  slowest tasks.

tests/step_report.py turns these into the table `make test` prints.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: step_profile
type: aggregate
short_description: Time and CPU of each molecule step (test-only)
description:
  - Writes one JSON line per playbook run to C(.cache/test-profile/SCENARIO.jsonl).
  - Used by C(make test) only; not part of the collection's plugins.
requirements:
  - enabled in callbacks_enabled
"""

import json
import os
import time

from ansible.plugins.callback import CallbackBase

try:
    from ansible import context
except ImportError:  # pragma: no cover
    context = None

CLK = os.sysconf("SC_CLK_TCK")
CPUACCT = "/sys/fs/cgroup/cpuacct/docker"


def _read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return b""


def guest_cpu(scenario):
    """CPU seconds by guest id: qemu VMs named SCENARIO-*, docker containers named SCENARIO-*."""
    out = {}
    prefix = scenario + "-"
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        argv = _read(f"/proc/{pid}/cmdline").split(b"\0")
        if not argv or b"qemu-system" not in argv[0]:
            continue
        try:
            name = argv[argv.index(b"-name") + 1].decode()
        except (ValueError, IndexError):
            continue
        if name.startswith(prefix):
            stat = _read(f"/proc/{pid}/stat").rsplit(b")", 1)[-1].split()
            if len(stat) > 13:
                out[f"vm:{pid}"] = (int(stat[11]) + int(stat[12])) / CLK
    if os.path.isdir(CPUACCT):
        for cid in os.listdir(CPUACCT):
            cfg = _read(f"/var/lib/docker/containers/{cid}/config.v2.json")
            try:
                name = json.loads(cfg or b"{}").get("Name", "").lstrip("/")
            except ValueError:
                continue
            if name.startswith(prefix):
                ns = _read(f"{CPUACCT}/{cid}/cpuacct.usage").strip()
                if ns.isdigit():
                    out[f"ct:{cid}"] = int(ns) / 1e9
    return out


def own_cpu():
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "step_profile"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._scenario = os.environ.get("MOLECULE_SCENARIO_NAME")
        self._root = os.environ.get("CLOUDSTACK_INFRA_ROOT")
        self._step = None
        self._tasks = {}
        self._current = None

    def v2_playbook_on_start(self, playbook):
        if not (self._scenario and self._root):
            return
        self._step = os.path.splitext(os.path.basename(playbook._file_name))[0]
        self._t0 = time.monotonic()
        self._cpu0 = own_cpu()
        self._guest0 = guest_cpu(self._scenario)

    def _close_task(self):
        if self._current is not None:
            name, start = self._current
            self._tasks[name] = self._tasks.get(name, 0.0) + time.monotonic() - start
            self._current = None

    def _open_task(self, task):
        self._close_task()
        name = task.get_name().strip()
        role = getattr(task, "_role", None)
        if role is not None and not name.startswith(role.get_name()):
            name = f"{role.get_name()} : {name}"
        self._current = (name, time.monotonic())

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._open_task(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._open_task(task)

    def _label(self, path):
        """converge the first time since create, idempotence after; check in check mode."""
        step = self._step
        if step != "converge":
            return step
        if context is not None and context.CLIARGS.get("check"):
            return "check"
        seen = False
        try:
            with open(path, encoding="utf-8") as f:
                for line in f:
                    s = json.loads(line).get("step")
                    if s == "create":
                        seen = False
                    elif s == "converge":
                        seen = True
        except (OSError, ValueError):
            pass
        return "idempotence" if seen else "converge"

    def v2_playbook_on_stats(self, stats):
        if self._step is None:
            return
        self._close_task()
        guest1 = guest_cpu(self._scenario)
        guest = sum(v - self._guest0.get(k, 0.0) for k, v in guest1.items())
        outdir = os.path.join(self._root, ".cache", "test-profile")
        path = os.path.join(outdir, f"{self._scenario}.jsonl")
        record = {
            "scenario": self._scenario,
            "step": self._label(path),
            "end": round(time.time()),
            "wall": round(time.monotonic() - self._t0, 1),
            "ctl_cpu": round(own_cpu() - self._cpu0, 1),
            "guest_cpu": round(guest, 1),
            "slowest": [[n, round(s, 1)] for n, s in sorted(self._tasks.items(), key=lambda x: -x[1])[:5]],
        }
        try:
            os.makedirs(outdir, exist_ok=True)
            with open(path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
        except OSError as exc:
            self._display.warning(f"step_profile: cannot write {path}: {exc}")
