"""How values and calls are written in feedback: short, exact, readable in a terminal."""

from __future__ import annotations

from typing import Any

import numpy as np

SMALL = 36
"""Arrays with at most this many elements are shown in full."""


def describe_value(value: Any, *, full: bool = True) -> str:
    """A one-line (or small grid) description of a value."""
    if isinstance(value, np.ndarray):
        head = f"{_kind(value)} {value.dtype} {tuple(value.shape)}"
        if full and value.size <= SMALL:
            grid = np.array2string(value, precision=6, separator=", ", max_line_width=100)
            return f"{head} {grid}" if "\n" not in grid else f"{head}\n{grid}"
        if value.size and value.dtype.kind in "biuf":
            finite = np.isfinite(value) if value.dtype.kind == "f" else np.ones(value.shape, bool)
            if finite.any():
                vals = value[finite]
                extra = "" if finite.all() else f", {int((~finite).sum())} non-finite"
                return f"{head} (min {vals.min():.6g}, max {vals.max():.6g}{extra})"
            return f"{head} (no finite values)"
        return head
    if isinstance(value, np.generic):
        return f"numpy.{type(value).__name__}({value.item()!r})"
    if isinstance(value, tuple):
        return "(" + ", ".join(describe_value(v, full=False) for v in value) + ")"
    if isinstance(value, list):
        if len(value) > 8:
            return f"list of {len(value)} items"
        return "[" + ", ".join(describe_value(v, full=False) for v in value) + "]"
    if isinstance(value, dict):
        if full and all(isinstance(v, np.ndarray) and v.size <= SMALL for v in value.values()):
            return (
                "{\n" + "\n".join(f"  {k!r}: {describe_value(v)}" for k, v in value.items()) + "\n}"
            )
        return (
            "{"
            + ", ".join(f"{k!r}: {describe_value(v, full=False)}" for k, v in value.items())
            + "}"
        )
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(array: np.ndarray) -> str:
    return "tensor" if type(array).__name__ == "TensorArray" else "array"


def describe_call(name: str, args: tuple, kwargs: dict, parameters: list[str] | None = None) -> str:
    """``conv2d_forward(x=array float64 (1, 1, 3, 3), w=..., stride=2)``."""
    parts = []
    for i, arg in enumerate(args):
        label = f"{parameters[i]}=" if parameters and i < len(parameters) else ""
        parts.append(label + describe_value(arg, full=False))
    parts += [f"{k}={describe_value(v, full=False)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def describe_inputs(
    args: tuple, parameters: list[str] | None = None, kwargs: dict | None = None
) -> str:
    """The inputs of a call in full (small arrays as grids), one per line."""
    lines = []
    for i, arg in enumerate(args):
        label = parameters[i] if parameters and i < len(parameters) else f"argument {i + 1}"
        lines.append(f"  {label} = {_indent(describe_value(arg))}")
    lines += [f"  {k} = {_indent(describe_value(v))}" for k, v in (kwargs or {}).items()]
    return "\n".join(lines)


def _indent(text: str) -> str:
    return text.replace("\n", "\n      ")
