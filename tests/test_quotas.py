"""Quotas on what a sandbox shares with the machine: disk, files, and processor time."""

from __future__ import annotations

import os
import time

import pytest

from autograder.config import Limits
from autograder.sandbox import cgroups
from tests.kernels import kernel, kinds_available

pytestmark = pytest.mark.slow

WRITE = """
import os
folder = {folder!r}
block = b"x" * 2**20
try:
    for i in range({count}):
        with open(os.path.join(folder, "f%05d" % i), "wb") as f:
            f.write(block)
        if i % 8 == 0:
            __import__("time").sleep(0.05)
    __import__("time").sleep(3)
    print("wrote", {count})
except OSError as e:
    print("refused:", e.strerror)
"""


def _died(k, code: str, timeout: float = 60):
    outcome = k.execute(code, timeout=timeout)
    return outcome, k.alive()


@pytest.mark.parametrize("kind", kinds_available())
def test_writing_more_than_the_disk_limit_to_a_shared_folder_stops_the_kernel(tmp_path, kind):
    """The folders the kernel shares with the grader (call results, sockets; in a plain
    process its home too) are measured by the watchdog; over the limit the kernel dies
    with the reason, and the files are gone with the sandbox."""
    limits = Limits(max_disk_mb=24)
    with kernel(tmp_path, kind, limits=limits) as k:
        folder = str(k.box.outbox)
        outcome, alive = _died(k, WRITE.format(folder=folder, count=64))
        assert not alive, outcome.output
        assert "disk limit exceeded" in k.box.kernel.death_reason()
        written = sum(e.stat().st_size for e in os.scandir(folder) if e.is_file())
        if k.box.mounted:  # a file system of its own: the limit, the room for results, 64 MiB
            assert written <= (24 + limits.max_result_mb + 64) * 2**20
        else:  # the watchdog looks five times a second
            assert written < (24 + 64) * 2**20
        assert k.box.mounted == (os.geteuid() == 0)
        box = k.box
    assert not box.outbox.exists() and not box.run.exists()


@pytest.mark.parametrize("kind", kinds_available())
def test_creating_too_many_files_stops_the_kernel(tmp_path, kind):
    code = (
        f"import os\nfolder = {str(tmp_path)!r}\n"
        "for i in range(30000):\n    open(os.path.join(FOLDER, str(i)), 'w').close()\n"
        "__import__('time').sleep(3)\n"
    )
    with kernel(tmp_path, kind) as k:
        outcome, alive = _died(k, code.replace("FOLDER", repr(str(k.box.outbox))))
        assert not alive, outcome.output
        assert "too many files" in k.box.kernel.death_reason()


def test_under_bwrap_the_home_tmp_and_shm_are_private_memory_of_a_fixed_size(tmp_path):
    """Nothing the kernel writes to its home, /tmp or /dev/shm reaches the host: each is
    a file system of its own size, and a write beyond it fails in the student's code."""
    if "bwrap" not in kinds_available():
        pytest.skip("bubblewrap does not work on this machine")
    limits = Limits(max_disk_mb=16, max_file_mb=8)
    with kernel(tmp_path, "bwrap", limits=limits) as k:
        for folder, size in (("/home/student", 16), ("/tmp", 8), ("/dev/shm", 8)):
            outcome = k.execute(WRITE.format(folder=folder, count=size + 4), timeout=60)
            assert "refused: No space left on device" in outcome.output, (folder, outcome)
            assert k.alive()
        host = sum(e.stat().st_size for e in os.scandir(k.box.work))
        assert host < 2**20  # the host's copy of the work folder holds only the notebook
        listed = k.execute("print(sorted(os.listdir('.')))", timeout=30).output
        assert "submission.ipynb" in listed


BUSY = """
import os, time
for _ in range({n}):
    if os.fork() == 0:
        os.setsid()  # a session each: the scheduler's per-session groups do not help
        while True:
            pass
time.sleep(0.5)
"""

MEASURE = """
import time, resource
wall = time.monotonic()
x = 0
for i in range(20_000_000):
    x += i
used = resource.getrusage(resource.RUSAGE_SELF)
print(round((used.ru_utime + used.ru_stime) / (time.monotonic() - wall), 3))
"""


def test_a_sandbox_with_many_busy_processes_does_not_starve_its_neighbour(tmp_path):
    """Each sandbox is a cgroup of its own with equal weight: a neighbour running forty
    busy processes gets the same share of the processors as one running one."""
    if cgroups.problem():
        pytest.skip(f"no cgroups here: {cgroups.problem()}")
    kind = kinds_available()[0]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with kernel(tmp_path / "a", kind) as hog, kernel(tmp_path / "b", kind) as neighbour:
        hog.execute(BUSY.format(n=40), timeout=30)
        time.sleep(1)
        share = float(neighbour.execute(MEASURE, timeout=120).output.strip().split()[-1])
        hog_cpu = hog.box.kernel.cpu_seconds()
    # without a cgroup each of the 41 busy processes gets an equal slice: about 2/41 of a
    # processor on two cores (measured: 0.06); with one, about a processor (measured: 0.66)
    assert share > 0.3, share
    assert hog_cpu > 1.0  # the hog's processes are counted, though none was waited for


def test_a_hog_in_a_batch_changes_no_neighbours_grade_or_status(tmp_path):
    """With ``--jobs 2``, a submission that leaves forty busy processes running through its
    grade does not make a correct neighbour time out or end in ``error``."""
    import json
    import shutil
    import subprocess
    import sys

    import nbformat
    import psutil

    from tests.notebooks import REPO, append_cells, solution, solution_path

    folder = tmp_path / "class"
    folder.mkdir()
    hog = append_cells(solution(), BUSY.format(n=40))
    nbformat.write(hog, folder / "a_hog.ipynb")
    for i in range(3):
        shutil.copy(solution_path("cnn_basics"), folder / f"neighbour_{i}.ipynb")
    out = tmp_path / "out"
    before = set(psutil.pids())
    started = time.time()
    done = subprocess.run(
        [sys.executable, "grade.py", str(folder), "--out", str(out), "--jobs", "2"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert done.returncode in (0, 1), done.stderr[-3000:]
    reports = {
        p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in out.glob("*/report.json")
    }
    assert len(reports) == 4, sorted(reports)
    for name, report in reports.items():
        assert report["status"] == "graded", (name, report["error"])
        if name.startswith("neighbour"):
            assert report["score"] == 100, (name, report["score"])
    # and nothing the batch started is still running once it is over
    time.sleep(1)
    left = [
        p.info
        for p in psutil.process_iter(["pid", "name", "create_time", "status", "cmdline"])
        if p.info["pid"] not in before
        and p.info["status"] != psutil.STATUS_ZOMBIE
        and p.info["cmdline"]  # the operating system's own threads have none
    ]
    assert not [p for p in left if p["create_time"] >= started], left
