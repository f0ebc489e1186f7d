"""Running a notebook as the grader will, on the student's machine: the cells in order in
one namespace, cells tagged ``skip-execution`` left out, each cell timed against the
grader's limit, with no network and in a folder that holds only the notebook (the grader's
sandbox has nothing else), so a cell that needs either fails here as it will there.

Part of the student's pre-submission check: NumPy and the standard library only.
"""

from __future__ import annotations

import contextlib
import io
import json
import linecache
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

SKIP_TAG = "skip-execution"


class TimeLimit(BaseException):
    """A cell or call ran past the grader's limit (raised by the timer)."""


class NoNetwork(ConnectionError):
    """Raised instead of any network connection: the grader's sandbox has no network."""


def read(path: Path) -> dict:
    """The notebook's JSON; a ValueError with a sentence when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise ValueError(f"{path} is not a readable notebook ({e})") from None
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise ValueError(f"{path} is not a Jupyter notebook (it has no list of cells)")
    if data.get("nbformat") != 4:
        version = data.get("nbformat")
        raise ValueError(f"{path} is nbformat {version}; save it from Jupyter as version 4")
    return data


def source_of(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def python_of(source: str) -> tuple[str, list[str]]:
    """The cell as plain Python: IPython's ``!shell`` and ``%magic`` lines become ``pass``
    (the grader runs them in its kernel, without network); the lines changed."""
    lines, magics = [], []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("!", "%")):
            magics.append(stripped)
            line = line[: len(line) - len(stripped)] + "pass"
        lines.append(line)
    return "\n".join(lines), magics


class _Timer:
    """Raise :class:`TimeLimit` in the main thread after ``seconds`` (where the system allows)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = (
            hasattr(signal, "setitimer")
            and os.name == "posix"
            and threading.current_thread() is threading.main_thread()
        )

    def __enter__(self) -> _Timer:
        if self.armed:
            self.previous = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def _fire(self, signum: int, frame: Any) -> None:
        raise TimeLimit()

    def __exit__(self, *exc: Any) -> None:
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def call_with_limit(fn: Any, seconds: float, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, stopped with :class:`TimeLimit` after ``seconds``."""
    with _Timer(seconds):
        return fn(*args, **kwargs)


class _Offline:
    """No network while the notebook runs (as in the grader's sandbox)."""

    PLACES = (
        (socket.socket, "connect"),
        (socket.socket, "connect_ex"),
        (socket, "create_connection"),
    )

    def __enter__(self) -> _Offline:
        self.saved = [getattr(owner, name) for owner, name in self.PLACES]

        def refuse(*args: Any, **kwargs: Any) -> Any:
            raise NoNetwork("no network: the grader runs notebooks without network access")

        for owner, name in self.PLACES:
            setattr(owner, name, refuse)
        return self

    def __exit__(self, *exc: Any) -> None:
        for (owner, name), saved in zip(self.PLACES, self.saved, strict=True):
            setattr(owner, name, saved)


def where_it_failed(error: BaseException) -> str:
    """``line 14 of cross_correlation2d: raise NotImplementedError`` for the innermost
    frame in the notebook's own code."""
    frames = [
        f for f in traceback.extract_tb(error.__traceback__) if f.filename.startswith("cell ")
    ]
    if not frames:
        return ""
    f = frames[-1]
    where = (
        f"{f.filename}, line {f.lineno}" if f.name == "<module>" else f"line {f.lineno} of {f.name}"
    )
    return f"at {where}: {(f.line or '').strip()}"


def describe_error(error: BaseException) -> str:
    """``Type: message`` on one line, at most 300 characters."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def run_cells(nb: dict, path: Path, cell_limit: float) -> tuple[dict[str, Any], list[dict]]:
    """Run the notebook's code cells; the namespace and one record per code cell:
    ``{cell, status (ok, error, timeout, skipped), seconds, error, where, magics, kind}``."""
    namespace: dict[str, Any] = {"__name__": "__main__", "__builtins__": __builtins__}
    records: list[dict] = []
    folder = Path(tempfile.mkdtemp(prefix="autograder-check-"))
    shutil.copy(path, folder / Path(path).name)
    here = os.getcwd()
    os.environ.setdefault("MPLBACKEND", "Agg")  # plots go nowhere, as in the grader
    # files beside the notebook (data, helper modules) are not in the grader's sandbox
    beside = {"", here, str(Path(path).resolve().parent), str(Path(sys.argv[0]).resolve().parent)}
    saved_path = list(sys.path)
    sys.path[:] = [str(folder)] + [p for p in sys.path if p not in beside]
    try:
        os.chdir(folder)
        with _Offline():
            for number, cell in enumerate(nb["cells"], start=1):
                if cell.get("cell_type") != "code" or not source_of(cell).strip():
                    continue
                records.append(_run_one(cell, number, namespace, cell_limit))
    finally:
        os.chdir(here)
        sys.path[:] = saved_path
        shutil.rmtree(folder, ignore_errors=True)
    return namespace, records


def _run_one(cell: dict, number: int, namespace: dict[str, Any], limit: float) -> dict:
    tags = (cell.get("metadata") or {}).get("tags") or []
    record: dict[str, Any] = {"cell": number, "status": "ok", "seconds": 0.0, "magics": []}
    if SKIP_TAG in tags:
        record["status"] = "skipped"
        return record
    code, record["magics"] = python_of(source_of(cell))
    started = time.perf_counter()
    try:
        name = f"cell {number}"
        linecache.cache[name] = (len(code), None, code.splitlines(True), name)  # for tracebacks
        compiled = compile(code, name, "exec")
        sink = io.StringIO()  # the notebook's own output would bury the check's
        with _Timer(limit), contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(compiled, namespace)  # noqa: S102 - the student's own code, on their machine
    except TimeLimit:
        record.update(
            status="timeout", error=f"it ran past the grader's limit of {limit:g} s per cell"
        )
    except NoNetwork as error:
        record.update(status="error", kind="network", error=describe_error(error))
    except (FileNotFoundError, PermissionError) as error:
        record.update(
            status="error", kind="file", error=describe_error(error), where=where_it_failed(error)
        )
    except BaseException as error:  # noqa: BLE001 - a cell may raise anything, SystemExit too
        if isinstance(error, KeyboardInterrupt):
            raise
        kind = "network" if _is_network(error) else "error"
        record.update(
            status="error", kind=kind, error=describe_error(error), where=where_it_failed(error)
        )
    record["seconds"] = round(time.perf_counter() - started, 3)
    return record


def _is_network(error: BaseException) -> bool:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, NoNetwork) or "no network: the grader" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
