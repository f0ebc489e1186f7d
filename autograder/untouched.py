"""Whether a submission is the assignment's template, untouched: its code cells, read as
text (never run), are the template's, whitespace and empty cells aside. Such a notebook
scores 0 for a reason no check states: the wrong file was handed in, or none was done."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.similarity.fingerprints import code_cells


def code_of(nb: NotebookNode) -> list[str]:
    """The notebook's code cells, each stripped of trailing spaces, empty ones left out."""
    cells = []
    for cell in code_cells(nb):
        text = "\n".join(line.rstrip() for line in cell.source.strip().splitlines())
        if text:
            cells.append(text)
    return cells


def is_template(nb: NotebookNode, template: Path) -> bool:
    """True when ``nb``'s code is ``template``'s (False when the template cannot be read)."""
    try:
        theirs = nbformat.read(template, as_version=4)
    except (OSError, ValueError, nbformat.ValidationError):
        return False
    return code_of(nb) == code_of(theirs)


SENTENCE = (
    "the notebook's code is the assignment's template, unchanged: nothing was filled in "
    "(was the right file handed in?)"
)
