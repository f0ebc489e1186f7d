"""Data sets for the CIFAR-10 check: the real CIFAR-10 on disk, or a synthetic stand-in.

- ``cifar``: find, describe (real, synthetic or unverified), load and download CIFAR-10.
- ``synthetic``: write a learnable data set in CIFAR-10's exact file format.
- ``batchfile``: read and write single batch files without trusting their pickles.
- ``python -m autograder.data``: the command line (download, synthetic, describe).
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.data.cifar import (
    CIFAR10_CLASSES,
    CIFAR10_MEAN,
    CIFAR10_STD,
    DEFAULT_DATA_DIR,
    DatasetInfo,
    batches_folder,
    describe,
    download,
    load_meta,
    load_split,
)
from autograder.data.errors import (
    DatasetCorrupt,
    DatasetExists,
    DatasetMissing,
    DownloadFailed,
    UnsafePickle,
)
from autograder.data.synthetic import generate


@dataclass(frozen=True)
class Dataset:
    """A data set the accuracy check can train on, as the grader reads it."""

    name: str
    describe: Callable[[Path], DatasetInfo]
    load_split: Callable[..., tuple[np.ndarray, np.ndarray]]
    training_files: Callable[[Path], dict[str, Path]]
    """The files the kernel may read (training images and labels, never the test set), by
    their path relative to its data folder."""
    mean: tuple[float, ...]
    std: tuple[float, ...]
    default_root: Path


def _cifar_training_files(root: Path) -> dict[str, Path]:
    folder = batches_folder(root)
    names = [*(f"data_batch_{i}" for i in range(1, 6)), "batches.meta"]
    return {f"cifar-10-batches-py/{name}": folder / name for name in names}


DATASETS = {
    "cifar10": Dataset(
        "cifar10",
        describe,
        load_split,
        _cifar_training_files,
        CIFAR10_MEAN,
        CIFAR10_STD,
        DEFAULT_DATA_DIR,
    ),
}
"""The data sets an assignment's ``[training] dataset`` may name (CIFAR-format files)."""


def dataset(name: str) -> Dataset:
    return DATASETS[name]


__all__ = [
    "DATASETS",
    "Dataset",
    "dataset",
    "CIFAR10_CLASSES",
    "CIFAR10_MEAN",
    "CIFAR10_STD",
    "DatasetCorrupt",
    "DatasetExists",
    "DatasetInfo",
    "DatasetMissing",
    "DownloadFailed",
    "UnsafePickle",
    "batches_folder",
    "describe",
    "download",
    "generate",
    "load_meta",
    "load_split",
]
