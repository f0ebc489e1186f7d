"""Last line of defence: no report carries the reference solution, the grader's secrets,
or the grader's own paths.

Under bubblewrap a submission cannot read the solutions or the grader's
environment at all; under a plain process it can, so before a report is written
every text in it is scanned for lines of the solution notebooks that the
submission did not contain itself, and for values of the grader's environment.
"""

from __future__ import annotations

import json
import os
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat

from autograder import assignments
from autograder.intake import Submission
from autograder.results import Report

MIN_LINE = 16
"""Solution lines shorter than this are too common to be evidence of a leak."""
MIN_SECRET = 10
_PROBE = 12
SOLUTION_MARK = "[redacted: text of the reference solution]"
ENV_MARK = "[redacted: a value of the grader's environment]"


def _solutions(extra: tuple[Path, ...]) -> tuple[Path, ...]:
    """Every known assignment's solution, and ``extra`` (the graded assignment's)."""
    known = {folder / "solution.ipynb" for folder in assignments.folders().values()}
    return tuple(sorted(known | set(extra)))


@lru_cache(maxsize=8)
def _solution_lines(paths: tuple[Path, ...]) -> frozenset[str]:
    lines: set[str] = set()
    for path in paths:
        try:
            nb = nbformat.read(path, as_version=4)
        except (OSError, ValueError):
            continue
        for cell in nb.cells:
            for line in cell.source.splitlines():
                line = line.strip()
                if len(line) >= MIN_LINE:
                    lines.add(line)
                    lines.add(json.dumps(line)[1:-1])
    return frozenset(lines)


def _environment_values() -> set[str]:
    values = set()
    for name, value in os.environ.items():
        if len(value) < MIN_SECRET:
            continue
        if ("/" in value or ":" in value) and not any(
            word in name.upper() for word in ("TOKEN", "SECRET", "KEY", "PASS", "AUTH", "CRED")
        ):
            continue  # paths and path lists are not secrets
        values.add(value)
    return values


@lru_cache(maxsize=1)
def _grader_paths() -> tuple[tuple[str, str], ...]:
    """Folders of the grader's machine that reports name by a placeholder: its Python
    installation and its own files (a traceback shows them; students need not see them)."""
    import autograder

    paths = {
        sys.prefix: "<python>",
        sys.base_prefix: "<python>",
        sys.exec_prefix: "<python>",
        str(Path(autograder.__file__).resolve().parent.parent): "<grader>",
    }
    for path in list(paths):
        paths.setdefault(os.path.realpath(path), paths[path])
    kept = {p: label for p, label in paths.items() if len(p) > 4 and p not in _SHARED_PREFIXES}
    return tuple(sorted(kept.items(), key=lambda item: len(item[0]), reverse=True))


_SHARED_PREFIXES = {"/usr", "/usr/local", "/opt", "/home", "/root"}


class _Redactor:
    def __init__(self, allowed: set[str], solutions: tuple[Path, ...]) -> None:
        self.secrets = [s for s in _solution_lines(solutions) if s not in allowed]
        self.index: dict[str, list[str]] = {}
        for s in self.secrets:
            self.index.setdefault(s[:_PROBE], []).append(s)
        self.env = sorted(_environment_values(), key=len, reverse=True)
        self.paths = _grader_paths()

    def text(self, text: str) -> str:
        if not text:
            return text
        for value in self.env:
            if value in text:
                text = text.replace(value, ENV_MARK)
        for path, label in self.paths:
            if path in text:
                text = text.replace(path, label)
        if not self.index:
            return text
        out = []
        for line in text.split("\n"):
            out.append(SOLUTION_MARK if self._leaks(line) else line)
        return "\n".join(out)

    def _leaks(self, line: str) -> bool:
        if len(line) < MIN_LINE:
            return False
        for i in range(len(line) - _PROBE + 1):
            candidates = self.index.get(line[i : i + _PROBE])
            if candidates and any(line.startswith(c, i) for c in candidates):
                return True
        return False

    def walk(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.walk(v) for v in value]
        if isinstance(value, dict):
            return {k: self.walk(v) for k, v in value.items()}
        return value


def report(report: Report, submission: Submission | None, *, solution: Path | None = None) -> None:
    """Redact, in place, every text of ``report`` (``solution``: the graded assignment's,
    besides those of every assignment the grader knows)."""
    allowed: set[str] = set()
    if submission is not None:
        for cell in submission.notebook.cells:
            for line in str(cell.get("source", "")).splitlines():
                allowed.add(line.strip())
                allowed.add(json.dumps(line.strip())[1:-1])
    r = _Redactor(allowed, _solutions((solution,) if solution else ()))
    report.error = r.text(report.error) if report.error else report.error
    report.notes = r.walk(report.notes)
    report.flags = r.walk(report.flags)
    report.notebook = r.walk(report.notebook)
    for section in report.sections.values():
        section.data = r.walk(section.data)
    for check in report.checks():
        check.feedback = r.text(check.feedback)
        check.details = r.walk(check.details)
