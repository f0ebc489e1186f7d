"""The course environment: what a student's notebook can import while it is graded.

The kernel runs in the grader's own Python, so the course's packages are installed
with the grader (``pyproject.toml``) and an assignment may declare more in its
``config.toml`` (``[environment] modules``); every grade checks that they are
there. Notebooks often install packages themselves (``!pip install tqdm``,
``%pip install ...``, ``!conda install ...``): nothing may be installed while a
notebook is graded (no network, a read-only system), so such lines are not run,
and the report says so.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable

from nbformat import NotebookNode

from autograder.errors import InstallError

COURSE_MODULES = ("numpy", "torch", "torchvision", "matplotlib", "tqdm", "PIL", "scipy")
"""What the course's notebooks import; installed with the grader."""

_INSTALL = re.compile(
    r"^(?P<indent>[ \t]*)(?:!|%{1,2})[ \t]*"
    r"(?:sudo[ \t]+)?(?:python3?[ \t]+-m[ \t]+)?"
    r"(?P<tool>pip3?|conda|mamba|micromamba|apt-get|apt)\b(?P<rest>.*)$"
)
_PACKAGE_NAMES = {"pillow": "PIL", "scikit-learn": "sklearn", "opencv-python": "cv2"}


def missing(modules: Iterable[str]) -> list[str]:
    """The modules of ``modules`` that this Python cannot import (without importing them)."""
    gone = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            gone.append(name)
    return gone


def require(modules: Iterable[str]) -> None:
    """An :class:`InstallError` naming what the course environment lacks."""
    gone = missing(modules)
    if gone:
        raise InstallError(
            f"the course environment lacks {', '.join(gone)}: install "
            f"{'it' if len(gone) == 1 else 'them'} where the grader runs (the kernel imports "
            "from the grader's own Python)"
        )


def neutralize_installs(nb: NotebookNode, available: Iterable[str]) -> list[str]:
    """Replace, in place, every package-installing line of ``nb`` by ``pass`` (at the same
    indentation, so the cell stays valid); one note per replaced line."""
    known = {m.lower() for m in available}
    notes = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        lines = cell.source.split("\n")
        for number, line in enumerate(lines):
            found = _INSTALL.match(line)
            if not found:
                continue
            lines[number] = f"{found.group('indent')}pass  # not run while grading: {line.strip()}"
            notes.append(
                _note(index, line.strip(), found.group("tool"), found.group("rest"), known)
            )
        cell.source = "\n".join(lines)
    return notes


def _note(index: int, line: str, tool: str, rest: str, known: set[str]) -> str:
    shown = line if len(line) <= 80 else line[:79] + "…"
    words = [w for w in rest.split() if not w.startswith("-") and w != "install"]
    packages = [re.split(r"[=<>!~\[ ]", w, maxsplit=1)[0] for w in words]
    there = [p for p in packages if _PACKAGE_NAMES.get(p.lower(), p).lower() in known]
    note = f"cell {index + 1}: `{shown}` was not run (nothing is installed while grading"
    if packages and len(there) == len(packages):
        return note + f"; {', '.join(there)} {'is' if len(there) == 1 else 'are'} already there)"
    return note + "; the course environment is what the notebook can import)"
