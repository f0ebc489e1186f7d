"""Typed configuration of an assignment, read from ``assignments/<name>/config.toml``.

One frozen dataclass per concern; every field has a documented default so a
course only writes what it changes.
"""

from __future__ import annotations

import sys
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Union

from autograder.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


def between(low: float, high: float) -> dict[str, float]:
    """A field's allowed range, checked when a config file is read."""
    return {"min": low, "max": high}


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, sizes in MiB/KiB as named."""

    cell_timeout_s: float = field(default=60.0, metadata=between(0.1, 86400))
    """Longest a notebook cell may run before it is interrupted."""
    call_timeout_s: float = field(default=10.0, metadata=between(0.1, 86400))
    """Longest one call of a student's function may run (a check can ask for more)."""
    total_timeout_s: float = field(default=900.0, metadata=between(1, 7 * 86400))
    """Longest the whole grade (execution, checks, training) may take."""
    memory_mb: int = field(default=4096, metadata=between(256, 2**22))
    """Memory of the kernel and everything it starts (address space on CPU, resident on CUDA)."""
    max_processes: int = field(default=64, metadata=between(8, 100_000))
    """Processes and threads the sandbox may hold at once."""
    max_file_mb: int = field(default=256, metadata=between(1, 2**20))
    """Largest file the submission may write."""
    max_disk_mb: int = field(default=1024, metadata=between(1, 2**22))
    """What the submission may keep written at once in its home folder and in the folders it
    shares with the grader (under bubblewrap its home is a memory file system of this size;
    ``/tmp`` and ``/dev/shm`` hold up to ``max_file_mb`` each)."""
    max_output_kb: int = field(default=64, metadata=between(1, 2**20))
    """Captured output kept per cell or call in the report; the rest is cut with a note."""
    max_result_mb: int = field(default=256, metadata=between(1, 2**20))
    """Largest result a call may send back."""
    max_kernel_restarts: int = field(default=8, metadata=between(0, 1000))
    """Kernel deaths tolerated before the remaining checks are given up."""
    max_timeouts_per_function: int = field(default=2, metadata=between(1, 1000))
    """After this many timeouts or kernel deaths in one function, it is not called again."""
    kernel_start_timeout_s: float = field(default=120.0, metadata=between(1, 3600))
    """Longest a kernel may take to start and answer (a loaded machine starts kernels slowly)."""

    def as_report(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class EnvironmentConfig:
    """What the assignment's notebooks import besides the course environment
    (numpy, torch, torchvision, matplotlib, tqdm, PIL, scipy)."""

    modules: tuple[str, ...] = ()
    """Importable names (e.g. ``"sklearn"``) that must be installed where the grader runs."""


@dataclass(frozen=True)
class AssignmentConfig:
    """Everything the grader needs to know about one assignment."""

    name: str
    title: str
    version: str
    max_score: float = field(metadata=between(0.001, 1_000_000))
    questions: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)
    environment: EnvironmentConfig = field(default_factory=EnvironmentConfig)
    components: dict[str, Any] = field(default_factory=dict)
    """The components the assignment asks for, by their table's name (e.g. ``training``),
    each with its own typed configuration (see :mod:`autograder.components`)."""
    dependent_questions: str = "as_submitted"
    """How a question is scored when a graded function it calls fails its own checks:
    ``"as_submitted"`` (the student's own callee; the feedback names it), or
    ``"reference_callees"`` (graded again with the reference's answers for the failing
    callees, fed to the kernel as data; see :mod:`autograder.dependents`)."""


DEPENDENT_QUESTIONS = ("as_submitted", "reference_callees")


def build(cls: type, raw: dict[str, Any], where: str) -> Any:
    """``cls(**raw)`` once every value in ``raw`` has its field's type and range."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a table of settings.")
    known = {f.name: f for f in fields(cls)}
    unknown = set(raw) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}.")
    hints = typing.get_type_hints(cls)
    values = {}
    for name, value in raw.items():
        f = known[name]
        values[name] = _checked(hints[name], value, f"{where} {name}")
        low, high = f.metadata.get("min"), f.metadata.get("max")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if low is not None and value < low or high is not None and value > high:
                raise ConfigError(
                    f"{where} {name} must be between {low:g} and {high:g}, not {value!r}."
                )
    try:
        return cls(**values)
    except TypeError as e:
        raise ConfigError(f"{where}: {e}.") from None


_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text in quotes"}


def _checked(hint: Any, value: Any, where: str) -> Any:
    """``value`` if it has the type ``hint`` names (ints are taken for floats); else a
    :class:`ConfigError` naming the setting."""
    options = typing.get_args(hint) if typing.get_origin(hint) in (types.UnionType, Union) else ()
    if options:
        if value is None and type(None) in options:
            return None
        hint = next(o for o in options if o is not type(None))
    if typing.get_origin(hint) is tuple:
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise ConfigError(f"{where} must be a list of texts in quotes, not {_shown(value)}.")
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in _WORDS and (type(value) is not hint):
        raise ConfigError(f"{where} must be {_WORDS[hint]}, not {_shown(value)}.")
    return value


def _shown(value: Any) -> str:
    kind = {str: "the text", bool: "the truth value", list: "the list", dict: "the table"}
    return f"{kind.get(type(value), 'the value')} {value!r}"[:120]


def with_overrides(limits: Limits, overrides: dict[str, Any]) -> Limits:
    """``limits`` with some values replaced (``Options.limits``), checked like a config file."""
    raw = {f.name: getattr(limits, f.name) for f in fields(Limits)}
    return check_limits(build(Limits, {**raw, **overrides}, "the limit overrides"), "the limits")


def check_limits(limits: Limits, where: str) -> Limits:
    """Limits whose times agree with each other (each value was checked on its own)."""
    for name in ("cell_timeout_s", "call_timeout_s", "kernel_start_timeout_s"):
        if getattr(limits, name) > limits.total_timeout_s:
            raise ConfigError(
                f"{where} {name} ({getattr(limits, name):g} s) is longer than "
                f"total_timeout_s ({limits.total_timeout_s:g} s)."
            )
    return limits


def load_config(path: Path) -> AssignmentConfig:
    """Read and check one assignment's ``config.toml``."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}.") from None
    head = raw.get("assignment", {})
    if not isinstance(head, dict):
        raise ConfigError(f"{path} [assignment] must be a table of settings.")
    limits = check_limits(build(Limits, raw.get("limits", {}), f"{path} [limits]"), str(path))
    from autograder import components

    parts = {}
    for table, value in raw.items():
        if table in ("assignment", "limits", "environment"):
            continue
        if table not in components.REGISTRY:
            raise ConfigError(
                f"{path}: unknown table [{table}] (known: assignment, limits, environment, "
                f"{', '.join(sorted(components.REGISTRY))})."
            )
        parts[table] = components.parse_config(table, value, str(path))
    environment = build(EnvironmentConfig, raw.get("environment", {}), f"{path} [environment]")
    config = build(
        AssignmentConfig,
        {**head, "limits": limits, "environment": environment, "components": parts},
        f"{path} [assignment]",
    )
    if not config.questions:
        raise ConfigError(f"{path}: [assignment] lists no questions.")
    if config.dependent_questions not in DEPENDENT_QUESTIONS:
        raise ConfigError(
            f"{path} [assignment] dependent_questions must be one of "
            f"{', '.join(map(repr, DEPENDENT_QUESTIONS))}, not {config.dependent_questions!r}."
        )
    return config
