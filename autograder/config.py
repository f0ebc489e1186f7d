"""Typed configuration of an assignment, read from ``checks/<name>/config.toml``.

One frozen dataclass per concern; every field has a documented default so a
course only writes what it changes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from autograder.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Times in seconds, sizes in MiB/KiB as named."""

    cell_timeout_s: float = 60.0
    """Longest a notebook cell may run before it is interrupted."""
    call_timeout_s: float = 10.0
    """Longest one call of a student's function may run (a check can ask for more)."""
    total_timeout_s: float = 900.0
    """Longest the whole grade (execution, checks, training) may take."""
    memory_mb: int = 4096
    """Memory of the kernel and everything it starts (address space on CPU, resident on CUDA)."""
    max_processes: int = 64
    """Processes and threads the sandbox may hold at once."""
    max_file_mb: int = 256
    """Largest file the submission may write."""
    max_output_kb: int = 64
    """Captured output kept per cell or call in the report; the rest is cut with a note."""
    max_result_mb: int = 256
    """Largest result a call may send back."""
    max_kernel_restarts: int = 8
    """Kernel deaths tolerated before the remaining checks are given up."""
    max_timeouts_per_function: int = 2
    """After this many timeouts or kernel deaths in one function, it is not called again."""

    def as_report(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class TrainingSettings:
    """One way to run the accuracy check (on a GPU, or the smaller CPU variant)."""

    threshold: float = 80.0
    """Minimum test accuracy in percent."""
    epoch_cap: int = 20
    """The grader trains min(EPOCHS, epoch_cap) epochs."""
    time_budget_s: float = 900.0
    """Training stops (and the check fails) when this is spent."""
    batch_size_min: int = 32
    batch_size_max: int = 512
    n_train: int | None = None
    """Use only the first n training images (None: all of them)."""
    n_test: int | None = None
    """Use only the first n test images (None: all of them)."""
    mixed_precision: bool = True
    channels_last: bool = True
    threads: int | None = None
    """torch.set_num_threads in the kernel (CPU runs)."""


@dataclass(frozen=True)
class TrainingConfig:
    """The CIFAR-10 accuracy check: GPU settings, CPU settings and what is flagged."""

    cuda: TrainingSettings = field(default_factory=TrainingSettings)
    cpu: TrainingSettings = field(default_factory=TrainingSettings)
    flip_gap_flag: float = 15.0
    """Flag for staff when accuracy on mirrored test images trails by more points than this."""
    points: float = 0.0
    """Points of the accuracy check (part of the assignment's max_score)."""
    cuda_memory_mb: int = 16384
    """Host memory limit of the kernel when it trains on a GPU."""


@dataclass(frozen=True)
class AssignmentConfig:
    """Everything the grader needs to know about one assignment."""

    name: str
    title: str
    version: str
    max_score: float
    questions: tuple[str, ...]
    limits: Limits = field(default_factory=Limits)
    training: TrainingConfig | None = None
    uses_data: bool = False
    """Whether the kernel sees the (training) data set read-only."""


def _build(cls: type, raw: dict[str, Any], where: str) -> Any:
    known = {f.name for f in fields(cls)}
    unknown = set(raw) - known
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}.")
    try:
        return cls(**raw)
    except TypeError as e:
        raise ConfigError(f"{where}: {e}.") from None


def load_config(path: Path) -> AssignmentConfig:
    """Read and check one assignment's ``config.toml``."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read {path}: {e}.") from None
    head = dict(raw.get("assignment", {}))
    if "questions" in head:
        head["questions"] = tuple(head["questions"])
    limits = _build(Limits, raw.get("limits", {}), f"{path} [limits]")
    training = None
    if "training" in raw:
        t = dict(raw["training"])
        cuda = _build(TrainingSettings, t.pop("cuda", {}), f"{path} [training.cuda]")
        cpu = _build(TrainingSettings, t.pop("cpu", {}), f"{path} [training.cpu]")
        training = _build(TrainingConfig, {**t, "cuda": cuda, "cpu": cpu}, f"{path} [training]")
    config = _build(
        AssignmentConfig,
        {**head, "limits": limits, "training": training},
        f"{path} [assignment]",
    )
    if not config.questions:
        raise ConfigError(f"{path}: [assignment] lists no questions.")
    return config
