"""Grading the solution notebook vs. `jupyter nbconvert --execute` on the same notebook.

    python benchmarks/grade_vs_nbconvert.py [--runs 5] [--notebook assignments/cnn_basics/solution.ipynb]

Both are timed as the command a person types (process start-up included), the
median of several runs after one warm-up each. Goal (DESIGN.md): grading costs
at most 2x the bare execution.
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


def timed(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, check=True, capture_output=True, cwd=REPO)  # warm-up (disk caches)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=REPO)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument(
        "--notebook", type=Path, default=REPO / "assignments" / "cnn_basics" / "solution.ipynb"
    )
    p.add_argument("--sandbox", default="auto")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        nbconvert = timed(
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
            args.runs,
        )
        grade = timed(
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
    print(f"ratio grade / nbconvert     : {b / a:.2f}x  (goal: at most 2x)")


if __name__ == "__main__":
    main()
