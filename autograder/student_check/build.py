"""Making the student check of an assignment, on the grader's side (``python -m
autograder.assign`` writes it beside the template):

- ``<name>.checks.json``: the visible checks' calls (fixed inputs) and the reference
  solution's answers, recorded by running the assignment's own check suite with the
  reference standing in for the student (in this process: it is the course's code). Only
  checks that are visible, passed, call functions by name with plain data, and replay
  to a pass against the reference are kept; hidden checks, randomized ones (those that run
  code in the kernel) and everything else stay with the grader, counted per question.
- ``check_notebook.py``: the runner (:mod:`autograder.feedback`, :mod:`.values`,
  :mod:`.notebook`, :mod:`.runner`) as one file that needs only NumPy and the standard
  library.

Neither holds solution code: values and the reference's parameter names only.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

import autograder
from autograder import components, reference
from autograder.assignments import Assignment
from autograder.checking import CheckUnavailable
from autograder.errors import MissingFunction, StudentRaised
from autograder.plugin import GradingPlugin, check_seed, run_checks
from autograder.student_check import runner
from autograder.student_check.values import Unstorable, decode, encode

SCRIPT = "check_notebook.py"
PARTS = (
    "feedback.py",
    "student_check/values.py",
    "student_check/notebook.py",
    "student_check/runner.py",
)
"""The modules check_notebook.py is made of, in order (paths within the package)."""
MAX_CHECK_BYTES = 1_000_000
"""A check whose recorded calls take more than this stays with the grader."""


class Recorder:
    """Stands in for the student: answers each call with the reference solution, and
    records it (inputs before the call, and the answer or the exception raised)."""

    def __init__(self, ref: Any) -> None:
        self._ref = ref
        self.log: dict[int, list[dict]] = {}
        self.unsupported: dict[int, str] = {}
        self.seed = 0
        self.root_causes: list[str] = []
        self.tampered: str | None = None

    def begin_check(self, seed: int, timeout: float | None) -> None:
        self.seed = seed
        self.log.setdefault(seed, [])

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return lambda *args, **kwargs: self.call(name, *args, **kwargs)

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        fn = getattr(self._ref, name, None)
        if not callable(fn):
            self.unsupported[self.seed] = f"{name} is not a function of the reference"
            raise MissingFunction(name, f"the reference does not define {name}")
        entry: dict[str, Any] = {"function": name}
        try:
            entry["args"], entry["kwargs"] = encode(list(args)), encode(dict(kwargs))
        except Unstorable as e:
            self.unsupported[self.seed] = f"an input is {e}"
        try:
            value = fn(*copy.deepcopy(args), **copy.deepcopy(kwargs))
        except Exception as error:
            mro = [c.__name__ for c in type(error).__mro__]
            entry["expected"] = {"__raises__": {"type": type(error).__name__}}
            self.log[self.seed].append(entry)
            raise StudentRaised(name, type(error).__name__, mro, str(error), "") from None
        try:
            entry["expected"] = encode(value)
        except Unstorable as e:
            self.unsupported[self.seed] = f"the answer is {e}"
        self.log[self.seed].append(entry)
        return copy.deepcopy(value)

    def _not_here(self, what: str) -> Any:
        self.unsupported[self.seed] = what
        raise CheckUnavailable(f"the student check cannot {what}")

    def call_and_inputs(self, *args: Any, **kwargs: Any) -> Any:
        return self._not_here("see what a call did to its inputs")

    def run(self, *args: Any, **kwargs: Any) -> Any:
        return self._not_here("run code in the kernel")

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._not_here("read the kernel's variables")


class _Component:
    """Stands in for a component of the assignment (the accuracy check's trainer, say):
    its markers and fixture exist, and a check that uses it stays with the grader."""

    def __init__(self, kind: Any, table: str) -> None:
        self.fixture = getattr(kind, "fixture", table)
        self.markers = getattr(kind, "markers", {})

    def __getattr__(self, name: str) -> Any:
        raise CheckUnavailable("the student check has no components")


def functions(ref: Any, names: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The parameters (names, and defaults as text) of the reference's functions."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        fn = getattr(ref, name, None)
        if not callable(fn):
            continue
        try:
            params = inspect.signature(fn).parameters.values()
        except (TypeError, ValueError):
            continue
        found[name] = [
            {"name": p.name, "default": None if p.default is p.empty else repr(p.default)}
            for p in params
        ]
    return found


def bundle(assignment: Assignment) -> dict[str, Any]:
    """The check file's content for ``assignment``."""
    ref = reference.load(assignment.solution)
    config = assignment.config
    recorder = Recorder(ref)
    plugin = GradingPlugin(
        student=recorder,
        reference=ref,
        questions=config.questions,
        deadline=time.monotonic() + 3600,
        components=[_Component(components.kind(t), t) for t in config.components],
    )
    results = run_checks(assignment.checks, plugin)
    called = {c["function"] for calls in recorder.log.values() for c in calls}
    data: dict[str, Any] = {
        "format": runner.FORMAT,
        "assignment": assignment.name,
        "title": config.title,
        "version": config.version,
        "grader": autograder.__version__,
        "limits": {
            "cell_timeout_s": config.limits.cell_timeout_s,
            "call_timeout_s": config.limits.call_timeout_s,
        },
        "questions": list(config.questions),
        "functions": functions(ref, [*config.questions, *sorted(called - set(config.questions))]),
        "checks": [],
        "grader_only": [],
    }
    for result in results:
        seed = check_seed(result.question, result.id)
        calls = recorder.log.get(seed) or []
        entry = {
            "question": result.question,
            "id": result.id,
            "description": result.description,
            "points": result.max_points,
            "calls": calls,
        }
        keep = (
            result.visibility == "visible"
            and result.status == "passed"
            and calls
            and seed not in recorder.unsupported
            and len(json.dumps(calls)) <= MAX_CHECK_BYTES
            and runner.replay(entry, vars(ref), data) is None
        )
        if keep:
            data["checks"].append(entry)
        else:
            data["grader_only"].append({"question": result.question})
    return data


def text(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def script() -> str:
    """The runner as one file: the modules' code, their imports gathered at the top."""
    package = Path(autograder.__file__).resolve().parent
    imports: set[str] = set()
    bodies = []
    for part in PARTS:
        source = (package / part).read_text(encoding="utf-8")
        body = re.sub(r'^""".*?"""\n', "", source, count=1, flags=re.S)
        body = re.sub(r"^from autograder\.[\w.]+ import \([^)]*\)\n", "", body, flags=re.M)
        body = re.sub(r"^from autograder\.[\w.]+ import .*\n", "", body, flags=re.M)
        statement = r"^(?:import [\w.]+(?: as \w+)?|from [\w.]+ import [^(\n]+)$"
        imports.update(re.findall(statement, body, flags=re.M))
        body = re.sub(statement + "\n", "", body, flags=re.M)
        bodies.append(f"# ---- {part} " + "-" * (90 - len(part)) + "\n" + body.strip("\n"))
    doc = re.match(
        r'^""".*?"""', (package / "student_check" / "runner.py").read_text(encoding="utf-8"), re.S
    )
    future = "from __future__ import annotations"
    plain = sorted(i for i in imports if i.startswith("import ") and i != "import numpy as np")
    froms = sorted(i for i in imports if i.startswith("from ") and i != future)
    head = [
        doc.group(0) if doc else '"""The student check."""',
        f"# Generated by python -m autograder.assign from autograder {autograder.__version__}; "
        "do not edit.",
        "",
        future,
        "",
        *plain,
        *froms,
        "",
        "import numpy as np",
    ]
    return "\n".join(head) + "\n\n" + "\n\n\n".join(bodies) + "\n"


def same(old: Any, new: Any) -> bool:
    """Whether two check files hold the same checks: inputs exactly, answers within 1e-12
    (a different BLAS may change the last bits of a float64 answer)."""
    if (
        isinstance(old, dict)
        and isinstance(new, dict)
        and "__ndarray__" in old
        and "__ndarray__" in new
    ):
        a, b = decode(old), decode(new)
        return (
            a.shape == b.shape
            and a.dtype == b.dtype
            and bool(np.allclose(a, b, rtol=1e-12, atol=1e-15, equal_nan=True))
        )
    if isinstance(old, dict) and isinstance(new, dict):
        keys = set(old) | set(new) - {"grader"}
        return set(old) - {"grader"} == set(new) - {"grader"} and all(
            same(old[k], new[k]) for k in keys if k != "grader"
        )
    if isinstance(old, list) and isinstance(new, list):
        return len(old) == len(new) and all(same(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, float) and isinstance(new, float):
        return bool(np.isclose(old, new, rtol=1e-12, atol=1e-15))
    return bool(old == new)


def outputs(assignment: Assignment) -> dict[Path, tuple[str, Any]]:
    """The files of the student check, by path: their text, and for the check file its
    data (compared with :func:`same`, not as text)."""
    data = bundle(assignment)
    folder = assignment.folder
    return {
        folder / f"{assignment.name}{runner.BUNDLE_SUFFIX}": (text(data), data),
        folder / SCRIPT: (script(), None),
    }
