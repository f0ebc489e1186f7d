"""The student proxy: checks call the student's functions by name and get data back.

``student.conv2d_forward(x, w, b, 1, 0)`` writes the arguments as data, runs
the function in the kernel with a time limit, and returns the result as
data. Every way that can go wrong is a :class:`~autograder.errors.StudentError`
whose message names the call.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from typing import Any

from autograder import wire
from autograder.config import Limits
from autograder.errors import (
    CallTimeout,
    KernelDied,
    MissingFunction,
    NotData,
    StudentError,
    StudentRaised,
)
from autograder.feedback import describe_call
from autograder.kernel import Kernel
from autograder.sandbox import cleanup


class Student:
    """The submission's namespace, seen from the grader's process."""

    def __init__(
        self,
        kernel: Kernel,
        *,
        limits: Limits,
        signatures: dict[str, list[str]] | None = None,
    ) -> None:
        self._kernel = kernel
        self._limits = limits
        self.signatures = signatures or {}
        self._n = 0
        self._strikes: Counter[str] = Counter()
        """Timeouts and kernel deaths per function: past the limit it is not called again."""
        self.seed = 0
        """Set per check by the plugin; each call in a check seeds the kernel from it."""
        self.default_timeout = limits.call_timeout_s
        self.why_undefined: Callable[[str], str | None] = lambda name: None
        """Why a name is missing (``cell 7, which defines it, raised ...``), once the notebook ran."""
        self._calls_in_check = 0
        self._installed = False
        self._helper = wire.helper_name()
        self.tampered: str | None = None
        """Set when the notebook replaced the grader's call helper (a flag for staff)."""
        self.root_causes: list[str] = []
        """Failed cells behind this check's errors (a name they should have defined)."""

    def begin_check(self, seed: int, timeout: float | None) -> None:
        self.seed = seed
        self.default_timeout = timeout or self._limits.call_timeout_s
        self._calls_in_check = 0
        self.root_causes = []

    def install(self) -> None:
        """Define the call helper in the kernel, before the notebook runs (and again
        first thing after every restart), so it holds the genuine NumPy and builtins."""
        self._kernel.add_setup(self._install_code())
        self._installed = True

    def _install_code(self) -> str:
        box = self._kernel.box
        return wire.install_code(
            self._helper, box.inbox, box.outbox, self._limits.max_result_mb * 2**20
        )

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return self.call(name, *args, **kwargs)

        call.__name__ = name
        return call

    def call(self, name: str, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        """Call the student's ``name(*args, **kwargs)`` in the kernel; the result as data."""
        label = describe_call(name, args, kwargs, self.signatures.get(name))
        self._refuse_if_struck_out(name, label)
        return self._invoke(
            label, name, mode="call", name=name, args=args, kwargs=kwargs, timeout=timeout
        )

    def call_and_inputs(
        self, name: str, *args: Any, timeout: float | None = None
    ) -> tuple[Any, list[Any]]:
        """Call ``name(*args)``; the result, and the arguments as the call left them (both as
        data: what a call did to its inputs is decided here, from data)."""
        label = describe_call(name, args, {}, self.signatures.get(name))
        self._refuse_if_struck_out(name, label)
        returned = self._invoke(
            label,
            name,
            mode="call",
            name=name,
            args=args,
            timeout=timeout,
            echo_args=True,
            whole=True,
        )
        after = returned.args_after
        if after is None or len(after) != len(args):
            raise NotData(label, f"{label} did not send its inputs back as the grader asked.")
        return returned.value, after

    def run(
        self,
        code: str,
        *,
        label: str,
        timeout: float | None = None,
        function: str | None = None,
        **inputs: Any,
    ) -> Any:
        """Run grader-written ``code`` in the kernel; it reads ``student[...]`` and
        ``inputs[...]`` and sets ``result``, which comes back as data.

        ``function``: the student function the snippet exercises; its timeouts count
        towards that function's limit, as direct calls do.
        """
        key = function or label
        self._refuse_if_struck_out(key, label)
        return self._invoke(label, key, mode="code", code=code, kwargs=inputs, timeout=timeout)

    def _note_root_cause(self, kind: str, message: str) -> None:
        """For a NameError whose name a failed cell should have defined: that cell, and why
        it failed, kept as the first sentence of the check's feedback (``root_causes``)."""
        undefined = _UNDEFINED.match(message) if kind == "NameError" else None
        why = self.why_undefined(undefined.group(1)) if undefined else None
        if why and undefined:
            cause = f"{undefined.group(1)} was never defined because {why}; fix that cell first."
            if cause not in self.root_causes:
                self.root_causes.append(cause)

    def _refuse_if_struck_out(self, key: str, label: str) -> None:
        strikes = self._strikes[key]
        if strikes >= self._limits.max_timeouts_per_function:
            raise CallTimeout(
                label,
                f"{key} was not called again: it already ran out of time or crashed the kernel "
                f"{strikes} times.",
            )

    # -- one round trip ---------------------------------------------------------------

    def _invoke(
        self,
        label: str,
        key: str,
        *,
        mode: str,
        timeout: float | None,
        whole: bool = False,
        **spec: Any,
    ) -> Any:
        if not self._installed:
            self.install()
        limit = timeout or self.default_timeout
        self._n += 1
        self._calls_in_check += 1
        n = self._n
        box = self._kernel.box
        inbox, outbox = box.inbox / str(n), box.outbox / str(n)
        wire.write_call(
            inbox,
            mode=mode,
            seed=self.seed * 1000 + self._calls_in_check,
            name=spec.get("name"),
            code=spec.get("code"),
            args=tuple(spec.get("args", ())),
            kwargs=spec.get("kwargs"),
            echo_args=bool(spec.get("echo_args")),
        )
        code = wire.call_code(self._helper, n)
        outcome = self._kernel.execute(code, timeout=limit)
        if outcome.status == "error" and self._helper in (outcome.error or ""):
            # the notebook deleted the helper (%reset, del globals()[...]): define it again
            self._kernel.execute(self._install_code(), timeout=30.0)
            outcome = self._kernel.execute(code, timeout=limit)
        try:
            return self._result(label, key, n, outcome, limit, whole=whole)
        finally:
            # the next call cannot read this one's inputs (a hidden check's, say); the
            # kernel's files go through a handle that follows no link it may have planted
            cleanup.remove_files(inbox)
            cleanup.remove_files(outbox)

    def _result(
        self, label: str, key: str, n: int, outcome: Any, limit: float, *, whole: bool = False
    ) -> Any:
        if outcome.status == "timeout":
            self._strikes[key] += 1
            raise CallTimeout(
                label, f"{label} did not finish within {limit:.0f} s; it was stopped."
            )
        if outcome.status in ("died", "not run"):
            self._strikes[key] += 1
            reason = outcome.error or "the kernel died"
            restarted = self._kernel.ensure_alive()
            after = "it was restarted" if restarted else "grading of the remaining checks stopped"
            raise KernelDied(label, f"while running {label}, {reason}; {after}.")
        if outcome.status == "error":
            # the call itself raised, outside the student's function: the notebook replaced
            # or broke the grader's helper in the kernel
            self.tampered = (
                "the notebook replaced or broke the grader's call helper inside the kernel "
                f"(calling it raised {str(outcome.error)[:200]}); this looks like an attempt to "
                "tamper with grading"
            )
            raise NotData(
                label,
                f"the grader could not run {label}: the notebook changed something the call "
                f"relies on ({str(outcome.error)[:300]}).",
            )
        try:
            result = wire.read_result(
                self._kernel.box.outbox / str(n), max_bytes=self._limits.max_result_mb * 2**20
            )
        except wire.WireError as e:
            if outcome.status == "ok" and str(e) == wire.NO_RESULT:
                self.tampered = (
                    "the notebook replaced the grader's call helper inside the kernel, so its "
                    "functions could not be called; this looks like an attempt to tamper with grading"
                )
                raise NotData(
                    label,
                    f"{label} could not be graded: the notebook replaced the grader's call helper.",
                ) from None
            raise NotData(label, f"{label} returned {e}.") from None
        return self._returned(label, key, limit, result, whole)

    def _returned(
        self, label: str, key: str, limit: float, result: wire.CallResult, whole: bool
    ) -> Any:
        """The value of a call that returned; the right StudentError for anything else."""
        if isinstance(result, wire.Returned):
            return result if whole else result.value
        if isinstance(result, wire.Missing):
            name = result.name or key
            why = self.why_undefined(name)
            if why:
                raise MissingFunction(label, f"the notebook does not define {name}: {why}.")
            raise MissingFunction(
                label, f"the notebook does not define {name} (did its cell run without errors?)."
            )
        if isinstance(result, wire.NotCallable):
            raise MissingFunction(label, f"{key} is a {result.kind}, not a function.")
        if isinstance(result, wire.Interrupted):
            self._strikes[key] += 1
            raise CallTimeout(
                label, f"{label} did not finish within {limit:.0f} s; it was stopped."
            )
        if isinstance(result, wire.HelperFailed):
            raise NotData(
                label,
                f"the grader could not pass the arguments of {label} to the notebook "
                f"({result.reason}); the notebook may have changed NumPy.",
            )
        if isinstance(result, wire.TooLarge):
            raise NotData(
                label, f"{label} returned more than {self._limits.max_result_mb} MiB of data."
            )
        message = result.message
        if result.type_name == "MemoryError":
            message += (
                f" (memory limit exceeded: the limit is {self._kernel.box.spec.memory_mb:,} MiB)"
            )
        self._note_root_cause(result.type_name, message)
        raise StudentRaised(label, result.type_name, result.bases, message, result.where)


_UNDEFINED = re.compile(r"^name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


__all__ = ["Student", "StudentError"]
