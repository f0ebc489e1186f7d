"""The command line contract: exit statuses, printed paths, one-sentence errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.notebooks import REPO, solution_path

pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    return subprocess.run(
        [sys.executable, "grade.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, **(env or {})},
    )


def test_grading_one_notebook_prints_where_the_report_is(tmp_path):
    summary = tmp_path / "step-summary.md"
    done = _cli(
        str(REPO / "examples" / "alice.ipynb"),
        "--out",
        str(tmp_path),
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "alice" / "report.md")
    assert "alice.ipynb: 86/100" in done.stderr
    names = {p.name for p in (tmp_path / "alice").iterdir()}
    assert {
        "report.json",
        "report.md",
        "report.html",
        "report-student.html",
        "results.json",
        "junit.xml",
    } <= names
    assert "| alice | graded | 86 | 100 |" in summary.read_text()


def test_fail_under_exits_4_and_a_rejected_file_exits_3(tmp_path):
    below = _cli(
        str(REPO / "examples" / "alice.ipynb"), "--out", str(tmp_path), "--fail-under", "90"
    )
    assert below.returncode == 4, below.stderr
    assert "below --fail-under" in below.stderr
    empty = tmp_path / "empty.ipynb"
    empty.write_bytes(b"")
    rejected = _cli(str(empty), "--out", str(tmp_path))
    assert rejected.returncode == 3
    report = json.loads((tmp_path / "empty" / "report.json").read_text())
    assert report["status"] == "rejected" and "is empty" in report["error"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--shard", "3/2", "x.ipynb"], "needs 1 <= I <= N"),
        (["--jobs", "0", "x.ipynb"], "must be at least 1"),
        (["--assignment", "nope", "x.ipynb"], "no assignment called 'nope'"),
        (["--device", "tpu", "x.ipynb"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2_with_one_sentence(args, message):
    done = _cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_asking_for_an_isolation_that_does_not_work_fails_before_grading(tmp_path):
    done = _cli(
        str(solution_path("cnn_basics")),
        "--sandbox",
        "bwrap",
        "--out",
        str(tmp_path),
        env={"PATH": "/nonexistent"},
    )
    assert done.returncode == 1
    assert "--sandbox bwrap was asked for, but bubblewrap (bwrap) is not installed" in done.stderr
    assert not any(tmp_path.iterdir())
