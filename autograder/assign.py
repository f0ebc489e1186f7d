"""Generate the student templates (and their pre-submission checks) from the solutions.

    python -m autograder.assign            # write <name>/<name>.ipynb for every assignment
    python -m autograder.assign --check    # exit 1 when a committed file is out of date

In code cells, everything from a ``# BEGIN SOLUTION`` line to its ``# END
SOLUTION`` line is replaced by ``raise NotImplementedError`` at the same
indentation; outputs and execution counts are cleared; the metadata keeps the
assignment's name and version. Beside each template go the student check's files
(:mod:`autograder.student_check.build`): ``<name>.checks.json``, the visible checks'
inputs and the reference's answers, and ``check_notebook.py``, which runs them against a
student's notebook with NumPy only. None of these files is ever edited by hand.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder import assignments
from autograder.errors import GraderError

BEGIN = re.compile(r"^(?P<indent>[ \t]*)# BEGIN SOLUTION\s*$")
END = re.compile(r"^[ \t]*# END SOLUTION\s*$")
PLACEHOLDER = "raise NotImplementedError  # your code here"


class MarkerError(ValueError):
    """Solution markers that do not pair up."""


def strip_solution(source: str, where: str = "") -> str:
    """``source`` with every marked solution region replaced by the placeholder."""
    out: list[str] = []
    inside: str | None = None
    for number, line in enumerate(source.splitlines(), start=1):
        begin = BEGIN.match(line)
        if begin:
            if inside is not None:
                raise MarkerError(f"{where} line {number}: BEGIN SOLUTION inside another region")
            inside = begin.group("indent")
            out.append(f"{inside}{PLACEHOLDER}")
        elif END.match(line):
            if inside is None:
                raise MarkerError(f"{where} line {number}: END SOLUTION without BEGIN SOLUTION")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise MarkerError(f"{where}: BEGIN SOLUTION without END SOLUTION")
    return "\n".join(out)


def make_template(solution: NotebookNode, name: str) -> NotebookNode:
    """The student template of a solution notebook."""
    nb = copy.deepcopy(solution)
    meta = nb.metadata.setdefault("autograder", {})
    if meta.get("assignment") != name:
        raise MarkerError(
            f"{name}: the solution's metadata names assignment {meta.get('assignment')!r}"
        )
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source, f"{name} cell {index + 1}")
            cell.outputs = []
            cell.execution_count = None
        elif "BEGIN SOLUTION" in cell.source:
            raise MarkerError(f"{name} cell {index + 1}: solution markers outside a code cell")
    nb.cells.append(check_cell(name, nb.nbformat_minor))
    return nb


CHECK_CELL_ID = "student-check"


def check_cell(name: str, minor: int) -> NotebookNode:
    """The template's last cell: the student check, run from the notebook (tagged
    ``skip-execution``, so the grader never runs it)."""
    from nbformat.v4 import new_code_cell

    cell = new_code_cell(
        "# Check your work before you submit: this runs the visible checks on your own machine\n"
        "# (the grader runs more). It needs check_notebook.py and "
        f"{name}.checks.json beside this notebook;\n"
        f"# from a terminal: python check_notebook.py {name}.ipynb\n"
        "import check_notebook\n"
        "\n"
        f'check_notebook.check("{name}", globals())',
        metadata={"tags": ["skip-execution"]},
    )
    if minor >= 5:
        cell["id"] = CHECK_CELL_ID
    else:
        cell.pop("id", None)
    return cell


def render(solution_path: Path, name: str | None = None) -> str:
    """The template's file text, exactly as it is committed (``name``: the assignment,
    by default the name of the solution's folder)."""
    solution = nbformat.read(solution_path, as_version=4)
    template = make_template(solution, name or solution_path.parent.name)
    nbformat.validate(template)
    return nbformat.writes(template) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m autograder.assign", description=__doc__.split("\n")[0]
    )
    p.add_argument("names", nargs="*", help="assignments (default: every assignment found)")
    p.add_argument("--check", action="store_true", help="only check that the files are up to date")
    p.add_argument(
        "--no-student-check",
        dest="student_check",
        action="store_false",
        help="only the templates, not the student check's files",
    )
    assignments.add_roots_option(p, "a folder of assignments besides the course's own (repeatable)")
    args = p.parse_args(argv)
    known = assignments.folders(args.roots)
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(f"assign: no assignment called {', '.join(unknown)}", file=sys.stderr)
        return 1
    targets = [(n, known[n]) for n in args.names or sorted(known)]
    stale = []
    for name, folder in targets:
        try:
            text = render(folder / "solution.ipynb", name)
        except (OSError, MarkerError) as error:
            print(f"assign: {error}", file=sys.stderr)
            return 1
        files: dict[Path, tuple[str, object]] = {folder / f"{name}.ipynb": (text, None)}
        if args.student_check and (folder / "checks").is_dir():
            try:
                files.update(_student_check(name, args.roots))
            except (GraderError, OSError) as error:
                print(f"assign: {name}: no student check ({error})", file=sys.stderr)
                return 1
        for target, (content, data) in files.items():
            if _current(target, content, data):
                continue
            if args.check:
                stale.append(target)
            else:
                target.write_text(content, encoding="utf-8")
                print(f"wrote {target}")
    if stale:
        names = ", ".join(str(s) for s in stale)
        print(f"assign: out of date: {names}; run python -m autograder.assign", file=sys.stderr)
        return 1
    return 0


def _student_check(name: str, roots: list[Path]) -> dict[Path, tuple[str, object]]:
    from autograder.student_check import build

    return build.outputs(assignments.find(name, roots))


def _current(target: Path, content: str, data: object) -> bool:
    """Whether ``target`` already holds ``content`` (for a check file: the same checks)."""
    try:
        current = target.read_text(encoding="utf-8")
    except OSError:
        return False
    if current == content or data is None:
        return current == content
    import json

    from autograder.student_check import build

    try:
        return build.same(json.loads(current), data)
    except ValueError:
        return False


if __name__ == "__main__":
    sys.exit(main())
