"""What a batch grades and where: reports it can keep (resume), the GPUs its workers take,
how long one grade may take, and in what order and with how many threads the workers go."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder import assignments


def finished_report(folder: Path, path: Path) -> dict | None:
    """The existing report of this exact file and this grader version, if any."""
    from autograder import __version__
    from autograder.intake import sha256_of

    try:
        data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        if data.get("grader", {}).get("version") != __version__:
            return None
        if data.get("status") == "error" or data.get("sha256") != sha256_of(path):
            return None
        return data
    except (OSError, ValueError):
        return None


def gpus(device: str) -> list[str]:
    """The GPUs for the workers, as the grader's CUDA_VISIBLE_DEVICES names them (indexes or
    UUIDs, kept as written), else the machine's GPUs by index; no PyTorch imported here."""
    if device == "cpu":
        return []
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        entries = []
        for entry in (d.strip() for d in visible.split(",")):
            if not entry or entry.startswith("-"):
                break  # CUDA ignores everything from an invalid entry on
            entries.append(entry)
        return entries
    nodes = [d for d in glob.glob("/dev/nvidia*") if d[len("/dev/nvidia") :].isdigit()]
    return [str(i) for i in range(len(nodes))]


def longest_total(roots: Sequence[Path]) -> float:
    """The longest total time limit of any assignment (a worker's wall-clock bound)."""
    longest = 0.0
    for name in assignments.names(roots):
        longest = max(longest, assignments.find(name, roots).config.limits.total_timeout_s)
    return longest


def threads_per_worker(workers: int) -> int:
    """Each worker's share of the cores: the BLAS/torch threads its kernels get."""
    return max(1, (os.cpu_count() or 1) // max(1, workers))


def longest_first(jobs: Sequence[Any]) -> list[Any]:
    """The jobs, those expected to take longest first (so that no long one starts last
    while the other workers idle): by the time the submission's last grade took, when a
    report of it exists, else by the notebook's size; ties keep their order."""
    return sorted(jobs, key=lambda job: -_expected(job))


def _expected(job: Any) -> float:
    try:
        with open(job.folder / "report.json", "rb") as f:
            taken = json.loads(f.read(5_000_001)).get("timing", {}).get("total_s")
        if isinstance(taken, (int, float)) and 0 <= taken < 86_400:
            return 1e9 + float(taken)  # a measured time says more than any size
    except (OSError, ValueError, AttributeError):
        pass
    try:
        return float(os.stat(job.path).st_size) / 1e6
    except OSError:
        return 0.0
