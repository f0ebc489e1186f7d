"""The GPU check script runs end to end before a GPU is lent: its dry run on the CPU."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.kernels import kinds_available
from tests.notebooks import REPO

pytestmark = pytest.mark.slow


def test_the_gpu_check_runs_end_to_end_on_the_cpu(tmp_path):
    env = {**os.environ, "OUT": str(tmp_path), "PYTHON": sys.executable}
    done = subprocess.run(
        ["sh", str(REPO / "benchmarks" / "gpu_check.sh"), "--device", "cpu", "--tiny"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    text = (tmp_path / "gpu_check.md").read_text(encoding="utf-8")
    for kind in kinds_available():
        assert f"- {kind}: works (CPU;" in text
    rows = [line for line in text.splitlines() if line.startswith("| grader, ")]
    assert [r.split("|")[1].strip() for r in rows] == [
        "grader, fp32",
        "grader, bf16",
        "grader, bf16+channels-last",
    ]
    assert "| course DataLoader loop, fp32 |" in text
    assert "- status graded, score 65/100" in text  # the tiny set is too small for the bar
    assert "failed:" not in text
