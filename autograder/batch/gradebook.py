"""A class's gradebook: the class files (summary.csv, index.html, junit.xml, ignored.csv, the
GitHub job summary), and merging the report folders of several shards into one."""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder.errors import GraderError


def write_class_files(
    out: Path,
    folders: list[Path],
    ignored: list[tuple[str, str]] | None = None,
    *,
    roster: Path | None = None,
    canvas_columns: dict[str, str] | None = None,
) -> None:
    """summary.csv, index.html and junit.xml for a whole class, ignored.csv (the files of
    the batch's folders that were not graded, and why), with a ``roster`` (a CSV file, see
    :mod:`autograder.batch.roster`) the students' ids and names in summary.csv and the
    Canvas import canvas.csv, and, when ``GITHUB_STEP_SUMMARY`` is set, a Markdown summary
    appended to it."""
    from autograder.batch import roster as rosters
    from autograder.reports import canvas, index, junit, summary
    from autograder.results import Report

    students = rosters.read(roster) if roster is not None else None
    summary.write(out, folders, students)
    if ignored:
        summary.write_ignored(out, ignored)
    index.write_index(out, folders)
    loaded = summary.load(folders)
    reports = [Report.from_json(r) for r in loaded]
    keys = [str(r["id"]) for r in loaded]
    (out / "junit.xml").write_text(junit.render_many(reports, keys), encoding="utf-8")
    if students is not None:
        canvas.write(out, loaded, students, canvas_columns)
        strangers = canvas.unmatched(loaded, students)
        if strangers:
            shown = ", ".join(strangers[:10]) + (" and more" if len(strangers) > 10 else "")
            print(f"grade.py: not on the roster: {shown}", file=sys.stderr)
    write_job_summary(folders)


def write_job_summary(folders: list[Path]) -> None:
    """Append a Markdown summary of these reports to ``$GITHUB_STEP_SUMMARY``, when set."""
    from autograder.reports import summary

    if os.environ.get("GITHUB_STEP_SUMMARY"):
        with open(os.environ["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as f:
            f.write(summary.github_summary(summary.load(folders)))


def write_similarity(
    out: Path,
    found: list[Any],
    folders: list[Path],
    assignment: str | None,
    roots: Sequence[Path],
) -> None:
    """``OUT/similarity.csv`` and ``OUT/similarity/``: pairs of submissions whose own code is
    unusually similar, per assignment, its template's code excluded. A batch never fails for
    it: a problem is one line on stderr."""
    from autograder import assignments, similarity

    groups: dict[str, list[tuple[str, Path]]] = {}
    for f, folder in zip(found, folders, strict=True):
        name = assignment or _assignment_of(folder)
        if name:
            groups.setdefault(name, []).append((f.key, f.path))
    try:
        pairs: list[Any] = []
        templates: list[Path] = []
        skipped: list[tuple[str, str]] = []
        for name, group in sorted(groups.items()):
            template = assignments.find(name, roots).template
            templates.append(template)
            pairs += similarity.analyze(group, template, skipped=skipped)
        pairs.sort(key=lambda p: (-p.score, -p.shared, p.a, p.b))
        submitted = [(f.key, f.path) for f in found]
        similarity.write(out, pairs, submitted, template=templates, skipped=skipped)
    except (GraderError, OSError, ValueError) as error:
        print(f"grade.py: no similarity report ({error}).", file=sys.stderr)


def _assignment_of(folder: Path) -> str | None:
    try:
        name = json.loads((folder / "report.json").read_text(encoding="utf-8")).get("assignment")
    except (OSError, ValueError):
        return None
    return name if isinstance(name, str) else None


def merge(shards: list[Path], out: Path, *, roster: Path | None = None) -> list[Path]:
    """Gather the per-submission folders of several shard outputs into ``out`` (the newest
    report of a folder wins) and write the class files there, as if one run had graded
    everything; the merged folders."""
    folders: dict[str, Path] = {}
    for shard in shards:
        if not shard.is_dir():
            raise GraderError(f"{shard} is not a folder of reports")
        for report in sorted(shard.glob("*/report.json")):
            folder = report.parent
            previous = folders.get(folder.name)
            if previous is None or _graded_at(folder) > _graded_at(previous):
                folders[folder.name] = folder
    if not folders:
        raise GraderError(f"no reports found in {', '.join(str(s) for s in shards)}")
    out.mkdir(parents=True, exist_ok=True)
    merged = []
    for name, folder in sorted(folders.items()):
        target = out / name
        if folder.resolve() != target.resolve():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(folder, target)
        merged.append(target)
    write_class_files(out, merged, roster=roster)
    return merged


def report_folders(out: Path) -> list[Path]:
    """Every submission's folder in ``out`` (those holding a report.json), sorted."""
    return sorted(p.parent for p in out.glob("*/report.json") if not p.parent.is_symlink())


def _graded_at(folder: Path) -> str:
    try:
        return str(
            json.loads((folder / "report.json").read_text(encoding="utf-8")).get("graded_at", "")
        )
    except (OSError, ValueError):
        return ""
