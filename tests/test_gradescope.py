"""The Gradescope autograder: the zip as Gradescope gets it, run_autograder run as Gradescope
runs it (in an /autograder-shaped folder), and every results.json checked against the fields
Gradescope documents (tests/schemas/gradescope-results.schema.json).

setup.sh is never run here (it installs system packages); run_autograder runs with this
test's Python (AUTOGRADER_PYTHON) and the grader bundled in the zip (PYTHONPATH).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from autograder.components import section_from_json
from autograder.reports import gradescope
from autograder.results import CheckResult, QuestionResult, Report
from tests.notebooks import REPO, replace_definition, solution_path, template_path
from tests.redteam import HOSTILE, SECRET, environment_secret

SCHEMA = json.loads((REPO / "tests" / "schemas" / "gradescope-results.schema.json").read_text())


def valid(results: dict) -> dict:
    jsonschema.validate(results, SCHEMA)
    return results


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gs") / "autograder.zip"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "gradescope", "cnn_basics", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(out)
    return out


def _unpack(package: Path, root: Path, notebooks: dict[str, bytes]) -> Path:
    """An /autograder-shaped folder: source/ (the zip), run_autograder, submission/."""
    with zipfile.ZipFile(package) as zf:
        zf.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        path = root / "source" / name
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    for name, data in notebooks.items():
        (root / "submission" / name).write_bytes(data)
    return root


def run_autograder(
    root: Path, python: str = sys.executable
) -> tuple[dict, subprocess.CompletedProcess, float]:
    env = {
        **{k: v for k, v in os.environ.items() if k != "AUTOGRADER_CACHE"},  # as on Gradescope
        "AUTOGRADER_ROOT": str(root),
        "AUTOGRADER_PYTHON": python,
        "PYTHONPATH": str(root / "source" / "grader"),
        **environment_secret(),
    }
    started = time.monotonic()
    done = subprocess.run(
        [str(root / "run_autograder")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    seconds = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    return valid(results), done, seconds


def test_the_zip_holds_the_scripts_the_grader_and_one_assignment(package):
    with zipfile.ZipFile(package) as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
        settings = zf.read("gradescope.toml").decode()
        setup = zf.read("setup.sh").decode()
    assert {"setup.sh", "run_autograder", "gradescope.toml", "requirements.lock"} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert "grader/autograder/gradescope/run.py" in names and "grader/pyproject.toml" in names
    assert "grader/assignments/cnn_basics/solution.ipynb" in names
    assert "grader/assignments/cnn_basics/checks/test_softmax.py" in names
    others = {
        n.split("/")[2] for n in names if n.startswith("grader/assignments/") and n.count("/") > 2
    }
    assert others == {"cnn_basics"}  # one assignment, no variants, no caches
    assert not [n for n in names if "/variants/" in n or "__pycache__" in n or n.endswith(".pyc")]
    assert 'assignment = "cnn_basics"' in settings and 'hidden_visibility = "hidden"' in settings
    assert "bubblewrap" in setup and "requirements.lock" in setup and "chmod -R go-rwx" in setup
    assert "AUTOGRADER_CACHE=/autograder/cache" in setup  # the truths, computed once there
    assert subprocess.run(["bash", "-n", "-c", setup]).returncode == 0
    assert package.stat().st_size < 2_000_000


def test_the_zip_is_reproducible(package, tmp_path):
    again = tmp_path / "again.zip"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "gradescope", "cnn_basics", "--out", str(again)],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and again.read_bytes() == package.read_bytes()


def test_the_solution_gets_full_marks(package, tmp_path):
    root = _unpack(package, tmp_path, {"cnn_basics.ipynb": solution_path().read_bytes()})
    results, done, seconds = run_autograder(root)
    assert results["score"] == 100.0
    assert results["output_format"] == "md" and results["test_output_format"] == "md"
    assert all(t["status"] == "passed" for t in results["tests"])
    hidden = [t for t in results["tests"] if t["visibility"] == "hidden"]
    assert hidden and len(hidden) < len(results["tests"])
    # Gradescope hides the total while tests are hidden: the output never states one
    assert "100" not in results["output"] and "hidden" not in results["output"].lower()
    assert (
        "Score: 100/100" not in done.stdout and "**Score: 100 / 100**" in done.stdout
    )  # staff view
    # the checks' truths are kept under the root (setup.sh computes them there), for root only
    (store,) = (root / "cache" / "truths").glob("cnn_basics-*.npz")
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    print(f"run_autograder on the solution: {seconds:.1f} s")


def test_the_template_gets_0_with_feedback(package, tmp_path):
    root = _unpack(package, tmp_path, {"my work.ipynb": template_path().read_bytes()})
    results, _, _ = run_autograder(root)
    assert results["score"] == 0.0
    visible = [t for t in results["tests"] if t["visibility"] == "visible"]
    assert visible and all(t["status"] == "failed" for t in results["tests"])
    assert all("NotImplementedError" in t["output"] and "```" in t["output"] for t in visible)
    assert "Cells with errors" in results["output"]


def test_a_hostile_notebook_is_contained_and_its_text_escaped(package, tmp_path):
    case = next(h for h in HOSTILE if h.name == "fake_score_then_os_exit")
    nb = replace_definition(
        case.notebook(),
        'def softmax(logits):\n    raise ValueError("<h1>Grade: 100/100</h1> ```\\n# Score: 100")\n',
    )
    root = _unpack(package, tmp_path, {"alice.ipynb": nbformat.writes(nb).encode()})
    results, _, _ = run_autograder(root)
    assert results["extra_data"]["status"] == "graded"
    assert 0 < results["score"] < 100  # what Alice's code earns, not the printed fake score
    softmax = [t for t in results["tests"] if t["name"].startswith("softmax:")]
    assert softmax and all(t["status"] == "failed" for t in softmax)
    text = json.dumps(results)
    assert "All tests passed" not in text and SECRET not in text
    for t in softmax:
        if t["visibility"] == "visible":
            # the exception's text sits inside a fence longer than any run of backticks in it
            assert "<h1>Grade: 100/100</h1>" in t["output"] and "````" in t["output"]
    assert "<h1>" not in results["output"]


@pytest.mark.parametrize(
    "files, sentence",
    [
        ({}, "holds no Jupyter notebook"),
        ({"notes.txt": b"hello"}, "holds no Jupyter notebook (found: notes.txt)"),
        ({"a.ipynb": b"{}", "b.ipynb": b"{}"}, "holds 2 notebooks (a.ipynb, b.ipynb)"),
        ({"cnn_basics.ipynb": b"not json"}, "cnn_basics.ipynb"),
    ],
)
def test_a_submission_that_is_not_one_notebook_gets_one_failed_test(
    package, tmp_path, files, sentence
):
    root = _unpack(package, tmp_path, files)
    results, _, _ = run_autograder(root)
    assert results["score"] == 0.0
    assert [t["name"] for t in results["tests"]] == ["Submission"]
    assert results["tests"][0]["status"] == "failed"
    assert sentence in results["tests"][0]["output"]


def test_a_grader_that_cannot_start_still_writes_results(package, tmp_path):
    root = _unpack(package, tmp_path, {"cnn_basics.ipynb": solution_path().read_bytes()})
    results, _, _ = run_autograder(root, python=str(tmp_path / "no-python-here"))
    assert results["score"] == 0.0 and results["tests"][0]["name"] == "Autograder error"


def _report(**kw) -> Report:
    checks = [
        CheckResult("matches", "softmax", "passed", 2.0, 2.0, description="Does it <b>match</b>?"),
        CheckResult(
            "grid",
            "softmax",
            "failed",
            0.0,
            1.0,
            feedback="Expected: [[1, 2],\n           [3, 4]]\nGot:      [[1, 2],\n           [3, 5]]",
        ),
        CheckResult("secret", "softmax", "failed", 0.0, 1.0, visibility="hidden", feedback="x"),
        CheckResult("trains", "accuracy", "skipped", 0.0, 35.0, feedback="no GPU: not run"),
    ]
    report = Report(submission="s.ipynb", status="graded", assignment="a", max_score=39.0, **kw)
    report.questions = [
        QuestionResult("softmax", checks[:3]),
        QuestionResult("accuracy", checks[3:]),
    ]
    return report


def test_results_follow_the_spec_for_every_kind_of_check():
    results = valid(gradescope.results(_report()))
    tests = {t["name"]: t for t in results["tests"]}
    assert tests["softmax: grid"]["status"] == "failed"
    assert "```text\nExpected: [[1, 2],\n           [3, 4]]" in tests["softmax: grid"]["output"]
    assert "\\<b\\>match\\</b\\>" in tests["softmax: matches"]["output"]  # escaped for Markdown
    assert tests["softmax: secret"]["visibility"] == "hidden"
    skipped = tests["accuracy: trains (not run)"]
    assert skipped["score"] == 0 and skipped["max_score"] == 0 and "status" not in skipped
    assert "not counted" in skipped["output"] and results["score"] == 2.0
    assert "Score" not in results["output"]  # something is hidden: no total shown
    later = valid(gradescope.results(_report(), gradescope.Settings("after_published", "text")))
    assert {t["visibility"] for t in later["tests"]} == {"visible", "after_published"}
    assert later["output_format"] == "text" and "```" not in json.dumps(later)


def test_a_grader_fault_is_one_failed_autograder_error_test():
    report = Report.failed(
        "s.ipynb", "the checks of a are worth 3 points, but config.toml says 4", assignment="a"
    )
    results = valid(gradescope.results(report))
    assert [t["name"] for t in results["tests"]] == ["Autograder error"]
    assert (
        results["tests"][0]["status"] == "failed"
        and "worth 3 points" in results["tests"][0]["output"]
    )
    assert "not a problem with your work" in results["tests"][0]["output"]


@pytest.mark.parametrize(
    "kind, name",
    [
        ("synthetic", "synthetic data"),
        ("cifar10", "CIFAR-10"),
        ("folder", "an unverified data set"),
    ],
)
def test_the_leaderboard_names_the_data_set(kind, name):
    report = _report()
    report.sections["training"] = section_from_json(
        "training", {"dataset_kind": kind, "test_accuracy": 93.456}
    )
    board = valid(gradescope.results(report))["leaderboard"]
    assert board == [{"name": f"Test accuracy on {name} (%)", "value": 93.46, "order": "desc"}]


def test_bad_options_get_one_sentence(tmp_path):
    for args, words in [
        (["nope"], "no assignment called 'nope'"),
        (["cnn_basics", "--hidden", "soon"], "invalid choice"),
    ]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "autograder",
                "gradescope",
                *args,
                "--out",
                str(tmp_path / "x.zip"),
            ],
            cwd=REPO,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 2 and words in done.stderr and "Traceback" not in done.stderr
