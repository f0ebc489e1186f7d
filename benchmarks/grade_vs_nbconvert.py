"""Grading the solution notebook vs. `jupyter nbconvert --execute` on the same notebook.

    python benchmarks/grade_vs_nbconvert.py [--runs 5] [--notebook assignments/cnn_basics/solution.ipynb]

Both are timed as the command a person types (process start-up included), the
median of several runs after one warm-up each, the two interleaved (nbconvert, grade,
nbconvert, grade, ...) so that a change in the machine's load touches both alike. Goal
(issue 14): grading costs at most 1.3x the bare execution. The load average is printed
before and after: the machine may be shared, so compare figures measured at a similar load.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def timed(commands: list[list[str]], runs: int) -> list[list[float]]:
    """Each command once as a warm-up (disk caches), then ``runs`` rounds of all of them."""
    for argv in commands:
        subprocess.run(argv, check=True, capture_output=True, cwd=REPO)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for argv, seconds in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True, cwd=REPO)
            seconds.append(time.perf_counter() - start)
    return times


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument(
        "--notebook", type=Path, default=REPO / "assignments" / "cnn_basics" / "solution.ipynb"
    )
    p.add_argument("--sandbox", default="auto")
    args = p.parse_args()
    before = load()
    with tempfile.TemporaryDirectory() as tmp:
        nbconvert, grade = timed(
            [
                [
                    sys.executable,
                    "-m",
                    "jupyter",
                    "nbconvert",
                    "--to",
                    "notebook",
                    "--execute",
                    "--output-dir",
                    tmp,
                    "--output",
                    "executed",
                    str(args.notebook),
                ],
                [
                    sys.executable,
                    "grade.py",
                    str(args.notebook),
                    "--out",
                    f"{tmp}/reports",
                    "--sandbox",
                    args.sandbox,
                    "--force",
                    "--quiet",
                ],
            ],
            args.runs,
        )
    a, b = statistics.median(nbconvert), statistics.median(grade)
    print(
        f"notebook: {args.notebook.relative_to(REPO) if args.notebook.is_relative_to(REPO) else args.notebook}"
    )
    print(
        f"jupyter nbconvert --execute : median {a:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in nbconvert)})"
    )
    print(
        f"python grade.py             : median {b:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in grade)})"
    )
    paired = statistics.median(g / n for g, n in zip(grade, nbconvert, strict=True))
    print(f"ratio grade / nbconvert     : {b / a:.2f}x  (goal: at most 1.3x)")
    print(f"  median of the {args.runs} paired ratios: {paired:.2f}x")
    print(f"load average                : {before} before, {load()} after")


if __name__ == "__main__":
    main()
