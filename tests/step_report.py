"""Print the molecule steps' wall and CPU times that tests/callback_plugins/
step_profile.py recorded in .cache/test-profile/*.jsonl during `make test`.

  python3 tests/step_report.py             per scenario: each step's wall
                                           time, the controller's and the
                                           guests' CPU time, slowest tasks
  python3 tests/step_report.py --slowest   the ten slowest steps
  python3 tests/step_report.py --markdown  the table as Markdown (README)
"""
import json
import sys
from pathlib import Path

ORDER = ["destroy", "create", "prepare", "converge", "idempotence", "check", "side_effect", "verify"]


def load(root: Path) -> dict:
    runs: dict = {}
    for f in sorted((root / ".cache" / "test-profile").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            try:
                r = json.loads(line)
            except ValueError:
                continue
            runs.setdefault(r["scenario"], []).append(r)
    return runs


def steps(records: list) -> dict:
    """step -> [wall, ctl_cpu, guest_cpu] summed (destroy runs twice)."""
    out: dict = {}
    for r in records:
        s = out.setdefault(r["step"], [0.0, 0.0, 0.0])
        s[0] += r["wall"]
        s[1] += r["ctl_cpu"]
        s[2] += r["guest_cpu"]
    return out


def main(argv: list) -> int:
    runs = load(Path.cwd())
    if not runs:
        return 0
    if "--slowest" in argv:
        rows = [(r["wall"], sc, r["step"]) for sc, rs in runs.items() for r in rs]
        for wall, sc, step in sorted(rows, reverse=True)[:10]:
            print(f"{sc} {step} {wall:.0f} s")
        return 0
    md = "--markdown" in argv
    # the columns of the steps that ran (destroy is in the sum only)
    cols = [s for s in ORDER[1:] if any(r["step"] == s for rs in runs.values() for r in rs)]
    if md:
        print("| scenario | " + " | ".join(cols) + " | sum | slowest tasks |")
        print("|---" * (len(cols) + 3) + "|")
    else:
        print("make test: molecule steps, wall s / controller CPU s / guest CPU s")
    for sc in sorted(runs):
        st = steps(runs[sc])
        tasks: dict = {}
        for r in runs[sc]:
            for name, secs in r.get("slowest", []):
                key = f"{name} ({r['step']})"
                tasks[key] = max(tasks.get(key, 0.0), secs)
        top = sorted(tasks.items(), key=lambda x: -x[1])[:3]
        total = [sum(v[i] for v in st.values()) for i in range(3)]
        if md:
            cells = [f"{st[s][0]:.0f} / {st[s][1]:.0f} / {st[s][2]:.0f}" if s in st else "" for s in cols]
            slow = "; ".join(f"{k} {v:.0f} s" for k, v in top)
            print(f"| {sc} | " + " | ".join(cells) + f" | {total[0]:.0f} / {total[1]:.0f} / {total[2]:.0f} | {slow} |")
            continue
        print(f"  {sc}: {total[0]:.0f} / {total[1]:.0f} / {total[2]:.0f}")
        for s in ORDER:
            if s in st:
                w, c, g = st[s]
                print(f"    {s:<12} {w:7.0f} {c:7.0f} {g:7.0f}")
        for k, v in top:
            print(f"    slowest: {v:5.0f} s {k}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
