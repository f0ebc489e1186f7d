"""The student's pre-submission check: the files beside each template are current, hold no
solution, and tell a student what the grader will: every visible question fails on the
template, all pass on the solution and on right answers written other ways, and notebooks
that the grader will see differently (no network, no files, time limits, changed
signatures, an old version) are called out. The script runs as students run it: a copy
beside the notebook, with only NumPy (the grader's package cannot be imported)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograder import assignments
from autograder.student_check import build, runner
from tests.notebooks import (
    ASSIGNMENTS,
    REPO,
    append_cells,
    replace_definition,
    solution,
    solution_path,
    solution_regions,
    template_path,
)

WITH_CHECKS = [n for n in assignments.names() if (ASSIGNMENTS / n / "checks").is_dir()]
NUMPY_ONLY = """
import sys
for name in ("autograder", "torch", "nbformat", "jupyter_client", "pytest"):
    sys.modules[name] = None  # a student's machine: none of these
path = sys.argv[1]
sys.argv = sys.argv[1:]
code = compile(open(path, encoding="utf-8").read(), path, "exec")
exec(code, {"__name__": "__main__", "__file__": path})
"""


def bundle_of(name: str) -> Path:
    return ASSIGNMENTS / name / f"{name}{runner.BUNDLE_SUFFIX}"


def student_run(
    folder: Path, notebook: Path, *extra: str
) -> tuple[dict, subprocess.CompletedProcess]:
    """Run check_notebook.py from ``folder`` (the student's) on ``notebook``; its outcome."""
    out = folder / "outcome.json"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            NUMPY_ONLY,
            str(folder / build.SCRIPT),
            str(notebook),
            "--json",
            str(out),
            *extra,
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return json.loads(out.read_text()), done


def student_folder(
    tmp_path: Path, name: str, nb: nbformat.NotebookNode | Path
) -> tuple[Path, Path]:
    """What a student has: the notebook, check_notebook.py and the check file."""
    folder = tmp_path / "student"
    folder.mkdir()
    shutil.copy(ASSIGNMENTS / name / build.SCRIPT, folder)
    shutil.copy(bundle_of(name), folder)
    path = folder / f"{name}.ipynb"
    if isinstance(nb, Path):
        shutil.copy(nb, path)
    else:
        nbformat.write(nb, path)
    return folder, path


@pytest.mark.parametrize("name", WITH_CHECKS)
def test_the_committed_check_files_are_what_assign_makes(name):
    outputs = build.outputs(assignments.find(name))
    for path, (text, data) in outputs.items():
        current = path.read_text(encoding="utf-8")
        if data is None:
            assert current == text, f"{path} is out of date: run python -m autograder.assign"
        else:
            assert build.same(json.loads(current), data), (
                f"{path} is out of date: run python -m autograder.assign"
            )


@pytest.mark.parametrize("name", WITH_CHECKS)
def test_the_student_files_hold_no_solution(name):
    inside, outside = solution_regions(nbformat.read(solution_path(name), as_version=4))
    secret = {line.strip() for line in inside if len(line.strip()) >= 8} - {
        line.strip() for line in outside
    }
    assert secret
    script = (ASSIGNMENTS / name / build.SCRIPT).read_text(encoding="utf-8")
    data = json.loads(bundle_of(name).read_text(encoding="utf-8"))
    lines = {line.strip() for text in [script, *_strings(data)] for line in text.splitlines()}
    assert secret & lines == set()
    assert not re.search(r"^\s*(import|from) autograder", script, flags=re.M)
    assert "solution" not in json.dumps(data).lower()


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *_strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("name", ["cnn_basics", "regularization"])
def test_on_the_template_every_visible_question_fails(name, tmp_path):
    folder, path = student_folder(tmp_path, name, template_path(name))
    outcome, done = student_run(folder, path)
    assert done.returncode == 1
    checked = [q for q in outcome["questions"] if q["checks"]]
    assert len(checked) >= len(outcome["questions"]) // 2
    assert not [q["question"] for q in checked if q["passed"]]
    feedback = [c["feedback"] for q in checked for c in q["checks"]]
    assert all("NotImplementedError" in f for f in feedback)
    assert any("fails on" in f and " = array" in f for f in feedback)  # the input, in full
    assert "FAIL" in done.stdout and "What the grader will see" in done.stdout


@pytest.mark.parametrize("name", WITH_CHECKS)
def test_on_the_solution_everything_passes(name, tmp_path):
    folder, path = student_folder(tmp_path, name, solution_path(name))
    if name == "cifar10_cnn":
        pytest.importorskip("torch")
        done = subprocess.run(
            [sys.executable, str(folder / build.SCRIPT), str(path)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert "0 problem(s)" in done.stdout, done.stdout
        return
    outcome, done = student_run(folder, path)
    assert done.returncode == 0, done.stdout
    assert outcome["problems"] == []
    assert all(q["passed"] for q in outcome["questions"] if q["checks"])


def _variants(kind: str) -> list:
    return [
        pytest.param(name, p, id=f"{name}-{p.stem}")
        for name in ("cnn_basics", "regularization")
        for p in sorted((ASSIGNMENTS / name / "variants" / kind).glob("*.py"))
    ]


@pytest.mark.parametrize("name, variant", _variants("correct"))
def test_a_right_answer_written_another_way_passes(name, variant, tmp_path):
    nb = replace_definition(solution(name), variant.read_text(encoding="utf-8"))
    path = tmp_path / "v.ipynb"
    nbformat.write(nb, path)
    outcome = runner.run(path, runner.load_bundle(bundle_of(name)))
    assert [q["question"] for q in outcome["questions"] if q["checks"] and not q["passed"]] == []


def test_what_the_grader_will_see_is_called_out(tmp_path):
    nb = replace_definition(solution(), "def max_pool2d(x, k=2):\n    return x\n")
    for cell in nb.cells:
        cell.source = cell.source.replace("def avg_pool2d(", "def avg_pool2d_renamed(")
    nb.metadata["autograder"]["version"] = "0.9"
    append_cells(
        nb,
        "import urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/data', timeout=2)",
        "import numpy as np\ntable = np.loadtxt('data.csv')",
        "import time\ntime.sleep(1.3)",
        "while True:\n    pass",
        "!pip install torch",
    )
    folder, path = student_folder(tmp_path, "cnn_basics", nb)
    (folder / "data.csv").write_text("1,2\n")  # beside the notebook here, not in the grader
    data = json.loads((folder / "cnn_basics.checks.json").read_text())
    data["limits"]["cell_timeout_s"] = 2.0  # so that the loop meets the limit quickly
    (folder / "cnn_basics.checks.json").write_text(json.dumps(data))
    outcome, done = student_run(folder, path)
    problems = "\n".join(outcome["problems"])
    cells = len(nb.cells)
    assert "version 0.9 of the assignment; the grader uses version 1.0" in problems
    assert f"cell {cells - 4} needs the network" in problems
    assert (
        f"cell {cells - 3} needs a file the grader will not have" in problems
        and "data.csv" in problems
    )
    assert f"cell {cells - 2} took 1." in problems
    assert f"cell {cells - 1} was stopped: it ran past the grader's limit of 2 s" in problems
    assert f"cell {cells} installs packages" in problems
    assert (
        "max_pool2d(x, k) has other parameters than the grader calls with: max_pool2d(x, kernel_size, stride, padding)"
        in problems
    )
    assert "avg_pool2d is not defined" in problems
    failed = {q["question"] for q in outcome["questions"] if not q["passed"]}
    assert {"max_pool2d", "avg_pool2d"} <= failed and done.returncode == 1


def test_the_check_runs_from_the_notebooks_last_cell(capsys):
    template = nbformat.read(template_path(), as_version=4)
    last = template.cells[-1]
    assert "skip-execution" in last.metadata["tags"]  # the grader never runs it
    namespace: dict = {"__name__": "__main__"}
    for cell in solution().cells:
        if cell.cell_type == "code" and "self-check" not in cell.metadata.get("tags", []):
            exec(cell.source, namespace)
    sys.path.insert(0, str(ASSIGNMENTS / "cnn_basics"))
    try:
        exec(last.source, namespace)
    finally:
        sys.path.remove(str(ASSIGNMENTS / "cnn_basics"))
        sys.modules.pop("check_notebook", None)
    out = capsys.readouterr().out
    assert "15 of 15 question(s) pass every visible check" in out


def test_the_grader_cli_says_what_intake_will_say(tmp_path):
    empty = tmp_path / "empty.ipynb"
    empty.write_bytes(b"")
    cli = [sys.executable, "-m", "autograder", "check"]
    refused = subprocess.run([*cli, str(empty)], cwd=REPO, capture_output=True, text=True)
    assert refused.returncode == 1 and "The grader would refuse this file" in refused.stderr
    assert "Traceback" not in refused.stderr
    ok = subprocess.run(
        [*cli, str(solution_path())], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert re.search(r"15 of 15 question\(s\) pass", ok.stdout)
    bad = subprocess.run(
        [*cli, str(tmp_path / "missing.ipynb")], cwd=REPO, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "does not exist" in bad.stderr


def test_a_check_file_of_another_format_is_refused(tmp_path):
    folder, path = student_folder(tmp_path, "cnn_basics", template_path())
    (folder / "cnn_basics.checks.json").write_text(json.dumps({"format": 99}))
    done = subprocess.run(
        [sys.executable, str(folder / build.SCRIPT), str(path)],
        cwd=folder,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "another version of this check" in done.stderr
    assert "Traceback" not in done.stderr
