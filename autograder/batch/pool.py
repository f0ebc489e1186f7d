"""Grading many submissions with a pool of worker processes.

Each submission is graded in a worker (one GPU each when there are several),
which writes the submission's reports itself; the parent only keeps score.
A fresh worker takes the place of one that dies or hangs. The submission it
held is graded once more when the worker died (a crash of the grader's own
process is not the submission's fault, until it happens twice) and gets an
``error`` report when it hung past the wall-clock limit or killed two workers.

The schedule (:mod:`.plan`): the workers share the cores (each kernel gets its share of
threads), the submissions expected to take longest go first, and while more submissions
wait than there are workers, each worker holds the next one too, so that it starts that
grade (its kernel, first) while the report of the last one is still being written.
"""

from __future__ import annotations

import faulthandler
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.batch import plan
from autograder.options import Options
from autograder.results import Report

WORKER_SLACK_S = 300.0
"""How long past the longest total time limit a worker may hold one submission."""


@dataclass(frozen=True)
class Job:
    index: int
    path: Path
    folder: Path
    key: str
    """What reports call the submission: its path relative to the batch's folder."""
    student: str


@dataclass(frozen=True)
class Done:
    """What the parent learns about one finished submission."""

    index: int
    key: str
    folder: Path
    status: str
    score: float
    max_score: float
    seconds: float
    resumed: bool = False
    error: str = ""
    """For an ``error`` or ``rejected`` report, its sentence."""

    @classmethod
    def resumed_from(cls, index: int, key: str, folder: Path, report: dict[str, Any]) -> Done:
        """A submission whose report (``report``: its report.json) already exists."""
        score, best = float(report["score"]), float(report["max_score"])
        return cls(index, key, folder, report["status"], score, best, 0.0, resumed=True)


def run(
    jobs: list[Job],
    options: Options,
    *,
    workers: int,
    gpus: list[str],
    wall_limit_s: float,
    on_done: Callable[[Done], None],
) -> list[Done]:
    """Grade ``jobs`` with ``workers`` processes; ``on_done`` sees each as it finishes."""
    if not jobs:
        return []
    spawn = mp.get_context("spawn")
    results: mp.Queue = spawn.Queue()
    if _can_fork():
        import autograder.grading  # noqa: F401 - once, here, for every worker forked from here
    pending = plan.longest_first(jobs)
    count = max(1, min(workers, len(jobs)))
    threads = plan.threads_per_worker(count)
    pool: dict[int, tuple[Any, mp.Queue]] = {}
    holding: dict[int, list[list[Any]]] = {}
    """Per worker, the jobs it holds in order: [job, when it started (None: queued)]."""
    retried: set[int] = set()

    def start(slot: int) -> None:
        gpu = gpus[slot % len(gpus)] if gpus else None
        inbox: mp.Queue = spawn.Queue()
        proc = (mp.get_context("fork") if _can_fork() else spawn).Process(
            target=_worker,
            args=(slot, gpu, threads, options, inbox, results),
            name=f"grader-{slot}",
            daemon=True,
        )
        proc.start()
        pool[slot] = (proc, inbox)
        holding[slot] = []

    def hand_out() -> None:
        for slot, (_, inbox) in pool.items():
            held = holding[slot]
            # one more queued behind the running one while more wait than there are workers
            while pending and (not held or (len(held) == 1 and len(pending) > len(pool))):
                job = pending.pop(0)
                held.append([job, None if held else time.monotonic()])
                inbox.put(job)

    def finished(slot: int, d: Done) -> None:
        held = holding.get(slot, [])
        held[:] = [h for h in held if h[0].index != d.index]
        if held and held[0][1] is None:
            held[0][1] = time.monotonic()
        done.append(d)
        on_done(d)

    for slot in range(count):
        start(slot)
    done: list[Done] = []
    try:
        while len(done) < len(jobs):
            hand_out()
            try:
                slot, d = results.get(timeout=0.5)
            except queue.Empty:
                pass
            else:
                finished(slot, d)
                continue
            for slot, (proc, _) in list(pool.items()):
                held = holding.pop(slot)
                first = held[0] if held else None
                overdue = first is not None and time.monotonic() - first[1] > wall_limit_s
                if proc.is_alive() and not overdue:
                    holding[slot] = held
                    continue
                if overdue:
                    proc.kill()
                proc.join(5)
                del pool[slot]
                pending[:0] = [h[0] for h in held[1:]]  # queued behind it: not its fault
                if first is not None:
                    job = first[0]
                    if not overdue and job.index not in retried:
                        # a worker that dies is the grader's fault until it happens twice
                        retried.add(job.index)
                        pending.insert(0, job)
                        print(
                            f"{job.key}: the grader's worker stopped unexpectedly "
                            f"({_exit_words(proc.exitcode)}); grading it again",
                            file=sys.stderr,
                        )
                    else:
                        why = (
                            f"took longer than {wall_limit_s:.0f} s and was stopped"
                            if overdue
                            else f"stopped unexpectedly twice ({_exit_words(proc.exitcode)})"
                        )
                        lost = _lost(job, options, why, time.monotonic() - first[1])
                        done.append(lost)
                        on_done(lost)
                if pending:
                    start(slot)
    finally:
        for _, inbox in pool.values():
            inbox.put(None)
        for proc, _ in pool.values():
            # every report is on disk by now: a worker slow to shut its interpreter down
            # (PyTorch loaded) is not worth waiting for
            proc.join(0.05)
            if proc.is_alive():
                proc.kill()
    return sorted(done, key=lambda d: d.index)


def _can_fork() -> bool:
    """Whether a worker may start as a copy of this process (fork) rather than as a new
    interpreter that imports the grader again (spawn), which saves a one-off grade about half
    a second. Only on Linux, while no other Python thread runs here (the first workers of the
    command line: later, the queues' feeder threads run, and a thread holding a lock at the
    fork would leave it held in the copy forever) and PyTorch is not loaded (CUDA does not
    survive a fork). NumPy's OpenBLAS threads are safe: OpenBLAS stops them at a fork."""
    return (
        sys.platform == "linux"
        and "fork" in mp.get_all_start_methods()
        and threading.active_count() == 1
        and "torch" not in sys.modules
    )


def _exit_words(code: int | None) -> str:
    """``killed by SIGKILL`` or ``exit status 1``."""
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit status {code}"


def _lost(job: Job, options: Options, why: str, seconds: float) -> Done:
    """The error report of a submission whose worker died or hung."""
    from autograder.intake import sha256_of
    from autograder.reports import write_all

    try:
        sha = sha256_of(job.path)
    except OSError:
        sha = None
    report = Report.failed(
        job.key,
        f"the grader's worker process {why} while grading this notebook; "
        "grade it again on its own to see whether it happens again",
        sha256=sha,
        assignment=options.assignment,
        student=job.student,
    )
    report.timing["total_s"] = round(seconds, 3)
    write_all(report, job.folder)
    return Done(
        job.index, job.key, job.folder, "error", 0.0, 0.0, seconds, error=report.error or ""
    )


def _worker(
    slot: int,
    gpu: str | None,
    threads: int,
    options: Options,
    tasks: mp.Queue,
    results: mp.Queue,
) -> None:
    """A worker process: grade submissions from ``tasks`` until it gets None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    faulthandler.enable()  # a crash in native code (PyTorch, NumPy) leaves a trace on stderr
    from dataclasses import replace

    from autograder.grading import grade

    options = replace(
        options, gpu=gpu if gpu is not None else options.gpu, threads=options.threads or threads
    )
    writer: threading.Thread | None = None
    while True:
        job = tasks.get()
        if job is None:
            break
        started = time.monotonic()
        try:
            report = grade(job.path, options, name=job.key, student=job.student)
        except BaseException as error:  # noqa: BLE001 - grade() should never raise; be sure
            report = Report.failed(
                job.key, f"the grader failed unexpectedly ({error!r})", student=job.student
            )
        if writer is not None:
            writer.join()
        # the report is written while the next grade starts (its kernel, first)
        writer = threading.Thread(
            target=_deliver, args=(slot, job, report, started, results), name="report-writer"
        )
        writer.start()
    if writer is not None:
        writer.join()


def _deliver(slot: int, job: Job, report: Report, started: float, results: mp.Queue) -> None:
    """Write one report, then tell the parent (a report that cannot be written ends the
    worker, as it always did: the parent grades the submission again)."""
    from autograder.reports import write_all

    try:
        write_all(report, job.folder)
        d = Done(
            job.index,
            job.key,
            job.folder,
            report.status,
            report.score,
            report.max_score,
            time.monotonic() - started,
            error=report.error or "",
        )
        results.put((slot, d))
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001
        faulthandler.dump_traceback()
        os._exit(1)
