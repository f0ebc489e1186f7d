"""The data command line: fetch CIFAR-10, write a synthetic set, or say what a folder holds.

    python -m autograder.data download [--data-dir datasets]
    python -m autograder.data synthetic --out DIR [--train N] [--test N] [--seed S]
    python -m autograder.data describe DIR

Exit status: 0 done; 2 a usage error or a data problem, told in one sentence on
stderr.
"""

from __future__ import annotations

import argparse
import sys
import time

from autograder.data.cifar import DEFAULT_DATA_DIR, DatasetInfo, describe, download
from autograder.data.synthetic import generate
from autograder.errors import GraderError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder.data", description=__doc__.split("\n")[0]
    )
    verbs = parser.add_subparsers(
        dest="verb", required=True, metavar="{download,synthetic,describe}"
    )
    fetch = verbs.add_parser(
        "download", help="fetch CIFAR-10 with torchvision (checksums verified)"
    )
    fetch.add_argument(
        "--data-dir",
        default=str(DEFAULT_DATA_DIR),
        help="data root that gets cifar-10-batches-py/ (default: %(default)s)",
    )
    make = verbs.add_parser("synthetic", help="write a synthetic CIFAR-format set (not CIFAR-10)")
    make.add_argument("--out", required=True, help="data root that gets cifar-10-batches-py/")
    make.add_argument(
        "--train", type=int, default=50000, help="training images (default: %(default)s)"
    )
    make.add_argument("--test", type=int, default=10000, help="test images (default: %(default)s)")
    make.add_argument("--seed", type=int, default=0, help="random seed (default: %(default)s)")
    show = verbs.add_parser(
        "describe", help="say whether a folder holds CIFAR-10, a synthetic set, ..."
    )
    show.add_argument("data_dir", metavar="DIR", help="data root or its cifar-10-batches-py folder")
    return parser


def _summary(info: DatasetInfo) -> str:
    return (
        f"{info.folder}: {info.description}; {info.n_train} training and {info.n_test} test "
        f"images; classes: {', '.join(info.class_names)}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run one verb; return the exit status."""
    options = _parser().parse_args(argv)
    started = time.perf_counter()
    try:
        if options.verb == "download":
            info = download(options.data_dir)
        elif options.verb == "synthetic":
            info = generate(
                options.out, n_train=options.train, n_test=options.test, seed=options.seed
            )
        else:
            info = describe(options.data_dir)
    except (GraderError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(_summary(info))
    if options.verb != "describe":
        print(f"({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
