"""Consecutive grades of one notebook while busy processes keep every core loaded.

    python benchmarks/grade_under_load.py NOTEBOOK [--count 30] [--busy 2] [-- GRADE OPTIONS]

Starts ``--busy`` processes that spin on the CPU (default: one per core), then
grades NOTEBOOK ``--count`` times in a row with the ``grade`` command as a user
runs it (``python -m autograder NOTEBOOK --force``, a fresh grader process each
time), and prints how many grades ended ``graded`` with full marks, and what
the others said (full marks: every check that ran passed; a check skipped on
purpose, as the accuracy check is with ``--no-train``, does not count). Options
after ``--`` go to every grade (e.g. ``--no-train``).

A kernel that starts slowly on a loaded machine must still be graded: this is
the check that the kernel's liveness never hangs on a heartbeat (issue #8).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def spin() -> None:
    # a session of its own, as an unrelated job on the machine has: the scheduler's
    # autogroups then share the CPU between it and the grader's kernel
    os.setsid()
    while True:
        pass


def verdict(report: dict) -> str:
    """ "graded with full marks" when every check that ran passed (a check skipped on
    purpose, e.g. with --no-train, neither counts for nor against)."""
    checks = [c for q in report.get("questions", []) for c in q["checks"]]
    lost = [c for c in checks if c["status"] not in ("passed", "skipped")]
    if report["status"] == "graded" and checks and not lost:
        return FULL
    where = "; ".join(f"{c['id']}: {c['status']}" for c in lost[:3])
    return f"{report['status']} {report['score']}/{report['max_score']}: {report.get('error') or where}"


FULL = "graded with full marks"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebook", type=Path)
    p.add_argument("--count", type=int, default=30)
    p.add_argument("--busy", type=int, default=os.cpu_count() or 1)
    p.add_argument("--python", default=sys.executable, help="the grader's interpreter")
    argv = sys.argv[1:]
    grade_options = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = p.parse_args(argv[: argv.index("--")] if "--" in argv else argv)

    hogs = [mp.Process(target=spin, daemon=True) for _ in range(args.busy)]
    for hog in hogs:
        hog.start()
    outcomes: Counter[str] = Counter()
    seconds = []
    try:
        with tempfile.TemporaryDirectory(prefix="under-load-") as tmp:
            for i in range(args.count):
                out = Path(tmp) / f"run{i}"
                started = time.perf_counter()
                done = subprocess.run(
                    [
                        args.python,
                        "-m",
                        "autograder",
                        str(args.notebook.resolve()),
                        "--out",
                        str(out),
                        "--force",
                        "--quiet",
                        *grade_options,
                    ],
                    capture_output=True,
                    text=True,
                    cwd=tmp,
                )
                seconds.append(time.perf_counter() - started)
                reports = list(out.glob("*/report.json"))
                if not reports:
                    outcome = f"no report (exit {done.returncode}): {done.stderr.strip()[-300:]}"
                else:
                    outcome = verdict(json.loads(reports[0].read_text(encoding="utf-8")))
                outcomes[outcome] += 1
                print(f"grade {i + 1:>3}/{args.count}: {outcome} ({seconds[-1]:.1f} s)", flush=True)
    finally:
        for hog in hogs:
            hog.kill()
    full = outcomes[FULL]
    print(
        f"\n{args.notebook.name} under {args.busy} busy process(es) on {os.cpu_count()} core(s): "
        f"{full} of {args.count} graded with full marks; median {statistics.median(seconds):.1f} s "
        "a grade"
    )
    for outcome, n in outcomes.items():
        if outcome != FULL:
            print(f"  {n} x {outcome}")
    return 0 if full == args.count else 1


if __name__ == "__main__":
    sys.exit(main())
