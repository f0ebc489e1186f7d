"""Student templates are generated from the solutions, and the committed ones are current."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from autograder import assign, assignments
from tests.notebooks import solution_path, solution_regions, template_path


@pytest.mark.parametrize("name", assignments.names())
def test_committed_template_is_what_the_generator_makes(name):
    committed = (template_path(name)).read_text(encoding="utf-8")
    assert committed == assign.render(solution_path(name)), (
        f"assignments/{name}/{name}.ipynb is out of date: run python -m autograder.assign"
    )


@pytest.mark.parametrize("name", assignments.names())
def test_template_has_no_solution_code_and_no_outputs(name):
    solution = nbformat.read(solution_path(name), as_version=4)
    template = nbformat.read(template_path(name), as_version=4)
    assert template.metadata["autograder"] == solution.metadata["autograder"]
    assert template.metadata["autograder"]["assignment"] == name
    inside, outside = solution_regions(solution)
    hidden = {line for line in inside if line.strip()}
    hidden -= set(outside)  # e.g. a line the explanation shows too
    assert hidden
    text = "\n".join(c.source for c in template.cells)
    assert not [line for line in hidden if line in text.splitlines()]
    assert "BEGIN SOLUTION" not in text
    for cell in template.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            compile(cell.source.replace("%", "#"), "cell", "exec")  # still valid Python


def test_check_mode_detects_a_stale_template(tmp_path, capsys):
    folder = tmp_path / "cnn_basics"
    folder.mkdir()
    for part in ("config.toml", "solution.ipynb"):
        shutil.copy(solution_path().parent / part, folder / part)
    roots = ["--assignments", str(tmp_path)]
    assert assign.main(["cnn_basics", "--check", *roots]) == 1
    assert "out of date" in capsys.readouterr().err
    assert assign.main(["cnn_basics", *roots]) == 0
    assert (folder / "cnn_basics.ipynb").read_text() == template_path().read_text()
    assert assign.main(["cnn_basics", "--check", *roots]) == 0


def test_markers_replace_the_region_at_its_indentation():
    source = "def f(x):\n    '''doc'''\n    # BEGIN SOLUTION\n    y = x + 1\n    return y\n    # END SOLUTION\n"
    assert assign.strip_solution(source) == (
        "def f(x):\n    '''doc'''\n    raise NotImplementedError  # your code here"
    )


@pytest.mark.parametrize(
    "source, problem",
    [
        ("# BEGIN SOLUTION\nx = 1\n", "without END"),
        ("x = 1\n# END SOLUTION\n", "without BEGIN"),
        ("# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n", "inside another"),
    ],
)
def test_unpaired_markers_are_refused(source, problem):
    with pytest.raises(assign.MarkerError, match=problem):
        assign.strip_solution(source, "cell 1")
