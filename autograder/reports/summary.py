"""The class summary: ``OUT/summary.csv`` (one row per submission, one column per question).

Columns: ``student`` (the stable student key: from the submission's path, its first folder
or the file's name, see :mod:`autograder.submissions`), ``submission`` (its path relative to
the batch's folder), ``assignment``, ``status``, with a roster (:mod:`autograder.batch.roster`)
``student_id`` and ``name``, one per question, ``score``, ``max_score``, ``sha256``, and
``report`` (the report's folder in OUT). With a roster, every student on it has a row: one
without a submission has the status ``missing`` and no score. Text that a spreadsheet would
read as a formula is written with a leading apostrophe (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import csv
import json
import statistics
from pathlib import Path
from typing import Any


def load(folders: list[Path]) -> list[dict]:
    """The report.json of each folder (skipping folders without one), each with its ``id``:
    the folder's name, unique within a class."""
    reports = []
    for folder in folders:
        try:
            data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        data["id"] = folder.name
        reports.append(data)
    return reports


def rows(reports: list[dict], roster: list[Any] | None = None) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of summary.csv (``roster``: students of
    :mod:`autograder.batch.roster`, adding their id and name, and a row for each one who
    handed nothing in)."""
    questions: list[str] = []
    for r in reports:
        for q in r.get("questions", []):
            if q["id"] not in questions:
                questions.append(q["id"])
    who = ["student_id", "name"] if roster is not None else []
    header = [
        "student",
        "submission",
        "assignment",
        "status",
        *who,
        *questions,
        "score",
        "max_score",
        "sha256",
        "report",
    ]
    body = []
    order = sorted(reports, key=lambda r: (str(r.get("student") or ""), str(r["submission"])))
    seen: set[int] = set()
    for r in order:
        by_id = {q["id"]: q["score"] for q in r.get("questions", [])}
        entry = whose(roster, r) if roster is not None else None
        if entry is not None:
            seen.add(id(entry))
        body.append(
            [
                cell(r.get("student") or r.get("id", "")),
                cell(r["submission"]),
                cell(r.get("assignment") or ""),
                cell(r["status"]),
                *([cell(entry.id), cell(entry.name)] if entry else [""] * len(who)),
                *[_num(by_id[q]) if q in by_id else "" for q in questions],
                _num(r.get("score", 0)),
                _num(r.get("max_score", 0)),
                cell(r.get("sha256") or ""),
                cell(r.get("id", "")),
            ]
        )
    for student in roster or []:
        if id(student) not in seen:
            empty = [""] * (len(questions) + 4)
            body.append(
                [cell(student.key), "", "", "missing", cell(student.id), cell(student.name), *empty]
            )
    return header, body


def whose(roster: list[Any] | None, report: dict) -> Any:
    """The roster entry of a report's student, or None."""
    from autograder.batch.roster import match

    return match(roster or [], str(report.get("student") or report.get("id") or ""))


def write(out: Path, folders: list[Path], roster: list[Any] | None = None) -> Path:
    header, body = rows(load(folders), roster)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(body)
    return path


def write_ignored(out: Path, ignored: list[tuple[str, str]]) -> Path:
    """``OUT/ignored.csv``: the files of the batch's folders that were not graded, and why."""
    path = out / "ignored.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["file", "reason"])
        writer.writerows([cell(name), cell(why)] for name, why in ignored)
    return path


def cell(value: object) -> str:
    """A CSV cell for spreadsheets: text starting like a formula gets a leading apostrophe,
    and control characters become spaces."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(value))
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def _num(x: float) -> str:
    return f"{x:g}"


def github_summary(reports: list[dict]) -> str:
    """Markdown for a GitHub Actions job summary ($GITHUB_STEP_SUMMARY)."""
    header, body = rows(reports)
    graded = [r for r in reports if r["status"] == "graded"]
    lines = [f"### Autograder: {len(reports)} submission(s)", ""]
    if graded:
        scores = sorted(float(r["score"]) for r in graded)
        mean = sum(scores) / len(scores)
        median = statistics.median(scores)
        lines += [f"Graded {len(graded)}; mean score {mean:.1f}, median {median:g}.", ""]
    shown = ["student", "status", "score", "max_score"]
    index = [header.index(c) for c in shown]
    lines += ["| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
    for row in body:
        lines.append("| " + " | ".join(_cell(row[i]) for i in index) + " |")
    problems = [r for r in reports if r["status"] != "graded"]
    if problems:
        lines += ["", "Not graded:"]
        lines += [
            f"- {_cell(r.get('id') or r['submission'])}: {_cell(r.get('error') or '')}"
            for r in problems
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    printable = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return printable.replace("|", "\\|")
