"""Where assignments live, and how the grader finds them.

An assignment is one folder, named after the assignment, holding everything it is:

    <name>/config.toml      its typed configuration (``[assignment] name`` is the folder's name)
    <name>/solution.ipynb   the reference solution: the master notebook, solution regions marked
    <name>/<name>.ipynb     the student template, generated from it (``python -m autograder.assign``)
    <name>/checks/          its checks: ``test_<question>.py`` modules and their helpers

The grader looks for assignment folders, in this order, in the folders given
with ``--assignments DIR``, in those listed in the ``AUTOGRADER_ASSIGNMENTS``
environment variable (separated by ``:``), and in the course's own assignments
that ship with the grader (the repository's ``assignments/`` folder, installed
as the package ``autograder.course``). When two folders hold an assignment of
the same name, the first one found is used.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder.config import AssignmentConfig, load_config
from autograder.errors import ConfigError, InstallError, Rejected

ENVIRONMENT = "AUTOGRADER_ASSIGNMENTS"
"""Folders of assignments, separated by ``os.pathsep``, searched before the course's own."""

REPO = Path(__file__).resolve().parent.parent
"""The source checkout (meaningful only when the grader runs from one)."""

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Assignment:
    """One assignment: its configuration and its folder."""

    config: AssignmentConfig
    folder: Path

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def checks(self) -> Path:
        return self.folder / "checks"

    @property
    def solution(self) -> Path:
        return self.folder / "solution.ipynb"

    @property
    def template(self) -> Path:
        return self.folder / f"{self.name}.ipynb"


def course_root() -> Path | None:
    """The folder of the course's own assignments, shipped with this grader: ``course/``
    beside the installed package, or ``assignments/`` of the source checkout it runs from."""
    package = Path(__file__).resolve().parent
    for folder in (package / "course", package.parent / "assignments"):
        if (folder / "__init__.py").is_file():
            return folder
    return None


def add_roots_option(parser: argparse.ArgumentParser, help: str | None = None) -> None:
    """The ``--assignments DIR`` option (repeatable, into ``args.roots``) every command
    that finds assignments takes."""
    parser.add_argument(
        "--assignments",
        dest="roots",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help=help
        or "a folder of assignments, searched before the course's own (repeatable; "
        f"also ${ENVIRONMENT})",
    )


def roots(extra: Sequence[Path] = ()) -> list[Path]:
    """Every folder searched for assignments, in the order they are searched."""
    listed = [Path(p) for p in extra]
    listed += [Path(p) for p in os.environ.get(ENVIRONMENT, "").split(os.pathsep) if p]
    course = course_root()
    if course is not None:
        listed.append(course)
    return listed


def folders(extra: Sequence[Path] = ()) -> dict[str, Path]:
    """Every assignment the grader can find, by name (the first of a name wins)."""
    found: dict[str, Path] = {}
    for root in roots(extra):
        for config in sorted(root.glob("*/config.toml")):
            name = config.parent.name
            if _NAME.match(name):
                found.setdefault(name, config.parent)
    return found


def names(extra: Sequence[Path] = ()) -> list[str]:
    """Names of every assignment the grader knows, sorted."""
    return sorted(folders(extra))


def available(extra: Sequence[Path] = ()) -> dict[str, Path]:
    """:func:`folders`, or an :class:`InstallError` when there is none at all (a grader
    installed without its assignments: never the student's fault)."""
    known = folders(extra)
    if not known:
        searched = ", ".join(str(r) for r in roots(extra)) or "nowhere"
        raise InstallError(
            f"the grader finds no assignments (searched: {searched}); install it with its "
            f"assignments (pip install .) or name a folder of assignments with --assignments "
            f"DIR or {ENVIRONMENT}"
        )
    return known


def find(name: str, extra: Sequence[Path] = ()) -> Assignment:
    """The assignment called ``name``; a :class:`Rejected` sentence when the submission
    names an assignment that does not exist."""
    known = available(extra)
    if not isinstance(name, str) or not _NAME.match(name):
        raise Rejected(
            f"{repr(name)[:80]} is not a valid assignment name (lowercase letters, digits "
            f"and '_'); known assignments: {', '.join(sorted(known))}."
        )
    if name not in known:
        raise Rejected(
            f"there is no assignment called '{name}'; known assignments: "
            f"{', '.join(sorted(known))}."
        )
    return _load(known[name])


@cache
def _load(folder: Path) -> Assignment:
    config = load_config(folder / "config.toml")
    if config.name != folder.name:
        raise ConfigError(
            f"{folder / 'config.toml'} names the assignment '{config.name}', but its folder "
            f"is called '{folder.name}'."
        )
    return Assignment(config=config, folder=folder)
