"""The checks' truths kept on disk: computed once per assignment and machine, not once per
process, so that a grade in a new process (one notebook from the command line, or
Gradescope's one submission per container) neither recomputes them nor imports PyTorch.

A check's inputs are seeded from its id, so its truths are the same for every student;
:func:`autograder.questions.remembered` keeps them in memory for the process, and a store
keeps them for the next process: one file per assignment in the grader's cache folder
(``$AUTOGRADER_CACHE``, else ``$XDG_CACHE_HOME/autograder``, else ``~/.cache/autograder``),
named by a digest of everything a truth depends on (the grader's version and its
comparison code, NumPy's and PyTorch's versions, and every file of the assignment's checks,
its solution and its configuration): change any of them and the old store is simply not
read again. A process reads the store before its first grade of the assignment and writes
it, when that grade computed truths the store lacked, after it.

The store holds plain data only (a NumPy ``.npz`` read with ``allow_pickle=False``: arrays,
and an index in JSON for numbers, strings, tuples, lists and dicts); a truth of any other
kind is not kept. A store that is not the grader's own (another owner, writable by others),
too large, or unreadable is ignored: truths are then computed as if there were none. The
kernel never sees the cache folder under bwrap (see the README's security model).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import stat
import tempfile
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from autograder import questions
from autograder.assignments import Assignment

STORE_FORMAT = 1
MAX_STORE_BYTES = 64 * 2**20
_GRADER_FILES = ("checking.py", "questions.py", "truths.py")
"""The grader's own code that a truth or its storing depends on (``agree``, the keys)."""
_TOP_LEVEL_TORCH = re.compile(r"^(import torch|from torch[ .])", re.MULTILINE)

_lock = threading.Lock()
_held: dict[str, int] = {}
"""Per digest of an assignment, how many truths its store held when this process read it
(-1: there was none)."""
_written: set[str] = set()


def cache_folder() -> Path:
    """Where the grader keeps what it computes once per machine."""
    explicit = os.environ.get("AUTOGRADER_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "autograder"


def store_path(assignment: Assignment) -> Path:
    return cache_folder() / "truths" / f"{assignment.name}-{digest(assignment.folder)}.npz"


@cache
def digest(folder: Path) -> str:
    """A digest of everything the truths of the assignment in ``folder`` depend on."""
    from importlib.metadata import PackageNotFoundError, version

    from autograder import __version__

    h = hashlib.blake2b(digest_size=16)
    h.update(f"format {STORE_FORMAT}; grader {__version__}; numpy {np.__version__};".encode())
    try:
        h.update(f"torch {version('torch')};".encode())
    except PackageNotFoundError:
        h.update(b"no torch;")
    here = Path(__file__).parent
    for name in _GRADER_FILES:
        h.update(name.encode() + b"\0" + (here / name).read_bytes() + b"\0")
    files = [folder / "solution.ipynb", folder / "config.toml"]
    files += sorted(p for p in (folder / "checks").rglob("*") if _is_source(p))
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            data = b"(missing)"
        h.update(str(path.relative_to(folder)).encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def _is_source(path: Path) -> bool:
    return path.is_file() and "__pycache__" not in path.parts


def checks_import_torch(assignment: Assignment) -> bool:
    """Whether a module of the checks imports PyTorch when it is imported (then every grade
    needs it, stored truths or not)."""
    for path in assignment.checks.rglob("*.py"):
        try:
            if _TOP_LEVEL_TORCH.search(path.read_text(encoding="utf-8", errors="replace")):
                return True
        except OSError:
            continue
    return False


# -- reading and writing ----------------------------------------------------------------


def load(assignment: Assignment) -> bool:
    """Put the assignment's stored truths into this process's memory (read once per
    process); True when a store for the assignment as it is now exists. The store only
    saves time: whatever goes wrong with it, the truths are computed as without one."""
    try:
        return _load(assignment)
    except Exception:  # noqa: BLE001
        return False


def _load(assignment: Assignment) -> bool:
    key = digest(assignment.folder)
    with _lock:
        if key not in _held:
            entries = _read_store(store_path(assignment))
            _held[key] = -1 if entries is None else len(entries)
            for (rel, line, name, fingerprint), value in (entries or {}).items():
                if len(questions.TRUTHS) >= questions.MAX_TRUTHS:
                    break
                where = _where(assignment, rel, line, name)
                questions.TRUTHS.setdefault((where, fingerprint), value)
        return _held[key] >= 0 or key in _written


def save(assignment: Assignment) -> None:
    """Write the assignment's truths known to this process, once per process and only
    when they are more than its store held; a store that cannot be written (a full disk,
    a read-only home) is simply not written."""
    try:
        key = digest(assignment.folder)
        with _lock:
            if key in _written:
                return
            mine = _mine(assignment)
            if len(mine) <= _held.get(key, -1):
                return
            _written.add(key)
            _write_store(store_path(assignment), mine)
    except Exception:  # noqa: BLE001 - no store, no harm
        return


def _where(assignment: Assignment, rel: str, line: int, name: str) -> tuple[Any, ...]:
    """The key :func:`autograder.questions.remembered` gives a truth function."""
    return (str(assignment.folder / rel), line, name, str(assignment.solution))


def _mine(assignment: Assignment) -> dict[tuple[str, int, str, bytes], Any]:
    """The truths in memory that belong to ``assignment`` (its checks, its solution)."""
    found: dict[tuple[str, int, str, bytes], Any] = {}
    solution, folder = str(assignment.solution), str(assignment.folder)
    for (where, fingerprint), value in list(questions.TRUTHS.items()):
        filename, line, name, reference = where
        if reference != solution or not isinstance(fingerprint, bytes):
            continue
        rel = os.path.relpath(filename, folder)
        if rel.startswith(os.pardir) or _where(assignment, rel, line, name) != where:
            continue
        found[(rel, line, name, fingerprint)] = value
    return found


def _read_store(path: Path) -> dict[tuple[str, int, str, bytes], Any] | None:
    """The entries of the store at ``path``; None when there is none the grader trusts."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        folder = os.stat(path.parent)
        if not (_own(info) and _own(folder)) or info.st_size > MAX_STORE_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(MAX_STORE_BYTES + 1)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
        index = json.loads(bytes(arrays.pop("index")).decode("utf-8"))
        if index.get("format") != STORE_FORMAT:
            return None
        entries = {}
        for rel, line, name, fingerprint, node in index["entries"]:
            value = _decode(node, arrays)
            entries[(str(rel), int(line), str(name), bytes.fromhex(fingerprint))] = value
        return entries
    except Exception:  # noqa: BLE001 - a damaged store (a cut zip, say) is no store
        return None
    finally:
        os.close(fd)


def _own(info: os.stat_result) -> bool:
    """Written by this user and writable by no one else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write_store(path: Path, entries: dict[tuple[str, int, str, bytes], Any]) -> None:
    arrays: list[np.ndarray] = []
    listed = []
    for (rel, line, name, fingerprint), value in entries.items():
        try:
            node = _encode(value, arrays)
        except _NotPlain:
            continue
        listed.append([rel, line, name, fingerprint.hex(), node])
    index = json.dumps({"format": STORE_FORMAT, "entries": listed}).encode("utf-8")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".truths-", suffix=".npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            named: dict[str, Any] = {str(i): a for i, a in enumerate(arrays)}
            named["index"] = np.frombuffer(index, dtype=np.uint8)
            np.savez(f, **named)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


# -- plain data -------------------------------------------------------------------------


class _NotPlain(Exception):
    pass


def _encode(value: Any, arrays: list[np.ndarray]) -> list[Any]:
    """``value`` as JSON (tagged nodes); its arrays appended to ``arrays``."""
    if value is None:
        return ["n"]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    if isinstance(value, float):
        return ["f", value.hex()]
    if isinstance(value, str):
        return ["s", value]
    if isinstance(value, np.generic) or type(value) is np.ndarray:
        if value.dtype.kind not in "biufc" or value.dtype.fields:
            raise _NotPlain
        arrays.append(np.asarray(value))
        return ["g" if isinstance(value, np.generic) else "a", len(arrays) - 1]
    if isinstance(value, (tuple, list)) and type(value) in (tuple, list):
        return ["t" if isinstance(value, tuple) else "l", [_encode(v, arrays) for v in value]]
    if type(value) is dict and all(isinstance(k, str) for k in value):
        return ["d", [[k, _encode(v, arrays)] for k, v in value.items()]]
    raise _NotPlain


def _decode(node: list[Any], arrays: dict[str, np.ndarray]) -> Any:
    tag = node[0]
    if tag == "n":
        return None
    if tag in ("b", "i", "s"):
        if not isinstance(node[1], {"b": bool, "i": int, "s": str}[tag]):
            raise ValueError("a stored truth has the wrong type")
        return node[1]
    if tag == "f":
        return float.fromhex(node[1])
    if tag in ("a", "g"):
        array = arrays[str(int(node[1]))]
        if array.dtype.kind not in "biufc":
            raise ValueError("a stored array is not numeric")
        return array[()] if tag == "g" else array
    if tag in ("t", "l"):
        items = [_decode(v, arrays) for v in node[1]]
        return tuple(items) if tag == "t" else items
    if tag == "d":
        return {str(k): _decode(v, arrays) for k, v in node[1]}
    raise ValueError(f"a stored truth has an unknown kind {tag!r}")
