"""Build test notebooks from the reference solution (real notebooks, no mocks)."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = REPO / "assignments"
VARIANTS = ASSIGNMENTS / "cnn_basics" / "variants"
"""cnn_basics's variants: realistic mistakes (buggy/) and right answers in other styles
(correct/), each replacing one function of the solution."""


def solution_path(name: str = "cnn_basics") -> Path:
    return ASSIGNMENTS / name / "solution.ipynb"


def template_path(name: str = "cnn_basics") -> Path:
    return ASSIGNMENTS / name / f"{name}.ipynb"


def solution(name: str = "cnn_basics") -> NotebookNode:
    return nbformat.read(solution_path(name), as_version=4)


def defines(source: str) -> list[str]:
    """Top-level function and class names a piece of source defines."""
    return re.findall(r"^(?:def|class) (\w+)", source, flags=re.M)


def replace_definition(nb: NotebookNode, source: str) -> NotebookNode:
    """Replace the cell that defines each name in ``source`` with ``source``."""
    names = defines(source)
    assert names, "the variant defines nothing"
    for cell in nb.cells:
        if cell.cell_type == "code" and set(defines(cell.source)) & set(names):
            cell.source = source
            return nb
    raise AssertionError(f"no cell defines {names}")


def append_cells(nb: NotebookNode, *sources: str) -> NotebookNode:
    for source in sources:
        nb.cells.append(new_code_cell(source))
    return nb


def variant(kind: str, name: str) -> str:
    """The source of ``tests/variants/<kind>/<name>.py``."""
    return (VARIANTS / kind / f"{name}.py").read_text(encoding="utf-8")


def write(nb: NotebookNode, path: Path) -> Path:
    nbformat.write(nb, path)
    return path


def solution_regions(nb: NotebookNode) -> tuple[list[str], list[str]]:
    """The notebook's source lines inside ``# BEGIN/END SOLUTION`` regions, and the others.

    Read independently of ``autograder.assign``, so tests of it do not trust it.
    """
    inside_lines: list[str] = []
    outside_lines: list[str] = []
    for cell in nb.cells:
        inside = False
        for line in cell.source.splitlines():
            if "# BEGIN SOLUTION" in line:
                inside = True
            elif "# END SOLUTION" in line:
                inside = False
            else:
                (inside_lines if inside else outside_lines).append(line)
    return inside_lines, outside_lines
