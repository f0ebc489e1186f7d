"""``OUT/canvas.csv``: the class's scores as a Canvas gradebook import.

Canvas imports a CSV whose first columns identify the student (``Student``, ``ID``, ``SIS
User ID``, ``SIS Login ID``, ``Section``), followed by one column per assignment, named as
in Canvas (``Title (12345)`` for an existing assignment; a new name creates one), and a
``Points Possible`` row, as in Canvas's own export. Every student of the roster gets a row;
one who handed nothing in gets an empty cell (Canvas leaves it ungraded). A student with
several graded submissions gets the highest score. Cells are neutralized against formula
injection like summary.csv's.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from autograder.reports.summary import cell, whose

NAME = "canvas.csv"


def table(
    reports: list[dict], roster: list[Any], columns: dict[str, str] | None = None
) -> list[list[str]]:
    """The rows of the import: header, points possible, one row per roster student.
    ``columns``: the Canvas column of each assignment (default: its name)."""
    names = sorted({str(r.get("assignment")) for r in reports if r.get("assignment")})
    columns = {n: (columns or {}).get(n, n) for n in names}
    points = {
        n: max(float(r.get("max_score") or 0) for r in reports if r.get("assignment") == n)
        for n in names
    }
    best: dict[tuple[int, str], float] = {}
    for r in reports:
        entry = whose(roster, r)
        if entry is None or r.get("status") != "graded" or not r.get("assignment"):
            continue
        slot = (id(entry), str(r["assignment"]))
        best[slot] = max(best.get(slot, float("-inf")), float(r.get("score") or 0))
    header = [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        *(columns[n] for n in names),
    ]
    rows = [header, ["Points Possible", "", "", "", "", *(_num(points[n]) for n in names)]]
    for s in roster:
        canvas = s.canvas
        ident = [
            canvas.get("Student", s.name),
            canvas.get("ID", ""),
            canvas.get("SIS User ID", s.id),
            canvas.get("SIS Login ID", s.key),
            canvas.get("Section", s.section),
        ]
        scores = [_num(best[(id(s), n)]) if (id(s), n) in best else "" for n in names]
        rows.append([cell(v) for v in ident] + scores)
    return rows


def write(
    out: Path, reports: list[dict], roster: list[Any], columns: dict[str, str] | None = None
) -> Path:
    path = out / NAME
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(table(reports, roster, columns))
    return path


def unmatched(reports: list[dict], roster: list[Any]) -> list[str]:
    """Students of the reports whom the roster does not list."""
    return sorted(
        {str(r.get("student") or r.get("id")) for r in reports if whose(roster, r) is None}
    )


def _num(x: float) -> str:
    return f"{x:g}"
