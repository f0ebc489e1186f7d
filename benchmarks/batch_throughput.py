"""Batch throughput: notebooks per minute with 1, 2 and N workers on the same class.

    python benchmarks/batch_throughput.py [--submissions 40] [--workers 1,2,N]

Builds a class of realistic submissions for every assignment that has variants
(cnn_basics, regularization): reference solutions, blank templates, and solutions with
one function replaced by a buggy (or a correct but different) variant from
``assignments/*/variants``, in a fixed mix. Grades it with
``python grade.py FOLDER --jobs W --force`` for each W (N = the machine's cores) and
prints notebooks per minute, the speed-up over one worker, and the load average beside
every figure (the machine may be shared: compare figures measured at a similar load).
Goals (issue 14): two workers at least 1.8x one worker on two cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

MIX = ("solution", "buggy", "template", "buggy", "correct", "buggy", "solution", "buggy")
"""The kinds of notebook, in turn, for each assignment: a class is mostly partly right."""


def make_class(folder: Path, n: int) -> dict[str, int]:
    """``n`` notebooks in ``folder``, alternating between the assignments; their kinds."""
    import nbformat

    from tests.notebooks import ASSIGNMENTS, replace_definition, solution, template_path

    names = [a for a in ("cnn_basics", "regularization") if (ASSIGNMENTS / a / "variants").is_dir()]
    variants = {
        (a, kind): sorted((ASSIGNMENTS / a / "variants" / kind).glob("*.py"))
        for a in names
        for kind in ("buggy", "correct")
    }
    kinds: dict[str, int] = {}
    for i in range(n):
        assignment = names[i % len(names)]
        turn = i // len(names)
        kind = MIX[turn % len(MIX)]
        target = folder / f"student_{i:02d}_{assignment}_{kind}.ipynb"
        if kind == "solution":
            shutil.copy(ASSIGNMENTS / assignment / "solution.ipynb", target)
        elif kind == "template":
            shutil.copy(template_path(assignment), target)
        else:
            pool = variants[(assignment, kind)]
            source = pool[(turn * 7) % len(pool)].read_text(encoding="utf-8")
            nbformat.write(replace_definition(solution(assignment), source), target)
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


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
    p.add_argument("--submissions", type=int, default=40)
    p.add_argument(
        "--workers",
        default="1,2,N",
        help="comma-separated worker counts; N = the machine's cores (default 1,2,N)",
    )
    args = p.parse_args()
    cores = os.cpu_count() or 1
    counts: list[int] = []
    for word in args.workers.split(","):
        w = cores if word.strip().upper() == "N" else int(word)
        if w not in counts:
            counts.append(w)
    n = args.submissions
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "class"
        folder.mkdir()
        kinds = make_class(folder, n)
        print(
            f"{n} notebooks ({', '.join(f'{v} {k}' for k, v in sorted(kinds.items()))}); {cores} cores"
        )
        print(
            f"{'workers':>7} {'seconds':>8} {'notebooks/min':>14} {'speed-up':>9}  load average (before -> after)"
        )
        first = None
        for w in counts:
            before = load()
            seconds = run(folder, Path(tmp) / f"out{w}", w)
            first = first or seconds
            label = f"{w}" + (" (N)" if w == cores else "")
            print(
                f"{label:>7} {seconds:8.1f} {60 * n / seconds:14.1f} {first / seconds:8.2f}x"
                f"  {before} -> {load()}",
                flush=True,
            )
    print(
        "speed-up: time with the first worker count over time with this one (goal: 2 workers >= 1.8x)"
    )


if __name__ == "__main__":
    main()
