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


def write_all(report: Report, folder: Path) -> Path:
    """Write report.json and the human and tool reports; returns the folder."""
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
