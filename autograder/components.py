"""Components: the parts of an assignment that need more than calls into the kernel.

A component shapes the sandbox before it starts (memory, device, data files the
kernel may read), acts before the notebook runs (e.g. checks that the GPU works
in the sandbox), gives the assignment's checks a fixture, and adds a section to
the report. An assignment asks for one with a table of its name in its
``config.toml``; the accuracy check's trainer (``[training]``,
:mod:`autograder.training`) is the one the course has. Grading itself knows none
of them: it asks each for what it needs, at each step of its recipe.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from autograder.assignments import Assignment
    from autograder.options import Options
    from autograder.results import Report, Section

REGISTRY: dict[str, str] = {"training": "autograder.training.component:TrainingComponent"}
"""Component kinds by their config table's name (and report key): ``module:class``."""


@dataclass(frozen=True)
class SandboxNeeds:
    """What a component asks of the sandbox."""

    memory_mb: int | None = None
    """The kernel's memory limit (None: the assignment's)."""
    device: str = "cpu"
    data_files: dict[str, Path] = field(default_factory=dict)
    """Files the kernel may read, by their path relative to its data folder."""


class Component(Protocol):
    """What grading asks of a component, step by step."""

    fixture: str
    """The name the assignment's checks use for it (a pytest fixture)."""

    def needs(self) -> SandboxNeeds: ...

    def before_notebook(self, student: Any, kernel: Any) -> None:
        """After the call helper is installed and before any student code runs."""

    def report(self, report: Report) -> None:
        """Add the component's section (and flags) to the report."""


def kind(name: str) -> Any:
    """The component class of a config table, imported when first used."""
    module, _, cls = REGISTRY[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def parse_config(name: str, raw: dict[str, Any], where: str) -> Any:
    """A component's typed configuration from its ``config.toml`` table."""
    return kind(name).parse_config(raw, where)


def create(assignment: Assignment, options: Options) -> list[Component]:
    """The components an assignment's config asks for, set up for this grade."""
    return [
        kind(name)(assignment, settings, options)
        for name, settings in assignment.config.components.items()
    ]


def sandbox_needs(components: list[Component]) -> SandboxNeeds:
    """What the components together ask of the sandbox (the largest memory, a GPU if any
    needs one, every data file)."""
    memory = [n.memory_mb for n in (c.needs() for c in components) if n.memory_mb]
    device = "cuda" if any(c.needs().device == "cuda" for c in components) else "cpu"
    files: dict[str, Path] = {}
    for component in components:
        files.update(component.needs().data_files)
    return SandboxNeeds(max(memory) if memory else None, device, files)


def section_from_json(name: str, data: dict[str, Any]) -> Section:
    """A report section read back from report.json."""
    return kind(name).section_type.from_json(data)
