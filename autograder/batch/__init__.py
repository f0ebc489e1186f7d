"""Grading many submissions: a pool of workers (:mod:`.pool`), what to grade and where
(:mod:`.plan`: resuming, GPUs, the longest time a grade may take), the class's gradebook
(:mod:`.gradebook`: the class files, and merging shards; :mod:`.roster`: students' ids and
names; the Canvas import), and regrading one student or one question of a graded class
(:mod:`.regrade`, :mod:`.partial`)."""

from autograder.batch import roster
from autograder.batch.gradebook import (
    merge,
    report_folders,
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
    "report_folders",
    "roster",
    "run",
    "write_class_files",
    "write_job_summary",
    "write_similarity",
]
