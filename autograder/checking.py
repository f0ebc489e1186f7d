"""What check authors use: cases, comparisons and the feedback they produce.

A failing comparison raises :class:`Mismatch` (an ``AssertionError``) whose
message is the feedback a student reads: what was called, with the smallest
failing input, what was expected, what came back, and by how much it differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.errors import CallTimeout, StudentError, StudentRaised
from autograder.feedback import describe_inputs, describe_value

FLOAT64 = {"rtol": 1e-6, "atol": 1e-8}
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}
DETAIL_LIMIT = 400
"""Arrays up to this many elements travel as data in the report (for the HTML grids)."""


class Mismatch(AssertionError):
    """A result differs from the truth; the message is the student's feedback."""

    def __init__(self, message: str, *, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.details = details or {}


class GraderBug(Exception):
    """The reference solution and PyTorch disagree: the check cannot be trusted."""


class CheckUnavailable(Exception):
    """The check cannot run on this grader's machine (e.g. its data set is missing);
    the message is the sentence for staff."""


@dataclass
class Case:
    """One input of a check: positional arguments and, optionally, what it exercises."""

    args: tuple
    note: str = ""
    kwargs: dict[str, Any] = field(default_factory=dict)

    def size(self) -> int:
        total = 0
        for a in (*self.args, *self.kwargs.values()):
            total += int(np.size(a)) if isinstance(a, np.ndarray) else 1
        return total


def as_data(value: Any) -> Any:
    """Small arrays as nested lists for the report's ``details``; None when too large."""
    if isinstance(value, np.ndarray):
        if (
            value.size > DETAIL_LIMIT
            or value.ndim > 6
            or max(value.shape, default=0) > DETAIL_LIMIT
        ):
            return None
        return {
            "shape": list(value.shape),
            "dtype": str(value.dtype),
            "values": _plain(value.tolist()),
        }
    if isinstance(value, (np.generic,)):
        return _plain(value.item())
    if isinstance(value, (int, float, str, bool)) or value is None:
        return _plain(value)
    if isinstance(value, (tuple, list)):
        return [as_data(v) for v in value]
    return repr(value)[:200]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not np.isfinite(value):
        return str(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, complex):
        return str(value)
    return value


# -- comparisons ------------------------------------------------------------------------


def expect_array(got: Any, expected: np.ndarray, *, what: str = "The result", **tol: float) -> None:
    """``got`` is a numeric array of ``expected``'s shape and values (float64 or float32 tolerance)."""
    expected = np.asarray(expected)
    if isinstance(got, (list, tuple)) and not isinstance(got, np.ndarray):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Mismatch(f"{what} is {describe_value(got, full=False)}, not an array.") from None
    if isinstance(got, np.generic):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        raise Mismatch(
            f"{what} is {describe_value(got)}; expected an array of shape {expected.shape}.",
            details={"expected": as_data(expected), "got": as_data(got)},
        )
    if got.shape != expected.shape:
        raise Mismatch(
            f"{what} has shape {got.shape}; expected shape {expected.shape}.",
            details={"expected": as_data(expected), "got": as_data(got)},
        )
    if got.dtype.kind == "c" and expected.dtype.kind != "c":
        raise Mismatch(f"{what} is complex ({got.dtype}); expected real numbers.")
    rtol, atol = _tolerance(got, tol)
    scale = (
        max(1.0, float(np.max(np.abs(expected))))
        if expected.size and got.dtype == np.float32
        else 1.0
    )
    atol = atol * scale
    g = got.astype(np.float64) if got.dtype.kind in "biu" else got
    bad_finite = np.isfinite(expected) & ~np.isfinite(g)
    if bad_finite.any():
        where = tuple(int(i) for i in np.argwhere(bad_finite)[0])
        raise Mismatch(
            f"{what} has {int(bad_finite.sum())} non-finite value(s) (nan or inf) where the "
            f"answer is finite, first at index {where}: got {g[where]}, expected {expected[where]:.6g}.",
            details={
                "expected": as_data(expected),
                "got": as_data(got),
                "wrong": _mask(bad_finite),
            },
        )
    close = np.isclose(g, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        diff = np.where(close, 0.0, np.abs(g - expected))
        where = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        raise Mismatch(
            f"Expected: {_grid(expected)}\nGot:      {_grid(got)}\n"
            f"{what[:1].upper() + what[1:]} differs at {int((~close).sum())} of {close.size} positions; the largest "
            f"difference is {float(diff[where]):.6g} at index {where} (got {g[where]:.6g}, "
            f"expected {expected[where]:.6g}; tolerance rtol {rtol:g}, atol {atol:g}).",
            details={"expected": as_data(expected), "got": as_data(got), "wrong": _mask(~close)},
        )


def expect_float(got: Any, expected: float, *, what: str = "The result", **tol: float) -> None:
    """``got`` is one finite number (Python float, NumPy scalar or 0-d array) close to ``expected``."""
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got[()]
    if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
        raise Mismatch(f"{what} is {describe_value(got)}; expected one number (a float).")
    rtol, atol = _tolerance(np.asarray(got), tol)
    value = float(got)
    if not np.isfinite(value) and np.isfinite(expected):
        raise Mismatch(f"{what} is {value}; expected the finite number {expected:.10g}.")
    if not np.isclose(value, expected, rtol=rtol, atol=atol):
        raise Mismatch(
            f"{what} is {value:.10g}; expected {expected:.10g} "
            f"(difference {abs(value - expected):.3g}; tolerance rtol {rtol:g}, atol {atol:g}).",
            details={"expected": _plain(float(expected)), "got": _plain(value)},
        )


def expect_tuple(got: Any, names: tuple[str, ...], *, what: str = "The result") -> tuple:
    """``got`` is a tuple (or list) of ``len(names)`` items; returns it as a tuple."""
    if not isinstance(got, (tuple, list)) or len(got) != len(names):
        raise Mismatch(
            f"{what} is {describe_value(got, full=False)}; expected a tuple ({', '.join(names)})."
        )
    return tuple(got)


def _grid(value: np.ndarray) -> str:
    return describe_value(value).replace("\n", "\n          ")


def _tolerance(got: np.ndarray, tol: dict[str, float]) -> tuple[float, float]:
    base = FLOAT32 if getattr(got, "dtype", None) in (np.float32, np.float16) else FLOAT64
    return tol.get("rtol", base["rtol"]), tol.get("atol", base["atol"])


def _mask(mask: np.ndarray) -> Any:
    return mask.astype(int).tolist() if mask.size <= DETAIL_LIMIT else None


# -- the truth --------------------------------------------------------------------------


def agree(reference: Any, torch_value: Any, *, what: str) -> Any:
    """The truth when the reference solution and PyTorch agree; else a grader bug."""
    ref = np.asarray(reference, dtype=np.float64)
    tv = np.asarray(torch_value, dtype=np.float64)
    if ref.shape != tv.shape or not np.allclose(ref, tv, rtol=1e-9, atol=1e-10, equal_nan=True):
        raise GraderBug(f"the reference solution and PyTorch disagree on {what}")
    return torch_value


# -- running cases ----------------------------------------------------------------------


def check_cases(
    call: Callable[..., Any],
    name: str,
    cases: list[Case],
    truth: Callable[..., Any],
    compare: Callable[[Any, Any], None],
    *,
    parameters: list[str] | None = None,
    call_all: Callable[[list[Case]], Sequence[Any]] | None = None,
) -> None:
    """Call the student on every case, smallest first, and compare with ``truth``.

    The first failure is therefore on the smallest failing input, which the
    feedback shows in full. Every truth is computed first (an exception it raises is
    raised when its case comes), then the calls are made: with ``call_all`` all of them
    in one request (``call_all(cases)`` gives a reply per case, whose ``get()`` returns
    the value or raises the call's error, see :meth:`autograder.proxy.Student.call_each`),
    otherwise one by one, each when its case comes.
    """
    ordered = sorted(cases, key=Case.size)
    expected = [_attempt(truth, case) for case in ordered]
    replies = (
        list(call_all(ordered)) if call_all is not None else [_Later(call, c) for c in ordered]
    )
    for i, case in enumerate(ordered):
        want = expected[i]()
        try:
            got = replies[i].get()
            compare(got, want)
        except (Mismatch, StudentError) as error:
            raise _on_input(name, case, i, len(ordered), error, parameters) from None


def _attempt(truth: Callable[..., Any], case: Case) -> Callable[[], Any]:
    """The truth of one case now; what it gives (or raises) when the case comes."""
    try:
        value = truth(*case.args, **case.kwargs)
    except Exception as error:  # noqa: BLE001 - raised when its case comes, not before
        failure = error

        def again() -> Any:
            raise failure

        return again
    return lambda: value


class _Later:
    """A call made when its case comes (for a proxy that sends calls one by one)."""

    def __init__(self, call: Callable[..., Any], case: Case) -> None:
        self.call, self.case = call, case

    def get(self) -> Any:
        return self.call(*self.case.args, **self.case.kwargs)


def _on_input(
    name: str, case: Case, passed: int, total: int, error: Exception, parameters: list[str] | None
) -> Exception:
    note = f"; {case.note}" if case.note else ""
    head = (
        f"{name} fails on the smallest failing input ({passed} of {total} inputs passed{note}):"
        if total > 1
        else f"{name} fails on this input{note}:"
    )
    inputs = describe_inputs(case.args, parameters)
    if case.kwargs:
        inputs += "\n" + "\n".join(f"  {k} = {describe_value(v)}" for k, v in case.kwargs.items())
    details = dict(getattr(error, "details", {}) or {})
    details["inputs"] = {
        (parameters[i] if parameters and i < len(parameters) else f"arg{i + 1}"): as_data(a)
        for i, a in enumerate(case.args)
    }
    if isinstance(error, StudentRaised):
        body = str(error).split(" raised ", 1)[-1]
        message = f"{head}\n{inputs}\nIt raised {body}"
    else:
        message = f"{head}\n{inputs}\n{error}"
    if isinstance(error, CallTimeout):
        wrapped: Exception = CallTimeout(error.call, message)
    else:
        wrapped = Mismatch(message, details=details)
    return wrapped
