"""CIFAR-10 on disk: find it, tell what it is, load it, fetch it.

The layout is torchvision's: a data root (``datasets/`` by default) holding
``cifar-10-batches-py/`` with ``data_batch_1`` .. ``data_batch_5``,
``test_batch`` and ``batches.meta``. Every function accepts either the root or
the ``cifar-10-batches-py`` folder itself.

``describe`` says which kind of set a folder holds: the real CIFAR-10 (every
file matches torchvision's MD5 list), a synthetic set made by
``autograder.data.synthetic`` (recognized by a marker in ``batches.meta`` that
records the MD5 of every file it wrote), or an unverified CIFAR-format set.
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np

from autograder.data.batchfile import read_batch, text
from autograder.data.errors import DatasetCorrupt, DatasetMissing, DownloadFailed

CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer",
    "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR10_STD = (0.2023, 0.1994, 0.2010)

DEFAULT_DATA_DIR = Path("datasets")
"""Where the command line looks by default (relative to the working folder, normally the repo)."""
BASE_FOLDER = "cifar-10-batches-py"
TRAIN_FILES = tuple(f"data_batch_{i}" for i in range(1, 6))
TEST_FILE = "test_batch"
META_FILE = "batches.meta"
ALL_FILES = (*TRAIN_FILES, TEST_FILE, META_FILE)
SYNTHETIC_MARKER = "autograder_synthetic"
"""The ``batches.meta`` key that our generator adds (its name, version, seed and file MD5s)."""
IMAGE_BYTES = 3 * 32 * 32
FETCH_HINT = (
    "fetch CIFAR-10 with `python -m autograder.data download --data-dir DIR`, or make a "
    "synthetic stand-in with `python -m autograder.data synthetic --out DIR`"
)

Kind = Literal["cifar10", "synthetic", "unverified"]


@dataclass(frozen=True)
class DatasetInfo:
    """What a data folder holds, in a form reports can print."""

    kind: Kind
    """``"cifar10"`` (torchvision's checksums match), ``"synthetic"`` (our generator) or
    ``"unverified"`` (CIFAR-10's format, but neither of the other two)."""
    root: Path
    """The data root: the folder that holds ``cifar-10-batches-py/``."""
    n_train: int
    n_test: int
    class_names: tuple[str, ...]
    description: str
    """One sentence for reports, e.g. "CIFAR-10 (torchvision checksums verified)"."""

    @property
    def folder(self) -> Path:
        """The ``cifar-10-batches-py`` folder."""
        return self.root / BASE_FOLDER


def batches_folder(root: str | os.PathLike[str]) -> Path:
    """The ``cifar-10-batches-py`` folder for a data root, or for that folder itself."""
    path = Path(root)
    if path.name == BASE_FOLDER or (path / TRAIN_FILES[0]).is_file():
        return path
    return path / BASE_FOLDER


def _data_root(root: str | os.PathLike[str]) -> Path:
    folder = batches_folder(root)
    return folder.parent if folder.name == BASE_FOLDER else folder


def _require_files(folder: Path) -> None:
    missing = [name for name in ALL_FILES if not (folder / name).is_file()]
    if not missing:
        return
    if not folder.is_dir():
        what = f"there is no folder {folder.resolve()}"
    else:
        what = f"{folder.resolve()} lacks {', '.join(missing)}"
    raise DatasetMissing(f"No CIFAR-10 data set was found: {what}; {FETCH_HINT}.")


RACY_S = 2.0
"""Files changed less than this long ago are hashed afresh: the clock that stamps modification
times is coarse, so a file rewritten right after it was hashed could keep its stamp."""


def md5(path: Path) -> str:
    """The file's MD5 as hex, computed once per (path, size, modification time)."""
    return _per_file_version(_md5, path)


def _per_file_version(cached: Any, path: Path) -> Any:
    """``cached(path, size, mtime_ns)`` for an ``lru_cache`` function; racy files skip the cache."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if time.time_ns() - stat.st_mtime_ns < RACY_S * 1e9:
        return cached.__wrapped__(*key)
    return cached(*key)


@lru_cache(maxsize=64)
def _md5(path: str, size: int, mtime_ns: int) -> str:  # size and mtime_ns are the cache key
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _torchvision_md5s() -> dict[str, str]:
    """torchvision's own list of CIFAR-10 file checksums, read at run time."""
    from torchvision.datasets import CIFAR10

    listed = {name: digest for name, digest in [*CIFAR10.train_list, *CIFAR10.test_list]}
    listed[CIFAR10.meta["filename"]] = CIFAR10.meta["md5"]
    return listed


def describe(root: str | os.PathLike[str]) -> DatasetInfo:
    """Say what the data folder holds: real CIFAR-10, our synthetic set, or an unverified set.

    Raises:
        DatasetMissing: a file of the set is not there (the message says how to get one).
        DatasetCorrupt: a file is there but is not in CIFAR-10's python format.
    """
    folder, data_root = batches_folder(root), _data_root(root)
    _require_files(folder)
    meta = read_batch(folder / META_FILE)
    names = _class_names(meta, folder / META_FILE)
    marker = meta.get(SYNTHETIC_MARKER)
    if isinstance(marker, dict):
        changed = _changed(folder, _marker_md5s(marker))
        if not changed:
            sentence = (
                f"synthetic CIFAR-format set (autograder generator v{marker.get('version')}, "
                f"seed {marker.get('seed')}; not CIFAR-10)"
            )
            n_train, n_test = int(marker["n_train"]), int(marker["n_test"])
            return DatasetInfo("synthetic", data_root, n_train, n_test, names, sentence)
        against = "what the autograder generator wrote"
    else:
        changed = _changed(folder, _torchvision_md5s())
        if not changed:
            sentence = "CIFAR-10 (torchvision checksums verified)"
            return DatasetInfo("cifar10", data_root, 50000, 10000, names, sentence)
        against = "torchvision's CIFAR-10 checksums"
    verb = "does" if len(changed) == 1 else "do"
    sentence = f"unverified CIFAR-format set ({', '.join(changed)} {verb} not match {against})"
    n_train = sum(_n_images(folder / name) for name in TRAIN_FILES)
    n_test = _n_images(folder / TEST_FILE)
    return DatasetInfo("unverified", data_root, n_train, n_test, names, sentence)


def _changed(folder: Path, expected: dict[str, str]) -> list[str]:
    """The files whose MD5 differs from the expected one."""
    return [name for name, digest in expected.items() if md5(folder / name) != digest]


def _marker_md5s(marker: dict[str, Any]) -> dict[str, str]:
    """The MD5s the generator recorded for the batch files (the meta file holds them)."""
    recorded = marker.get("md5")
    if not isinstance(recorded, dict) or not {"n_train", "n_test"} <= marker.keys():
        return {name: "" for name in (*TRAIN_FILES, TEST_FILE)}  # a broken marker verifies nothing
    return {name: text(recorded.get(name, b"")) for name in (*TRAIN_FILES, TEST_FILE)}


def _n_images(path: Path) -> int:
    return _per_file_version(_count, path)


@lru_cache(maxsize=64)
def _count(path: str, size: int, mtime_ns: int) -> int:  # size and mtime_ns are the cache key
    return len(_images_and_labels(Path(path))[1])


def _class_names(meta: dict[str, Any], path: Path) -> tuple[str, ...]:
    names = meta.get("label_names")
    if not isinstance(names, (list, tuple)) or len(names) != 10:
        raise DatasetCorrupt(f"{path} does not list ten class names under 'label_names'.")
    return tuple(text(name) for name in names)


def load_meta(root: str | os.PathLike[str]) -> tuple[str, ...]:
    """The ten class names from ``batches.meta``, in label order."""
    folder = batches_folder(root)
    if not (folder / META_FILE).is_file():
        _require_files(folder)
    return _class_names(read_batch(folder / META_FILE), folder / META_FILE)


def load_split(root: str | os.PathLike[str], *, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """The training set (``train=True``, five batches) or the test set, as arrays.

    Returns:
        images: (N, 32, 32, 3) uint8, height-width-channel, as torchvision stores them.
        labels: (N,) int64 in [0, 10).

    Raises:
        DatasetMissing: a batch file is not there.
        DatasetCorrupt: a batch file is not in CIFAR-10's python format.
    """
    folder = batches_folder(root)
    names = TRAIN_FILES if train else (TEST_FILE,)
    if any(not (folder / name).is_file() for name in names):
        _require_files(folder)
    parts = [_images_and_labels(folder / name) for name in names]
    data = np.concatenate([rows for rows, _ in parts])
    labels = np.concatenate([labels for _, labels in parts])
    images = np.ascontiguousarray(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
    return images, labels


def _images_and_labels(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """One batch file as its (N, 3072) uint8 rows and (N,) int64 labels, checked."""
    batch = read_batch(path)
    data, labels = batch.get("data"), batch.get("labels")
    if (
        not isinstance(data, np.ndarray)
        or data.dtype != np.uint8
        or data.ndim != 2
        or data.shape[1] != IMAGE_BYTES
    ):
        raise DatasetCorrupt(f"{path} has no 'data' array of uint8 rows of {IMAGE_BYTES} values.")
    try:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError):
        raise DatasetCorrupt(f"{path} has no list of integer 'labels'.") from None
    if len(labels) != len(data):
        raise DatasetCorrupt(f"{path} has {len(data)} images but {len(labels)} labels.")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise DatasetCorrupt(f"{path} has labels outside 0-9.")
    return data, labels


def download(root: str | os.PathLike[str], *, timeout_s: float = 60.0) -> DatasetInfo:
    """Fetch CIFAR-10 into ``root`` with torchvision (which checks its checksums) and describe it.

    Files already there and intact are not fetched again.

    Raises:
        DownloadFailed: no network, a timeout, or files that fail torchvision's checksums.
    """
    from torchvision.datasets import CIFAR10

    target = _data_root(root)
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout_s)
    try:
        target.mkdir(parents=True, exist_ok=True)
        for train in (True, False):
            CIFAR10(str(target), train=train, download=True)
    except Exception as error:  # torchvision raises URLError, timeouts, RuntimeError, tar errors
        raise DownloadFailed(
            f"CIFAR-10 could not be downloaded into {target.resolve()} ({_reason(error)}); "
            "check the network, or copy an existing cifar-10-batches-py folder there."
        ) from None
    finally:
        socket.setdefaulttimeout(previous)
    info = describe(target)
    if info.kind != "cifar10":
        raise DownloadFailed(f"The files in {info.folder.resolve()} are an {info.description}.")
    return info


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None) or error
    return f"{type(error).__name__}: {reason}".rstrip(": ")
