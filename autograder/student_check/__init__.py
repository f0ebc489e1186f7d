"""The student's pre-submission check.

    python -m autograder check my.ipynb [--assignment NAME]

runs the visible checks of the notebook's assignment on this machine, from the check file
that ``python -m autograder.assign`` writes beside each template (:mod:`.build`), and says
first what the grader's intake will say about the file (the same sentence a rejected
report would carry). It never loads the reference solution: students may run it, and the
same runner ships beside the template as ``check_notebook.py`` (NumPy only).

Modules: :mod:`.values` (stored values, feedback, comparisons), :mod:`.notebook` (running
the cells as the grader would), :mod:`.runner` (the check and its report), :mod:`.build`
(making the check file, grader side).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

PROG = "python -m autograder check"


def main(argv: list[str] | None = None) -> int:
    from autograder import assignments, intake
    from autograder.errors import GraderError, Rejected
    from autograder.student_check import runner

    p = argparse.ArgumentParser(prog=PROG, description="Check a notebook before you submit it.")
    p.add_argument("notebook", type=Path)
    p.add_argument("--assignment", metavar="NAME", help="default: the notebook's metadata")
    assignments.add_roots_option(p)
    p.add_argument("--json", type=Path, help="also write the outcome as JSON to this file")
    args = p.parse_args(argv)
    try:
        submission = intake.load(args.notebook, assignment=args.assignment)
        assignment = assignments.find(submission.assignment, args.roots)
        bundle_path = assignment.folder / f"{assignment.name}{runner.BUNDLE_SUFFIX}"
        if not bundle_path.is_file():
            print(
                f"{PROG}: {assignment.name} has no student check (run python -m autograder.assign)",
                file=sys.stderr,
            )
            return 2
        bundle = runner.load_bundle(bundle_path)
        outcome = runner.run(args.notebook, bundle)
    except Rejected as rejected:
        print(f"The grader would refuse this file: {rejected}", file=sys.stderr)
        return 1
    except (GraderError, OSError, ValueError) as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    outcome["problems"][:0] = [f"note from the grader's intake: {n}" for n in submission.notes]
    print(runner.render(outcome), end="")
    if args.json:
        args.json.write_text(json.dumps(outcome, indent=1), encoding="utf-8")
    return 0 if runner.ok(outcome) else 1
