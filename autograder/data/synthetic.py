"""A synthetic data set in CIFAR-10's exact python file format, for tests and GPU-less machines.

``generate`` writes ``data_batch_1`` .. ``data_batch_5``, ``test_batch`` and
``batches.meta`` under ``root/cifar-10-batches-py/``, laid out like the real
files (see ``batchfile``), so torchvision's reading code, the CIFAR website's
recipe and the grader's own loader all read it. The ten classes are drawn by
``patterns``: a small CNN learns them in seconds, a linear model cannot.

``batches.meta`` carries one extra key, ``autograder_synthetic``, with the
generator's version, the seed, the set's size and the MD5 of every batch
file, so ``cifar.describe`` can tell this set from CIFAR-10 and notice when a
file was changed afterwards. The same seed and sizes give the same bytes.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np

from autograder.data import patterns
from autograder.data.batchfile import batch_bytes, read_batch
from autograder.data.cifar import (
    ALL_FILES,
    IMAGE_BYTES,
    META_FILE,
    SYNTHETIC_MARKER,
    TEST_FILE,
    TRAIN_FILES,
    DatasetInfo,
    batches_folder,
    describe,
)
from autograder.data.errors import DatasetCorrupt, DatasetExists

GENERATOR_VERSION = 2
"""Bump when a change to ``patterns`` or to this file changes the bytes written."""
CLASS_NAMES = patterns.CLASS_NAMES


def generate(
    root: str | os.PathLike[str], *, n_train: int = 50000, n_test: int = 10000, seed: int = 0
) -> DatasetInfo:
    """Write a synthetic CIFAR-format data set and describe it.

    Args:
        root: the data root (``root/cifar-10-batches-py/`` is created) or that folder itself.
        n_train: training images, split over five batch files; at least 10.
        n_test: test images in ``test_batch``; at least 10.
        seed: the random seed; the test set depends on the seed only, not on ``n_train``.

    Every class has ``n // 10`` or ``n // 10 + 1`` images in each split, in random order.

    Raises:
        ValueError: a size below 10 or a negative seed.
        DatasetExists: the folder already holds a data set that this generator did not write.
    """
    for name, value in (("n_train", n_train), ("n_test", n_test)):
        if int(value) != value or value < 10:
            raise ValueError(
                f"{name} must be a whole number of at least 10 (one image per class); got {value}."
            )
    if int(seed) != seed or seed < 0:
        raise ValueError(f"seed must be a whole number of at least 0; got {seed}.")
    folder = batches_folder(root)
    _refuse_foreign_set(folder)
    folder.mkdir(parents=True, exist_ok=True)
    train_rng, test_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    sizes = [len(part) for part in np.array_split(np.arange(n_train), len(TRAIN_FILES))]
    digests: dict[str, str] = {}
    labels = _balanced_labels(train_rng, n_train)
    start = 0
    for number, (name, size) in enumerate(zip(TRAIN_FILES, sizes, strict=True), start=1):
        batch = _batch(
            train_rng, labels[start : start + size], f"training batch {number} of 5", start
        )
        digests[name] = _write(folder / name, batch)
        start += size
    batch = _batch(test_rng, _balanced_labels(test_rng, n_test), "testing batch 1 of 1", 0)
    digests[TEST_FILE] = _write(folder / TEST_FILE, batch)
    meta = {
        "num_cases_per_batch": sizes[0],
        "label_names": list(CLASS_NAMES),
        "num_vis": IMAGE_BYTES,
        SYNTHETIC_MARKER: {
            "generator": "autograder.data.synthetic",
            "version": GENERATOR_VERSION,
            "seed": int(seed),
            "n_train": int(n_train),
            "n_test": int(n_test),
            "md5": digests,
        },
    }
    _write(folder / META_FILE, meta)
    return describe(folder)


def _refuse_foreign_set(folder: Path) -> None:
    """Raise ``DatasetExists`` when ``folder`` holds CIFAR files this generator did not write."""
    present = [name for name in ALL_FILES if (folder / name).exists()]
    if not present:
        return
    try:
        ours = SYNTHETIC_MARKER in read_batch(folder / META_FILE)
    except (OSError, DatasetCorrupt):
        ours = False
    if not ours:
        raise DatasetExists(
            f"{folder.resolve()} already holds {', '.join(present)}, not written by the synthetic "
            "generator; choose another folder or remove those files first."
        )


def _balanced_labels(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.permutation(np.arange(n) % len(CLASS_NAMES))


def _batch(rng: np.random.Generator, labels: np.ndarray, title: str, first: int) -> dict[str, Any]:
    """One batch dict with CIFAR-10's keys; rows are the 1024 red, then green, then blue values."""
    images = patterns.render(rng, labels)  # (n, 32, 32, 3)
    rows = np.ascontiguousarray(images.transpose(0, 3, 1, 2)).reshape(len(labels), IMAGE_BYTES)
    return {
        "batch_label": title,
        "labels": [int(label) for label in labels],
        "data": rows,
        "filenames": [
            f"{CLASS_NAMES[label]}_{first + i:05d}.png" for i, label in enumerate(labels)
        ],
    }


def _write(path: Path, batch: dict[str, Any]) -> str:
    """Write one pickled batch and return the MD5 of its bytes."""
    content = batch_bytes(batch)
    path.write_bytes(content)
    return hashlib.md5(content, usedforsecurity=False).hexdigest()
