"""Notebooks as real students hand them in: saved by VS Code and Colab, with the course's
own imports, installs, exit() at the end, and batches with colliding file names.

Every case is built from the reference solution (or the template), so its right
score is known: a correct notebook in any of these shapes gets full marks.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell

from tests.notebooks import REPO, append_cells, solution, template_path

pytestmark = pytest.mark.slow


def _first_code_cell(nb) -> int:
    return next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")


def _with_course_imports():
    nb = solution()
    first = _first_code_cell(nb)
    nb.cells[first].source = (
        "%matplotlib inline\n"
        "import matplotlib.pyplot as plt\n"
        "from tqdm.auto import tqdm\n"
        "from PIL import Image\n"
        "import scipy.signal\n"
        "import numpy as np"
    )
    nb.cells.insert(first + 1, new_code_cell("!pip install tqdm matplotlib\n%pip install -q scipy"))
    return append_cells(
        nb,
        "fig, ax = plt.subplots()\n"
        "for i in tqdm(range(3)):\n"
        "    ax.plot(np.arange(5) * i)\n"
        "plt.title('losses')\nplt.show()",
    )


def _exit_at_the_end():
    return append_cells(solution(), "print('done')\nexit()")


def _vscode_4_2_with_ids():
    data = json.loads(nbformat.writes(solution()))
    data["nbformat_minor"] = 2
    for i, cell in enumerate(data["cells"]):
        cell["id"] = f"vscode-cell-{i}"
    data["metadata"]["vscode"] = {"interpreter": {"hash": "0" * 64}}
    return data


def _conda_kernel_without_language():
    nb = solution()
    nb.metadata["kernelspec"] = {"name": "conda-env-dl-py", "display_name": "Python [conda env:dl]"}
    nb.metadata.pop("language_info", None)
    return nb


CASES = {
    "course_imports": (_with_course_imports, "installed"),
    "exit_at_the_end": (_exit_at_the_end, None),
    "vscode_4_2_with_ids": (_vscode_4_2_with_ids, "VS Code"),
    "conda_kernel_without_language": (_conda_kernel_without_language, "graded as Python"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_correct_notebook_saved_the_way_students_save_it_gets_full_marks(
    grade_once, tmp_path, case
):
    build, note = CASES[case]
    made = build()
    path = tmp_path / f"{case}.ipynb"
    if isinstance(made, dict):
        path.write_text(json.dumps(made), encoding="utf-8")
    else:
        nbformat.write(made, path)
    graded = grade_once(f"handin_{case}", path)
    data = graded.json
    lost = {
        q["id"]: [c["feedback"] for c in q["checks"] if c["status"] != "passed"]
        for q in data["questions"]
    }
    assert (data["status"], data["score"]) == ("graded", 100.0), (data.get("error"), lost)
    if note:
        assert any(note in n for n in data["notes"]), data["notes"]


def test_installs_in_a_notebook_are_not_run_and_are_named(grade_once, tmp_path):
    path = tmp_path / "course_imports.ipynb"
    nbformat.write(_with_course_imports(), path)
    notes = grade_once("handin_course_imports", path).json["notes"]
    assert (
        "cell 3: `!pip install tqdm matplotlib` was not run (nothing is installed while grading; tqdm, matplotlib are already there)"
        in notes
    )
    assert any(n.startswith("cell 3: `%pip install -q scipy` was not run") for n in notes)


def test_exit_at_the_end_is_named_and_not_replayed(grade_once, tmp_path):
    path = tmp_path / "exit_at_the_end.ipynb"
    nbformat.write(_exit_at_the_end(), path)
    data = grade_once("handin_exit_at_the_end", path).json
    errors = data["notebook"]["errors"]
    assert [e["cell"] for e in errors] == [len(solution().cells) + 1]
    assert "called exit() or quit()" in errors[0]["error"]
    assert data["notebook"]["kernel_restarts"] == 1  # one fresh kernel, then the checks


def test_a_failed_import_cell_is_named_first_in_every_affected_question(grade_once, tmp_path):
    nb = solution()
    first = _first_code_cell(nb)
    nb.cells[first].source = "import a_module_the_course_does_not_have\nimport numpy as np"
    path = tmp_path / "broken_import.ipynb"
    nbformat.write(nb, path)
    graded = grade_once("handin_broken_import", path)
    cause = (
        f"np was never defined because cell {first + 1}, which defines it, raised "
        "ModuleNotFoundError: No module named 'a_module_the_course_does_not_have'; fix that cell first."
    )
    failed = [c for q in graded.json["questions"] for c in q["checks"] if c["status"] == "failed"]
    assert len(failed) > 20
    with_cause = [c for c in failed if c["feedback"].startswith(cause)]
    name_errors = [c for c in failed if "NameError: name 'np' is not defined" in c["feedback"]]
    assert name_errors and with_cause == name_errors
    md = (graded.folder / "report.md").read_text(encoding="utf-8").splitlines()
    top = "\n".join(md[:12])
    assert "Cells that failed" in top
    assert (
        f"- cell {first + 1}: ModuleNotFoundError: No module named 'a_module_the_course_does_not_have'"
        in top
    )


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "grade.py"), *args], cwd=cwd, capture_output=True, text=True
    )


def test_a_batch_with_colliding_names_loses_no_report(tmp_path):
    root = tmp_path / "class"
    for student, source in (("alice", "solution"), ("bob", "template"), ("carol", "solution")):
        (root / student / "hw2").mkdir(parents=True)
        nb = solution() if source == "solution" else nbformat.read(template_path(), as_version=4)
        nbformat.write(nb, root / student / "hw2" / "HW2.ipynb")
    (root / "dave").mkdir()
    nbformat.write(solution(), root / "dave" / "HW2 final.ipynb")
    nbformat.write(solution(), root / "kim.ipynb.json")  # a browser's download name
    (root / "__MACOSX" / "alice").mkdir(parents=True)
    (root / "__MACOSX" / "alice" / "._HW2.ipynb").write_bytes(b"\x00\x05\x16\x07 Mac OS X")
    (root / "alice" / "hw2" / ".ipynb_checkpoints").mkdir()
    nbformat.write(
        solution(), root / "alice" / "hw2" / ".ipynb_checkpoints" / "HW2-checkpoint.ipynb"
    )
    (root / "bob" / "notes.pdf").write_bytes(b"%PDF-1.4")
    out = tmp_path / "out"

    done = _cli(str(root), "--out", str(out), "--jobs", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    reports = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/report.json")}
    by_submission = {
        r["submission"]: (r["student"], r["status"], r["score"]) for r in reports.values()
    }
    assert by_submission == {
        "alice/hw2/HW2.ipynb": ("alice", "graded", 100.0),
        "bob/hw2/HW2.ipynb": ("bob", "graded", 0.0),
        "carol/hw2/HW2.ipynb": ("carol", "graded", 100.0),
        "dave/HW2 final.ipynb": ("dave", "graded", 100.0),
        "kim.ipynb.json": ("kim", "graded", 100.0),
    }
    assert sorted(reports) == ["alice__HW2", "bob__HW2", "carol__HW2", "dave__HW2_final", "kim"]
    with open(out / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["student"], r["submission"], r["score"]) for r in rows] == [
        ("alice", "alice/hw2/HW2.ipynb", "100"),
        ("bob", "bob/hw2/HW2.ipynb", "0"),
        ("carol", "carol/hw2/HW2.ipynb", "100"),
        ("dave", "dave/HW2 final.ipynb", "100"),
        ("kim", "kim.ipynb.json", "100"),
    ]
    with open(out / "ignored.csv", newline="", encoding="utf-8") as f:
        ignored = {r["file"]: r["reason"] for r in csv.DictReader(f)}
    assert ignored == {
        "__MACOSX/alice/._HW2.ipynb": "macOS archive metadata",
        "alice/hw2/.ipynb_checkpoints/HW2-checkpoint.ipynb": "a Jupyter checkpoint",
        "bob/notes.pdf": "not a notebook (its name does not end in .ipynb)",
    }
    assert "5 submission(s): 5 graded" in done.stderr
    # the class's similarity report is written with the class files
    assert (out / "similarity.csv").is_file() and (out / "similarity" / "index.html").is_file()
