"""Batch throughput with 1 and 2 workers on the same 20 submissions.

    python benchmarks/batch_throughput.py [--submissions 20]

Grades a folder of realistic submissions (right, partly wrong, blank) with
`python grade.py FOLDER --jobs N --force`, N = 1 and 2, and prints
submissions per minute for each and the ratio. Goal (DESIGN.md): two workers
at least 1.7x as fast as one on two cores.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def make_class(folder: Path, n: int) -> None:
    import nbformat

    from tests.notebooks import VARIANTS, replace_definition, solution, solution_path, template_path

    sources = [
        solution_path("cnn_basics"),
        template_path("cnn_basics"),
        REPO / "examples" / "alice.ipynb",
    ]
    bugs = sorted((VARIANTS / "buggy").glob("*.py"))
    for i in range(n):
        target = folder / f"student_{i:02d}.ipynb"
        if i % 4 == 3 and bugs:
            nbformat.write(replace_definition(solution(), bugs[i % len(bugs)].read_text()), target)
        else:
            shutil.copy(sources[i % len(sources)], target)


def run(folder: Path, out: Path, jobs: int) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [
            sys.executable,
            "grade.py",
            str(folder),
            "--out",
            str(out),
            "--jobs",
            str(jobs),
            "--force",
            "--quiet",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 3, 4):
        raise SystemExit(f"grade.py failed ({done.returncode}): {done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--submissions", type=int, default=20)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        make_class(folder, args.submissions)
        one = run(folder, Path(tmp) / "out1", 1)
        two = run(folder, Path(tmp) / "out2", 2)
    n = args.submissions
    print(f"{n} submissions")
    print(f"--jobs 1 : {one:6.1f} s  ({60 * n / one:5.1f} submissions/minute)")
    print(f"--jobs 2 : {two:6.1f} s  ({60 * n / two:5.1f} submissions/minute)")
    print(f"speed-up : {one / two:.2f}x  (goal: at least 1.7x on two cores)")


if __name__ == "__main__":
    main()
