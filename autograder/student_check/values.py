"""Values of the student check: stored as JSON, described and compared as the grader does.

Part of the student's pre-submission check, which runs on the student's machine with only
NumPy and the standard library: values are described by the grader's own
:mod:`autograder.feedback` (NumPy only too), which check_notebook.py carries inlined; nothing
else of the grader is imported.
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from autograder.feedback import describe_value

FLOAT64 = {"rtol": 1e-6, "atol": 1e-8}
FLOAT32 = {"rtol": 1e-4, "atol": 1e-5}


class Mismatch(AssertionError):
    """A result differs from the expected one; the message is the feedback."""


class Unstorable(TypeError):
    """A value the check file cannot hold (an object, a complex number, ...)."""


# -- stored values ---------------------------------------------------------------------


def encode(value: Any) -> Any:
    """``value`` as JSON data (arrays exactly, as base64 bytes); :class:`Unstorable` else."""
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.size > 200_000:
            raise Unstorable(f"an array of {value.dtype} ({value.size} elements)")
        data = base64.b64encode(np.ascontiguousarray(value).tobytes()).decode()
        return {"__ndarray__": {"dtype": value.dtype.str, "shape": list(value.shape), "data": data}}
    if isinstance(value, np.generic):
        return {"__npscalar__": encode(np.asarray(value))["__ndarray__"]}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"__float__": repr(value)}
    if isinstance(value, tuple):
        return {"__tuple__": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"__dict__": {k: encode(v) for k, v in value.items()}}
    raise Unstorable(type(value).__name__)


def decode(data: Any) -> Any:
    """The value :func:`encode` stored."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "__ndarray__" in data or "__npscalar__" in data:
        spec = data.get("__ndarray__") or data["__npscalar__"]
        raw = base64.b64decode(spec["data"])
        array = np.frombuffer(raw, dtype=np.dtype(spec["dtype"])).reshape(spec["shape"]).copy()
        return array if "__ndarray__" in data else array[()]
    if "__float__" in data:
        return float(data["__float__"])
    if "__tuple__" in data:
        return tuple(decode(v) for v in data["__tuple__"])
    if "__dict__" in data:
        return {k: decode(v) for k, v in data["__dict__"].items()}
    if "__raises__" in data:
        return Raises(data["__raises__"]["type"])
    raise ValueError(f"unknown stored value {sorted(data)}")


class Raises:
    """The expected outcome of a call that must raise an exception of this type."""

    def __init__(self, type_name: str) -> None:
        self.type_name = type_name


# -- comparisons -----------------------------------------------------------------------


def compare(got: Any, expected: Any, what: str = "The result") -> None:
    """Raise :class:`Mismatch` when ``got`` is not ``expected`` (arrays and floats within the
    grader's tolerance, Python ints exactly and of type int, containers item by item)."""
    if isinstance(expected, np.ndarray):
        return _array(got, expected, what)
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        if got != expected or type(got) is not type(expected):
            raise Mismatch(f"{what} is {describe_value(got)}; expected {expected!r}.")
        return None
    if isinstance(expected, int) and not isinstance(expected, np.generic):
        if type(got) is not int:
            kind = f"{type(got).__module__}.{type(got).__name__}".replace("builtins.", "")
            raise Mismatch(
                f"{what} is {describe_value(got)}, a {kind}; expected the Python int {expected}."
            )
        if got != expected:
            raise Mismatch(f"{what} is {got}; expected {expected}.")
        return None
    if isinstance(expected, (float, np.floating, np.integer)):
        return _float(got, float(expected), what)
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            shape = "tuple" if isinstance(expected, tuple) else "list"
            raise Mismatch(
                f"{what} is {describe_value(got, full=False)}; expected a {shape} of {len(expected)} items."
            )
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            compare(g, e, f"Item {i + 1} of {what[:1].lower() + what[1:]}")
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            keys = ", ".join(repr(k) for k in expected)
            raise Mismatch(
                f"{what} is {describe_value(got, full=False)}; expected a dict with keys {keys}."
            )
        for key in expected:
            compare(got[key], expected[key], f"{what} [{key!r}]")
        return None
    raise Mismatch(
        f"{what}: the check file holds a value it cannot compare ({type(expected).__name__})."
    )


def _tolerance(got: np.ndarray) -> tuple[float, float]:
    base = FLOAT32 if got.dtype in (np.float32, np.float16) else FLOAT64
    return base["rtol"], base["atol"]


def _grid(value: np.ndarray) -> str:
    return describe_value(value).replace("\n", "\n          ")


def _array(got: Any, expected: np.ndarray, what: str) -> None:
    if isinstance(got, (list, tuple)):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Mismatch(f"{what} is {describe_value(got, full=False)}, not an array.") from None
    if isinstance(got, np.generic):
        got = np.asarray(got)
    if not isinstance(got, np.ndarray):
        raise Mismatch(
            f"{what} is {describe_value(got)}; expected an array of shape {expected.shape}."
        )
    if got.shape != expected.shape:
        raise Mismatch(f"{what} has shape {got.shape}; expected shape {expected.shape}.")
    if got.dtype.kind not in "biuf":
        raise Mismatch(f"{what} is an array of {got.dtype}; expected numbers.")
    rtol, atol = _tolerance(got)
    if expected.size and got.dtype == np.float32:
        atol *= max(1.0, float(np.max(np.abs(expected))))
    g = got.astype(np.float64)
    bad = np.isfinite(expected) & ~np.isfinite(g)
    if bad.any():
        at = tuple(int(i) for i in np.argwhere(bad)[0])
        raise Mismatch(
            f"{what} has {int(bad.sum())} non-finite value(s) (nan or inf) where the answer is "
            f"finite, first at index {at}: got {g[at]}, expected {expected[at]:.6g}."
        )
    close = np.isclose(g, expected, rtol=rtol, atol=atol, equal_nan=True)
    if not close.all():
        diff = np.where(close, 0.0, np.abs(g - expected))
        at = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
        raise Mismatch(
            f"Expected: {_grid(expected)}\nGot:      {_grid(got)}\n"
            f"{what} differs at {int((~close).sum())} of {close.size} positions; the largest "
            f"difference is {float(diff[at]):.6g} at index {at} (got {g[at]:.6g}, expected "
            f"{expected[at]:.6g}; tolerance rtol {rtol:g}, atol {atol:g})."
        )


def _float(got: Any, expected: float, what: str) -> None:
    if isinstance(got, np.ndarray) and got.shape == ():
        got = got[()]
    if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
        raise Mismatch(f"{what} is {describe_value(got)}; expected one number (a float).")
    rtol, atol = _tolerance(np.asarray(got))
    value = float(got)
    if not math.isfinite(value) and math.isfinite(expected):
        raise Mismatch(f"{what} is {value}; expected the finite number {expected:.10g}.")
    if not abs(value - expected) <= atol + rtol * abs(expected) and not (
        math.isnan(value) and math.isnan(expected)
    ):
        raise Mismatch(
            f"{what} is {value:.10g}; expected {expected:.10g} (difference "
            f"{abs(value - expected):.3g}; tolerance rtol {rtol:g}, atol {atol:g})."
        )
