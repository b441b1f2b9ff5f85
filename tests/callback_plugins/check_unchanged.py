# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: molecule's `check` step fails when anything would change.

molecule's `check` step runs the scenario's converge.yml with --check and
asserts nothing about the result (its `idempotence` step greps for changed=N,
its `check` step does not). Enabled for molecule runs
(.config/molecule/config.yml), this callback makes that step the proof of
"on a converged host, --check reports no change": in a check-mode run of the
scenario's own converge.yml ($MOLECULE_SCENARIO_DIRECTORY/converge.yml) it
lists every task that reported a change and ends the run with exit code 2
when there is one. Any other playbook (nested runs, verify's own --check
runs, a check-mode run on fresh hosts) is left alone.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: check_unchanged
type: aggregate
short_description: Fail molecule's check step when a task reports a change (test-only)
description:
  - In a check-mode run of the molecule scenario's converge.yml, lists the tasks that
    reported a change and exits with code 2 when there is any.
  - Used by the molecule scenarios only; not part of the collection's plugins.
requirements:
  - enabled in callbacks_enabled
"""

import os
import sys

from ansible.plugins.callback import CallbackBase

try:
    from ansible import context
except ImportError:  # pragma: no cover
    context = None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "check_unchanged"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._active = False
        self._changes = []

    def v2_playbook_on_start(self, playbook):
        scenario_dir = os.environ.get("MOLECULE_SCENARIO_DIRECTORY")
        check = context is not None and bool(context.CLIARGS.get("check"))
        self._active = bool(
            check and scenario_dir
            and os.path.realpath(playbook._file_name) == os.path.realpath(os.path.join(scenario_dir, "converge.yml"))
        )

    def _record(self, result):
        if not self._active or not result._result.get("changed"):
            return
        item = result._result.get("item")
        label = f" ({item})" if item is not None and not isinstance(item, dict) else ""
        self._changes.append(f"{result._host.get_name()}: {result._task.get_name().strip()}{label}")

    def v2_runner_on_ok(self, result):
        self._record(result)

    def v2_runner_item_on_ok(self, result):
        self._record(result)

    def v2_playbook_on_stats(self, stats):
        if not self._active:
            return
        changed = {h: stats.summarize(h)["changed"] for h in sorted(stats.processed)}
        changed = {h: n for h, n in changed.items() if n}
        if not changed:
            self._display.display("check_unchanged: nothing would change (check mode, changed=0 on every host)")
            return
        lines = "\n".join(f"  - {c}" for c in dict.fromkeys(self._changes))
        self._display.error(
            "check_unchanged: check mode on the converged hosts reports changes "
            f"({', '.join(f'{h} changed={n}' for h, n in changed.items())}); "
            f"a converged host must show none:\n{lines}"
        )
        sys.exit(2)
