"""The grader's own code: typed (mypy over autograder/ finds nothing), linted (ruff), and in
modules small enough to read (about 300 lines at most, STYLE.md)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.notebooks import REPO

LONGEST = 320
"""Lines a module of autograder/ may have (STYLE.md says about 300)."""


@pytest.mark.parametrize("tool", ["mypy", "ruff"])
def test_the_code_passes_its_checker(tool):
    argv = (
        [sys.executable, "-m", "mypy"]
        if tool == "mypy"
        else [sys.executable, "-m", "ruff", "check", "."]
    )
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]


def test_no_module_is_too_long_to_read():
    long = {
        str(p.relative_to(REPO)): n
        for p in (REPO / "autograder").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert long == {}
