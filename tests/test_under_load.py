"""Grades stay right on a loaded machine and with kernels that start slowly.

A kernel that starts slowly is alive: only its process says whether it lives
(a heartbeat it has not started yet must not count as death). Busy processes
here run in sessions of their own, as other jobs on a CI runner do, so that the
scheduler shares the CPU between them and the grader's kernel.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sys
from collections.abc import Iterator

import pytest

from autograder.grading import Options, grade
from tests.notebooks import solution_path

pytestmark = pytest.mark.slow

SLOW_START_S = 4.0
SLOW_KERNEL = (
    sys.executable,
    "-c",
    f"import time; time.sleep({SLOW_START_S}); "
    "from ipykernel.kernelapp import launch_new_instance; launch_new_instance()",
    "-f",
    "{connection_file}",
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=CRITICAL",
)


def _spin() -> None:
    os.setsid()
    while True:
        pass


@pytest.fixture
def busy_cpu() -> Iterator[int]:
    """Twice as many spinning processes as cores, each in a session of its own."""
    hogs = [
        mp.get_context("fork").Process(target=_spin, daemon=True)
        for _ in range(2 * (os.cpu_count() or 1))
    ]
    for hog in hogs:
        hog.start()
    try:
        yield len(hogs)
    finally:
        for hog in hogs:
            hog.kill()
            hog.join()


def test_correct_notebooks_are_graded_in_full_while_the_cpu_is_saturated(busy_cpu):
    reports = [grade(solution_path("cnn_basics")) for _ in range(3)]
    assert [(r.status, r.score, r.error) for r in reports] == [("graded", 100.0, None)] * 3
    assert all(r.notebook["kernel_restarts"] == 0 for r in reports)


def test_a_kernel_that_starts_slowly_on_a_saturated_cpu_is_waited_for(busy_cpu):
    report = grade(solution_path("cnn_basics"), Options(kernel_argv=SLOW_KERNEL))
    assert (report.status, report.score, report.error) == ("graded", 100.0, None)


def test_a_kernel_that_dies_while_starting_is_reported_as_such():
    dying = (sys.executable, "-c", "import sys; sys.exit(3)", "-f", "{connection_file}")
    report = grade(solution_path("cnn_basics"), Options(kernel_argv=dying))
    assert report.status == "error"
    assert (
        report.error
        == "the kernel exited with status 3 (the code called exit or os._exit) while starting."
    )


def test_a_kernel_that_never_answers_is_given_up_after_the_start_limit():
    silent = (sys.executable, "-c", "import time; time.sleep(60)", "-f", "{connection_file}")
    report = grade(
        solution_path("cnn_basics"),
        Options(kernel_argv=silent, limits={"kernel_start_timeout_s": 6}),
    )
    assert report.status == "error"
    assert report.error.startswith("the kernel did not answer within 6 s of starting")
