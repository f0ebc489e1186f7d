"""A failed check's inputs, expected and got values, as small HTML grids with the cells
that differ marked."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograder.reports.page import e


def details(data: dict[str, Any] | None) -> str:
    """A failed check's inputs, expected and got values as small grids, differences marked."""
    if not isinstance(data, dict):
        return ""
    expected, got = data.get("expected"), data.get("got")
    mask = _mask(expected, got, data.get("wrong"))
    parts = []
    inputs = [
        f"<figure><figcaption><code>{e(k)}</code></figcaption>{grid(v)}</figure>"
        for k, v in (data.get("inputs") or {}).items()
    ]
    if inputs:
        parts.append(f"<p class='muted'>Input:</p><div class='grids'>{''.join(inputs)}</div>")
    pair = [
        f"<figure><figcaption><b>{name}</b></figcaption>{grid(data[name], mask)}</figure>"
        for name in ("expected", "got")
        if name in data
    ]
    if pair:
        hint = " (cells that differ are marked)" if mask is not None and mask.any() else ""
        parts.append(
            f"<p class='muted'>Expected vs got{hint}:</p><div class='grids'>{''.join(pair)}</div>"
        )
    return "".join(parts)


def trimmed(feedback: str, data: dict[str, Any] | None) -> str:
    """The feedback without what :func:`details` shows as grids: each input's lines and
    the ``Expected:``/``Got:`` blocks (so a failure shows them once)."""
    if not isinstance(data, dict):
        return feedback
    inputs = data.get("inputs") or {}
    shown = {f"  {k} = " for k, v in inputs.items() if _is_array(v) or _scalar(v)}
    drop_pair = _is_array(data.get("expected")) and _is_array(data.get("got"))
    out: list[str] = []
    block = ""  # what is being dropped: an input's lines or the expected/got pair
    for line in feedback.splitlines():
        if block == "pair" and line.startswith(" " * 10):
            continue
        if block == "input" and line.startswith(" " * 6):
            continue
        block = ""
        if drop_pair and line.startswith(("Expected: ", "Got:      ")):
            block = "pair"
        elif line.startswith(tuple(shown)) if shown else False:
            block = "input"
        else:
            out.append(line)
    return "\n".join(out)


def _is_array(value: Any) -> bool:
    return isinstance(value, dict) and "values" in value


def _scalar(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool))


def grid(value: Any, mask: np.ndarray | None = None) -> str:
    """An array of a report (``{"shape", "dtype", "values"}``) as HTML tables, else text."""
    if not (isinstance(value, dict) and "values" in value):
        return f"<pre>{e(value if isinstance(value, str) else _fmt(value))}</pre>"
    shape = tuple(value.get("shape") or ())
    try:
        cells = np.array(value["values"], dtype=object).reshape(shape)
    except (ValueError, TypeError):
        return f"<pre>{e(value['values'])}</pre>"
    if cells.size == 0:
        return f"<div class='slice'>{e(value.get('dtype'))} {e(shape)}: no values</div>"
    planes: np.ndarray = (
        cells.reshape((-1, *cells.shape[-2:])) if cells.ndim >= 2 else cells.reshape(1, 1, -1)
    )
    marks = np.zeros(planes.shape, dtype=bool)
    if mask is not None and mask.shape == cells.shape:
        marks = mask.reshape(planes.shape)
    out = [f"<div class='slice'>{e(value.get('dtype'))} {e(shape)}</div>"]
    for k, plane in enumerate(planes):
        if cells.ndim > 2:
            index = ", ".join(map(str, np.unravel_index(k, cells.shape[:-2])))
            out.append(f"<div class='slice'>[{index}, :, :]</div>")
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td{' class=bad' if marks[k, i, j] else ''}>{e(_fmt(x))}</td>"
                for j, x in enumerate(row)
            )
            + "</tr>"
            for i, row in enumerate(plane)
        )
        out.append(f"<table class='grid'><tbody>{rows}</tbody></table>")
    return "".join(out)


def _mask(expected: Any, got: Any, wrong: Any) -> np.ndarray | None:
    """Which cells differ: the check's own ``wrong`` mask, else a comparison of the values."""
    if not (isinstance(expected, dict) and isinstance(got, dict)):
        return None
    if expected.get("shape") != got.get("shape"):
        return None
    shape = tuple(expected.get("shape") or ())
    try:
        if wrong is not None:
            return np.array(wrong, dtype=bool).reshape(shape)
        a = np.array(expected["values"], dtype=float).reshape(shape)
        b = np.array(got["values"], dtype=float).reshape(shape)
        return ~np.isclose(a, b, rtol=1e-6, atol=1e-8, equal_nan=True)
    except (ValueError, TypeError, KeyError):
        return None


def _fmt(x: Any) -> str:
    if isinstance(x, float):
        return f"{x:.5g}"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    return str(x)
