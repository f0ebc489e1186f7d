"""The grader as a user installs it: a wheel (not the source tree), run from another folder.

The wheel goes into a folder of its own (``pip install --target``) that comes first
on the import path, so these tests see exactly what ``pip install .`` ships:
the package, its assignments, its entry points, nothing from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.notebooks import REPO, solution_path, template_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the grader installed from its wheel, and nothing else."""
    root = tmp_path_factory.mktemp("installed")
    build = root / "src"
    # a clean copy of the files git knows (committed or not ignored), as a clone holds them
    files = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for rel in filter(None, files):
        target = build / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO / rel).is_file():
            shutil.copy2(REPO / rel, target)
    wheels = root / "wheels"
    run = [sys.executable, "-m", "pip"]
    quiet = {"capture_output": True, "text": True}
    done = subprocess.run(
        [*run, "wheel", "--no-deps", "-q", "-w", str(wheels), str(build)], **quiet
    )
    assert done.returncode == 0, done.stderr[-2000:]
    site = root / "site"
    wheel = next(wheels.glob("autograder-*.whl"))
    done = subprocess.run(
        [*run, "install", "--no-deps", "-q", "--target", str(site), str(wheel)], **quiet
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return site


def _grader(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(site)}
    env.pop("AUTOGRADER_ASSIGNMENTS", None)
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_installed_grader_grades_from_any_folder(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(solution_path("cnn_basics"), elsewhere / "alice.ipynb")
    done = _grader(installed, elsewhere, "alice.ipynb", "--quiet")
    assert done.returncode == 0, done.stderr
    report = json.loads((elsewhere / "reports" / "alice" / "report.json").read_text())
    assert (report["status"], report["score"]) == ("graded", 100.0)


def test_the_installed_grader_says_its_versions_and_where_its_assignments_are(installed, tmp_path):
    done = _grader(installed, tmp_path, "--version")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("autograder 0.")
    for library in ("torch", "numpy", "jupyter_client", "nbclient"):
        assert f"{library} " in lines[1]
    from autograder import assignments

    listed = ", ".join(assignments.names())  # the checkout's, all shipped
    assert lines[2] == f"assignments: {listed}"
    assert lines[3] == f"  from {installed / 'autograder' / 'course'}: {listed}"
    shipped = installed / "autograder" / "course"
    assert not list(shipped.glob("*/variants"))  # test material stays in the repository
    assert list(shipped.glob("*/checks/test_*.py")) and list(shipped.glob("*/solution.ipynb"))


def test_a_grader_installed_without_its_assignments_blames_itself_not_the_student(
    installed, tmp_path
):
    broken = tmp_path / "site"
    shutil.copytree(installed, broken)
    shutil.rmtree(broken / "autograder" / "course")
    shutil.copy(template_path("cnn_basics"), tmp_path / "bob.ipynb")
    done = _grader(broken, tmp_path, "bob.ipynb")
    assert done.returncode == 1
    assert "the grader finds no assignments" in done.stderr
    assert "Traceback" not in done.stderr
    # grading one file through the API: an error report, never a rejected student
    code = (
        "import json, pathlib; from autograder.grading import grade; "
        "r = grade(pathlib.Path('bob.ipynb')); print(json.dumps([r.status, r.error]))"
    )
    env = {**os.environ, "PYTHONPATH": str(broken)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    status, error = json.loads(done.stdout.strip().splitlines()[-1])
    assert status == "error" and "the grader finds no assignments" in error


def test_assignments_can_live_in_a_folder_of_the_courses_own(installed, tmp_path):
    """--assignments DIR (or AUTOGRADER_ASSIGNMENTS) adds a folder searched first."""
    course = tmp_path / "course"
    shutil.copytree(solution_path("cnn_basics").parent, course / "cnn_basics")
    config = course / "cnn_basics" / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("call_timeout_s = 10", "call_timeout_s = 7"),
        encoding="utf-8",
    )
    shutil.copy(solution_path("cnn_basics"), tmp_path / "carol.ipynb")
    done = _grader(installed, tmp_path, "--assignments", str(course), "--version")
    assert f"  from {course}: cnn_basics\n" in done.stdout
    done = _grader(installed, tmp_path, "carol.ipynb", "--assignments", str(course), "--quiet")
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "reports" / "carol" / "report.json").read_text())
    assert (report["status"], report["score"]) == ("graded", 100.0)
    assert report["sandbox"]["limits"]["call_timeout_s"] == 7  # the course's copy was used
