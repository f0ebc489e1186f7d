"""Every assignment's checks against variants of its solution, one function replaced at a time.

An assignment may hold ``variants/buggy`` and ``variants/correct`` beside its checks.
Every file in ``buggy/`` is a realistic student mistake in one function: it must lose
points in its own question and nowhere else (save the questions its ``# also:`` line
names). Every file in ``correct/`` is a right answer written another way (loops, einsum,
stride tricks, float32, ...): it must get every point. Adding an assignment's variants
touches only its folder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder import assignments
from autograder.grading import Options, grade
from autograder.redact import SOLUTION_MARK
from tests.notebooks import replace_definition, solution, write

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Variant:
    assignment: str
    path: Path
    question: str
    what: str
    """The ``# bug:`` or ``# style:`` line."""
    also: tuple[str, ...]

    @classmethod
    def read(cls, assignment: str, path: Path) -> Variant:
        source = path.read_text(encoding="utf-8")
        header = dict(re.findall(r"^# (question|bug|style|also): (.+)$", source, flags=re.M))
        also = tuple(q.strip() for q in header.get("also", "").split(",") if q.strip())
        what = header.get("bug") or header.get("style", "")
        return cls(assignment, path, header.get("question", ""), what, also)

    @property
    def questions(self) -> tuple[str, ...]:
        return assignments.find(self.assignment).config.questions


def variants(kind: str, assignment: str | None = None) -> list[pytest.param]:
    """The variants of every assignment that has them (or of one)."""
    found = []
    for name, folder in sorted(assignments.folders().items()):
        if assignment in (None, name):
            for p in sorted((folder / "variants" / kind).glob("*.py")):
                found.append(pytest.param(Variant.read(name, p), id=f"{name}-{p.stem}"))
    return found


def graded(variant: Variant, tmp_path: Path) -> dict:
    nb = replace_definition(solution(variant.assignment), variant.path.read_text(encoding="utf-8"))
    report = grade(write(nb, tmp_path / f"{variant.path.stem}.ipynb"), Options()).to_json()
    assert report["status"] == "graded", report["error"]
    redacted = [
        c["id"] for q in report["questions"] for c in q["checks"] if SOLUTION_MARK in c["feedback"]
    ]
    assert redacted == [], "feedback that quotes the solution (the report redacts it)"
    return report


def failures(report: dict, questions: set[str] | None = None) -> list[str]:
    """Each lost point as 'question/check: first line of the feedback', for assertion messages."""
    return [
        f"{q['id']}/{c['id']}: {c['feedback'].splitlines()[0] if c['feedback'] else c['status']}"
        for q in report["questions"]
        if questions is None or q["id"] in questions
        for c in q["checks"]
        if c["points"] < c["max_points"]
    ]


@pytest.mark.parametrize("assignment", ["cnn_basics", "regularization"])
def test_there_are_enough_variants(assignment: str) -> None:
    buggy, correct = variants("buggy", assignment), variants("correct", assignment)
    assert len(buggy) >= 10 and len(correct) >= 5
    for param in buggy + correct:
        v = param.values[0]
        questions = v.questions
        assert v.question in questions and v.what, f"{v.path.name}: bad header"
        assert set(v.also) <= set(questions) - {v.question}, f"{v.path.name}: bad '# also:' line"
        lines = v.path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == f"# question: {v.question}", v.path.name
        kind = "bug" if v.path.parent.name == "buggy" else "style"
        assert lines[1].startswith(f"# {kind}: "), v.path.name
    assert len({p.values[0].question for p in buggy}) >= min(
        10, len(buggy[0].values[0].questions)
    ), "buggy variants cover too few questions"


@pytest.mark.parametrize("variant", variants("buggy"))
def test_buggy_variant_loses_points_in_its_own_question_only(
    variant: Variant, tmp_path: Path
) -> None:
    report = graded(variant, tmp_path)
    scores = {q["id"]: (q["score"], q["max_score"]) for q in report["questions"]}
    score, most = scores[variant.question]
    assert score < most, (
        f"{variant.path.name} ({variant.what}) kept every point of {variant.question}"
    )
    elsewhere = set(scores) - {variant.question} - set(variant.also)
    assert failures(report, elsewhere) == [], f"{variant.path.name} lost points elsewhere"


@pytest.mark.parametrize("variant", variants("correct"))
def test_correct_variant_gets_every_point(variant: Variant, tmp_path: Path) -> None:
    report = graded(variant, tmp_path)
    assert failures(report) == [], f"{variant.path.name} ({variant.what})"
    assert report["score"] == report["max_score"]
