"""Which graded functions a submission's graded functions call, read from its source as text.

The notebook's code cells are parsed with :mod:`ast` in the grader's process; nothing is
executed, imported or evaluated, so a hostile notebook can only make the graph wrong for
itself. Like the kernel, later definitions replace earlier ones, cells tagged
``skip-execution`` and cells that do not parse define nothing, and IPython's magic and
shell lines are blanked first.

A function "calls" every name its body reads that is not one of its own parameters or
local variables (``f = softmax; f(x)`` and ``apply(softmax, x)`` count as calls); calls
through the notebook's helper functions count too, so ``mlp_loss_and_gradients`` calls
``softmax`` through ``softmax_cross_entropy_backward`` or through a helper of the student's.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Mapping

from nbformat import NotebookNode

from autograder.similarity.fingerprints import code_cells, python_of

SKIP_TAG = "skip-execution"
Graph = dict[str, dict[str, tuple[str, ...]]]
"""For each graded function, the graded functions it reaches, each with the graded
functions on the way (``{"mlp": {"softmax": ("softmax_cross_entropy_backward",)}}``)."""


def definitions(nb: NotebookNode) -> dict[str, frozenset[str]]:
    """Each top-level name the notebook binds to code (``def``, ``class``, ``name = ...``)
    and the names that code reads, as the notebook leaves them after running in order."""
    tagged = {
        index
        for index, cell in enumerate(nb.get("cells") or [])
        if isinstance(cell, dict) and SKIP_TAG in ((cell.get("metadata") or {}).get("tags") or [])
    }
    found: dict[str, frozenset[str]] = {}
    for cell in code_cells(nb):
        if cell.index in tagged:
            continue
        try:
            tree = ast.parse(python_of(cell.source))
        except (SyntaxError, ValueError, RecursionError):
            continue  # the kernel runs nothing of a cell that does not parse
        for statement in _top_level(tree.body):
            found.update(_bindings(statement))
    return found


def graph(nb: NotebookNode, graded: Iterable[str]) -> Graph:
    """For each graded function the notebook defines, the graded functions it reaches."""
    graded = tuple(graded)
    return reachable(definitions(nb), graded)


def reachable(defs: Mapping[str, frozenset[str]], graded: tuple[str, ...]) -> Graph:
    """Breadth-first from each graded function through every definition it reads; a graded
    function reached is kept with the graded functions on its shortest path."""
    out: Graph = {}
    for start in graded:
        if start not in defs:
            continue
        paths: dict[str, tuple[str, ...]] = {start: ()}
        queue = deque([start])
        while queue:
            name = queue.popleft()
            via = paths[name] + ((name,) if name != start and name in graded else ())
            for read in sorted(defs.get(name, frozenset())):
                if read not in paths and (read in defs or read in graded):
                    paths[read] = via
                    queue.append(read)
        out[start] = {name: via for name, via in paths.items() if name in graded and name != start}
    return out


def _top_level(body: list[ast.stmt]) -> Iterable[ast.stmt]:
    """Statements run when the cell runs, in order (inside ``if``, ``try`` and ``with`` too)."""
    for statement in body:
        yield statement
        if isinstance(statement, (ast.If, ast.With, ast.For, ast.While)):
            yield from _top_level(statement.body)
            yield from _top_level(getattr(statement, "orelse", []))
        elif isinstance(statement, ast.Try):
            yield from _top_level(statement.body)
            for handler in statement.handlers:
                yield from _top_level(handler.body)
            yield from _top_level(statement.orelse)
            yield from _top_level(statement.finalbody)


def _bindings(statement: ast.stmt) -> dict[str, frozenset[str]]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {statement.name: _free_names(statement)}
    if isinstance(statement, (ast.Assign, ast.AnnAssign)) and statement.value is not None:
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        reads = _free_names(statement.value)
        return {t.id: reads for t in targets if isinstance(t, ast.Name)}
    return {}


def _free_names(node: ast.AST) -> frozenset[str]:
    """Names read in ``node`` that it does not bind itself (its parameters, its locals)."""
    read: set[str] = set()
    bound: set[str] = set()
    for inner in ast.walk(node):
        if isinstance(inner, ast.Name):
            (read if isinstance(inner.ctx, ast.Load) else bound).add(inner.id)
        elif isinstance(inner, ast.arg):
            bound.add(inner.arg)
        elif isinstance(inner, (ast.Global, ast.Nonlocal)):
            read.update(inner.names)
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        bound.discard(node.name)
    return frozenset(read - bound)
