"""The reference solution, loaded into the grader's own process (trusted code)."""

from __future__ import annotations

import contextlib
import io
import types
from functools import cache
from pathlib import Path

import nbformat

from autograder.errors import ConfigError

_LEAVE_OUT = {"skip-execution", "self-check"}


@cache
def load(path: Path) -> types.ModuleType:
    """Execute the solution notebook's code cells (not self-checks, not skipped cells)."""
    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as e:
        raise ConfigError(f"the reference solution {path} cannot be read ({e}).") from None
    module = types.ModuleType(f"reference_{path.parent.name}")
    module.__file__ = str(path)
    with contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(nb.cells):
            tags = set(cell.get("metadata", {}).get("tags", []) or [])
            if cell.cell_type != "code" or tags & _LEAVE_OUT:
                continue
            try:
                code = compile(cell.source, f"{path.name}[cell {index + 1}]", "exec")
                exec(code, module.__dict__)  # noqa: S102 - the course's own solution
            except Exception as e:  # noqa: BLE001
                raise ConfigError(
                    f"the reference solution {path.name} fails in cell {index + 1}: {e!r}."
                ) from None
    return module


def signatures(module: types.ModuleType, names: list[str]) -> dict[str, list[str]]:
    """Parameter names of the reference's functions (used to label arguments in feedback)."""
    import inspect

    found = {}
    for name in names:
        fn = getattr(module, name, None)
        if callable(fn):
            try:
                found[name] = list(inspect.signature(fn).parameters)
            except (TypeError, ValueError):
                continue
    return found
