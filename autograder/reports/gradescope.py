"""Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

One test per check, with every format said explicitly, so Gradescope never renders a
student's text as HTML:

- ``output_format`` (the top-level output) and each test's ``output_format`` are ``md``
  (Markdown: student text escaped, feedback in fenced blocks that keep expected-vs-got
  grids aligned) or ``text``; test names are ``text``.
- Hidden checks get the visibility the settings name (``hidden``: staff only, or
  ``after_published``: shown once grades are published). Gradescope hides a student's
  total while any test is hidden, so the visible output then never states a total nor
  how the hidden checks went.
- A check that was not run (``skipped``, e.g. no GPU for the accuracy check, or
  ``error``, the grader's own problem) is worth 0 of 0 and says why: never a student's
  failure.
- A grader fault is one failed test named "Autograder error" carrying the sentence; a
  rejected file is one failed test named "Submission" saying what to fix.
- The leaderboard names the data set the accuracy was measured on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from autograder.reports.text import clean, md_block, md_inline
from autograder.results import CheckResult, Report

HIDDEN_VISIBILITIES = ("hidden", "after_published", "after_due_date")
OUTPUT_FORMATS = ("md", "text")
NOT_RUN = ("skipped", "error")
"""Check statuses that are not the student's result: reported as 0 of 0, "not run"."""


@dataclass(frozen=True)
class Settings:
    """How a report becomes Gradescope's results (``gradescope.toml`` of an autograder zip)."""

    hidden_visibility: str = "hidden"
    """Gradescope visibility of hidden checks: ``hidden`` (never shown to students) or
    ``after_published`` (shown when grades are published) or ``after_due_date``."""
    output_format: str = "md"
    """``md`` (Markdown, student text escaped) or ``text`` (plain text)."""


def results(report: Report, settings: Settings | None = None) -> dict[str, Any]:
    """The results.json object of one report."""
    settings = settings or Settings()
    md = settings.output_format == "md"
    if report.status == "error":
        tests = [_fault("Autograder error", report, md, _GRADER_FAULT)]
    elif report.status == "rejected":
        tests = [_fault("Submission", report, md, _REJECTED)]
    else:
        tests = [
            _test(check, qn, cn, settings, md)
            for qn, question in enumerate(report.questions, start=1)
            for cn, check in enumerate(question.checks, start=1)
        ]
    data: dict[str, Any] = {
        "score": round(report.score, 4) if report.status == "graded" else 0.0,
        "execution_time": round(float(report.timing.get("total_s", 0.0)), 3),
        "output": _summary(report, md),
        "output_format": settings.output_format,
        "test_output_format": settings.output_format,
        "test_name_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {
            "status": report.status,
            "assignment": report.assignment,
            "sha256": report.sha256,
            "sandbox": (report.sandbox or {}).get("kind"),
        },
        "tests": tests,
    }
    leaderboard = [entry for s in report.sections.values() for entry in s.leaderboard()]
    if leaderboard and report.status == "graded":
        data["leaderboard"] = leaderboard
    return data


_GRADER_FAULT = (
    "The grader itself failed on this submission; this is not a problem with your work. "
    "Course staff can see this message and will grade it again."
)
_REJECTED = "Nothing was run. Fix the file as the sentence says and submit again."


def _fault(name: str, report: Report, md: bool, advice: str) -> dict[str, Any]:
    sentence = _sentence(report.error or report.status)
    output = f"{md_inline(sentence, 5000)}\n\n{advice}" if md else f"{clean(sentence)}\n\n{advice}"
    return {
        "name": name,
        "number": "0",
        "score": 0.0,
        "max_score": round(report.max_score, 4),
        "status": "failed",
        "visibility": "visible",
        "output": output,
        "output_format": "md" if md else "text",
        "name_format": "text",
        "tags": [report.status],
    }


def _test(check: CheckResult, qn: int, cn: int, settings: Settings, md: bool) -> dict[str, Any]:
    not_run = check.status in NOT_RUN
    name = clean(f"{check.question}: {check.id}").replace("\n", " ")
    test: dict[str, Any] = {
        "name": f"{name} (not run)" if not_run else name,
        "name_format": "text",
        "number": f"{qn}.{cn}",
        "score": 0.0 if not_run else round(check.points, 4),
        "max_score": 0.0 if not_run else round(check.max_points, 4),
        "visibility": (settings.hidden_visibility if check.visibility == "hidden" else "visible"),
        "output": _output(check, md),
        "output_format": "md" if md else "text",
        "tags": [check.question, check.status],
        "extra_data": {"status": check.status, "points_possible": round(check.max_points, 4)},
    }
    if not not_run:
        test["status"] = "passed" if check.status == "passed" else "failed"
    return test


def _output(check: CheckResult, md: bool) -> str:
    verdict = {
        "passed": "Passed.",
        "failed": "Failed.",
        "timeout": "Failed: it ran out of time.",
        "skipped": f"Not run here, so its {check.max_points:g} points are not counted in this score.",
        "error": f"Not run: the grader could not run this check (not your fault); its "
        f"{check.max_points:g} points are not counted in this score.",
    }.get(check.status, check.status)
    feedback = check.feedback.strip()
    if not md:
        return "\n\n".join(p for p in (clean(check.description), verdict, clean(feedback)) if p)
    parts = [f"**{md_inline(check.description)}**" if check.description else "", verdict]
    if feedback:
        parts.append("\n".join(md_block(feedback, "text")))
    return "\n\n".join(p for p in parts if p)


def _summary(report: Report, md: bool) -> str:
    inline = (lambda t: md_inline(t, 2000)) if md else (lambda t: clean(t).replace("\n", " "))
    lines = [inline(f"Assignment: {report.assignment or 'unknown'}")]
    if report.status == "error":
        lines.append(inline(f"The grader failed: {_sentence(report.error or '')}"))
    elif report.status == "rejected":
        lines.append(inline(f"This file could not be graded: {_sentence(report.error or '')}"))
    checks = report.checks()
    if report.status == "graded" and not any(c.visibility == "hidden" for c in checks):
        lines.append(f"Score: {report.score:g} / {report.max_score:g}")
    not_run = [c for c in checks if c.status in NOT_RUN]
    if not_run:
        points = sum(c.max_points for c in not_run)
        lines.append(
            inline(
                f"{len(not_run)} check(s) worth {points:g} points were not run here and are not "
                f"counted: {_sentence(not_run[0].feedback or not_run[0].status)}"
            )
        )
    errors = (report.notebook or {}).get("errors") or []
    if errors:
        lines.append("Cells with errors (fix these first):")
        for e in errors[:10]:
            text = f"cell {e.get('cell')}: {str(e.get('error') or '').splitlines()[0][:300]}"
            lines.append(("- " if md else "  ") + inline(text))
    lines += [inline(f"Note: {_sentence(n)}") for n in report.notes]
    return ("\n\n" if md else "\n").join(lines)


def _sentence(text: str) -> str:
    """One line ending in a full stop (its first word kept as written: it may be a file name)."""
    text = " ".join(str(text).split())
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def render(report: Report, settings: Settings | None = None) -> str:
    return json.dumps(results(report, settings), indent=2, ensure_ascii=False) + "\n"
