"""Named exceptions of the data layer.

Every class carries a sentence for people (``str(error)``): which folder or file
was looked at, what is wrong with it, and what to do about it.
``DatasetMissing`` is the grader's own (``autograder.errors``), so code that
already catches it there catches it here too.
"""

from __future__ import annotations

from autograder.errors import DatasetMissing, GraderError

__all__ = ["DatasetCorrupt", "DatasetExists", "DatasetMissing", "DownloadFailed", "UnsafePickle"]


class DatasetCorrupt(GraderError):
    """A data file is present but is not in CIFAR-10's python format."""


class UnsafePickle(DatasetCorrupt):
    """A batch file asks the unpickler for something no CIFAR batch needs (code, not data)."""


class DownloadFailed(GraderError):
    """CIFAR-10 could not be fetched, or what was fetched failed torchvision's checksums."""


class DatasetExists(GraderError):
    """The generator was asked to write over a data set that it did not make."""
