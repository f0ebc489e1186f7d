"""A Gradescope autograder for one assignment.

    python -m autograder gradescope cnn_basics --out autograder.zip

builds the zip to upload on Gradescope (:mod:`.package`: setup.sh, run_autograder, the
grader and the assignment); on Gradescope, ``run_autograder`` runs :mod:`.run`, which grades
the one notebook in ``/autograder/submission`` and writes
``/autograder/results/results.json`` (:mod:`autograder.reports.gradescope`). Settings:
:mod:`.settings`. Exit status of the build: 0 written, 2 usage error, 1 it failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

PROG = "python -m autograder gradescope"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one sentence, no usage dump
        self.exit(EXIT_USAGE, f"{PROG}: {message} (see {PROG} --help)\n")


def parser() -> argparse.ArgumentParser:
    from autograder import assignments
    from autograder.gradescope.scripts import TORCH_CPU_INDEX
    from autograder.gradescope.settings import CHOICES

    p = _Parser(prog=PROG, description="Build the zip of a Gradescope autograder.")
    p.add_argument("assignment", metavar="ASSIGNMENT", help="the assignment it grades")
    p.add_argument(
        "--out", type=Path, default=Path("autograder.zip"), help="default: autograder.zip"
    )
    assignments.add_roots_option(p)
    p.add_argument(
        "--hidden",
        dest="hidden_visibility",
        choices=CHOICES["hidden_visibility"],
        help="Gradescope visibility of hidden checks (default hidden: never shown to students)",
    )
    p.add_argument("--format", dest="output_format", choices=CHOICES["output_format"])
    p.add_argument("--sandbox", choices=CHOICES["sandbox"])
    p.add_argument("--device", choices=CHOICES["device"])
    p.add_argument("--data-dir", help="where a CIFAR-format data set is on Gradescope's machine")
    p.add_argument(
        "--torch-index",
        default=TORCH_CPU_INDEX,
        help="where setup.sh gets PyTorch (default: its CPU wheels; '' for PyPI's)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    from autograder import assignments
    from autograder.errors import GraderError
    from autograder.gradescope import package
    from autograder.gradescope.settings import FILE, GradescopeSettings, read

    args = parser().parse_args(argv)
    try:
        assignment = assignments.find(args.assignment, args.roots)
        own = assignment.folder / FILE
        base = read(own) if own.is_file() else GradescopeSettings()
        settings = base.with_changes(
            assignment=assignment.name,
            hidden_visibility=args.hidden_visibility,
            output_format=args.output_format,
            sandbox=args.sandbox,
            device=args.device,
            data_dir=args.data_dir,
        )
        files = package.contents(assignment, settings, torch_index=args.torch_index)
        size = package.write(args.out, files)
    except GraderError as error:
        print(f"{PROG}: {str(error).rstrip('.')}.", file=sys.stderr)
        return EXIT_USAGE
    except (OSError, ValueError) as error:
        print(f"{PROG}: cannot write {args.out}: {error}.", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"wrote {args.out} ({size / 2**20:.1f} MiB, {len(files)} files): {assignment.name}, "
        f"hidden checks {settings.hidden_visibility}, output {settings.output_format}",
        file=sys.stderr,
    )
    print(args.out)
    return EXIT_OK
