"""Start real sandboxed kernels for tests of the sandbox, the kernel driver and the proxy."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.config import Limits
from autograder.kernel import Kernel
from autograder.proxy import Student
from autograder.sandbox import Sandbox, SandboxSpec, bwrap_problem

KINDS = ["bwrap", "process"]


def kinds_available() -> list[str]:
    return KINDS if bwrap_problem() is None else ["process"]


def notebook(*sources: str, tags: dict[int, list[str]] | None = None):
    cells = [new_code_cell(s) for s in sources]
    for index, cell_tags in (tags or {}).items():
        cells[index].metadata["tags"] = cell_tags
    return new_notebook(cells=cells)


@contextmanager
def kernel(
    tmp_path: Path, kind: str = "bwrap", *, limits: Limits | None = None, total: float = 120.0
) -> Iterator[Kernel]:
    limits = limits or Limits()
    path = tmp_path / "submission.ipynb"
    if not path.exists():
        nbformat.write(notebook("x = 1"), path)
    box = Sandbox(
        SandboxSpec(kind=kind, limits=limits, memory_mb=limits.memory_mb),
        path,
        filename="submission.ipynb",
    )
    k = Kernel(box, limits, deadline=time.monotonic() + total)
    try:
        k.start()
        yield k
    finally:
        k.close()
        box.close()


def student(k: Kernel, **changes: float) -> Student:
    return Student(k, limits=replace(k.limits, **changes))
