"""Notebook intake: read, upgrade, validate, and find the assignment.

Every way a file can fail to be a gradable notebook ends here in a
:class:`~autograder.errors.Rejected` with one sentence a student can act on.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.validator import ValidationError

from autograder.errors import Rejected

MAX_NOTEBOOK_MB = 50
"""Larger files are refused before parsing (clear the outputs to get under it)."""
MAX_CELLS = 2000
"""Notebooks with more cells are refused: no course notebook comes close."""

_PYTHON_HINT = re.compile(rb"^\s*(import |from \S+ import |def |class |#!|# ?-\*-|print\()", re.M)


@dataclass(frozen=True)
class Submission:
    """A notebook that passed intake: parsed, upgraded to nbformat 4, valid."""

    path: Path
    sha256: str
    notebook: NotebookNode
    assignment: str
    notebook_version: str | None
    """The assignment version written in the notebook's metadata, if any."""
    notes: tuple[str, ...] = ()
    """Things intake changed or noticed (upgraded from nbformat 3, byte-order mark, ...)."""


def sha256_of(path: Path) -> str:
    """Hex SHA-256 of a file's bytes (used in reports and to resume batches)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or a Rejected sentence saying why they cannot be read."""
    name = path.name or str(path)
    if not os.path.lexists(path):
        raise Rejected(f"{name} does not exist.")
    if os.path.islink(path):
        raise Rejected(
            f"{name} is a symbolic link, not a notebook file; submit the notebook itself."
        )
    if path.is_dir():
        raise Rejected(f"{name} is a folder, not a notebook file.")
    if not path.is_file():
        raise Rejected(f"{name} is not a regular file.")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise Rejected(f"{name} cannot be read ({e.strerror}).") from None
    if size == 0:
        raise Rejected(f"{name} is empty (0 bytes); upload the saved notebook again.")
    if size > MAX_NOTEBOOK_MB * 2**20:
        raise Rejected(
            f"{name} is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_MB} MB limit; clear its "
            "outputs (Kernel > Restart & Clear Output), save, and submit again."
        )
    try:
        return path.read_bytes()
    except OSError as e:
        raise Rejected(f"{name} cannot be read ({e.strerror}).") from None


def parse(name: str, data: bytes) -> tuple[NotebookNode, list[str]]:
    """Bytes to a valid nbformat-4 notebook, or a Rejected sentence."""
    notes: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        notes.append("the file starts with a UTF-8 byte-order mark, which was ignored")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Rejected(
            f"{name} is not a notebook: it is not UTF-8 text (a binary or damaged file?)."
        ) from None
    try:
        raw = json.loads(text, parse_constant=_no_constant)
    except _NotANumber as e:
        raise Rejected(
            f"{name} is not a valid notebook: it holds {e.args[0]}, which JSON does not allow."
        ) from None
    except RecursionError:
        raise Rejected(f"{name} is not a valid notebook: its JSON is nested too deeply.") from None
    except ValueError as e:
        if not isinstance(e, json.JSONDecodeError):  # e.g. an integer of 5,000 digits
            raise Rejected(
                f"{name} is not a valid notebook: it holds a number too large to read."
            ) from None
        if _PYTHON_HINT.search(data[:4096]) and not text.lstrip().startswith("{"):
            raise Rejected(
                f"{name} is a Python script, not a notebook; in Jupyter use "
                "File > Download > Notebook (.ipynb) and submit that file."
            ) from None
        at_end = e.pos >= len(text.rstrip()) - 1 or e.msg.startswith("Unterminated string")
        if text.lstrip().startswith("{") and at_end:
            raise Rejected(
                f"{name} is cut off: its JSON ends early (line {e.lineno}); the upload or "
                "save was incomplete, save the notebook again and resubmit."
            ) from None
        raise Rejected(
            f"{name} is not a notebook: it is not valid JSON ({e.msg} at line {e.lineno}, "
            f"column {e.colno})."
        ) from None
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        raise Rejected(f"{name} is JSON but not a Jupyter notebook (it has no cells).")
    if "cells" in raw and not isinstance(raw["cells"], list):
        raise Rejected(f"{name} is not a valid notebook: its cells are not a list.")
    major = raw.get("nbformat")
    if not isinstance(major, int) or isinstance(major, bool):
        raise Rejected(f"{name} is not a Jupyter notebook (no nbformat version number).")
    minor = raw.get("nbformat_minor", 0)
    if isinstance(minor, bool) or not isinstance(minor, int) or not 0 <= minor < 1000:
        raise Rejected(
            f"{name} is not a valid notebook: its nbformat_minor is {str(minor)[:20]!r}, not a "
            "small whole number (save it again from Jupyter)."
        )
    if major > 4:
        raise Rejected(
            f"{name} uses nbformat {major}, newer than this grader reads (4); save it from "
            "a current Jupyter as a version 4 notebook."
        )
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception as e:  # nbformat raises many types for damaged files
        raise Rejected(f"{name} is not a readable notebook ({_short(e)}).") from None
    if major < 4:
        notes.append(f"upgraded from nbformat {major} to 4")
    try:
        nbformat.validate(nb)
    except ValidationError as e:
        if not _drop_early_cell_ids(nb):
            raise Rejected(f"{name} is not a valid notebook: {_describe_invalid(nb, e)}.") from None
        try:
            nbformat.validate(nb)
        except ValidationError as e:
            raise Rejected(f"{name} is not a valid notebook: {_describe_invalid(nb, e)}.") from None
        notes.append(
            f"its cells carry ids, which nbformat 4.{nb.nbformat_minor} notebooks do not have "
            "(VS Code writes them); they were ignored"
        )
    if not isinstance(nb.get("cells"), list):
        raise Rejected(f"{name} is not a valid notebook: it has no list of cells.")
    if len(nb.cells) > MAX_CELLS:
        raise Rejected(
            f"{name} has {len(nb.cells):,} cells, over the limit of {MAX_CELLS:,}; "
            "submit the assignment's notebook, not a generated one."
        )
    language, note = _language(nb)
    if note:
        notes.append(note)
    if language and language != "python":
        raise Rejected(
            f"{name} is written for {_LANGUAGE_NAMES.get(language, language[:40])}, not Python; "
            "this assignment is graded in a Python kernel (Kernel > Change kernel > Python 3, "
            "then save and resubmit)."
        )
    return nb, notes


def load(path: Path, *, assignment: str | None = None) -> Submission:
    """Read a submission; ``assignment`` overrides what the notebook's metadata says."""
    path = Path(path)
    data = read_bytes(path)
    nb, notes = parse(path.name, data)
    meta = nb.metadata.get("autograder") or {}
    if not isinstance(meta, dict):
        meta = {}
    named = meta.get("assignment")
    if assignment is None:
        if not named:
            raise Rejected(
                f"{path.name} does not say which assignment it is (its metadata has no "
                "'autograder' entry); start from the assignment's template, or grade it "
                "with --assignment NAME."
            )
        assignment = named
    elif named and named != assignment:
        notes.append(f"graded as '{assignment}' although its metadata says '{named}'")
    version = meta.get("version")
    return Submission(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        notebook=nb,
        assignment=assignment if isinstance(assignment, str) else repr(assignment),
        notebook_version=str(version) if version is not None else None,
        notes=tuple(notes),
    )


_OTHER_KERNELS = re.compile(
    r"^(ir|julia|bash|zsh|xcpp|javascript|typescript|tslab|deno|evcxr|rust|scala|java|kotlin|"
    r"sas|octave|matlab|sql|ruby|gophernotes|go|csharp|fsharp|haskell|ocaml|wolfram)\b"
)
"""Kernels of other languages, known by their kernelspec name when it names no language."""

_LANGUAGE_NAMES = {"r": "R", "ir": "R", "julia": "Julia", "javascript": "JavaScript", "c++": "C++"}


class _NotANumber(ValueError):
    pass


def _no_constant(token: str) -> None:
    raise _NotANumber(token)


def _language(nb: NotebookNode) -> tuple[str | None, str | None]:
    """The notebook's language, as Jupyter decides it, and a note when it was guessed.

    ``language_info.name`` (written by the kernel that last ran it) comes first, then the
    kernelspec's ``language``; a kernelspec that names no language (e.g. a conda
    environment's ``conda-env-dl-py``) is Python unless its name is a known kernel of
    another language.
    """
    spec = nb.metadata.get("kernelspec") or {}
    info = nb.metadata.get("language_info") or {}
    if not isinstance(spec, dict) or not isinstance(info, dict):
        return None, None
    for declared in (info.get("name"), spec.get("language")):
        if isinstance(declared, str) and declared.strip():
            return declared.strip().lower(), None
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip():
        return None, None
    lowered = name.strip().lower()
    if "python" in lowered:
        return "python", None
    other = _OTHER_KERNELS.match(lowered)
    if other:
        return other.group(1), None
    return "python", (
        f"its kernel {name.strip()[:60]!r} does not say which language it runs; it was graded "
        "as Python"
    )


def _drop_early_cell_ids(nb: NotebookNode) -> bool:
    """Remove cell ids from an nbformat 4.0-4.4 notebook (ids came with 4.5; VS Code and
    other editors write them anyway). True when there were any."""
    if nb.get("nbformat") != 4 or nb.get("nbformat_minor", 5) >= 5:
        return False
    found = False
    for cell in nb.get("cells", []):
        if isinstance(cell, dict) and "id" in cell:
            del cell["id"]
            found = True
    return found


def _describe_invalid(nb: NotebookNode, error: ValidationError) -> str:
    path = list(getattr(error, "absolute_path", []) or [])
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        index = path[1]
        try:
            kind = nb.cells[index].get("cell_type")
        except (IndexError, AttributeError):
            kind = None
        if kind not in ("code", "markdown", "raw"):
            return f"cell {index + 1} has the unknown type {kind!r}"
        return f"cell {index + 1} ({kind}) is malformed: {_short(error.message)}"
    return _short(getattr(error, "message", str(error)))


def _short(error: object, limit: int = 160) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
