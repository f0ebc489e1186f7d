"""The pytest plugin that runs an assignment's checks in the grader's process.

Checks are plain pytest functions named ``test_<question>_<check>`` in
``assignments/<assignment>/checks/test_<question>.py``; the docstring is the sentence a
student reads. Markers:

    @pytest.mark.points(2)        points of the check (required)
    @pytest.mark.hidden           details withheld from students
    @pytest.mark.call_timeout(30) per-call limit for this check's calls
    @pytest.mark.<name>           markers a component declares (e.g. training)

Fixtures: ``student`` (the proxy), ``reference`` (the solution, loaded here),
``rng`` (a NumPy generator seeded from the check's id), ``leaves_inputs_alone``
and ``is_deterministic`` (properties any function has, see
:mod:`autograder.questions`), and one per component of the assignment under the
component's name (``training``: the accuracy check, for assignments that train). Every check is seeded
from its own id, for NumPy, ``random`` and torch alike, so regrades agree.
"""

from __future__ import annotations

import contextlib
import io
import os
import random
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograder.checking import CheckUnavailable, GraderBug, Mismatch
from autograder.errors import ConfigError, StudentError
from autograder.questions import deterministic, inputs_left_alone, parameters_of
from autograder.reference import settle
from autograder.results import CheckResult

MARKERS = {
    "points": "points(n): the points a check is worth (required)",
    "hidden": "hidden: students see that the check exists and its score, not its details",
    "call_timeout": "call_timeout(seconds): time limit of each call this check makes",
}

_OUTCOME = pytest.StashKey[CheckResult]()

OFF = (
    "cacheprovider randomly xdist warnings faulthandler threadexception logging unraisableexception"
).split()
"""pytest's plugins that play no part in grading (each costs time in every check;
unraisableexception's gc.collect() calls cost most of a second with torch loaded)."""


def check_seed(question: str, check: str) -> int:
    """The seed of one check: a stable function of its id."""
    return zlib.crc32(f"{question}::{check}".encode()) & 0x7FFFFFFF


class GradingPlugin:
    """Collects each check's verdict; provides the fixtures checks use."""

    def __init__(
        self,
        *,
        student: Any,
        reference: Any,
        questions: tuple[str, ...],
        deadline: float,
        components: Sequence[Any] = (),
    ) -> None:
        self._student = student
        self._reference = reference
        self._questions = questions
        self._deadline = deadline
        self._components = list(components)
        self.results: list[CheckResult] = []
        self.problems: list[str] = []

    # -- configuration ----------------------------------------------------------------

    def pytest_configure(self, config: pytest.Config) -> None:
        for line in MARKERS.values():
            config.addinivalue_line("markers", line)
        for component in self._components:
            for line in getattr(component, "markers", {}).values():
                config.addinivalue_line("markers", line)

    def component_plugins(self) -> list[Any]:
        """One small plugin per component, offering it as a fixture under its name."""
        return [_fixture_plugin(c.fixture, c) for c in self._components]

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.problems.append(f"{report.nodeid}: {report.longreprtext.strip().splitlines()[-1]}")

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        order = {q: i for i, q in enumerate(self._questions)}
        for item in items:
            question, check = _ids(item)
            if question not in order:
                self.problems.append(f"{item.nodeid}: question '{question}' is not in config.toml")
            if not check:
                self.problems.append(f"{item.nodeid}: name it test_{question}_<check>")
            if item.get_closest_marker("points") is None:
                self.problems.append(f"{item.nodeid}: no @pytest.mark.points(n)")
        items.sort(key=lambda it: order.get(_ids(it)[0], len(order)))

    # -- fixtures ---------------------------------------------------------------------

    @pytest.fixture
    def student(self, request: pytest.FixtureRequest) -> Any:
        question, check = _ids(request.node)
        marker = request.node.get_closest_marker("call_timeout")
        self._student.begin_check(check_seed(question, check), marker.args[0] if marker else None)
        return self._student

    @pytest.fixture
    def reference(self) -> Any:
        return self._reference

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        return np.random.default_rng(check_seed(*_ids(request.node)))

    @pytest.fixture
    def leaves_inputs_alone(self, student: Any) -> Callable[..., None]:
        """``leaves_inputs_alone(name, args)``: fail when calling ``name(*args)`` changes one
        of its inputs (compared in the grader's process; names from the reference)."""

        def check(name: str, args: tuple, parameters: Sequence[str] | None = None) -> None:
            names = list(parameters or parameters_of(self._reference, name))
            inputs_left_alone(student, name, tuple(args), names)

        return check

    @pytest.fixture
    def is_deterministic(self, student: Any) -> Callable[..., None]:
        """``is_deterministic(name, args)``: fail when two calls with one input disagree."""

        def check(name: str, args: tuple, **compare: Any) -> None:
            deterministic(student, name, tuple(args), **compare)

        return check

    # -- running and recording ----------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        seed = check_seed(*_ids(item))
        random.seed(seed)
        np.random.seed(seed)
        torch = sys.modules.get("torch")
        if torch is not None:
            settle(torch)
            seed_torch(torch, seed)
        if time.monotonic() > self._deadline:
            item.stash[_OUTCOME] = self._result(
                item, "timeout", "Not run: the total time limit of the grade was reached."
            )
            pytest.skip("total time limit reached")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        outcome = yield
        report = outcome.get_result()
        if _OUTCOME in item.stash:
            return
        if call.when == "setup" and report.skipped:
            reason = getattr(call.excinfo.value, "msg", "skipped") if call.excinfo else "skipped"
            item.stash[_OUTCOME] = self._result(item, "skipped", _sentence(str(reason)))
        elif call.when == "setup" and report.failed:
            item.stash[_OUTCOME] = self._result(
                item, "error", f"The check could not start (a grader problem): {_last(call)}"
            )
        elif call.when == "call":
            item.stash[_OUTCOME] = self._verdict(item, call, report.duration)

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> None:
        result = item.stash.get(_OUTCOME, None)
        if result is None:
            result = self._result(
                item, "error", "The check produced no verdict (a grader problem)."
            )
        self.results.append(result)

    def _verdict(self, item: pytest.Item, call: pytest.CallInfo, seconds: float) -> CheckResult:
        if call.excinfo is None:
            result = self._result(item, "passed", "")
            result.points = result.max_points
        else:
            error = call.excinfo.value
            if isinstance(error, StudentError):
                result = self._result(item, error.status, str(error))
            elif isinstance(error, Mismatch):
                result = self._result(item, "failed", str(error))
                result.details = error.details or None
            elif isinstance(error, AssertionError):
                result = self._result(item, "failed", str(error) or "The result is wrong.")
            elif isinstance(error, pytest.skip.Exception):
                result = self._result(item, "skipped", _sentence(str(error.msg)))
            elif isinstance(error, CheckUnavailable):
                result = self._result(item, "error", _sentence(str(error)))
            elif isinstance(error, GraderBug):
                result = self._result(item, "error", f"The check cannot be trusted: {error}.")
            else:
                result = self._result(
                    item, "error", f"The check itself failed (a grader problem): {_last(call)}"
                )
        causes = getattr(self._student, "root_causes", None)
        if causes and result.status != "passed":
            # what the student fixes first: a failed cell, not the many checks it breaks
            result.feedback = "\n".join([*causes, result.feedback]).strip()
        result.seconds = seconds
        return result

    def _result(self, item: pytest.Item, status: str, feedback: str) -> CheckResult:
        question, check = _ids(item)
        points = item.get_closest_marker("points")
        doc = (getattr(getattr(item, "function", None), "__doc__", None) or "").strip()
        return CheckResult(
            id=check,
            question=question,
            status=status,
            points=0.0,
            max_points=float(points.args[0]) if points else 0.0,
            visibility="hidden" if item.get_closest_marker("hidden") else "visible",
            description=" ".join(doc.split()),
            feedback=feedback,
        )


def seed_torch(torch: Any, seed: int) -> None:
    """``torch.manual_seed``, without the cost (a stack trace each time) of queuing the seed
    for devices not in use: the grader computes on the CPU."""
    cuda = torch.cuda.is_initialized()
    (torch.manual_seed if cuda else torch.random.default_generator.manual_seed)(seed)


def _fixture_plugin(name: str, value: Any) -> Any:
    class Provides:
        @pytest.fixture(name=name)
        def provided(self) -> Any:
            return value

    return Provides()


def _ids(item: pytest.Item) -> tuple[str, str]:
    """(question, check) from ``test_<question>.py::test_<question>_<check>``."""
    module = Path(str(item.path)).stem
    question = module[len("test_") :] if module.startswith("test_") else module
    name = item.name.split("[", 1)[0]
    prefix = f"test_{question}_"
    check = name[len(prefix) :] if name.startswith(prefix) else ""
    if "[" in item.name:
        check += item.name[item.name.index("[") :]
    return question, check


def _last(call: pytest.CallInfo) -> str:
    if call.excinfo is None:
        return "unknown"
    return f"{call.excinfo.typename}: {call.excinfo.value}"[:500]


def _sentence(text: str) -> str:
    text = text.strip()
    if text.startswith("Skipped: "):
        text = text[len("Skipped: ") :]
    text = text[:1].upper() + text[1:] if text else "Skipped."
    return text if text.endswith(".") else text + "."


def run_checks(
    checks_dir: Path,
    plugin: GradingPlugin,
) -> list[CheckResult]:
    """Run one assignment's checks in this process; the verdicts in suite order."""
    args = [
        str(checks_dir),
        "-c",  # no configuration from folders above the checks (a course repository's, say)
        str(checks_dir / "pytest.ini") if (checks_dir / "pytest.ini").is_file() else os.devnull,
        "--rootdir",
        str(checks_dir),
        "--import-mode=importlib",
        "--capture=no",
        "--assert=plain",  # checks write their own messages; rewriting costs ~1 s a grade
        "-q",
    ]
    for name in OFF:
        args += ["-p", f"no:{name}"]
    sink = io.StringIO()
    # third-party pytest plugins installed on the machine play no part in grading
    # (and importing them costs time): only ours is loaded
    previous = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    # helper modules beside the checks (a support module, say) are importable by them, for
    # this run only: another assignment's helper of the same name is its own module
    sys.path.insert(0, str(checks_dir))
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = pytest.main(args, plugins=[plugin, *plugin.component_plugins()])
    finally:
        sys.path.remove(str(checks_dir))
        for name, module in list(sys.modules.items()):
            if str(getattr(module, "__file__", "") or "").startswith(str(checks_dir) + os.sep):
                del sys.modules[name]
        if previous is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = previous
    if plugin.problems or code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
        detail = "; ".join(plugin.problems) or sink.getvalue().strip().splitlines()[-1:]
        raise ConfigError(f"the check suite in {checks_dir} is broken: {detail}")
    return plugin.results
