"""The reference solution, loaded into the grader's own process (trusted code)."""

from __future__ import annotations

import contextlib
import importlib
import io
import threading
import types
from functools import cache
from pathlib import Path
from typing import Any

import nbformat

from autograder.assignments import Assignment
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


AHEAD = (
    "numpy",
    "autograder.proxy",
    "autograder.plugin",
    "autograder.dependents",
    "autograder.untouched",
    "autograder.reports",
)
"""What a grade imports after its kernel has started, imported here while it starts (the
grader's process mostly waits then; a one-off grade saves about a third of a second)."""


class Warmup(threading.Thread):
    """Loads the reference solution and the stored truths while the kernel works, and
    PyTorch when the checks will need it (no store yet, or checks that import it)."""

    def __init__(self, assignment: Assignment, *, after: threading.Event | None = None) -> None:
        super().__init__(daemon=True, name="reference-warmup")
        self.assignment = assignment
        self.after = after
        """Begin once this is set (the kernel's process launched: until then the grader's
        work on the kernel start would wait for this thread's imports), or after a second."""
        self._module: Any = None
        self._error: BaseException | None = None

    def run(self) -> None:
        try:
            if self.after is not None:
                self.after.wait(timeout=1.0)
            for name in AHEAD:
                importlib.import_module(name)
            from autograder import truths

            stored = truths.load(self.assignment)
            if not stored or truths.checks_import_torch(self.assignment):
                import torch  # the checks' truth; importing it takes a while

                settle(torch)
                _exercise(torch)
            self._module = load(self.assignment.solution)
        except BaseException as e:  # noqa: BLE001 - re-raised in result()
            self._error = e

    def result(self) -> Any:
        self.join()
        if self._error is not None:
            raise self._error
        return self._module


_settled: list[Any] = []


def settle(torch: Any) -> None:
    """Once per process: one thread for PyTorch's own work. The checks' tensors are tiny:
    worker threads would only spin and take the CPU from the kernel that runs the
    student's code. Called where the grader first sees PyTorch loaded (a truth may import
    it in the middle of the checks)."""
    if not _settled:
        _settled.append(torch)
        torch.set_num_threads(1)


def _exercise(torch: Any) -> None:
    """Run a tiny forward and backward pass, so PyTorch's lazy imports happen now, in
    parallel with the kernel, rather than inside the first checks."""
    import torch.nn.functional as F

    x = torch.ones(1, 1, 4, 4, dtype=torch.float64, requires_grad=True)
    y = F.max_pool2d(F.conv2d(x, torch.ones(1, 1, 2, 2, dtype=torch.float64)), 2)
    y = F.batch_norm(y, None, None, training=True) if y.numel() > 1 else y
    F.cross_entropy(y.reshape(1, -1), torch.zeros(1, dtype=torch.long)).backward()
    z = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (z * 2).backward(torch.ones(2, dtype=torch.float64))  # explicit gradients import sympy
