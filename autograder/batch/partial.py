"""An assignment cut down to some of its questions, for regrading those questions alone.

The copy (in a folder of its own, searched before the course's) holds the assignment's
folder with only the chosen questions' check modules, and a ``config.toml`` whose
``questions`` are those and whose ``max_score`` is what their checks are worth now (read
from the checks' ``points`` markers by pytest's collection, nothing run). Grading a
notebook against it runs the notebook as always and only those questions' checks; the
results then replace those questions in the notebook's existing report
(:func:`merge_questions`).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from autograder.assignments import Assignment
from autograder.errors import ConfigError
from autograder.results import Report

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


class _Points:
    """A pytest plugin that adds up the ``points`` markers of the collected checks."""

    def __init__(self) -> None:
        self.points: dict[str, float] = {}

    def pytest_collection_modifyitems(self, items: list[Any]) -> None:
        for item in items:
            module = Path(str(item.path)).stem
            question = module[len("test_") :] if module.startswith("test_") else module
            marker = item.get_closest_marker("points")
            worth = float(marker.args[0]) if marker and marker.args else 0.0
            self.points[question] = self.points.get(question, 0.0) + worth


def points(checks: Path) -> dict[str, float]:
    """What each question's checks in ``checks`` are worth, by question."""
    import pytest

    collector = _Points()
    args = [str(checks), "--collect-only", "-q", "-c", os.devnull, "--rootdir", str(checks)]
    args += ["--import-mode=importlib", "-p", "no:cacheprovider", "-p", "no:randomly"]
    sys.path.insert(0, str(checks))
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            code = pytest.main(args, plugins=[collector])
    finally:
        sys.path.remove(str(checks))
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(checks) + os.sep):
                del sys.modules[name]
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise ConfigError(f"the checks in {checks} cannot be collected (pytest exit {int(code)})")
    return collector.points


def cut(assignment: Assignment, questions: list[str], root: Path) -> Path:
    """A copy of ``assignment`` under ``root`` with only ``questions``; its folder."""
    unknown = [q for q in questions if q not in assignment.config.questions]
    if unknown:
        raise ConfigError(
            f"{assignment.name} has no question {', '.join(unknown)}; its questions: "
            f"{', '.join(assignment.config.questions)}"
        )
    target = root / assignment.name
    keep = {f"test_{q}.py" for q in questions}

    def ignore(folder: str, names: list[str]) -> set[str]:
        checks = Path(folder).name == "checks"
        return {
            n
            for n in names
            if n in ("variants", "__pycache__", ".ipynb_checkpoints")
            or (checks and n.startswith("test_") and n.endswith(".py") and n not in keep)
        }

    shutil.copytree(assignment.folder, target, ignore=ignore, symlinks=True)
    worth = points(target / "checks")
    raw = tomllib.loads((assignment.folder / "config.toml").read_text(encoding="utf-8"))
    raw["assignment"]["questions"] = list(questions)
    raw["assignment"]["max_score"] = sum(worth.get(q, 0.0) for q in questions)
    (target / "config.toml").write_text(toml(raw), encoding="utf-8")
    return target


def toml(data: dict[str, Any], prefix: str = "") -> str:
    """TOML text of a config's tables (the value types a config.toml uses)."""
    lines = [f"[{prefix}]"] if prefix else []
    tables = {}
    for key, value in data.items():
        if isinstance(value, dict):
            tables[key] = value
        else:
            lines.append(f"{json.dumps(key)} = {_value(value)}")
    text = "\n".join(lines) + "\n"
    for key, table in tables.items():
        text += "\n" + toml(table, f"{prefix}.{json.dumps(key)}" if prefix else json.dumps(key))
    return text


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise ConfigError(f"cannot write {type(value).__name__} values to config.toml")


def merge_questions(old: dict[str, Any], new: dict[str, Any], questions: list[str]) -> Report:
    """``old``'s report (report.json data) with ``questions`` as ``new`` graded them."""
    report = Report.from_json(old)
    regraded = {q.id: q for q in Report.from_json(new).questions if q.id in questions}
    report.questions = [regraded.get(q.id, q) for q in report.questions]
    report.notes.append(
        f"question(s) {', '.join(questions)} regraded on {new.get('graded_at')} with the checks "
        f"of that day; the other questions are as graded on {old.get('graded_at')}"
    )
    report.flags += [f for f in new.get("flags") or [] if f not in report.flags]
    report.graded_at = str(new.get("graded_at") or report.graded_at)
    return report
