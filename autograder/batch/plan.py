"""What a batch grades and where: reports it can keep (resume), the GPUs its workers take,
and how long one grade may take."""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Sequence
from pathlib import Path

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
