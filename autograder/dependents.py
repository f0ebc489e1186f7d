"""Grading a dependent question against the reference's versions of its failing callees
(``dependent_questions = "reference_callees"`` in an assignment's config.toml).

The reference solution never enters the student's process. Its *answers* do, as data,
by record and replay: for one call of the student's ``mlp_loss_and_gradients``, the kernel
runs a grader-written snippet that puts a stand-in in place of the student's failing
``softmax`` (in the function's globals, for this call only). The stand-in returns the
answer the grader sent for an input it has seen and otherwise records the input and
stops the call. The grader computes the reference's answers for the recorded inputs in
its own process and calls again, until a call asks for nothing new (a few rounds: each
adds the inputs the student's code reaches next). Every verdict stays the grader's: the
checks compare what comes back exactly as they do for any call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.callgraph import Graph
from autograder.errors import NotData
from autograder.feedback import describe_call
from autograder.hints import lost, roots, with_hint
from autograder.plugin import GradingPlugin, run_checks
from autograder.results import CheckResult, QuestionResult

ROUNDS = 8
"""Calls of one function before giving up (each round answers what the last one asked)."""
ASKED = 64
"""Inputs one call may ask the stand-ins about."""

SNIPPET = """
_fn = student[inputs["name"]]
_g = getattr(_fn, "__globals__", None)
_asked = []
class _Ask(Exception):
    pass
def _same(a, b):
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if type(a).__name__ == "ndarray" or type(b).__name__ == "ndarray":
        return (getattr(a, "shape", None) == getattr(b, "shape", None)
                and getattr(a, "dtype", None) == getattr(b, "dtype", None)
                and bool(((a == b) | ((a != a) & (b != b))).all()))
    return type(a) is type(b) and a == b
def _copy(v):
    if isinstance(v, tuple):
        return tuple(_copy(x) for x in v)
    if isinstance(v, list):
        return [_copy(x) for x in v]
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    return v.copy() if hasattr(v, "copy") else v
def _stand_in(name, known):
    def stand_in(*args):
        for entry in known:
            if _same(entry[0], list(args)):
                if entry[2] is not None:
                    raise ValueError(entry[2])
                return _copy(entry[1])
        if len(_asked) < inputs["limit"]:
            _asked.append([name, _copy(list(args))])
        raise _Ask(name)
    return stand_in
_saved = {}
if _g is not None:
    for _name in inputs["stubbed"]:
        _saved[_name] = _g.get(_name, _asked)
        _g[_name] = _stand_in(_name, inputs["table"].get(_name, []))
_passed = tuple(inputs["args"])
try:
    try:
        _value = _fn(*_passed, **inputs["kwargs"])
    except Exception:
        if not _asked:
            raise
        _value = None
finally:
    for _name, _old in _saved.items():
        if _old is _asked:
            del _g[_name]
        else:
            _g[_name] = _old
result = {"value": _value, "asked": _asked, "after": list(_passed)}
"""


class WithReferenceCallees:
    """The student proxy, with the functions in ``stubbed`` answered by the reference."""

    def __init__(self, student: Any, reference: Any, stubbed: dict[str, tuple[str, ...]]) -> None:
        self._student = student
        self._reference = reference
        self._stubbed = stubbed
        """For each dependent question, the failing callees replaced while it is called."""

    # what the plugin reads and sets on the proxy
    def begin_check(self, seed: int, timeout: float | None) -> None:
        self._student.begin_check(seed, timeout)

    @property
    def root_causes(self) -> list[str]:
        return list(self._student.root_causes)

    @property
    def tampered(self) -> str | None:
        return self._student.tampered

    def run(self, code: str, **kwargs: Any) -> Any:
        return self._student.run(code, **kwargs)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, **kwargs)

        return call

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        if name not in self._stubbed:
            return self._student.call(name, *args, timeout=timeout, **kwargs)
        return self._rounds(name, args, kwargs, timeout)[0]

    def call_and_inputs(
        self, name: str, *args: Any, timeout: float | None = None
    ) -> tuple[Any, list[Any]]:
        if name not in self._stubbed:
            return self._student.call_and_inputs(name, *args, timeout=timeout)
        return self._rounds(name, args, {}, timeout)

    def _rounds(
        self, name: str, args: tuple, kwargs: dict[str, Any], timeout: float | None
    ) -> tuple[Any, list[Any]]:
        label = describe_call(
            name, args, kwargs, getattr(self._student, "signatures", {}).get(name)
        )
        table: dict[str, list[list[Any]]] = {callee: [] for callee in self._stubbed[name]}
        for _ in range(ROUNDS):
            out = self._student.run(
                SNIPPET, label=label, timeout=timeout, function=name, name=name,
                args=list(args), kwargs=dict(kwargs), table=table,
                stubbed=list(self._stubbed[name]), limit=ASKED,
            )  # fmt: skip
            if not (isinstance(out, dict) and {"value", "asked", "after"} <= set(out)):
                raise NotData(label, f"{label} sent back something the grader did not ask for.")
            asked = out["asked"] if isinstance(out["asked"], list) else []
            if not asked:
                after = out["after"] if isinstance(out["after"], list) else []
                return out["value"], after
            for entry in asked[:ASKED]:
                callee, inputs = _entry(entry, table)
                table[callee].append([inputs, *self._answer(callee, inputs)])
        raise NotData(
            label,
            f"{label} could not be graded with the reference's {', '.join(table)}: it kept "
            "calling them on new inputs.",
        )

    def _answer(self, callee: str, inputs: list[Any]) -> tuple[Any, str | None]:
        """The reference's answer (computed here, in the grader), or why there is none."""
        try:
            copies = [a.copy() if isinstance(a, np.ndarray) else a for a in inputs]
            return getattr(self._reference, callee)(*copies), None
        except Exception as error:  # noqa: BLE001 - the student's inputs may be anything
            return None, (
                f"the reference's {callee} cannot take these inputs "
                f"({type(error).__name__}: {str(error)[:200]})"
            )


def _entry(entry: Any, table: dict[str, list[list[Any]]]) -> tuple[str, list[Any]]:
    if not (isinstance(entry, list) and len(entry) == 2 and entry[0] in table):
        raise NotData("a stand-in", "the kernel asked about a function the grader did not stub.")
    inputs = entry[1] if isinstance(entry[1], list) else [entry[1]]
    return str(entry[0]), inputs


class _Only(GradingPlugin):
    """The grading plugin, running only the checks of some questions (and none that needs
    a component: those are not run twice)."""

    def __init__(self, only: set[str], skip_fixtures: set[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._only = only
        self._skip_fixtures = skip_fixtures

    def pytest_collection_modifyitems(  # type: ignore[override]
        self, config: pytest.Config, items: list[pytest.Item]
    ) -> None:
        super().pytest_collection_modifyitems(items)
        keep = [
            item
            for item in items
            if Path(str(item.path)).stem[len("test_") :] in self._only
            and not self._skip_fixtures & set(getattr(item, "fixturenames", ()))
        ]
        dropped = [item for item in items if item not in keep]
        items[:] = keep
        if dropped:
            config.hook.pytest_deselected(items=dropped)


def regrade(
    questions: list[QuestionResult],
    graph: Graph,
    *,
    checks: Any,
    student: Any,
    reference: Any,
    order: tuple[str, ...],
    deadline: float,
    components: Sequence[Any] = (),
) -> None:
    """Grade every question that lost points while calling failing graded functions again,
    with the reference's answers for those (all of them, not only the roots); its score
    becomes that grade's, the score as submitted is kept in ``submitted_score``."""
    failing = {q.id for q in questions if lost(q)}
    stubbed = {
        q.id: tuple(name for name in graph.get(q.id, {}) if name in failing)
        for q in questions
        if q.id in failing and roots(q.id, graph, failing)
    }
    if not stubbed:
        return
    plugin = _Only(
        set(stubbed),
        {c.fixture for c in components},
        student=WithReferenceCallees(student, reference, stubbed),
        reference=reference,
        questions=order,
        deadline=deadline,
        components=components,
    )
    again: dict[str, list[CheckResult]] = {}
    for result in run_checks(checks, plugin):
        again.setdefault(result.question, []).append(result)
    for q in questions:
        redone = {c.id: c for c in again.get(q.id, [])}
        if not redone:
            continue
        q.submitted_score = q.score
        note = (
            f"Graded with the reference's {', '.join(stubbed[q.id])} in place of yours "
            f"(as submitted it scored {q.score:g} of {q.max_score:g})."
        )
        q.checks = [redone.get(c.id, c) for c in q.checks]
        for c in q.checks:
            if c.id in redone and c.status != "passed":
                c.feedback = with_hint(c.feedback, "\n".join(s for s in (q.hint, note) if s))
