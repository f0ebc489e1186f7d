"""Which notebooks of a class share code beyond the assignment's template.

Winnowing fingerprints over normalized tokens (Schleimer, Wilkerson and Aiken 2003, as MOSS
and Dolos use them), with the standard library only; no student code is ever run.

- :mod:`.fingerprints`: a notebook's code cells to normalized tokens (renamed variables,
  comments and layout do not count), k-gram hashes and winnowed fingerprints;
- :mod:`.compare`: the template's fingerprints and the class's common ones removed, every
  pair scored (shared fingerprints / fingerprints of the notebook with fewer), the pairs at
  or above the threshold with their matching regions;
- :mod:`.report`: ``OUT/similarity.csv``, ``OUT/similarity/index.html`` and a page per pair;
- :mod:`.cli`: ``python -m autograder.similarity FOLDER_OR_FILES... --template T --out DIR``.

From code::

    pairs = similarity.analyze(submissions, template)  # submissions: [(key, path), ...]
    similarity.write(out, pairs, submissions, template=template)
"""

from autograder.similarity.cli import main
from autograder.similarity.compare import Match, Pair, Settings, Span, analyze
from autograder.similarity.report import write

__all__ = ["Match", "Pair", "Settings", "Span", "analyze", "main", "write"]
