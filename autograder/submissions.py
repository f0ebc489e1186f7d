"""Which files of a batch are submissions, who handed each in, and where its reports go.

Folders are searched for notebooks: ``*.ipynb`` and the names browsers and
learning platforms give them (``*.ipynb.json``, ``*.ipynb.txt``). Everything
else is listed as ignored, with the reason: operating-system junk
(``__MACOSX/``, ``._*`` files, ``.DS_Store``), Jupyter's
``.ipynb_checkpoints/``, hidden files and folders, and files whose names are not
a notebook's.

A submission's **key** is its path relative to the folder it was found in (for a
file named on the command line, its name), written with ``/``: it is what reports
call the submission, what shards are split by, and it is unique within a batch.
Its **student** is, by default, the first folder of the key (``alice`` for
``alice/hw2/HW2.ipynb``), or the file's stem when the file is not in a folder.
Its **report folder** is ``OUT/<stem>`` for a file at the top, and
``OUT/<student>__<stem>`` for one in a folder; a name that two submissions
would share, that the batch's own files use, or that had to be shortened gets a
suffix made from the key's hash, so every submission gets a folder of its own
and no name can take another's.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

NOTEBOOK_SUFFIXES = (".ipynb", ".ipynb.json", ".ipynb.txt")
"""File names graded as notebooks (lower-cased): what Jupyter saves and what browsers
and learning platforms rename it to."""

RESERVED = frozenset(
    {"summary.csv", "index.html", "junit.xml", "ignored.csv", "similarity", "similarity.csv"}
)
"""Names of the files a batch writes into OUT beside the report folders."""

STUDENT_FROM = ("folder", "file")
"""``folder``: the key's first folder (the file's stem for a file at the top); ``file``:
the file's stem."""

_MAX_NAME_BYTES = 96
"""Report folder names are kept well under the file system's 255 bytes."""


@dataclass(frozen=True)
class Found:
    """One submission of a batch."""

    path: Path
    key: str
    student: str
    folder: Path


@dataclass
class Batch:
    """What a batch's inputs hold: submissions, and files left out with the reason."""

    found: list[Found] = field(default_factory=list)
    ignored: list[tuple[str, str]] = field(default_factory=list)


def is_notebook_name(name: str) -> bool:
    return name.lower().endswith(NOTEBOOK_SUFFIXES)


def stem(name: str) -> str:
    """The file name without its notebook suffix (``HW2`` for ``HW2.ipynb.json``)."""
    lowered = name.lower()
    for suffix in sorted(NOTEBOOK_SUFFIXES, key=len, reverse=True):
        if lowered.endswith(suffix):
            return name[: -len(suffix)]
    return name


def junk(parts: tuple[str, ...]) -> str | None:
    """Why a file at these path parts is not a submission, or None when it may be one."""
    for part in parts[:-1]:
        if part == "__MACOSX":
            return "macOS archive metadata"
        if part == ".ipynb_checkpoints":
            return "a Jupyter checkpoint"
        if part.startswith("."):
            return "inside a hidden folder"
    name = parts[-1]
    if name.startswith("._"):
        return "macOS archive metadata"
    if name in (".DS_Store", "Thumbs.db", "desktop.ini"):
        return "operating-system file"
    if name.startswith("."):
        return "a hidden file"
    if name.lower().endswith("-checkpoint.ipynb"):
        return "a Jupyter checkpoint"
    if not is_notebook_name(name):
        return "not a notebook (its name does not end in .ipynb)"
    return None


def collect(inputs: list[Path], out: Path, *, student_from: str = "folder") -> Batch:
    """The submissions named on the command line: files as given, folders searched."""
    batch = Batch()
    entries: list[tuple[Path, list[str]]] = []  # the file, and its key's parts
    for item in inputs:
        if item.is_dir() and not item.is_symlink() and not is_notebook_name(item.name):
            for path in _files(item):
                if _inside(path, out):
                    continue
                parts = path.relative_to(item).parts
                why = "a symbolic link" if path.is_symlink() else junk(parts)
                if why:
                    batch.ignored.append((PurePosixPath(*parts).as_posix(), why))
                else:
                    entries.append((path, list(parts)))
        else:
            entries.append((item, [item.name]))
    keys = _unique_keys(entries)
    names = folder_names(keys, student_from)
    for (path, _), key in zip(entries, keys, strict=True):
        batch.found.append(Found(path, key, student_of(key, student_from), out / names[key]))
    return batch


def _files(folder: Path) -> list[Path]:
    """Every file below ``folder``, sorted; links (to files or folders) are listed as files
    and never followed."""
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        base = Path(top)
        found += [base / name for name in files]
        found += [base / name for name in dirs if (base / name).is_symlink()]
    return sorted(found)


def student_of(key: str, how: str = "folder") -> str:
    parts = PurePosixPath(key).parts
    if how == "folder" and len(parts) > 1:
        return parts[0]
    return stem(parts[-1])


def folder_names(keys: list[str], student_from: str = "folder") -> dict[str, str]:
    """A report folder name for every key, unique, safe, and never a reserved name."""
    wanted: dict[str, tuple[str, bool]] = {}
    for key in keys:
        parts = PurePosixPath(key).parts
        base = stem(parts[-1])
        student = student_of(key, student_from)
        if len(parts) > 1 or student != base:
            base = f"{student}__{base}"
        wanted[key] = _safe(base)
    counts: dict[str, int] = {}
    for name, _ in wanted.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    names = {}
    for key, (name, shortened) in wanted.items():
        clash = counts[name.lower()] > 1 or name.lower() in RESERVED or shortened
        names[key] = f"{name}-{hashlib.sha256(key.encode()).hexdigest()[:8]}" if clash else name
    return names


def _safe(text: str) -> tuple[str, bool]:
    """A folder name from ``text`` (letters, digits, ``._-`` kept, the rest ``_``), and
    whether it had to be shortened or changed beyond recognition."""
    text = unicodedata.normalize("NFC", text)
    name = re.sub(r"[^\w.\-]", "_", text, flags=re.UNICODE).strip("._") or "submission"
    shortened = False
    while len(name.encode()) > _MAX_NAME_BYTES:
        name, shortened = name[:-1], True
    return name, shortened


def _unique_keys(entries: list[tuple[Path, list[str]]]) -> list[str]:
    """Keys from the parts; where two would be equal (the same name in two folders given
    on the command line), each takes folders from its path until they differ."""
    keys = [PurePosixPath(*parts).as_posix() for _, parts in entries]
    for _ in range(16):
        seen: dict[str, int] = {}
        for key in keys:
            seen[key] = seen.get(key, 0) + 1
        if all(n == 1 for n in seen.values()):
            break
        for i, (path, parts) in enumerate(entries):
            if seen[keys[i]] > 1:
                above = path.resolve().parents
                depth = len(parts)
                if depth < len(above):
                    parts.insert(0, above[depth - 1].name)
                    keys[i] = PurePosixPath(*parts).as_posix()
    return keys


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """Deterministic split by the submission's key, the same on every machine whatever
    else the folder holds."""
    if shard is None:
        return True
    i, n = shard
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % n == i - 1


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
        return True
    except (ValueError, OSError):
        return False
