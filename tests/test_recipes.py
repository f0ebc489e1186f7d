"""The CI recipes in examples/ci use only options the command line has, and are valid scripts."""

from __future__ import annotations

import re
import subprocess

import pytest

from autograder.cli import parser
from tests.notebooks import REPO

RECIPES = sorted((REPO / "examples" / "ci").iterdir())


def _options() -> set[str]:
    return {opt for action in parser()._actions for opt in action.option_strings}


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda p: p.name)
def test_recipe_uses_only_real_options(recipe):
    text = recipe.read_text()
    calls = re.findall(r"python grade\.py(.*?)(?:\|\||$)", text.replace("\\\n", " "), flags=re.M)
    assert calls, "the recipe never runs grade.py"
    used = {flag for call in calls for flag in re.findall(r"(--[a-z-]+)", call)}
    assert used and used <= _options(), used - _options()


def test_slurm_script_is_valid_bash():
    script = REPO / "examples" / "ci" / "grade-class.slurm"
    assert subprocess.run(["bash", "-n", str(script)]).returncode == 0
