"""What a report says first, as data both the HTML and the Markdown reports render: each
question that lost points with why in one line, and the notebook's failed cells grouped by
their message (a template's fifteen ``NotImplementedError`` cells are one line).

A reason is read from what the checks already wrote: the root-cause hint of the question,
else its first failed check's key sentence (the failed cell behind it, what it raised, or
the comparison's last line), never from the student's arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograder.results import CheckResult, QuestionResult, Report

LIMIT = 180
"""Characters of a one-line reason."""


@dataclass(frozen=True)
class Lost:
    """A question that lost points, and why in one line."""

    id: str
    score: float
    max_score: float
    failed: int
    """Checks that did not pass."""
    reason: str


def lost_questions(report: Report, *, staff: bool) -> list[Lost]:
    """The questions that lost points, in the assignment's order."""
    out = []
    for q in report.questions:
        failed = [c for c in q.checks if c.status != "passed"]
        lost = bool(failed) and q.score < q.max_score - 1e-9
        regraded = q.submitted_score is not None and q.submitted_score < q.max_score - 1e-9
        if not (lost or regraded):
            continue
        out.append(Lost(q.id, q.score, q.max_score, len(failed), question_reason(q, staff=staff)))
    return out


def question_reason(q: QuestionResult, *, staff: bool) -> str:
    """Why a question lost points, in one line (a hidden check's feedback only for staff)."""
    failed = [c for c in q.checks if c.status != "passed"]
    if q.submitted_score is not None:
        as_submitted = f"as submitted {q.submitted_score:g} / {q.max_score:g}"
        return one_line(f"{q.hint} (graded with the reference's callees; {as_submitted})")
    if q.hint:
        return one_line(q.hint)
    shown = [c for c in failed if staff or c.visibility != "hidden"]
    if not shown:
        return (
            f"{len(failed)} hidden check{'s' if len(failed) != 1 else ''} failed (details hidden)"
        )
    first = shown[0]
    more = len(failed) - 1
    tail = f" (and {more} more failed check{'s' if more != 1 else ''})" if more else ""
    return one_line(f"{first.id}: {reason(first)}", LIMIT - len(tail)) + tail


def reason(c: CheckResult) -> str:
    """A failed check's key sentence: a failed cell behind it, what the call raised, or
    the verdict's last line (e.g. "The result differs at 4 of 4 positions; ...")."""
    lines = [line for line in (c.feedback or "").splitlines() if line.strip()]
    if not lines:
        return {"timeout": "it ran out of time", "error": "the check could not run"}.get(
            c.status, c.status
        )
    if lines[0].endswith(" first."):  # a cell that failed (or a function to fix) comes first
        return lines[0]
    top = [line for line in lines if not line.startswith((" ", "\t"))]
    for line in top:
        if line.startswith("It raised "):
            return "raised " + line[len("It raised ") :]
        if ") raised " in line:
            return "raised " + line.split(") raised ", 1)[1]
    plain = [
        line
        for line in top
        if not line.startswith(("Expected:", "Got:", "at line "))
        and not line.rstrip().endswith(":")
    ]
    last = (plain or top or lines)[-1].strip()
    if " differs at " in last:  # "... differs at 4 of 4 positions; the largest difference ..."
        last = last.split("; ", 1)[0] + "."
    return last


def one_line(text: str, limit: int = LIMIT) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass(frozen=True)
class CellGroup:
    """Failed cells that share one message."""

    cells: tuple[Any, ...]
    message: str

    @property
    def label(self) -> str:
        if len(self.cells) == 1:
            return f"cell {self.cells[0]}"
        return "cells " + ", ".join(str(n) for n in self.cells)


def cell_groups(notebook: dict[str, Any] | None) -> list[CellGroup]:
    """The failed cells, grouped by the first line of their message, first failure first."""
    groups: dict[str, list[Any]] = {}
    for err in (notebook or {}).get("errors") or []:
        message = one_line((str(err.get("error") or "").splitlines() or [""])[0], 200)
        groups.setdefault(message, []).append(err.get("cell"))
    return [CellGroup(tuple(cells), message) for message, cells in groups.items()]
