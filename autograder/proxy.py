"""The student proxy: checks call the student's functions by name and get data back.

``student.conv2d_forward(x, w, b, 1, 0)`` writes the arguments as data, runs
the function in the kernel with a time limit, and returns the result as
data. Every way that can go wrong is a :class:`~autograder.errors.StudentError`
whose message names the call.

``student.call_each(name, calls)`` sends the calls of one check in one request (one
round trip): the kernel runs them in turn, each seeded as if it had been called alone, and
stops at the first that does not return. Each comes back as a :class:`Reply`, whose
``get()`` gives the value or raises the call's error exactly as a call on its own would;
its consequences (a strike towards the function's time-out limit, a note on a failed cell)
count when a check looks at it, so calls after the one that decided a check change
nothing. A call the request did not finish (it stopped early, or ran out of time before
the call had its whole limit) is sent again on its own when a check asks for it; after a
request that ran out of time or lost the kernel, that function's calls go one by one.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from autograder import exchange, wire
from autograder.config import Limits
from autograder.errors import (
    CallTimeout,
    KernelDied,
    MissingFunction,
    NotData,
    StudentError,
    StudentRaised,
)
from autograder.exchange import AGAIN, RESULT, Pending, Reply
from autograder.feedback import describe_call
from autograder.kernel import Kernel
from autograder.runs import Outcome


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
        self._one_by_one: set[str] = set()
        """Functions whose calls go one per request (a request of theirs ran out of time)."""

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
        return self.call_each(name, [(args, kwargs)], timeout=timeout)[0].get()

    def call_each(
        self,
        name: str,
        calls: Sequence[tuple[tuple, dict[str, Any]]],
        *,
        timeout: float | None = None,
    ) -> list[Reply]:
        """Call ``name(*args, **kwargs)`` for each ``(args, kwargs)``, in one request; a
        :class:`Reply` per call, in order (see the module's docstring)."""
        pending = [
            self._pending(
                describe_call(name, args, kwargs, self.signatures.get(name)),
                name,
                wire.Call("call", 0, name=name, args=tuple(args), kwargs=dict(kwargs)),
            )
            for args, kwargs in calls
        ]
        return self._send(pending, timeout)

    def call_and_inputs(
        self, name: str, *args: Any, timeout: float | None = None
    ) -> tuple[Any, list[Any]]:
        """Call ``name(*args)``; the result, and the arguments as the call left them (both as
        data: what a call did to its inputs is decided here, from data)."""
        label = describe_call(name, args, {}, self.signatures.get(name))
        call = wire.Call("call", 0, name=name, args=tuple(args), echo_args=True)
        returned = self._send([self._pending(label, name, call, whole=True)], timeout)[0].get()
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
        call = wire.Call("code", 0, code=code, kwargs=inputs)
        return self._send([self._pending(label, function or label, call)], timeout)[0].get()

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

    # -- requests ---------------------------------------------------------------------

    def _pending(self, label: str, key: str, call: wire.Call, *, whole: bool = False) -> Pending:
        """A call with its seed: the check's seed and the call's place in the check."""
        self._calls_in_check += 1
        seeded = wire.Call(
            call.mode,
            self.seed * 1000 + self._calls_in_check,
            call.name,
            call.code,
            call.args,
            call.kwargs,
            call.echo_args,
        )
        return Pending(label, key, seeded, whole)

    def _send(self, pending: list[Pending], timeout: float | None) -> list[Reply]:
        limit = timeout or self.default_timeout
        keys = {p.key for p in pending}
        alone = len(pending) == 1 or keys & self._one_by_one
        if alone or any(self._strikes[k] >= self._limits.max_timeouts_per_function for k in keys):
            return [Reply(partial(self._alone, p, limit)) for p in pending]
        return self._exchange(pending, limit)

    def _alone(self, p: Pending, limit: float) -> Any:
        """One call in a request of its own, with its own limit (as every call once was)."""
        self._refuse_if_struck_out(p.key, p.label)
        return self._exchange([p], limit)[0].get()

    def _exchange(self, pending: list[Pending], limit: float) -> list[Reply]:
        """One round trip (:mod:`autograder.exchange`); a reply per call."""
        if not self._installed:
            self.install()
        self._n += 1
        outcome = exchange.send(
            self._kernel,
            self._helper,
            self._install_code,
            self._n,
            pending,
            limit=limit,
            max_bytes=self._limits.max_result_mb * 2**20,
        )
        restarted = True
        if outcome.status in ("died", "not run"):
            restarted = self._kernel.ensure_alive()
        if len(pending) > 1 and outcome.status in ("timeout", "died", "not run"):
            self._one_by_one |= {p.key for p in pending}
        replies = []
        for p, how in zip(pending, exchange.settle(pending, outcome, limit), strict=True):
            if how == RESULT:
                replies.append(Reply(partial(self._value, p, limit)))
            elif how == AGAIN:
                replies.append(Reply(partial(self._alone, p, limit)))
            else:
                replies.append(Reply(partial(self._failed, p, outcome, limit, restarted)))
        return replies

    def _value(self, p: Pending, limit: float) -> Any:
        if p.read[0] == "bad":
            raise NotData(p.label, f"{p.label} returned {p.read[1]}.")
        return self._returned(p.label, p.key, limit, p.read[0], p.whole)

    def _failed(self, p: Pending, outcome: Outcome, limit: float, restarted: bool) -> Any:
        """The call the request was running when it failed (or, when the request went well,
        the first call, which wrote no result)."""
        label, key = p.label, p.key
        if outcome.status == "timeout":
            self._strikes[key] += 1
            raise CallTimeout(
                label, f"{label} did not finish within {limit:.0f} s; it was stopped."
            )
        if outcome.status in ("died", "not run"):
            self._strikes[key] += 1
            reason = outcome.error or "the kernel died"
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
        self.tampered = (
            "the notebook replaced the grader's call helper inside the kernel, so its "
            "functions could not be called; this looks like an attempt to tamper with grading"
        )
        raise NotData(
            label, f"{label} could not be graded: the notebook replaced the grader's call helper."
        )

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


__all__ = ["Reply", "Student", "StudentError"]
