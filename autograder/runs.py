"""What running a notebook gave: each cell's outcome, and why a name may be missing.

These records are the grader's own account of a run (statuses, error texts, output
kept), built from nbclient's cell outputs by :mod:`autograder.kernel`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from nbformat import NotebookNode

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass
class Outcome:
    """What executing one piece of code gave."""

    status: str
    """"ok", "error" (it raised), "timeout", "died" (the kernel died), or "not run"."""
    error: str | None = None
    """``ename: evalue`` for errors, a sentence for the others."""
    ename: str | None = None
    traceback: str = ""
    output: str = ""
    output_truncated: bool = False
    seconds: float = 0.0


@dataclass
class CellRecord:
    """One code cell of the submission and what running it gave."""

    index: int
    source: str
    outcome: Outcome
    replay: bool = True
    """Whether the cell runs again after a kernel restart (not when it killed or hung it)."""


@dataclass
class NotebookRun:
    """The notebook part of a report."""

    cells: int
    code_cells: int
    executed: int
    skipped: int
    records: list[CellRecord] = field(default_factory=list)
    seconds: float = 0.0
    _why: dict[str, str | None] = field(default_factory=dict, repr=False)

    def errors(self) -> list[CellRecord]:
        return [r for r in self.records if r.outcome.status != "ok"]

    def why_undefined(self, name: str) -> str | None:
        """Why ``name`` may be missing (cached: a check may ask for every call it makes)."""
        if name not in self._why:
            self._why[name] = self._why_undefined(name)
        return self._why[name]

    def _why_undefined(self, name: str) -> str | None:
        """Why ``name`` may be missing: the failed cell that binds it, or else mentions it.

        For a template this is the cell whose solution was replaced by
        ``raise NotImplementedError``; None when no failed cell has the name.
        """
        mentions = re.compile(rf"\b{re.escape(name)}\b")
        binding = [r for r in self.errors() if name in _top_level_names(r.source)]
        consequence = f"NameError: name '{name}' is not defined"
        mentioning = [
            r
            for r in self.errors()
            if mentions.search(r.source) and not (r.outcome.error or "").startswith(consequence)
        ]
        for records, role in ((binding, "which defines it"), (mentioning, "where it appears")):
            if records:
                record = records[0]
                o = record.outcome
                first = ((o.error or "").splitlines() or [""])[0][:200]
                if o.status == "error":
                    return f"cell {record.index + 1}, {role}, raised {first}"
                return f"cell {record.index + 1}, {role}, did not finish ({first or o.status})"
        return None

    def section(self, restarts: int, memory_mb: int, max_output_kb: int) -> dict[str, Any]:
        """The report's ``notebook`` entry."""
        errors = []
        for record in self.errors():
            o = record.outcome
            error = o.error
            if o.ename == "MemoryError":
                error = f"{error} (memory limit exceeded: the limit is {memory_mb:,} MiB)"
            if o.output_truncated:
                error = f"{error}; its output was cut at {max_output_kb} KiB"
            errors.append(
                {
                    "cell": record.index + 1,
                    "status": o.status,
                    "error": error,
                    "source": _head(record.source, 12),
                    "output": o.output[-4000:] if o.output else "",
                    "traceback": o.traceback[-4000:] if o.traceback else "",
                }
            )
        return {
            "cells": self.cells,
            "code_cells": self.code_cells,
            "executed": self.executed,
            "skipped": self.skipped,
            "errors": errors,
            "kernel_restarts": restarts,
            "seconds": round(self.seconds, 3),
        }


def _head(text: str, lines: int) -> str:
    parts = text.splitlines()
    return "\n".join(parts[:lines]) + ("\n…" if len(parts) > lines else "")


@lru_cache(maxsize=512)
def _top_level_names(source: str) -> tuple[str, ...]:
    """Functions, classes and variables a cell binds at its top level (none if it is not Python)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ()
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.append(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.extend(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return tuple(names)


def outcome_of(cell: NotebookNode, seconds: float, truncated: bool) -> Outcome:
    output, error, ename, trace = [], None, None, ""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ename = out.get("ename", "Error")
            error = f"{ename}: {out.get('evalue', '')}".rstrip(": ")
            trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
        elif out.get("output_type") == "stream":
            output.append(out.get("text", ""))
    return Outcome(
        "error" if error else "ok",
        error,
        ename,
        trace,
        "".join(output),
        truncated,
        seconds,
    )
