"""Grading many submissions: a pool of workers (:mod:`.pool`), what to grade and where
(:mod:`.plan`: resuming, GPUs, the longest time a grade may take), and the class's
gradebook (:mod:`.gradebook`: the class files, and merging shards)."""

from autograder.batch.gradebook import (
    merge,
    write_class_files,
    write_job_summary,
    write_similarity,
)
from autograder.batch.plan import finished_report, gpus, longest_total
from autograder.batch.pool import WORKER_SLACK_S, Done, Job, run

__all__ = [
    "WORKER_SLACK_S",
    "Done",
    "Job",
    "finished_report",
    "gpus",
    "longest_total",
    "merge",
    "run",
    "write_class_files",
    "write_job_summary",
    "write_similarity",
]
