"""Regrading part of a class that is already graded into OUT, and rewriting its gradebook.

    python -m autograder regrade submissions/ --out OUT --only-student alice
    python -m autograder regrade submissions/ --out OUT --only-question softmax
    python -m autograder gradebook OUT --roster roster.csv [--canvas-column "HW 2 (12345)"]

``regrade`` finds the submissions as ``grade.py`` does (the same keys, so the same report
folders in OUT) and grades again only the students named (``--only-student``, by student or
by key) and, with ``--only-question``, only those questions' checks: the notebook runs again,
the other questions keep their results, and the report says what was regraded when. Then the
class files (summary.csv, index.html, junit.xml, and with a roster canvas.csv) are written
from every report in OUT. ``gradebook`` only rewrites the class files. Exit status as for
``grade.py``: 0 graded, 3 a submission rejected, 1 a grader fault, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import NoReturn

from autograder import assignments, batch, submissions
from autograder.batch.pool import WORKER_SLACK_S, Done, Job
from autograder.errors import GraderError
from autograder.options import Options
from autograder.reports.text import printable

EXIT_OK, EXIT_GRADER, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3


class _Usage(GraderError):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one sentence, no usage dump
        self.exit(EXIT_USAGE, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _export_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--roster", type=Path, metavar="CSV", help="students' ids and names")
    p.add_argument(
        "--canvas-column",
        action="append",
        default=[],
        metavar="[ASSIGNMENT=]NAME",
        help="the Canvas column of an assignment in canvas.csv, e.g. 'HW 2 (12345)'",
    )


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m autograder regrade", description=__doc__.split("\n")[0])
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    p.add_argument("--out", type=Path, required=True, metavar="DIR", help="the graded class")
    p.add_argument("--only-student", action="append", default=[], metavar="STUDENT")
    p.add_argument("--only-question", action="append", default=[], metavar="QUESTION")
    p.add_argument("--assignment", metavar="NAME")
    assignments.add_roots_option(p)
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "process"], default="auto")
    p.add_argument("--jobs", type=int, default=1, metavar="N")
    p.add_argument("--data-dir", type=Path, metavar="PATH")
    p.add_argument("--no-train", action="store_true")
    p.add_argument("--student-from", choices=submissions.STUDENT_FROM, default="folder")
    _export_options(p)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return _regrade(args)
    except _Usage as error:
        print(f"{parser().prog}: {str(error).rstrip('.')}.", file=sys.stderr)
        return EXIT_USAGE
    except GraderError as error:
        print(f"{parser().prog}: {str(error).rstrip('.')}.", file=sys.stderr)
        return EXIT_GRADER


def gradebook(argv: list[str] | None = None) -> int:
    """``python -m autograder gradebook OUT``: the class files of OUT, written again."""
    p = _Parser(prog="python -m autograder gradebook", description="Write a class's gradebook.")
    p.add_argument("out", type=Path, metavar="OUT", help="a folder of graded reports")
    _export_options(p)
    args = p.parse_args(argv)
    try:
        folders = batch.report_folders(args.out)
        if not folders:
            raise _Usage(f"{args.out} holds no reports")
        batch.write_class_files(
            args.out, folders, roster=args.roster, canvas_columns=_columns(args, folders)
        )
    except GraderError as error:
        print(f"{p.prog}: {str(error).rstrip('.')}.", file=sys.stderr)
        return EXIT_USAGE
    print(args.out / "summary.csv")
    return EXIT_OK


def _columns(args: argparse.Namespace, folders: list[Path]) -> dict[str, str]:
    """``--canvas-column`` values by assignment (a bare name: the class's one assignment)."""
    names = sorted({n for n in (_report(f).get("assignment") for f in folders) if n})
    columns = {}
    for given in args.canvas_column:
        name, sep, column = given.partition("=")
        if not sep:
            if len(names) != 1:
                raise _Usage(
                    f"say which assignment --canvas-column {given!r} is for (ASSIGNMENT=NAME)"
                )
            name, column = names[0], given
        columns[name.strip()] = column.strip()
    return columns


def _report(folder: Path) -> dict:
    try:
        data = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _regrade(args: argparse.Namespace) -> int:
    if not args.only_student and not args.only_question:
        raise _Usage(
            "say what to regrade (--only-student, --only-question); to grade everything again use grade.py --force"
        )
    if args.roster:
        batch.roster.read(args.roster)  # a bad roster stops us before grading
    collected = submissions.collect(
        [Path(s) for s in args.submissions], args.out, student_from=args.student_from
    )
    chosen = collected.found
    if args.only_student:
        wanted = {s.lower() for s in args.only_student}
        chosen = [f for f in chosen if f.student.lower() in wanted or f.key.lower() in wanted]
        missing = wanted - {f.student.lower() for f in chosen} - {f.key.lower() for f in chosen}
        if missing:
            known = ", ".join(sorted({f.student for f in collected.found})[:20])
            raise _Usage(
                f"no submission of {', '.join(sorted(missing))} in {', '.join(args.submissions)} (students: {known})"
            )
    if not chosen:
        raise _Usage(f"{', '.join(args.submissions)} holds no notebooks")
    options = Options(
        assignment=args.assignment,
        assignments=tuple(p.resolve() for p in args.roots),
        device=args.device,
        sandbox=args.sandbox,
        data_dir=args.data_dir,
        train=not args.no_train,
    )
    limit = batch.longest_total(args.roots) + WORKER_SLACK_S
    gpus = batch.gpus(args.device)
    if args.only_question:
        done = _questions(chosen, args.only_question, options, args, limit, gpus)
    else:
        jobs = [Job(i, f.path, f.folder, f.key, f.student) for i, f in enumerate(chosen)]
        done = batch.run(
            jobs, options, workers=max(1, args.jobs), gpus=gpus, wall_limit_s=limit, on_done=_say
        )
    folders = batch.report_folders(args.out)
    batch.write_class_files(
        args.out, folders, roster=args.roster, canvas_columns=_columns(args, folders)
    )
    print(args.out / "summary.csv")
    statuses = {d.status for d in done}
    return (
        EXIT_GRADER if "error" in statuses else EXIT_REJECTED if "rejected" in statuses else EXIT_OK
    )


def _questions(
    chosen: list,
    questions: list[str],
    options: Options,
    args: argparse.Namespace,
    limit: float,
    gpus: list[str],
) -> list[Done]:
    """Regrade ``questions`` of each chosen submission, merged into its existing report."""
    from autograder.batch import partial
    from autograder.intake import sha256_of
    from autograder.reports import write_all

    groups: dict[str, list] = {}
    for f in chosen:
        old = _report(f.folder)
        if old.get("status") != "graded":
            raise _Usage(
                f"{f.key} has no graded report in {args.out}; regrade it whole (without --only-question)"
            )
        if old.get("sha256") != sha256_of(f.path):
            raise _Usage(
                f"{f.key} changed since it was graded; regrade it whole (without --only-question)"
            )
        groups.setdefault(options.assignment or str(old.get("assignment")), []).append(f)
    for name in groups:
        known = assignments.find(name, args.roots).config.questions
        unknown = [q for q in questions if q not in known]
        if unknown:
            raise _Usage(
                f"{name} has no question {', '.join(unknown)}; its questions: {', '.join(known)}"
            )
    done: list[Done] = []
    with tempfile.TemporaryDirectory(prefix="autograder-regrade-") as tmp:
        for name, group in sorted(groups.items()):
            root = Path(tmp) / name
            partial.cut(assignments.find(name, args.roots), questions, root)
            cut = replace(options, assignment=name, assignments=(root, *options.assignments))
            jobs = [
                Job(i, f.path, Path(tmp) / "out" / f"{name}-{i}", f.key, f.student)
                for i, f in enumerate(group)
            ]
            for d in batch.run(
                jobs,
                cut,
                workers=max(1, args.jobs),
                gpus=gpus,
                wall_limit_s=limit,
                on_done=lambda d: None,
            ):
                f = group[d.index]
                new = _report(d.folder)
                if new.get("status") != "graded":
                    print(
                        f"{printable(f.key)}: not regraded ({new.get('error') or d.status}); its report is unchanged",
                        file=sys.stderr,
                    )
                    done.append(Done(d.index, f.key, f.folder, "error", 0.0, 0.0, d.seconds))
                    continue
                report = partial.merge_questions(_report(f.folder), new, questions)
                write_all(report, f.folder)
                finished = Done(
                    d.index, f.key, f.folder, "graded", report.score, report.max_score, d.seconds
                )
                _say(finished)
                done.append(finished)
    return done


def _say(d: Done) -> None:
    score = f"{d.score:g}/{d.max_score:g}" if d.status == "graded" else d.status
    print(f"regraded {printable(d.key)}: {score} in {d.seconds:.1f} s", file=sys.stderr)
