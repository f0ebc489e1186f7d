"""Executing a notebook in a real sandboxed kernel: errors, skips, limits, crashes."""

from __future__ import annotations

import nbformat
import pytest

from autograder.config import Limits
from tests.kernels import kernel, notebook

pytestmark = pytest.mark.slow


def _statuses(run):
    return [(r.index, r.outcome.status) for r in run.records]


def test_a_failing_cell_is_recorded_and_the_next_cells_still_run(tmp_path):
    nb = notebook("a = 1", "1 / 0", "b = a + 1", "print(b)")
    with kernel(tmp_path) as k:
        run = k.run_notebook(nb)
    assert _statuses(run) == [(0, "ok"), (1, "error"), (2, "ok"), (3, "ok")]
    error = run.records[1].outcome
    assert error.error == "ZeroDivisionError: division by zero"
    assert "1 / 0" in error.traceback
    assert run.records[3].outcome.output == "2\n"


def test_cells_tagged_skip_execution_are_not_run(tmp_path):
    nb = notebook(
        "a = 1", "a = 2\nraise RuntimeError('ran')", "print(a)", tags={1: ["skip-execution"]}
    )
    with kernel(tmp_path) as k:
        run = k.run_notebook(nb)
    assert run.skipped == 1 and run.executed == 2
    assert run.records[-1].outcome.output == "1\n"
    assert run.errors() == []


def test_a_cell_past_its_time_limit_is_interrupted_and_grading_goes_on(tmp_path):
    nb = notebook("a = 1", "while True:\n    a += 1", "print('after', a > 1)")
    with kernel(tmp_path, limits=Limits(cell_timeout_s=1.5)) as k:
        run = k.run_notebook(nb)
        assert k.restarts == 0  # an interrupt was enough
    assert _statuses(run) == [(0, "ok"), (1, "timeout"), (2, "ok")]
    assert "time limit" in run.records[1].outcome.error
    assert run.records[2].outcome.output == "after True\n"


def test_a_cell_that_ignores_interrupts_gets_a_fresh_kernel_and_a_replay(tmp_path):
    stubborn = "import time\nwhile True:\n    try:\n        time.sleep(10)\n    except KeyboardInterrupt:\n        pass"
    nb = notebook("a = 41", stubborn, "print(a + 1)")
    with kernel(tmp_path, limits=Limits(cell_timeout_s=1.0)) as k:
        run = k.run_notebook(nb)
        assert k.restarts == 1
    assert _statuses(run) == [(0, "ok"), (1, "timeout"), (2, "ok")]
    assert "restarted" in run.records[1].outcome.error
    assert run.records[2].outcome.output == "42\n"


def test_a_kernel_that_dies_is_restarted_and_the_notebook_replayed_up_to_the_crash(tmp_path):
    crash = "import ctypes\nctypes.string_at(0)"
    nb = notebook(
        "a = 1", "b = a + 1", crash, "print(a + b)", "import os\nos._exit(7)", "print('end')"
    )
    with kernel(tmp_path) as k:
        run = k.run_notebook(nb)
        assert k.restarts == 2
    assert _statuses(run) == [(0, "ok"), (1, "ok"), (2, "died"), (3, "ok"), (4, "died"), (5, "ok")]
    assert "segmentation fault" in run.records[2].outcome.error
    assert "status 7" in run.records[4].outcome.error
    assert run.records[3].outcome.output == "3\n"


def test_the_total_time_limit_stops_the_notebook(tmp_path):
    nb = notebook("import time\ntime.sleep(3)", "print('late')", "print('later')")
    with kernel(tmp_path, total=2.0) as k:
        run = k.run_notebook(nb)
    statuses = [r.outcome.status for r in run.records]
    assert statuses[0] == "timeout"
    assert statuses[1:] == ["not run", "not run"]


def test_output_is_kept_only_up_to_the_limit(tmp_path):
    nb = notebook("for i in range(20000):\n    print('x' * 100)", "print('small')")
    with kernel(tmp_path, limits=Limits(max_output_kb=4)) as k:
        run = k.run_notebook(nb)
    big = run.records[0].outcome
    assert big.status == "ok" and big.output_truncated
    assert len(big.output) <= 4 * 1024
    assert run.records[1].outcome.output == "small\n"


def test_stdin_is_refused_not_waited_for(tmp_path):
    nb = notebook("name = input('name? ')", "print('next')")
    with kernel(tmp_path, limits=Limits(cell_timeout_s=20)) as k:
        run = k.run_notebook(nb)
    assert run.records[0].outcome.status == "error"
    assert "StdinNotImplementedError" in run.records[0].outcome.error  # not a 20 s timeout
    assert run.records[1].outcome.output == "next\n"


def test_notebook_written_to_disk_is_what_the_kernel_sees(tmp_path):
    path = tmp_path / "submission.ipynb"
    nbformat.write(notebook("x = 3"), path)
    with kernel(tmp_path) as k:
        outcome = k.execute(
            "import json; print(len(json.load(open('submission.ipynb'))['cells']))", timeout=20
        )
    assert outcome.output == "1\n"
