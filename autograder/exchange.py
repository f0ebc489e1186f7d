"""One request to the kernel: the calls of one check go in together, their results come
back together (one round trip), and each call is settled on its own.

The kernel's helper runs the calls in turn, each seeded as if it had been called alone,
writes each one's result as it finishes, and stops at the first that does not return (the
check has its verdict there) or once the results reach the size limit. Only calls of one
check share a request, so nothing of another check (a hidden one's inputs, say) is ever in
the kernel while these calls run; the request's files are removed before the next request.

Time limits stay per call. The request may run :func:`slack` past one call's limit (the
time the calls before the one that hung took); the call it was running when it was
stopped is charged with a time-out only when it had its whole limit, and is otherwise sent
again on its own, as is every call the request did not reach.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder import wire
from autograder.kernel import Kernel
from autograder.runs import Outcome
from autograder.sandbox import cleanup

SLACK_S = 0.25
"""The most a request of several calls runs past one call's limit."""

RESULT, FAILED, AGAIN = "result", "failed", "again"
"""How a call of a request is settled: from its result; by the request's outcome (it was
running when the request failed); or by sending it again, alone, when a check asks."""


def slack(limit: float) -> float:
    """What a request of several calls may run past one call's limit ``limit``."""
    return min(SLACK_S, limit / 10)


class Reply:
    """One call's outcome: ``get()`` returns its value or raises its StudentError (the
    first time, the consequences are counted; later calls of ``get()`` repeat the answer)."""

    def __init__(self, resolve: Callable[[], Any]) -> None:
        self._resolve: Callable[[], Any] | None = resolve
        self._value: Any = None
        self._error: BaseException | None = None

    def get(self) -> Any:
        if self._resolve is not None:
            resolve, self._resolve = self._resolve, None
            try:
                self._value = resolve()
            except BaseException as error:  # noqa: BLE001 - raised again below, as it came
                self._error = error
        if self._error is not None:
            raise self._error
        return self._value


@dataclass
class Pending:
    """A call on its way: what feedback calls it, whose limit it counts towards, the call
    (with its seed), and, once back, what was read: ``[result, seconds]``, ``["bad",
    sentence]`` (not data), or ``[]`` (no result)."""

    label: str
    key: str
    call: wire.Call
    whole: bool = False
    read: list[Any] = field(default_factory=list)


def send(
    kernel: Kernel,
    helper: str,
    install_code: Callable[[], str],
    n: int,
    pending: list[Pending],
    *,
    limit: float,
    max_bytes: int,
) -> Outcome:
    """Request number ``n``: write the calls, run them in the kernel, read every result
    there is into its :class:`Pending`, remove the request's files; the request's outcome."""
    box = kernel.box
    inbox, outbox = box.inbox / str(n), box.outbox / str(n)
    wire.write_request(inbox, [p.call for p in pending])
    budget = limit + slack(limit) if len(pending) > 1 else limit
    code = wire.call_code(helper, n)
    outcome = kernel.execute(code, timeout=budget)
    if outcome.status == "error" and helper in (outcome.error or ""):
        # the notebook deleted the helper (%reset, del globals()[...]): define it again
        kernel.execute(install_code(), timeout=30.0)
        outcome = kernel.execute(code, timeout=budget)
    try:
        for i, p in enumerate(pending):
            p.read = _read(outbox / str(i), max_bytes)
            if outcome.status != "ok" and p.read[:2] == ["bad", wire.UNFINISHED]:
                p.read = []  # the call that was running when the request failed
    finally:
        # the next request cannot read this one's inputs (a hidden check's, say); the
        # kernel's files go through a handle that follows no link it may have planted
        cleanup.remove_files(inbox)
        for i in range(len(pending)):
            cleanup.remove_files(outbox / str(i))
        cleanup.remove_files(outbox)
    return outcome


def _read(folder: Path, max_bytes: int) -> list[Any]:
    try:
        result, seconds = wire.read_timed(folder, max_bytes=max_bytes)
    except wire.WireError as e:
        return [] if str(e) == wire.NO_RESULT else ["bad", str(e)]
    return [result, seconds]


def settle(pending: list[Pending], outcome: Outcome, limit: float) -> list[str]:
    """How each call is settled (:data:`RESULT`, :data:`FAILED` or :data:`AGAIN`).

    The calls before the first the request did not finish come from their results. That
    call is :data:`FAILED` when the request failed while it ran (charged with a time-out
    only when it had its whole limit), or when it is the first and wrote nothing (the
    helper was replaced); the others go :data:`AGAIN`. A request of one call is settled by
    its outcome first, as a call always was.
    """
    failed = outcome.status != "ok"
    k = 0 if failed and len(pending) == 1 else len(pending)
    for i, p in enumerate(pending[:k]):
        if not p.read or (failed and isinstance(p.read[0], wire.Interrupted)):
            k = i
            break
    before = sum(p.read[1] for p in pending[:k] if p.read[0] != "bad")
    charged = len(pending) == 1 or before <= slack(limit)
    settled = []
    for i in range(len(pending)):
        if i < k:
            settled.append(RESULT)
        elif i == k and (failed or i == 0) and (outcome.status != "timeout" or charged):
            settled.append(FAILED)
        else:
            settled.append(AGAIN)
    return settled
