"""Gradescope's ``results.json`` (https://gradescope-autograders.readthedocs.io/en/latest/specs/).

One test per check. Hidden checks get Gradescope's ``"hidden"`` visibility
(staff see them, students do not), and the top-level ``output`` tells students
how many hidden checks passed, so they see counts and never details.
"""

from __future__ import annotations

import json

from autograder.results import Report


def results(report: Report) -> dict:
    """The results.json object of one report."""
    tests = []
    for qn, question in enumerate(report.questions, start=1):
        for cn, check in enumerate(question.checks, start=1):
            output = check.description
            if check.status != "passed":
                output = f"{check.description}\n\n{check.status.upper()}: {check.feedback}".strip()
            tests.append(
                {
                    "name": f"{question.id}: {check.id}",
                    "number": f"{qn}.{cn}",
                    "score": round(check.points, 4),
                    "max_score": round(check.max_points, 4),
                    "status": "passed" if check.status == "passed" else "failed",
                    "visibility": "hidden" if check.visibility == "hidden" else "visible",
                    "output": output,
                    "tags": [question.id, check.status],
                }
            )
    data = {
        "score": round(report.score, 4),
        "execution_time": round(float(report.timing.get("total_s", 0.0)), 3),
        "output": _summary(report),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }
    leaderboard = [entry for s in report.sections.values() for entry in s.leaderboard()]
    if leaderboard:
        data["leaderboard"] = leaderboard
    return data


def _summary(report: Report) -> str:
    lines = [
        f"{report.assignment or 'unknown assignment'}: {report.score:g} / {report.max_score:g}"
    ]
    if report.status != "graded":
        lines.append(f"{report.status}: {report.error}")
    hidden = [c for c in report.checks() if c.visibility == "hidden"]
    if hidden:
        passed = sum(c.status == "passed" for c in hidden)
        lines.append(
            f"{len(hidden)} hidden checks: {passed} passed, {len(hidden) - passed} not passed "
            "(their details are shown to staff only)."
        )
    nb = report.notebook or {}
    if nb.get("errors"):
        lines.append(
            "Cells with errors: "
            + ", ".join(f"cell {e['cell']} ({e['error']})" for e in nb["errors"][:10])
        )
    lines += [f"Note: {n}." for n in report.notes]
    return "\n".join(lines)


def render(report: Report) -> str:
    return json.dumps(results(report), indent=2, ensure_ascii=False) + "\n"
