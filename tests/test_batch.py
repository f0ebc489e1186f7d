"""A whole class through the real command line: workers, shards, merging, resuming."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from tests.notebooks import (
    REPO,
    VARIANTS,
    append_cells,
    replace_definition,
    solution,
    solution_path,
    template_path,
)

pytestmark = pytest.mark.slow


def _cli(*args: str, env: dict | None = None, timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "grade.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def _class_folder(root: Path) -> Path:
    """Twenty submissions: right, wrong in different ways, hostile and broken."""
    folder = root / "class"
    folder.mkdir()
    for i in range(3):
        shutil.copy(solution_path("cnn_basics"), folder / f"perfect_{i}.ipynb")
    shutil.copy(template_path("cnn_basics"), folder / "blank.ipynb")
    shutil.copy(REPO / "examples" / "alice.ipynb", folder / "alice.ipynb")
    for path in sorted((VARIANTS / "buggy").glob("*.py"))[:10]:
        nb = replace_definition(solution(), path.read_text())
        nbformat.write(nb, folder / f"bug_{path.stem[:24]}.ipynb")
    nbformat.write(append_cells(solution(), "import os\nos._exit(0)"), folder / "exits.ipynb")
    nbformat.write(
        append_cells(
            solution(),
            "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError:\n    pass",
        ),
        folder / "kills_parent.ipynb",
    )
    (folder / "empty.ipynb").write_bytes(b"")
    (folder / "script.ipynb").write_text("import numpy as np\nprint('hi')\n")
    (folder / "noise.ipynb").write_bytes(os.urandom(512) + b"\xff")
    assert len(list(folder.glob("*.ipynb"))) == 20
    return folder


def _rows(path: Path) -> list[list[str]]:
    with open(path, newline="") as f:
        return list(csv.reader(f))


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("batch")
    folder = _class_folder(root)
    full = _cli(str(folder), "--out", str(root / "full"), "--jobs", "2")
    return root, folder, full


def test_a_class_is_graded_with_one_report_per_submission(graded_class):
    root, folder, full = graded_class
    assert full.returncode == 3, full.stderr  # some submissions were rejected
    out = root / "full"
    reports = [json.loads(p.read_text()) for p in out.glob("*/report.json")]
    assert len(reports) == 20
    by_name = {r["submission"]: r for r in reports}
    assert by_name["empty.ipynb"]["status"] == "rejected"
    assert by_name["script.ipynb"]["status"] == "rejected"
    assert by_name["perfect_0.ipynb"]["score"] == 100.0
    assert by_name["blank.ipynb"]["score"] == 0.0
    # hostile submissions are graded for what their code does, and stop nothing else
    assert by_name["exits.ipynb"]["status"] == "graded" and by_name["exits.ipynb"]["score"] == 100.0
    assert by_name["kills_parent.ipynb"]["status"] == "graded"
    assert by_name["kills_parent.ipynb"]["score"] == 100.0
    assert all(r["score"] < 100 for n, r in by_name.items() if n.startswith("bug_"))
    rows = _rows(out / "summary.csv")
    assert rows[0][:4] == ["student", "submission", "assignment", "status"]
    assert "cross_correlation2d" in rows[0]
    assert rows[0][-4:] == ["score", "max_score", "sha256", "report"]
    assert len(rows) == 21
    for name in ("index.html", "junit.xml"):
        assert (out / name).stat().st_size > 0
    assert full.stderr.count("/20]") == 20


def test_a_submission_in_a_batch_is_graded_as_it_would_be_alone(graded_class, grade_once):
    root, folder, _ = graded_class
    alone = grade_once("alice", REPO / "examples" / "alice.ipynb").json
    in_batch = json.loads((root / "full" / "alice" / "report.json").read_text())
    assert in_batch["score"] == alone["score"]
    assert [q["score"] for q in in_batch["questions"]] == [q["score"] for q in alone["questions"]]


def test_two_shards_merged_give_the_same_summary_as_one_run(graded_class):
    root, folder, _ = graded_class
    names = []
    for i in (1, 2):
        shard = _cli(
            str(folder), "--out", str(root / f"shard{i}"), "--shard", f"{i}/2", "--jobs", "2"
        )
        assert shard.returncode in (0, 3), shard.stderr
        names.append({p.parent.name for p in (root / f"shard{i}").glob("*/report.json")})
    assert names[0] and names[1] and not names[0] & names[1]  # a partition
    assert len(names[0] | names[1]) == 20
    merged = _cli(
        "--merge", str(root / "shard1"), str(root / "shard2"), "--out", str(root / "merged")
    )
    assert merged.returncode == 3, merged.stderr
    assert _rows(root / "merged" / "summary.csv") == _rows(root / "full" / "summary.csv")


def test_a_killed_batch_grades_only_what_is_left_when_run_again(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for i in range(5):
        shutil.copy(solution_path("cnn_basics"), folder / f"student_{i}.ipynb")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "grade.py", str(folder), "--out", str(out)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while len(list(out.glob("*/report.json"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name for p in out.glob("*/report.json")}
    assert 2 <= len(finished) < 5
    again = _cli(str(folder), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert again.stderr.count("already graded") == len(finished)
    assert again.stderr.count(" in ") == 5 - len(finished)
    rows = _rows(out / "summary.csv")
    assert len(rows) == 6 and all(r[-3] == "100" for r in rows[1:])
    forced = _cli(str(folder / "student_0.ipynb"), "--out", str(out), "--force")
    assert "already graded" not in forced.stderr


def _kill_worker_while_it_grades(proc: subprocess.Popen, killed: set[int]) -> None:
    """SIGKILL the CLI's grading worker once it is inside the notebook's slow cell."""
    import psutil

    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for child in psutil.Process(proc.pid).children():
            try:
                # a worker is forked (the command line's own) or spawned (multiprocessing's);
                # of the command's children, only a worker starts processes (its kernel)
                worker = "python" in child.name() or "multiprocessing" in " ".join(child.cmdline())
                busy = worker and child.pid not in killed and child.children(recursive=True)
            except psutil.Error:
                continue
            if busy:
                time.sleep(2.0)  # inside the notebook: its kernel is running
                child.kill()
                killed.add(child.pid)
                return
        time.sleep(0.1)
    raise AssertionError("no grading worker with a kernel appeared within 120 s")


@pytest.mark.parametrize("kills", [1, 2])
def test_a_worker_that_dies_costs_a_regrade_then_an_error_report(tmp_path, kills):
    folder = tmp_path / "class"
    folder.mkdir()
    nbformat.write(append_cells(solution(), "import time\ntime.sleep(6)"), folder / "slow.ipynb")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "grade.py", str(folder), "--out", str(out), "--jobs", "1"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        killed: set[int] = set()
        for _ in range(kills):
            _kill_worker_while_it_grades(proc, killed)
        _, stderr = proc.communicate(timeout=300)
    finally:
        proc.kill()
    report = json.loads((out / "slow" / "report.json").read_text())
    assert (
        "the grader's worker stopped unexpectedly (killed by SIGKILL); grading it again" in stderr
    )
    if kills == 1:
        assert proc.returncode == 0, stderr
        assert report["status"] == "graded" and report["score"] == 100.0
    else:
        assert proc.returncode == 1, stderr  # a grader error, not the student's
        assert report["status"] == "error"
        assert "stopped unexpectedly twice (killed by SIGKILL)" in report["error"]


def test_workers_start_as_copies_of_the_command_only_while_that_is_safe():
    """The first workers of ``grade.py`` are forked (no new interpreter, no second import of
    the grader); not while another thread runs (a queue's feeder, say) or PyTorch is loaded.
    The test above kills a forked worker and has it replaced by a spawned one."""
    code = (
        "import threading, time\n"
        "from autograder.batch import pool\n"
        "alone = pool._can_fork()\n"
        "t = threading.Thread(target=time.sleep, args=(1,)); t.start()\n"
        "threaded = pool._can_fork(); t.join()\n"
        "import torch\n"
        "print(alone, threaded, pool._can_fork())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["True", "False", "False"]
