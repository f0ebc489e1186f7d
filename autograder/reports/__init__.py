"""Rendering a :class:`~autograder.results.Report` into files people and tools read."""

from autograder.reports.write import report_dir, write_all

__all__ = ["report_dir", "write_all"]
