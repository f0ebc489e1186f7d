"""``python -m autograder.similarity FOLDER_OR_FILES... --template T.ipynb --out DIR``: the
class's similarity report, a thin shell over :func:`analyze` and :func:`write`.

Folders are searched for notebooks as a grading batch searches them (the same keys, the same
files left out); the template itself is never compared. Exit status: 0 the report was
written, 2 usage error (no notebooks, an unreadable template, a bad option), 1 the report
could not be written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import NoReturn

from autograder import assignments, submissions
from autograder.errors import GraderError, Rejected
from autograder.similarity.compare import Settings, analyze
from autograder.similarity.report import write

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
PROG = "python -m autograder.similarity"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one sentence, no usage dump
        self.exit(EXIT_USAGE, f"{PROG}: {message} (see {PROG} --help)\n")


def parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Which notebooks of a class share code beyond the assignment's template "
        "(winnowing fingerprints; no code is run).",
    )
    p.add_argument("inputs", nargs="+", metavar="FOLDER_OR_FILE", help=".ipynb files or folders")
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--template", type=Path, metavar="NOTEBOOK", help="the assignment's template notebook"
    )
    which.add_argument(
        "--assignment", metavar="NAME", help="use this assignment's template (the course's)"
    )
    assignments.add_roots_option(p)
    p.add_argument(
        "--out", type=Path, default=Path("reports"), metavar="DIR", help="default: reports/"
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=Settings.threshold,
        metavar="X",
        help=f"report pairs scoring at least X, in [0, 1] (default {Settings.threshold})",
    )
    p.add_argument(
        "--common",
        type=float,
        default=Settings.common,
        metavar="SHARE",
        help="ignore code found in more than this share of the notebooks (default "
        f"{Settings.common}; 1 ignores none)",
    )
    p.add_argument(
        "--min-shared",
        type=int,
        default=Settings.min_shared,
        metavar="N",
        help=f"report pairs sharing at least N fingerprints (default {Settings.min_shared})",
    )
    p.add_argument(
        "-k", type=int, default=Settings.k, metavar="K", help=f"tokens per k-gram ({Settings.k})"
    )
    p.add_argument(
        "--window",
        type=int,
        default=Settings.window,
        metavar="W",
        help=f"k-grams per winnowing window ({Settings.window})",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    try:
        settings = Settings(args.k, args.window, args.threshold, args.common, args.min_shared)
    except GraderError as error:
        return _fail(EXIT_USAGE, str(error))
    try:
        template = _template(args)
    except GraderError as error:
        return _fail(EXIT_USAGE, str(error))
    batch = submissions.collect([Path(s) for s in args.inputs], args.out)
    skipped = list(batch.ignored)
    found = []
    for f in batch.found:
        if template is not None and _same_file(f.path, template):
            skipped.append((f.key, "the template itself, or a copy of it: nothing to compare"))
        else:
            found.append((f.key, f.path))
    if not found:
        return _fail(EXIT_USAGE, f"{', '.join(args.inputs)} holds no notebooks (.ipynb files)")
    try:
        pairs = analyze(
            found,
            template,
            threshold=settings.threshold,
            common=settings.common,
            min_shared=settings.min_shared,
            k=settings.k,
            window=settings.window,
            skipped=skipped,
        )
    except Rejected as error:
        return _fail(EXIT_USAGE, f"the template cannot be used: {error}")
    if skipped:
        shown = "; ".join(f"{_printable(key)} ({_printable(why)})" for key, why in skipped[:10])
        more = f"; and {len(skipped) - 10} more" if len(skipped) > 10 else ""
        print(f"not compared: {shown}{more}", file=sys.stderr)
    try:
        index = write(args.out, pairs, found, template=template, settings=settings,
                      skipped=skipped)  # fmt: skip
    except OSError as error:
        return _fail(EXIT_FAILED, f"cannot write the report in {args.out} ({error.strerror})")
    compared = len(found) - sum(1 for key, _ in skipped if key in dict(found))
    print(
        f"compared {compared} notebooks in {time.perf_counter() - started:.1f} s; "
        f"{len(pairs)} pair(s) at or above {settings.threshold:g}",
        file=sys.stderr,
    )
    print(index)
    return EXIT_OK


def _template(args: argparse.Namespace) -> Path | None:
    """The template notebook named by --template, or that of --assignment."""
    if args.assignment:
        return assignments.find(args.assignment, args.roots).template.resolve()
    return args.template.resolve() if args.template else None


def _same_file(path: Path, template: Path) -> bool:
    try:
        if path.resolve() == template:
            return True
        return path.stat().st_size == template.stat().st_size and (
            path.read_bytes() == template.read_bytes()
        )
    except OSError:
        return False


def _fail(code: int, sentence: str) -> int:
    print(f"{PROG}: {sentence.rstrip('.')}.", file=sys.stderr)
    return code


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))
