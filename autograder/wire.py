"""The wire format between the grader and the kernel: JSON plus ``.npy`` files.

This module and :mod:`autograder.kernel_side` are the only places that know it.
What comes back from the kernel is read defensively: no pickles
(``allow_pickle=False``), no symbolic links, size limits before reading, and
only numeric arrays. Anything else becomes a :class:`WireError` whose message
says what came back, never what a file contained.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder.callresult import (
    CallResult,
    HelperFailed,
    Interrupted,
    Missing,
    NotCallable,
    Raised,
    Returned,
    TooLarge,
)

KERNEL_SOURCE = Path(__file__).with_name("kernel_side.py").read_text(encoding="utf-8")

_ARRAY_NAME = re.compile(r"^r\d{1,6}\.npy$")
_NUMERIC = "biufc"


NO_RESULT = "the kernel wrote no result for this call"
UNFINISHED = "the result is missing its file result.json"
"""The call's folder is there, its result is not: the call never finished."""
MAX_DIMS = 16
MAX_EXTENT = 10_000_000
"""Arrays from the kernel have at most this many dimensions, none longer than this (an
empty array of shape (2000000, 0) has no bytes, but its shape alone fills reports)."""


class WireError(Exception):
    """What the kernel sent back is not plain data the grader can read."""


class TensorArray(np.ndarray):
    """An array that arrived as a ``torch.Tensor`` (checks may care about the difference)."""

    device: str = "cpu"  # type: ignore[assignment]  # NumPy 2.1+ has ndarray.device ("cpu")
    requires_grad: bool = False


def helper_name() -> str:
    """A fresh, unguessable name for the call helper in one kernel."""
    return f"_ag_{secrets.token_hex(8)}"


def install_code(name: str, inbox: Path, outbox: Path, max_bytes: int) -> str:
    """The snippet that defines the call helper (as ``name``) in a fresh kernel."""
    return (
        KERNEL_SOURCE
        + f"\n{name} = _autograder_install({str(inbox)!r}, {str(outbox)!r}, {int(max_bytes)})\n"
        + "del _autograder_install\n"
    )


def call_code(name: str, n: int) -> str:
    return f"{name}({n})"


# -- grader to kernel -------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One call of a request: the student's function ``name`` (mode ``call``) or a
    grader-written snippet ``code`` (mode ``code``), the random seed the kernel sets just
    before it, and its arguments; ``echo_args``: send the arguments back as the call left
    them."""

    mode: str
    seed: int
    name: str | None = None
    code: str | None = None
    args: tuple = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    echo_args: bool = False


def write_request(folder: Path, calls: Sequence[Call]) -> None:
    """Write one request (the calls, in order) into ``folder`` (created here)."""
    folder.mkdir(mode=0o755)
    counter = [0]
    specs = [
        {
            "mode": c.mode,
            "name": c.name,
            "code": c.code,
            "echo_args": bool(c.echo_args),
            "seed": int(c.seed),
            "args": _encode(list(c.args), folder, counter),
            "kwargs": _encode(c.kwargs, folder, counter),
        }
        for c in calls
    ]
    (folder / "call.json").write_text(json.dumps({"calls": specs}), encoding="utf-8")
    for path in folder.iterdir():
        os.chmod(path, 0o644)


def _encode(value: Any, folder: Path, counter: list[int]) -> Any:
    if (
        value is None
        or isinstance(value, (bool, str, int, float))
        and not isinstance(value, np.generic)
    ):
        return value
    if isinstance(value, np.generic):
        return {"__scalar__": value.dtype.str, "value": value.item()}
    if isinstance(value, np.ndarray):
        name = f"a{counter[0]}.npy"
        counter[0] += 1
        np.save(folder / name, np.ascontiguousarray(value), allow_pickle=False)
        return {"__ndarray__": name}
    if isinstance(value, tuple):
        return {"__tuple__": [_encode(v, folder, counter) for v in value]}
    if isinstance(value, list):
        return [_encode(v, folder, counter) for v in value]
    if isinstance(value, dict):
        return {"__dict__": {str(k): _encode(v, folder, counter) for k, v in value.items()}}
    raise TypeError(f"the grader cannot send a {type(value).__name__} to the kernel")


# -- kernel to grader: what a call gave, as typed results (autograder.callresult) --------


def read_result(folder: Path, *, max_bytes: int) -> CallResult:
    """Read ``result.json`` and its arrays from a folder the kernel wrote, as a typed result.

    Every text is bounded and every array checked; anything else is a :class:`WireError`.
    """
    return read_timed(folder, max_bytes=max_bytes)[0]


def read_timed(folder: Path, *, max_bytes: int) -> tuple[CallResult, float]:
    """:func:`read_result`, and the seconds the kernel says the call took (a claim: it only
    decides whether a call that ran out of time had its whole limit, see the proxy)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    except OSError:
        raise WireError(NO_RESULT) from None
    try:
        raw = _read_file(dir_fd, "result.json", max_bytes=min(max_bytes, 64 * 2**20))
        try:
            payload = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            raise WireError("the result file is not valid JSON") from None
        if not isinstance(payload, dict):
            raise WireError("the result file does not hold a result")
        seconds = payload.get("seconds")
        seconds = float(seconds) if isinstance(seconds, (int, float)) else 0.0
        budget = [max_bytes]
        if "value" in payload:
            after = None
            if "args_after" in payload:
                after = _decode(payload["args_after"], dir_fd, budget, 0)
                after = after if isinstance(after, list) else None
            return Returned(_decode(payload["value"], dir_fd, budget, 0), after), seconds
    finally:
        os.close(dir_fd)
    return _other(payload), seconds


def _other(payload: dict[str, Any]) -> CallResult:
    if payload.get("missing"):
        name = payload.get("name")
        return Missing(str(name)[:100] if name else None)
    if "not_callable" in payload:
        return NotCallable(str(payload["not_callable"])[:60])
    if payload.get("interrupted"):
        return Interrupted()
    if "helper_error" in payload:
        return HelperFailed(str(payload["helper_error"])[:200])
    if payload.get("too_large"):
        return TooLarge()
    raised = payload.get("raised")
    if isinstance(raised, dict):
        mro = raised.get("mro")
        mro = mro if isinstance(mro, list) else []
        return Raised(
            str(raised.get("type", "Exception"))[:80],
            [str(m)[:80] for m in mro[:20]],
            str(raised.get("message", ""))[:2000],
            str(raised.get("where", ""))[:500],
        )
    raise WireError("a result the grader cannot read")


def _read_file(dir_fd: int, name: str, *, max_bytes: int) -> bytes:
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        raise WireError(
            UNFINISHED if name == "result.json" else f"the result is missing its file {name}"
        ) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise WireError(f"{name} is not a regular file")
        if info.st_size > max_bytes:
            raise WireError(
                f"the result is too large ({info.st_size / 2**20:.1f} MiB; limit "
                f"{max_bytes / 2**20:.0f} MiB)"
            )
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read(max_bytes + 1)
    finally:
        os.close(fd)


def _decode(node: Any, dir_fd: int, budget: list[int], depth: int) -> Any:
    if depth > 40:
        raise WireError("the result is nested too deeply")
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [_decode(x, dir_fd, budget, depth + 1) for x in node]
    if not isinstance(node, dict):
        raise WireError("the result holds something that is not data")
    if "__ndarray__" in node:
        return _load_array(node, dir_fd, budget)
    if "__tuple__" in node and isinstance(node["__tuple__"], list):
        return tuple(_decode(x, dir_fd, budget, depth + 1) for x in node["__tuple__"])
    if "__dict__" in node and isinstance(node["__dict__"], dict):
        return {str(k): _decode(v, dir_fd, budget, depth + 1) for k, v in node["__dict__"].items()}
    if "__scalar__" in node:
        return _scalar(node)
    if "__unsupported__" in node:
        raise WireError(f"a {str(node['__unsupported__'])[:120]}, which is not plain data")
    raise WireError("the result holds something that is not data")


def _scalar(node: dict) -> np.generic:
    try:
        dtype = np.dtype(str(node["__scalar__"]))
    except TypeError:
        raise WireError("a NumPy scalar of an unknown type") from None
    if dtype.kind not in _NUMERIC:
        raise WireError(f"a NumPy scalar of dtype {dtype}, which is not numeric")
    value = node.get("value")
    if dtype.kind == "c" and isinstance(value, list) and len(value) == 2:
        value = complex(value[0], value[1])
    if not isinstance(value, (bool, int, float, complex)):
        raise WireError("a NumPy scalar without a numeric value")
    try:
        return dtype.type(value)
    except (OverflowError, ValueError):
        raise WireError(f"a NumPy scalar that does not fit its dtype {dtype}") from None


def _load_array(node: dict, dir_fd: int, budget: list[int]) -> np.ndarray:
    name = node["__ndarray__"]
    if not isinstance(name, str) or not _ARRAY_NAME.match(name):
        raise WireError("the result names an array file it may not")
    data = _read_file(dir_fd, name, max_bytes=budget[0])
    budget[0] -= len(data)
    import io

    try:
        array = np.load(io.BytesIO(data), allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e).lower() or "object" in str(e).lower():
            raise WireError("an array of Python objects (a pickle), which is not data") from None
        raise WireError("an array file the grader cannot read") from None
    except Exception:  # noqa: BLE001 - any damage to the file
        raise WireError("an array file the grader cannot read") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in _NUMERIC or array.dtype.fields:
        raise WireError(f"an array of dtype {getattr(array, 'dtype', '?')}, which is not numeric")
    if array.ndim > MAX_DIMS or any(d > MAX_EXTENT for d in array.shape):
        shown = "x".join(str(d) for d in array.shape[:8]) + ("x..." if array.ndim > 8 else "")
        raise WireError(f"an array of shape {shown}, larger in its dimensions than any answer")
    if node.get("cls") == "torch.Tensor":
        tensor = array.view(TensorArray)
        tensor.device = str(node.get("device", "cpu"))[:40]
        tensor.requires_grad = bool(node.get("requires_grad", False))
        return tensor
    return array
