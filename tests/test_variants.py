"""The cnn_basics checks against variants of the solution, one function replaced at a time.

Every file in ``tests/variants/buggy`` is a realistic student mistake in one function:
it must lose points in its own question and nowhere else (save the questions its
``# also:`` line names). Every file in ``tests/variants/correct`` is a right answer
written another way (loops, einsum, stride tricks, float32, ...): it must get every point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.grading import Options, grade
from autograder.redact import SOLUTION_MARK
from tests.notebooks import VARIANTS, replace_definition, solution, write

pytestmark = pytest.mark.slow

QUESTIONS = (
    "cross_correlation2d",
    "conv_output_size",
    "conv2d_forward",
    "max_pool2d",
    "avg_pool2d",
    "batchnorm2d_forward",
    "softmax",
    "cross_entropy",
    "softmax_cross_entropy_backward",
    "linear_backward",
    "relu_backward",
    "conv2d_backward",
    "max_pool2d_backward",
    "batchnorm2d_backward",
    "mlp_loss_and_gradients",
)


@dataclass(frozen=True)
class Variant:
    path: Path
    question: str
    what: str
    """The ``# bug:`` or ``# style:`` line."""
    also: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> Variant:
        source = path.read_text(encoding="utf-8")
        header = dict(re.findall(r"^# (question|bug|style|also): (.+)$", source, flags=re.M))
        also = tuple(q.strip() for q in header.get("also", "").split(",") if q.strip())
        return cls(
            path, header.get("question", ""), header.get("bug") or header.get("style", ""), also
        )


def variants(kind: str) -> list[pytest.param]:
    return [
        pytest.param(Variant.read(p), id=p.stem) for p in sorted((VARIANTS / kind).glob("*.py"))
    ]


def graded(variant: Variant, tmp_path: Path) -> dict:
    nb = replace_definition(solution(), variant.path.read_text(encoding="utf-8"))
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


def test_there_are_enough_variants() -> None:
    buggy, correct = variants("buggy"), variants("correct")
    assert len(buggy) >= 12 and len(correct) >= 6
    for param in buggy + correct:
        v = param.values[0]
        assert v.question in QUESTIONS and v.what, f"{v.path.name}: bad header"
        assert set(v.also) <= set(QUESTIONS) - {v.question}, f"{v.path.name}: bad '# also:' line"
        lines = v.path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == f"# question: {v.question}", v.path.name
        kind = "bug" if v.path.parent.name == "buggy" else "style"
        assert lines[1].startswith(f"# {kind}: "), v.path.name
    assert len({p.values[0].question for p in buggy}) >= 12, (
        "buggy variants cover too few questions"
    )


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
    assert report["score"] == report["max_score"] == 100.0
