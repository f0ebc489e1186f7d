"""``python grade.py``: the command line, a thin shell over :func:`grade` and the batch pool.

Exit status (shared/spec/cli-and-report.md): 0 every submission graded; 3 at
least one rejected; 4 ``--fail-under`` not met; 2 usage error; 1 the grader
itself failed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from autograder import assignments, batch, submissions
from autograder.batch import WORKER_SLACK_S, Done, Job
from autograder.errors import GraderError
from autograder.options import Options

EXIT_OK, EXIT_GRADER, EXIT_USAGE, EXIT_REJECTED, EXIT_FAIL_UNDER = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one sentence, no usage dump
        self.exit(EXIT_USAGE, f"grade.py: {message} (see python grade.py --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog="python grade.py",
        description="Grade Jupyter notebooks against the course's reference solutions.",
    )
    p.add_argument(
        "--version",
        action=_Version,
        help="print the grader's version, the versions of the libraries it relies on, and the "
        "assignments it finds",
    )
    p.add_argument(
        "submissions", nargs="+", metavar="SUBMISSION", help=".ipynb files or folders of them"
    )
    p.add_argument(
        "--assignment", metavar="NAME", help="default: read from each notebook's metadata"
    )
    assignments.add_roots_option(p)
    p.add_argument(
        "--out", metavar="DIR", type=Path, default=Path("reports"), help="default: reports/"
    )
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    p.add_argument("--sandbox", choices=["auto", "bwrap", "process"], default="auto")
    p.add_argument(
        "--jobs", type=_positive, default=1, metavar="N", help="worker processes (default 1)"
    )
    p.add_argument("--shard", type=_shard, metavar="I/N", help="grade only shard I of N (1-based)")
    p.add_argument(
        "--data-dir", type=Path, metavar="PATH", help="where CIFAR-10 lives (default: datasets/)"
    )
    p.add_argument(
        "--no-train", action="store_true", help="skip the training check (reported as skipped)"
    )
    p.add_argument(
        "--fail-under", type=float, metavar="SCORE", help="exit 4 when a score is below SCORE"
    )
    p.add_argument(
        "--force", action="store_true", help="grade again even if a report for the same file exists"
    )
    p.add_argument("--quiet", action="store_true", help="print only the final summary line")
    p.add_argument(
        "--student-from",
        choices=submissions.STUDENT_FROM,
        default="folder",
        help="who handed a notebook in: its first folder below the batch's folder (default; "
        "the file's stem for a file at the top) or the file's stem",
    )
    p.add_argument(
        "--merge",
        action="store_true",
        help="merge the report folders of shards (given as SUBMISSION arguments) into --out",
    )
    p.add_argument("--roster", type=Path, metavar="CSV", help="students' ids and names (README)")
    return p


LIBRARIES = ("torch", "torchvision", "numpy", "jupyter_client", "nbclient", "ipykernel", "nbformat")
"""What ``--version`` reports besides the grader itself."""


def version_text(extra: list[Path] | None = None) -> str:
    """The grader's version, its libraries' versions, and the assignments it finds."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from autograder import __version__

    found = []
    for name in LIBRARIES:
        try:
            found.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            found.append(f"{name} (not installed)")
    known = assignments.folders(extra or [])
    lines = [f"autograder {__version__} (Python {platform.python_version()})", ", ".join(found)]
    lines.append(f"assignments: {', '.join(sorted(known)) or 'none found'}")
    for root in assignments.roots(extra or []):
        used = sorted(name for name, folder in known.items() if folder.parent == root)
        lines.append(f"  from {root}: {', '.join(used) or 'none'}")
    return "\n".join(lines)


class _Version(argparse.Action):
    """``--version``: computed only when asked for (no library is imported for it)."""

    def __init__(self, option_strings: list[str], dest: str, **kw: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text(getattr(namespace, "roots", None)))
        parser.exit(0)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError("must look like 2/5") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError("needs 1 <= I <= N")
    return i, n


COMMANDS = {
    "similarity": "autograder.similarity",
    "gradescope": "autograder.gradescope",
    "check": "autograder.student_check",
    "regrade": "autograder.batch.regrade",
    "gradebook": "autograder.batch.regrade:gradebook",
}
"""``python -m autograder COMMAND ...``: commands besides grading (each module has ``main``)."""


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] and argv[0] in COMMANDS:  # a file named like a command: pass it as ./name
        import importlib

        module, _, function = COMMANDS[argv[0]].partition(":")
        return int(getattr(importlib.import_module(module), function or "main")(argv[1:]))
    args = parser().parse_args(argv)
    try:
        return _main(args)
    except GraderError as error:
        print(f"grade.py: {error}.", file=sys.stderr)
        return EXIT_GRADER if not isinstance(error, _UsageProblem) else EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "grade.py: interrupted; finished reports are kept, rerun to grade the rest.",
            file=sys.stderr,
        )
        return 130


class _UsageProblem(GraderError):
    pass


def _main(args: argparse.Namespace) -> int:
    from autograder import sandbox

    if args.merge:
        return _merge([Path(s) for s in args.submissions], args.out, args.fail_under, args.roster)

    known = sorted(assignments.available(args.roots))
    if args.assignment and args.assignment not in known:
        raise _UsageProblem(
            f"there is no assignment called {args.assignment!r}; known: {', '.join(known)}"
        )
    sandbox.choose(args.sandbox)  # fails now, once, when bwrap was asked for and cannot work
    try:
        if args.roster:
            batch.roster.read(args.roster)  # a bad roster stops the batch before it starts
    except GraderError as error:
        raise _UsageProblem(str(error)) from None
    collected = submissions.collect(
        [Path(s) for s in args.submissions], args.out, student_from=args.student_from
    )
    if not collected.found:
        where = ", ".join(args.submissions)
        raise _UsageProblem(f"{where} holds no notebooks (.ipynb files)")
    found = [f for f in collected.found if submissions.in_shard(f.key, args.shard)]
    if collected.ignored and not args.quiet:
        from autograder.reports.text import printable

        shown = "; ".join(f"{printable(k)} ({why})" for k, why in collected.ignored[:10])
        more = f"; and {len(collected.ignored) - 10} more" if len(collected.ignored) > 10 else ""
        print(f"not graded: {shown}{more}", file=sys.stderr)
    options = Options(
        assignment=args.assignment,
        assignments=tuple(p.resolve() for p in args.roots),
        device=args.device,
        sandbox=args.sandbox,
        data_dir=args.data_dir,
        train=not args.no_train,
        progress=args.jobs == 1 and not args.quiet and sys.stderr.isatty(),
    )
    progress = _Progress(len(found), quiet=args.quiet)
    done: list[Done] = []
    jobs = []
    for index, f in enumerate(found):
        previous = None if args.force else batch.finished_report(f.folder, f.path)
        if previous is not None:
            d = Done.resumed_from(index, f.key, f.folder, previous)
            done.append(d)
            progress(d)
        else:
            jobs.append(Job(index, f.path, f.folder, f.key, f.student))
    done += batch.run(
        jobs,
        options,
        workers=args.jobs,
        gpus=batch.gpus(args.device),
        wall_limit_s=batch.longest_total(args.roots) + WORKER_SLACK_S,
        on_done=progress,
    )
    done.sort(key=lambda d: d.index)
    folders = [d.folder for d in done]
    if len(found) > 1 or any(Path(s).is_dir() for s in args.submissions):
        batch.write_class_files(args.out, folders, collected.ignored, roster=args.roster)
        batch.write_similarity(args.out, found, folders, options.assignment, args.roots)
    else:
        batch.write_job_summary(folders)
    return _exit_status(done, args.fail_under, progress)


def _merge(shards: list[Path], out: Path, fail_under: float | None, roster: Path | None) -> int:
    """Merge shard outputs into ``out``; the exit status as if one run had graded them."""
    from autograder.reports import summary

    try:
        merged = batch.merge(shards, out, roster=roster)
    except GraderError as error:
        raise _UsageProblem(str(error)) from None
    loaded = summary.load(merged)
    done = [
        Done.resumed_from(i, str(r["submission"]), out / r["id"], r) for i, r in enumerate(loaded)
    ]
    print(
        f"merged {len(merged)} report(s) from {len(shards)} folder(s) into {out}", file=sys.stderr
    )
    print(out / "summary.csv")
    return _exit_status(done, fail_under, _Progress(len(done), quiet=True))


def _exit_status(done: list[Done], fail_under: float | None, progress: _Progress) -> int:
    statuses = [d.status for d in done]
    below = [
        d for d in done if d.status == "graded" and fail_under is not None and d.score < fail_under
    ]
    progress.finish(done, below)
    if "error" in statuses:
        return EXIT_GRADER
    if "rejected" in statuses:
        return EXIT_REJECTED
    if below:
        return EXIT_FAIL_UNDER
    return EXIT_OK


class _Progress:
    """One line per finished submission on stderr; the report's path on stdout."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        self.total = total
        self.quiet = quiet
        self.count = 0

    def __call__(self, d: Done) -> None:
        self.count += 1
        if self.quiet:
            return
        width = len(str(self.total))
        score = f"{d.score:g}/{d.max_score:g}" if d.status == "graded" else d.status
        from autograder.reports.text import printable  # NumPy: not before the workers start

        note = " (already graded; --force to redo)" if d.resumed else f" in {d.seconds:.1f} s"
        if d.error and not d.resumed:
            note += f": {d.error[:300]}"
        print(
            f"[{self.count:>{width}}/{self.total}] {printable(d.key)}: {score}{printable(note)}",
            file=sys.stderr,
        )
        print(f"{d.folder / 'report.md'}", flush=True)

    def finish(self, done: list[Done], below: list[Done]) -> None:
        tally: dict[str, int] = {}
        for d in done:
            tally[d.status] = tally.get(d.status, 0) + 1
        parts = [f"{n} {status}" for status, n in sorted(tally.items())]
        line = f"{len(done)} submission(s): " + ", ".join(parts)
        if below:
            line += f"; {len(below)} below --fail-under"
        print(line, file=sys.stderr)
