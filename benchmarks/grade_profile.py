"""Where the time of one grade goes: kernel start, notebook, each question's checks, reports.

    python benchmarks/grade_profile.py [NOTEBOOK] [--repeat 2] [--sandbox auto]

Grades NOTEBOOK (default: assignments/cnn_basics/solution.ipynb) in this process, as a
batch worker does, and prints, for the last grade: the time in kernel start, notebook
execution, the wait for the reference solution (loaded in parallel with the kernel), the
checks, and report writing; then, per question, its checks' time split into grader-side
work (the truth: reference solution and PyTorch; the rest: comparisons, fixtures, pytest)
and kernel round trips (how many requests went to the kernel, their mean latency, and the
time spent writing and reading the data they carried). ``--repeat 2`` grades twice and
profiles the second grade too: what a batch worker pays per student once its process is
warm (the truth is computed once per process and reused). The truths are also kept on disk
(``autograder/truths.py``): point ``AUTOGRADER_CACHE`` at an empty folder to profile the
very first grade of an assignment on a machine (PyTorch imported, every truth computed).

The figures come from wrapping the grader's functions from outside (nothing in the grader
knows about this script), so the same script profiles older and newer versions alike.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


class Tally:
    """Seconds and counts per (question, what), and per phase of the grade."""

    def __init__(self) -> None:
        self.phases: dict[str, float] = defaultdict(float)
        self.per: dict[tuple[str, str], float] = defaultdict(float)
        self.current: str | None = None
        self.checks: dict[str, int] = defaultdict(int)

    def add(self, what: str, seconds: float, count: float = 0.0) -> None:
        if self.current is not None:
            self.per[(self.current, what)] += seconds
            self.per[(self.current, what + "#")] += count


TALLY = Tally()
WAIT = "reference solution: wait (after the notebook)"
PHASES = (
    "read and validate the notebook",
    "sandbox: make its folders",
    "kernel start",
    "call helper: install in the kernel",
    "notebook execution",
    WAIT,
    "checks",
    "kernel and sandbox: stop and clean up",
    "report: redact",
    "report: write files",
)


def _wrap(owner: Any, name: str, around: Callable[..., Any]) -> None:
    original = getattr(owner, name, None)
    if original is None:
        return

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return around(original, *args, **kwargs)

    wrapper.__name__ = getattr(original, "__name__", name)
    setattr(owner, name, wrapper)


def _phase(label: str) -> Callable[..., Any]:
    def around(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TALLY.phases[label] += time.perf_counter() - started

    return around


def _inside_checks(what: str, counted: bool = False) -> Callable[..., Any]:
    def around(original: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            TALLY.add(what, time.perf_counter() - started, 1.0 if counted else 0.0)

    return around


class _PerCheck:
    """A pytest plugin added beside the grader's: which question runs, and for how long."""

    def __init__(self) -> None:
        import pytest

        self.pytest = pytest

        @pytest.hookimpl(hookwrapper=True)
        def pytest_runtest_protocol(item: Any, nextitem: Any) -> Iterator[None]:
            question = Path(str(item.path)).stem.removeprefix("test_")
            TALLY.current = question
            TALLY.checks[question] += 1
            started = time.perf_counter()
            yield
            TALLY.add("check", time.perf_counter() - started)
            TALLY.current = None

        self.pytest_runtest_protocol = pytest_runtest_protocol


def instrument() -> None:
    """Wrap the grader's steps (kernel, wire, truth, reports) with timers."""
    from autograder import (
        grading,
        intake,
        kernel,
        plugin,
        proxy,
        questions,
        reference,
        sandbox,
        wire,
    )
    from autograder.sandbox import cleanup

    _wrap(intake, "load", _phase("read and validate the notebook"))
    _wrap(sandbox.Sandbox, "__init__", _phase("sandbox: make its folders"))
    _wrap(kernel.Kernel, "start", _phase("kernel start"))
    _wrap(proxy.Student, "install", _phase("call helper: install in the kernel"))
    _wrap(kernel.Kernel, "run_notebook", _phase("notebook execution"))
    _wrap(reference.Warmup, "result", _phase(WAIT))
    # run_checks is imported where it is used since the checks' machinery loads in parallel
    _wrap(grading if hasattr(grading, "run_checks") else plugin, "run_checks", _phase("checks"))
    _wrap(kernel.Kernel, "close", _phase("kernel and sandbox: stop and clean up"))
    _wrap(sandbox.Sandbox, "close", _phase("kernel and sandbox: stop and clean up"))
    _wrap(grading, "_finish", _phase("report: redact"))
    # a round trip is one request to the kernel while a check runs
    _wrap(kernel.Kernel, "execute", _inside_checks("kernel", counted=True))
    for name in ("write_call", "write_request", "read_result", "read_timed"):
        _wrap(wire, name, _inside_checks("wire"))
    _wrap(cleanup, "remove_files", _inside_checks("wire"))
    # the truth: the reference solution and PyTorch, in the grader's process
    if hasattr(questions, "expected_values"):
        _wrap(questions, "expected_values", _inside_checks("truth"))
    else:

        def check_cases(original: Callable[..., Any], call, name, cases, truth, compare, **kw):
            def timed(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return truth(*args, **kwargs)
                finally:
                    TALLY.add("truth", time.perf_counter() - started)

            return original(call, name, cases, timed, compare, **kw)

        _wrap(questions, "check_cases", check_cases)
    extra = _PerCheck()
    _wrap(
        plugin.GradingPlugin,
        "component_plugins",
        lambda original, *a, **k: [*original(*a, **k), extra],
    )


def grade_once(notebook: Path, sandbox: str, out: Path) -> tuple[Any, float]:
    from autograder.grading import grade
    from autograder.options import Options
    from autograder.reports import report_dir, write_all

    global TALLY
    TALLY = Tally()
    started = time.perf_counter()
    report = grade(notebook, Options(sandbox=sandbox))
    graded = time.perf_counter() - started
    started = time.perf_counter()
    write_all(report, report_dir(out, notebook))
    TALLY.phases["report: write files"] += time.perf_counter() - started
    return report, graded + TALLY.phases["report: write files"]


def show(report: Any, total: float, title: str) -> None:
    print(f"\n== {title}: {report.submission} ({report.status}, score {report.score:g}) ==")
    print(f"{'phase':<48} {'seconds':>8}")
    for name in PHASES:
        print(f"{name:<48} {TALLY.phases.get(name, 0.0):8.3f}")
    known = sum(TALLY.phases.values())
    print(f"{'other (options, components, the grade around these)':<48} {total - known:8.3f}")
    print(f"{'total (grade and report files)':<48} {total:8.3f}")
    print(f"PyTorch loaded in the grader's process: {'yes' if 'torch' in sys.modules else 'no'}")
    print()
    head = (
        f"{'question':<32} {'checks':>6} {'total s':>8} {'grader s':>8} {'truth s':>8}"
        f" {'trips':>6} {'ms/trip':>8} {'wire s':>7}"
    )
    print(head)
    print("-" * len(head))
    sums = defaultdict(float)
    for question, count in TALLY.checks.items():
        per = {
            what: TALLY.per.get((question, what), 0.0)
            for what in ("check", "truth", "kernel", "kernel#", "wire")
        }
        trips = int(per["kernel#"])
        grader = per["check"] - per["kernel"] - per["wire"]
        mean = 1000 * per["kernel"] / trips if trips else 0.0
        print(
            f"{question:<32} {count:>6} {per['check']:8.3f} {grader:8.3f} {per['truth']:8.3f}"
            f" {trips:>6} {mean:8.2f} {per['wire']:7.3f}"
        )
        for what, value in per.items():
            sums[what] += value
        sums["grader"] += grader
        sums["checks"] += count
    trips = int(sums["kernel#"])
    mean = 1000 * sums["kernel"] / trips if trips else 0.0
    print("-" * len(head))
    print(
        f"{'all questions':<32} {int(sums['checks']):>6} {sums['check']:8.3f} {sums['grader']:8.3f}"
        f" {sums['truth']:8.3f} {trips:>6} {mean:8.2f} {sums['wire']:7.3f}"
    )
    print(
        "grader s: the checks' time outside round trips (the truth included); trips: requests "
        "sent to the kernel; ms/trip: their mean latency in the kernel; wire s: writing and "
        "reading the data they carried"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument(
        "notebook",
        nargs="?",
        type=Path,
        default=REPO / "assignments" / "cnn_basics" / "solution.ipynb",
    )
    p.add_argument("--repeat", type=int, default=2, help="grades in this process (default 2)")
    p.add_argument("--sandbox", default="auto")
    args = p.parse_args()
    started = time.perf_counter()
    instrument()
    print(f"load average before: {Path('/proc/loadavg').read_text().strip()}")
    print(f"imports: {time.perf_counter() - started:.2f} s; cores: {os.cpu_count()}")
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(REPO):
        for i in range(args.repeat):
            report, total = grade_once(args.notebook.resolve(), args.sandbox, Path(tmp))
            title = (
                "first grade in this process" if i == 0 else f"grade {i + 1} in the same process"
            )
            show(report, total, title)
    print(f"\nload average after: {Path('/proc/loadavg').read_text().strip()}")


if __name__ == "__main__":
    main()
