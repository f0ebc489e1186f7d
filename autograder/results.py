"""The report as a value object: it always exists, whatever happened.

``Report.rejected`` and ``Report.failed`` give a complete, zero-score report for
bad input and for grader faults, so every path ends in a report (schema 1 of
shared/spec/cli-and-report.md, extended with fields of our own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import autograder
from autograder import components

SCHEMA = 1
STATUSES = ("passed", "failed", "error", "timeout", "skipped")


@dataclass
class CheckResult:
    """One check's verdict, computed in the grader's process."""

    id: str
    question: str
    status: str
    points: float
    max_points: float
    visibility: str = "visible"
    description: str = ""
    feedback: str = ""
    details: dict[str, Any] | None = None
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        data = {
            "id": self.id,
            "status": self.status,
            "points": round(self.points, 4),
            "max_points": round(self.max_points, 4),
            "visibility": self.visibility,
            "feedback": self.feedback,
            "description": self.description,
            "seconds": round(self.seconds, 3),
        }
        if self.details:
            data["details"] = self.details
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], question: str) -> CheckResult:
        return cls(
            id=data["id"],
            question=question,
            status=data["status"],
            points=float(data["points"]),
            max_points=float(data["max_points"]),
            visibility=data.get("visibility", "visible"),
            description=data.get("description", ""),
            feedback=data.get("feedback", ""),
            details=data.get("details"),
            seconds=float(data.get("seconds", 0.0)),
        )


@dataclass
class QuestionResult:
    """A question (one function of the contract) and its checks."""

    id: str
    checks: list[CheckResult] = field(default_factory=list)
    # -- root-cause hints (issue 13) --
    hint: str = ""
    """Why to look elsewhere first (a graded function it calls fails its own checks)."""
    submitted_score: float | None = None
    """The score with the student's own callees, when it was graded with the reference's."""

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": round(self.score, 4),
            "max_score": round(self.max_score, 4),
            "checks": [c.to_json() for c in self.checks],
            **({"hint": self.hint} if self.hint else {}),
            **(
                {"submitted_score": round(self.submitted_score, 4)}
                if self.submitted_score is not None
                else {}
            ),
        }


class Section:
    """A part of a report that a component adds (the accuracy check's training, say): the JSON
    it writes under its key in report.json, and how it renders itself for people."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Section:
        return cls(dict(data))

    def to_json(self) -> dict[str, Any]:
        return self.data

    def markdown(self) -> list[str]:
        """Lines of report.md."""
        return []

    def html(self, *, staff: bool) -> str:
        """A ``<section>`` of the HTML reports (``staff``: the staff view)."""
        return ""

    def seconds(self) -> tuple[str, float] | None:
        """A name and the seconds it took, for the report's time line."""
        return None

    def problem(self) -> str | None:
        """One line for the class overview when this part failed."""
        return None

    def leaderboard(self) -> list[dict[str, Any]]:
        """Gradescope leaderboard entries."""
        return []


@dataclass
class Report:
    """Everything a grade produced; serializes to report.json (schema 1)."""

    submission: str
    status: str
    sha256: str | None = None
    assignment: str | None = None
    error: str | None = None
    max_score: float = 0.0
    student: str | None = None
    """Who handed it in, as the batch derives it from the path (or a roster says)."""
    questions: list[QuestionResult] = field(default_factory=list)
    notebook: dict[str, Any] | None = None
    sandbox: dict[str, Any] | None = None
    sections: dict[str, Section] = field(default_factory=dict)
    """What components add (e.g. ``training``), each under its key in report.json."""
    timing: dict[str, Any] = field(default_factory=dict)
    assignment_version: str | None = None
    notebook_version: str | None = None
    notes: list[str] = field(default_factory=list)
    """Things a student should know (e.g. the notebook was upgraded from nbformat 3)."""
    flags: list[str] = field(default_factory=list)
    """Things staff should look at (e.g. a large flip-consistency gap)."""
    graded_at: str = field(
        default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    )

    @property
    def score(self) -> float:
        return sum(q.score for q in self.questions)

    @classmethod
    def rejected(cls, submission: str, sentence: str, **kw: Any) -> Report:
        return cls(submission=submission, status="rejected", error=sentence, **kw)

    @classmethod
    def failed(cls, submission: str, sentence: str, **kw: Any) -> Report:
        """A grader fault: status ``error``, zero score, and the sentence."""
        return cls(submission=submission, status="error", error=sentence, **kw)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "submission": self.submission,
            "student": self.student,
            "sha256": self.sha256,
            "assignment": self.assignment,
            "status": self.status,
            "error": self.error,
            "score": round(self.score, 4),
            "max_score": round(self.max_score, 4),
            "questions": [q.to_json() for q in self.questions],
            "notebook": self.notebook,
            "sandbox": self.sandbox,
            **{
                key: (self.sections[key].to_json() if key in self.sections else None)
                for key in components.REGISTRY
            },
            "timing": self.timing,
            "assignment_version": self.assignment_version,
            "notebook_version": self.notebook_version,
            "notes": self.notes,
            "flags": self.flags,
            "grader": {"name": "autograder", "version": autograder.__version__},
            "graded_at": self.graded_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        questions = [
            QuestionResult(
                q["id"],
                [CheckResult.from_json(c, q["id"]) for c in q.get("checks", [])],
                hint=str(q.get("hint") or ""),
                submitted_score=q.get("submitted_score"),
            )
            for q in data.get("questions", [])
        ]
        return cls(
            submission=data["submission"],
            student=data.get("student"),
            status=data["status"],
            sha256=data.get("sha256"),
            assignment=data.get("assignment"),
            error=data.get("error"),
            max_score=float(data.get("max_score") or 0.0),
            questions=questions,
            notebook=data.get("notebook"),
            sandbox=data.get("sandbox"),
            sections={
                key: components.section_from_json(key, data[key])
                for key in components.REGISTRY
                if isinstance(data.get(key), dict)
            },
            timing=data.get("timing") or {},
            assignment_version=data.get("assignment_version"),
            notebook_version=data.get("notebook_version"),
            notes=list(data.get("notes") or []),
            flags=list(data.get("flags") or []),
            graded_at=data.get("graded_at", ""),
        )

    def checks(self) -> list[CheckResult]:
        return [c for q in self.questions for c in q.checks]
