"""The CI recipes in examples/ci use only options the command line has, and are valid scripts."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

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


def _job(text: str, name: str) -> str:
    """The lines of one job of a GitHub workflow (up to the next job)."""
    block = text.split(f"\n  {name}:\n", 1)[1]
    return re.split(r"\n  [a-z][\w-]*:\n", block, maxsplit=1)[0]


def test_github_merge_runs_when_a_shard_failed_and_installs_no_pytorch():
    text = (REPO / "examples" / "ci" / "grade-class.yml").read_text()
    merge = _job(text, "merge")
    assert re.search(r"^    if: \$\{\{ always\(\)", merge, flags=re.M)
    installs = re.findall(r"pip install (.*)", merge)
    assert installs and all("--no-deps" in i or "-e" not in i.split() for i in installs)
    assert not [i for i in installs if re.search(r"\btorch", i)]
    assert "--merge" in merge


BLOCK = """
import sys
for name in {blocked!r}:
    sys.modules[name] = None  # not installed where the merge job runs
from autograder.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_merging_needs_only_what_the_merge_job_installs(tmp_path):
    """The merge job installs the grader without dependencies, plus NumPy and psutil: a
    merge (with a roster, writing the job summary) must work with nothing else."""
    from autograder.reports import write_all
    from autograder.results import CheckResult, QuestionResult, Report

    for shard, (name, score) in enumerate([("alice", 2.0), ("bob", 0.0)], start=1):
        report = Report(submission=f"{name}.ipynb", status="graded", assignment="cnn_basics")
        report.student, report.max_score = name, 2.0
        check = CheckResult("c", "softmax", "passed" if score else "failed", score, 2.0)
        report.questions = [QuestionResult("softmax", [check])]
        write_all(report, tmp_path / f"shard-{shard}" / name)
    (tmp_path / "roster.csv").write_text("key,id,name\nalice,1,Alice\nbob,2,Bob\n")
    blocked = ["torch", "torchvision", "nbformat", "nbclient", "jupyter_client", "ipykernel"]
    blocked += ["traitlets", "pytest", "matplotlib", "scipy", "PIL", "tqdm", "jsonschema"]
    step_summary = tmp_path / "step-summary.md"
    done = subprocess.run(
        [sys.executable, "-c", BLOCK.format(blocked=blocked), "--merge"]
        + [str(tmp_path / "shard-1"), str(tmp_path / "shard-2"), "--out", str(tmp_path / "book")]
        + ["--roster", str(tmp_path / "roster.csv")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(step_summary)},
    )
    assert done.returncode == 0, done.stderr
    assert {"summary.csv", "canvas.csv", "junit.xml", "index.html"} <= {
        p.name for p in (tmp_path / "book").iterdir()
    }
    assert "| alice | graded | 2 | 2 |" in step_summary.read_text()


SLURM = REPO / "examples" / "ci" / "grade-class.slurm"


def _stubs(folder: Path, python_status: int = 0) -> dict[str, str]:
    """``sbatch`` and ``python`` that record their arguments (no Slurm, no grading here:
    what is under test is the script's own arithmetic and commands)."""
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    for name, body in [
        ("sbatch", 'echo "$*" >> "$RECORD.sbatch"; echo 4242'),
        ("python", f'echo "$*" >> "$RECORD.python"; exit {python_status}'),
    ]:
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}", "RECORD": str(folder / "record")}


def _slurm(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLURM_")}
    return subprocess.run(
        ["bash", str(SLURM), "subs", "cnn_basics", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env={**clean, **env},
    )


@pytest.mark.parametrize("first, last, step", [(0, 7, 1), (1, 8, 1), (5, 12, 1), (0, 14, 2)])
def test_slurm_tasks_cover_every_shard_once_whatever_the_numbering(tmp_path, first, last, step):
    env = _stubs(tmp_path)
    ids = list(range(first, last + 1, step))
    for task in ids:
        slurm = {
            "SLURM_ARRAY_TASK_ID": str(task),
            "SLURM_ARRAY_TASK_MIN": str(first),
            "SLURM_ARRAY_TASK_MAX": str(last),
            "SLURM_ARRAY_TASK_STEP": str(step),
            "SLURM_ARRAY_TASK_COUNT": str(len(ids)),
        }
        done = _slurm(tmp_path, {**env, **slurm})
        assert done.returncode == 0, done.stderr
    calls = (tmp_path / "record.python").read_text().splitlines()
    shards = sorted(re.search(r"--shard (\S+)", c).group(1) for c in calls)
    assert shards == sorted(f"{i}/{len(ids)}" for i in range(1, len(ids) + 1))
    assert all("--sandbox bwrap" in c and "--device cuda" in c for c in calls)
    outs = {re.search(r"--out (\S+)", c).group(1) for c in calls}
    assert len(outs) == len(ids)


def test_slurm_submission_makes_the_log_folder_and_chains_the_merge(tmp_path):
    env = _stubs(tmp_path)
    done = _slurm(tmp_path, env, "4")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "logs").is_dir()
    array, merge = (tmp_path / "record.sbatch").read_text().splitlines()
    assert "--array=1-4" in array and str(SLURM) in array
    assert "--dependency=afterany:4242" in merge and "--merge reports/shard-*" in merge
    assert _slurm(tmp_path, env, "zero").returncode == 2


@pytest.mark.parametrize("status, expected", [(0, 0), (3, 0), (1, 1)])
def test_slurm_task_passes_on_only_real_failures(tmp_path, status, expected):
    env = _stubs(tmp_path, python_status=status)
    slurm = {"SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "2"}
    assert _slurm(tmp_path, {**env, **slurm}).returncode == expected
