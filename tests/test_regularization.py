"""The regularization assignment end to end: the reference solution earns every point, the
generated template none, and the committed template is what the generator makes."""

from __future__ import annotations

import nbformat
import pytest

from autograder import assign, assignments
from tests.notebooks import solution_path, solution_regions, template_path

pytestmark = pytest.mark.slow

NAME = "regularization"


@pytest.fixture(scope="module")
def solution(grade_once):
    return grade_once("regularization_solution", solution_path(NAME))


@pytest.fixture(scope="module")
def template(grade_once):
    return grade_once("regularization_template", template_path(NAME))


def test_solution_scores_100_with_every_check_passed(solution):
    data = solution.json
    assert data["status"] == "graded", data["error"]
    assert data["assignment"] == NAME
    assert data["score"] == 100.0 and data["max_score"] == 100.0
    failed = [
        (q["id"], c["id"], c["feedback"])
        for q in data["questions"]
        for c in q["checks"]
        if c["status"] != "passed"
    ]
    assert failed == []
    assert data["notebook"]["errors"] == []
    assert data["notebook"]["executed"] == data["notebook"]["code_cells"]


def test_solution_report_has_every_question_in_order(solution):
    data = solution.json
    questions = assignments.find(NAME).config.questions
    assert [q["id"] for q in data["questions"]] == list(questions)
    for q in data["questions"]:
        assert q["max_score"] == sum(c["max_points"] for c in q["checks"])
        for c in q["checks"]:
            assert c["description"].endswith("?"), c["id"]
        hidden = [c["id"] for c in q["checks"] if c["visibility"] == "hidden"]
        assert "leaves_inputs_alone" in hidden, q["id"]  # every function: inputs untouched
        assert any(c["visibility"] == "visible" for c in q["checks"]), q["id"]
    assert sum(q["max_score"] for q in data["questions"]) == 100.0


def test_template_scores_0_and_says_what_to_write(template):
    data = template.json
    assert data["status"] == "graded", data["error"]
    assert data["score"] == 0.0 and data["max_score"] == 100.0
    checks = [c for q in data["questions"] for c in q["checks"]]
    assert checks and all(c["status"] == "failed" for c in checks)
    visible = [c for c in checks if c["visibility"] == "visible"]
    assert all("NotImplementedError" in c["feedback"] for c in visible)
    errors = data["notebook"]["errors"]
    assert errors and all("NotImplementedError" in e["error"] for e in errors)
    nb = data["notebook"]
    assert nb["executed"] == nb["code_cells"] - nb["skipped"]
    assert nb["kernel_restarts"] == 0


def test_committed_templates_are_current(capsys):
    assert assign.main(["--check"]) == 0, capsys.readouterr().err
    committed = template_path(NAME).read_text(encoding="utf-8")
    assert committed == assign.render(solution_path(NAME))


def test_template_has_no_solution_code_and_no_outputs():
    solution = nbformat.read(solution_path(NAME), as_version=4)
    template = nbformat.read(template_path(NAME), as_version=4)
    assert template.metadata["autograder"] == {"assignment": NAME, "version": "1.0"}
    assert template.metadata["autograder"] == solution.metadata["autograder"]
    inside, outside = solution_regions(solution)
    hidden = {line for line in inside if line.strip()} - set(outside)
    assert hidden
    lines = "\n".join(c.source for c in template.cells).splitlines()
    assert not [line for line in hidden if line in lines]
    assert not [line for line in lines if "SOLUTION" in line]
    for cell in template.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            compile(cell.source, "cell", "exec")  # still valid Python
