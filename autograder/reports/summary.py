"""The class summary: ``OUT/summary.csv`` (one row per student, one column per question)."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def load(folders: list[Path]) -> list[dict]:
    reports = []
    for folder in folders:
        try:
            reports.append(json.loads((folder / "report.json").read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return reports


def rows(reports: list[dict]) -> tuple[list[str], list[list[str]]]:
    questions: list[str] = []
    for r in reports:
        for q in r.get("questions", []):
            if q["id"] not in questions:
                questions.append(q["id"])
    header = ["submission", "assignment", "status", *questions, "score", "max_score", "sha256"]
    body = []
    for r in sorted(reports, key=lambda r: r["submission"]):
        by_id = {q["id"]: q["score"] for q in r.get("questions", [])}
        body.append(
            [
                r["submission"],
                r.get("assignment") or "",
                r["status"],
                *[_num(by_id[q]) if q in by_id else "" for q in questions],
                _num(r.get("score", 0)),
                _num(r.get("max_score", 0)),
                r.get("sha256") or "",
            ]
        )
    return header, body


def write(out: Path, folders: list[Path]) -> Path:
    header, body = rows(load(folders))
    out.mkdir(parents=True, exist_ok=True)
    path = out / "summary.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(body)
    return path


def _num(x: float) -> str:
    return f"{x:g}"
