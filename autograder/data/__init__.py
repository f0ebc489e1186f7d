"""Data sets for the CIFAR-10 check: the real CIFAR-10 on disk, or a synthetic stand-in.

- ``cifar``: find, describe (real, synthetic or unverified), load and download CIFAR-10.
- ``synthetic``: write a learnable data set in CIFAR-10's exact file format.
- ``batchfile``: read and write single batch files without trusting their pickles.
- ``python -m autograder.data``: the command line (download, synthetic, describe).
"""

from autograder.data.cifar import (
    CIFAR10_CLASSES,
    CIFAR10_MEAN,
    CIFAR10_STD,
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

__all__ = [
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
