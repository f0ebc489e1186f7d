"""Where an assignment's parts live: config, checks, reference solution, template.

Layout (repository root):
    checks/<name>/config.toml      the assignment's typed configuration
    checks/<name>/test_*.py        its checks, one module per question
    solutions/<name>.ipynb         the reference solution (the master notebook)
    assignments/<name>.ipynb       the student template, generated from the solution
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from autograder.config import AssignmentConfig, load_config
from autograder.errors import ConfigError, Rejected

REPO = Path(__file__).resolve().parent.parent
CHECKS = REPO / "checks"
SOLUTIONS = REPO / "solutions"
TEMPLATES = REPO / "assignments"

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Assignment:
    """One assignment: its configuration and the paths of its parts."""

    config: AssignmentConfig
    checks: Path
    solution: Path
    template: Path

    @property
    def name(self) -> str:
        return self.config.name


def names() -> list[str]:
    """Names of every assignment the grader knows, sorted."""
    return sorted(p.parent.name for p in CHECKS.glob("*/config.toml"))


@cache
def find(name: str) -> Assignment:
    """The assignment called ``name``; a :class:`Rejected` sentence when there is none."""
    if not isinstance(name, str) or not _NAME.match(name):
        shown = repr(name)[:80]
        raise Rejected(
            f"{shown} is not a valid assignment name (lowercase letters, digits and '_'); "
            f"known assignments: {', '.join(names())}."
        )
    folder = CHECKS / name
    if not (folder / "config.toml").is_file():
        raise Rejected(
            f"there is no assignment called '{name}'; known assignments: {', '.join(names())}."
        )
    config = load_config(folder / "config.toml")
    if config.name != name:
        raise ConfigError(
            f"{folder / 'config.toml'} names the assignment '{config.name}', not '{name}'."
        )
    return Assignment(
        config=config,
        checks=folder,
        solution=SOLUTIONS / f"{name}.ipynb",
        template=TEMPLATES / f"{name}.ipynb",
    )
