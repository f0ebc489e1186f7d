"""A course's staff add an assignment by writing one folder, and nothing else.

The test writes a small assignment into a temporary folder (its config, a solution
notebook with two functions, their checks), generates the template, and grades
notebooks against it end to end through the command line, as staff would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder import assign
from tests.notebooks import REPO

pytestmark = pytest.mark.slow

CONFIG = """
[assignment]
name = "vectors"
title = "Two small vector functions"
version = "1.0"
max_score = 10
questions = ["scale", "normalize"]

[limits]
cell_timeout_s = 20
call_timeout_s = 5
total_timeout_s = 120
"""

SCALE = '''
def scale(x, k):
    """Return x multiplied by k (a new array; x is left alone)."""
    # BEGIN SOLUTION
    return x * k
    # END SOLUTION
'''

NORMALIZE = '''
def normalize(x):
    """Return x divided by its Euclidean norm (a new array)."""
    # BEGIN SOLUTION
    return x / np.linalg.norm(x)
    # END SOLUTION
'''

CHECK_SCALE = '''
"""scale(x, k) = x * k."""

import pytest

from autograder.checking import Case
from autograder.questions import Question

scale = Question("scale", lambda reference, x, k: reference.scale(x, k))


@pytest.mark.points(3)
def test_scale_matches_the_reference(student, reference, rng):
    """Does scale multiply every element by k?"""
    scale.check(student, reference, [Case((rng.normal(size=4), 2.5)), Case((rng.normal(size=(2, 3)), -1.0))])


@pytest.mark.points(1)
@pytest.mark.hidden
def test_scale_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does scale leave its input unchanged?"""
    leaves_inputs_alone("scale", (rng.normal(size=5), 3.0))
'''

CHECK_NORMALIZE = '''
"""normalize(x) = x / ||x||."""

import numpy as np
import pytest

from autograder.checking import Case, Mismatch
from autograder.questions import Question

normalize = Question("normalize", lambda reference, x: reference.normalize(x))


@pytest.mark.points(4)
def test_normalize_matches_the_reference(student, reference, rng):
    """Does normalize divide by the Euclidean norm?"""
    normalize.check(student, reference, [Case((rng.normal(size=3),)), Case((rng.normal(size=7),))])


def unit_length(got, expected):
    if abs(float(np.linalg.norm(got)) - 1.0) > 1e-9:
        raise Mismatch(f"The result has length {np.linalg.norm(got):.6g}; expected 1.")


@pytest.mark.points(2)
def test_normalize_gives_unit_length(student, reference, rng):
    """Does normalize return a vector of length 1?"""
    normalize.check(student, reference, [Case((10 * rng.normal(size=6),))], unit_length)
'''


def _assignment(root: Path) -> Path:
    folder = root / "vectors"
    (folder / "checks").mkdir(parents=True)
    (folder / "config.toml").write_text(CONFIG, encoding="utf-8")
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Vectors\\n\\nScale and normalize a vector."),
            new_code_cell("import numpy as np"),
            new_code_cell(textwrap.dedent(SCALE).strip()),
            new_code_cell(textwrap.dedent(NORMALIZE).strip()),
        ],
        metadata={
            "autograder": {"assignment": "vectors", "version": "1.0"},
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        },
    )
    nbformat.write(nb, folder / "solution.ipynb")
    (folder / "checks" / "test_scale.py").write_text(CHECK_SCALE, encoding="utf-8")
    (folder / "checks" / "test_normalize.py").write_text(CHECK_NORMALIZE, encoding="utf-8")
    return folder


def _grade(notebook: Path, root: Path, out: Path) -> dict:
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "grade.py"),
            str(notebook),
            "--assignments",
            str(root),
            "--out",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
    )
    report = json.loads(next(out.glob("*/report.json")).read_text(encoding="utf-8"))
    assert report["status"] == "graded", (done.stderr, report.get("error"))
    return report


def test_a_new_assignment_is_one_folder_and_grades_end_to_end(tmp_path):
    root = tmp_path / "course"
    folder = _assignment(root)
    assert assign.main(["vectors", "--assignments", str(root)]) == 0
    template = folder / "vectors.ipynb"
    assert "raise NotImplementedError" in template.read_text(encoding="utf-8")

    solution = _grade(folder / "solution.ipynb", root, tmp_path / "out-solution")
    assert (solution["assignment"], solution["score"], solution["max_score"]) == (
        "vectors",
        10.0,
        10.0,
    )
    hidden = [c for q in solution["questions"] for c in q["checks"] if c["visibility"] == "hidden"]
    assert [c["id"] for c in hidden] == ["leaves_inputs_alone"]

    assert _grade(template, root, tmp_path / "out-template")["score"] == 0.0

    nb = nbformat.read(folder / "solution.ipynb", as_version=4)
    nb.cells[2].source = "def scale(x, k):\n    x *= k\n    return x"  # right value, changes x
    buggy = tmp_path / "buggy.ipynb"
    nbformat.write(nb, buggy)
    report = _grade(buggy, root, tmp_path / "out-buggy")
    scores = {q["id"]: q["score"] for q in report["questions"]}
    assert scores == {"scale": 3.0, "normalize": 6.0}
    lost = next(c for q in report["questions"] for c in q["checks"] if c["points"] == 0)
    assert lost["id"] == "leaves_inputs_alone"
    assert "scale(x, k) changed its input x in place" in lost["feedback"]
