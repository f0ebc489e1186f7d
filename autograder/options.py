"""How to grade: the command line's options as one frozen value (cheap to import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Options:
    """How to grade (the command line's options, as keyword-only values)."""

    assignment: str | None = None
    assignments: tuple[Path, ...] = ()
    """Folders of assignments searched before the course's own (``--assignments DIR``)."""
    device: str = "auto"
    """"auto" (CUDA when present), "cpu" or "cuda"."""
    sandbox: str = "auto"
    data_dir: Path | None = None
    train: bool = True
    progress: bool = False
    """Show a progress bar of the training on stderr."""
    gpu: str | None = None
    """Which GPU this grade may use: an entry of the grader's CUDA_VISIBLE_DEVICES (an
    index, a GPU-… or MIG-… UUID), or an index when that is not set (batch workers get one
    each)."""
    threads: int | None = None
    """BLAS/torch threads of the kernel (default: all cores, or a share of them in a batch)."""
    limits: dict[str, float] = field(default_factory=dict)
    """Overrides of the assignment's limits by name (e.g. ``{"call_timeout_s": 2}``)."""
    kernel_argv: tuple[str, ...] | None = None
    """The kernel's command line, ``{connection_file}`` filled in by jupyter_client
    (default: ipykernel in the grader's Python). For tests and special set-ups."""
