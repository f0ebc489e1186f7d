"""End to end: the reference solution earns every point, the template none."""

from __future__ import annotations

import pytest

from tests.notebooks import solution_path, template_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def solution(grade_once):
    return grade_once("solution", solution_path("cnn_basics"))


@pytest.fixture(scope="module")
def template(grade_once):
    return grade_once("template", template_path("cnn_basics"))


def test_solution_scores_100(solution):
    data = solution.json
    assert data["status"] == "graded", data["error"]
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


def test_solution_report_follows_the_contract(solution):
    data = solution.json
    assert data["schema"] == 1
    assert data["submission"] == "solution.ipynb"
    assert len(data["sha256"]) == 64
    assert data["assignment"] == "cnn_basics"
    assert data["error"] is None
    assert [q["id"] for q in data["questions"]][:2] == ["cross_correlation2d", "conv_output_size"]
    assert len(data["questions"]) == 15
    for q in data["questions"]:
        assert q["score"] == sum(c["points"] for c in q["checks"])
        assert q["max_score"] == sum(c["max_points"] for c in q["checks"])
        for c in q["checks"]:
            assert c["status"] in {"passed", "failed", "error", "timeout", "skipped"}
            assert c["visibility"] in {"visible", "hidden"}
            assert c["description"].endswith("?"), c["id"]
    assert data["score"] == sum(q["score"] for q in data["questions"])
    assert data["sandbox"]["kind"] in {"bwrap", "process"}
    assert data["sandbox"]["limits"]["cell_timeout_s"] > 0
    assert data["timing"]["total_s"] > 0
    assert {"report.json", "report.md"} <= {p.name for p in solution.folder.iterdir()}


def test_template_scores_0_with_a_useful_report(template):
    data = template.json
    assert data["status"] == "graded"
    assert data["score"] == 0.0 and data["max_score"] == 100.0
    checks = [c for q in data["questions"] for c in q["checks"]]
    assert checks and all(c["status"] == "failed" for c in checks)
    # every failure says what was called and that the function is not written yet
    visible = [c for c in checks if c["visibility"] == "visible"]
    assert all("NotImplementedError" in c["feedback"] for c in visible)
    assert all("(" in c["feedback"] for c in visible)
    # the self-check cells fail, and the report says which cells and why
    errors = data["notebook"]["errors"]
    assert errors and all("NotImplementedError" in e["error"] for e in errors)
    md = (template.folder / "report.md").read_text()
    assert "**Score: 0 / 100**" in md
    assert "## What to fix" in md and "NotImplementedError" in md
    assert f"cell {errors[0]['cell']}" in md


def test_template_is_not_rejected_and_runs_every_cell(template):
    nb = template.json["notebook"]
    assert nb["executed"] == nb["code_cells"] - nb["skipped"]
    assert nb["kernel_restarts"] == 0
