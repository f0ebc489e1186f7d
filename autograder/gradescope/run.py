"""What ``run_autograder`` runs on Gradescope, once per submission.

    python -m autograder.gradescope.run --root /autograder

Reads the settings (``ROOT/source/gradescope.toml``), finds the one notebook in
``ROOT/submission``, grades it as the configured assignment and writes
``ROOT/results/results.json``. Whatever happens, a results.json is written: a file that is
not a notebook (or none, or several) gets one failed "Submission" test saying what to
upload, and a fault of the grader one failed "Autograder error" test with its sentence.
Staff see the full report (hidden checks included) in the autograder's output (stdout).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from pathlib import Path

from autograder import submissions
from autograder.gradescope.settings import FILE, GradescopeSettings, read
from autograder.reports import gradescope, markdown
from autograder.reports.write import bound
from autograder.results import Report


def find_notebook(folder: Path, assignment: str) -> tuple[Path | None, str | None]:
    """The submission's notebook, or None and the sentence a student reads."""
    with tempfile.TemporaryDirectory() as out:
        batch = submissions.collect([folder], Path(out))
    found = [f.path for f in batch.found]
    if len(found) == 1:
        return found[0], None
    named = [p for p in found if p.name == f"{assignment}.ipynb"]
    if len(named) == 1:
        return named[0], None
    if not found:
        seen = ", ".join(name for name, _ in batch.ignored[:10]) or "no files at all"
        return None, (
            f"the submission holds no Jupyter notebook (found: {seen}); upload your "
            f"{assignment}.ipynb"
        )
    names = ", ".join(sorted(p.relative_to(folder).as_posix() for p in found)[:10])
    return None, (
        f"the submission holds {len(found)} notebooks ({names}); upload only the one to "
        f"grade, named {assignment}.ipynb"
    )


def grade_submission(root: Path, settings: GradescopeSettings) -> Report:
    """The report of the submission in ``root/submission``."""
    from autograder.grading import grade
    from autograder.options import Options

    name = settings.assignment
    path, problem = find_notebook(root / "submission", name)
    if path is None:
        return Report.rejected("submission", problem or "nothing to grade", assignment=name)
    options = Options(
        assignment=name,
        sandbox=settings.sandbox,
        device=settings.device,
        data_dir=Path(settings.data_dir) if settings.data_dir else None,
    )
    return grade(path, options, name=path.name, student=_student(root))


def _student(root: Path) -> str | None:
    """The submitter's name from Gradescope's submission_metadata.json, when there is one."""
    try:
        meta = json.loads((root / "submission_metadata.json").read_text(encoding="utf-8"))
        return str(meta["users"][0]["name"])[:200]
    except (OSError, ValueError, KeyError, IndexError, TypeError):
        return None


def run(root: Path) -> Report:
    """Grade and write ``root/results/results.json``; the report (never raises)."""
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    settings = GradescopeSettings()
    try:
        settings = read(root / "source" / FILE)
        if not settings.assignment:
            raise ValueError(f"{FILE} names no assignment")
        report = grade_submission(root, settings)
    except Exception as error:  # noqa: BLE001 - the student must still get a result
        traceback.print_exc(file=sys.stdout)
        report = Report.failed(
            "submission",
            f"the autograder failed ({type(error).__name__}: {error})",
            assignment=settings.assignment or None,
        )
    bound(report)
    text = gradescope.render(report, settings.results())
    tmp = results / "results.json.tmp"
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(results / "results.json")
    print(markdown.render(report))  # the staff's view: Gradescope shows stdout to staff only
    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograder.gradescope.run")
    p.add_argument("--root", type=Path, default=Path("/autograder"))
    args = p.parse_args(argv)
    run(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
