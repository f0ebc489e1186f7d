"""A class roster: who the students are, read from a CSV file, and which submission is whose.

Two shapes are read:

- a plain roster with a header naming ``key`` (how a student's folder or file is named, e.g.
  their login), ``id`` (the student's id) and ``name``; ``email`` and ``section`` are kept
  when present, and ``login``, ``username``, ``student_id``, ``full name`` are taken for
  ``key``, ``id`` and ``name``;
- Canvas's own gradebook export (columns ``Student``, ``ID``, ``SIS User ID``, ``SIS Login
  ID``, ``Section``), so an export can be fed back as the roster of an import.

A submission belongs to the roster entry whose key, id, SIS login or e-mail address (or the
part of it before ``@``) equals its student (see :mod:`autograder.submissions`), ignoring
case. Bad input gets a sentence (:class:`RosterError`), never a traceback.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from autograder.errors import GraderError

MAX_BYTES = 20_000_000


class RosterError(GraderError):
    """The roster file cannot be used; the message says why."""


@dataclass(frozen=True)
class Student:
    key: str
    id: str
    name: str
    section: str = ""
    canvas: dict[str, str] = field(default_factory=dict)
    """Canvas's own columns (Student, ID, SIS User ID, SIS Login ID, Section), when known."""

    def handles(self) -> set[str]:
        """The texts a submission's student may be called by (lower case)."""
        names = {self.key, self.id, *self.canvas.get("SIS Login ID", "").split()}
        for value in (self.key, self.canvas.get("SIS Login ID", "")):
            if "@" in value:
                names.add(value.split("@", 1)[0])
        return {n.strip().lower() for n in names if n and n.strip()}


_KEY = ("key", "login", "username", "sis login id", "email", "e-mail")
_ID = ("id", "student_id", "student id", "sis user id")
_NAME = ("name", "full name", "student")
CANVAS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def read(path: Path) -> list[Student]:
    """The students of a roster file."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise RosterError(f"the roster {path} is larger than {MAX_BYTES // 10**6} MB")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise RosterError(f"the roster {path} is not UTF-8 text (save it as CSV UTF-8)") from None
    except OSError as e:
        raise RosterError(f"cannot read the roster {path}: {e.strerror or e}") from None
    try:
        rows = list(csv.reader(text.splitlines()))
    except csv.Error as e:
        raise RosterError(f"the roster {path} is not valid CSV ({e})") from None
    if not rows:
        raise RosterError(f"the roster {path} is empty")
    header = [h.strip() for h in rows[0]]
    lower = [h.lower() for h in header]

    def column(names: tuple[str, ...]) -> int | None:
        return next((lower.index(n) for n in names if n in lower), None)

    key, sid, name = column(_KEY), column(_ID), column(_NAME)
    if key is None and sid is None:
        raise RosterError(
            f"the roster {path} has no column that says who a student is: name one 'key' (how "
            "their file or folder is named), 'id', 'login' or 'email', or use Canvas's export"
        )
    canvas = [header.index(c) for c in CANVAS if c in header]
    section = column(("section",))
    students = []
    for number, row in enumerate(rows[1:], start=2):
        cells = [c.strip() for c in row] + [""] * (len(header) - len(row))
        if not any(cells) or cells[0].lower() == "points possible":
            continue  # a blank line, or Canvas's row of points
        student = Student(
            key=_at(cells, key) or _at(cells, sid),
            id=_at(cells, sid),
            name=_at(cells, name),
            section=_at(cells, section),
            canvas={header[i]: cells[i] for i in canvas},
        )
        if not student.key:
            raise RosterError(f"the roster {path} line {number} names no student")
        students.append(student)
    if not students:
        raise RosterError(f"the roster {path} lists no students")
    return students


def _at(cells: list[str], index: int | None) -> str:
    return cells[index] if index is not None else ""


def match(students: list[Student], who: str) -> Student | None:
    """The roster entry of a submission's student; a :class:`RosterError` when two match."""
    wanted = who.strip().lower()
    found = [s for s in students if wanted in s.handles()]
    if len(found) > 1:
        names = ", ".join(f"{s.name or s.key} ({s.id})" for s in found[:5])
        raise RosterError(f"the submission of {who!r} matches several roster entries: {names}")
    return found[0] if found else None
