"""Writing a report's files into ``OUT/<submission-stem>/``."""

from __future__ import annotations

import json
import os
from pathlib import Path

from autograder.reports import gradescope, html, junit, markdown
from autograder.results import Report


def report_dir(out: Path, submission: Path | str) -> Path:
    """``OUT/<stem>/`` for a submission (a stem that is safe as one folder name)."""
    stem = Path(str(submission)).name
    if stem.endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    stem = stem.replace("/", "_").replace("\x00", "_").strip() or "submission"
    if stem.startswith("."):
        stem = "_" + stem
    return Path(out) / stem


MAX_REPORT_BYTES = 5_000_000
"""report.json is kept under this size, whatever a submission sent back."""
MAX_FEEDBACK = 20_000
MAX_NOTE = 5_000


def bound(report: Report) -> Report:
    """Keep every text of a report within its bound, and the whole report.json under
    ``MAX_REPORT_BYTES`` (details first, then long feedback, give way); in place."""
    report.error = _cut(report.error, MAX_NOTE)
    report.notes = [_cut(n, MAX_NOTE) or "" for n in report.notes[:50]]
    report.flags = [_cut(f, MAX_FEEDBACK) or "" for f in report.flags[:50]]
    for check in report.checks():
        check.feedback = _cut(check.feedback, MAX_FEEDBACK) or ""
    if len(json.dumps(report.to_json(), ensure_ascii=False)) > MAX_REPORT_BYTES:
        for check in report.checks():
            check.details = None
    if len(json.dumps(report.to_json(), ensure_ascii=False)) > MAX_REPORT_BYTES:
        for check in report.checks():
            check.feedback = _cut(check.feedback, 2_000) or ""
        report.notes.append("the report was shortened to stay under its size limit")
    return report


def _cut(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 40] + f"\n… ({len(text) - limit + 40:,} more characters not shown)"


def write_all(report: Report, folder: Path) -> Path:
    """Write report.json and the human and tool reports; returns the folder."""
    bound(report)
    folder.mkdir(parents=True, exist_ok=True)
    for name, render in RENDERERS:
        try:
            _atomic(folder / name, render(report))
        except Exception as error:  # noqa: BLE001 - one renderer must not cost the others
            report.flags.append(f"{name} could not be written: {type(error).__name__}: {error}")
    # report.json last: its presence marks a finished grade (batches resume on it)
    data = report.to_json()
    _atomic(folder / "report.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return folder


RENDERERS = [
    ("report.md", markdown.render),
    ("results.json", gradescope.render),
    ("junit.xml", junit.render),
    ("report.html", html.render_staff),
    ("report-student.html", html.render_student),
]


def _atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
