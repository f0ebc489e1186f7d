"""A sandbox for one submission: its private folders and the kernel process in it.

This module builds the sandbox (folders, environment, limits, the command line) and
starts the kernel in it; :mod:`~autograder.sandbox.process` watches and ends the
kernel's processes. With ``kinds``, ``users``, ``launcher`` and ``provisioner`` these
are the only parts of the grader that know about processes, users and namespaces.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from autograder.config import Limits
from autograder.errors import KernelStartError
from autograder.sandbox import cgroups, cleanup, kinds, quota, users
from autograder.sandbox.kinds import MAX_THREADS, kernel_threads  # noqa: F401 - re-exported
from autograder.sandbox.process import KernelProcess, kill_user, tasks_of

_LAUNCHER = Path(__file__).with_name("launcher.py").read_text(encoding="utf-8")
GRADER_PACKAGE = Path(__file__).resolve().parent.parent
"""The grader's own package: never visible in a sandbox (installed from a wheel, it holds
the course's solutions, inside the Python installation the kernel runs from)."""


@dataclass(frozen=True)
class SandboxSpec:
    """How to sandbox one submission's kernel."""

    kind: str
    """"bwrap" or "process" (resolve "auto" with :func:`kinds.choose` first)."""
    limits: Limits
    memory_mb: int
    device: str = "cpu"
    gpu: str | None = None
    """The GPU this kernel may use (see ``Options.gpu``); the only one it sees."""
    threads: int = 1
    data_files: dict[str, Path] = field(default_factory=dict)
    """Files the kernel may read, by their path relative to its data folder."""
    fallback: str | None = None
    """Why ``auto`` did not pick bwrap, for the report."""
    hidden: tuple[Path, ...] = ()
    """Folders inside the Python installation that bwrap covers, besides the grader's own
    package (e.g. a course's assignments installed there)."""


class Sandbox:
    """Private folders for one submission and the kernels started in them.

    Folders of a run (``run/``): ``work`` the kernel's home and working folder,
    holding only the submission; ``ipc`` the kernel's sockets; ``in`` what the
    grader sends (read-only to the kernel); ``out`` what the kernel returns.
    """

    def __init__(self, spec: SandboxSpec, submission: Path, *, filename: str) -> None:
        self.spec = spec
        self.launched = threading.Event()
        """Set once a kernel's process has been started (the grader's other work may begin)."""
        self.run = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self.run, 0o711)
        # the kernel's sockets and the call files live in memory when the machine allows:
        # hundreds of small files a grade, and folders on disk are slow to make and remove
        self.exchange = Path(tempfile.mkdtemp(prefix="autograder-x-", dir=_memory_folder()))
        # of its own size where the grader may mount: the watchdog stops the kernel at
        # max_disk_mb, and the room above that is for the grader's own files
        self.mounted = quota.mount_memory(
            self.exchange, spec.limits.max_disk_mb + spec.limits.max_result_mb + 64
        )
        os.chmod(self.exchange, 0o711)
        self.user = users.reserve(in_namespace=spec.kind == "bwrap")
        self.work = self._folder("work", owned=True)
        self.ipc = self._folder("ipc", owned=True, root=self.exchange)
        self.inbox = self._folder("in", owned=False, root=self.exchange)
        self.outbox = self._folder("out", owned=True, root=self.exchange)
        self.tmp = self._folder("tmp", owned=True)
        self._etc = self._folder("etc", owned=False)
        self._data = self._stage_data() if spec.data_files else None
        target = self.work / filename
        shutil.copyfile(submission, target)
        self._own(target)
        self.filename = filename
        self.cgroup = cgroups.Group()
        self.kernel: KernelProcess | None = None
        self._started = 0
        if self.user.uid is not None:
            kill_user(self.user.uid)  # leftovers of an earlier grader that crashed

    # -- paths as the kernel sees them ------------------------------------------------

    @property
    def home(self) -> str:
        return kinds.SANDBOX_HOME if self.spec.kind == "bwrap" else str(self.work)

    @property
    def data_path(self) -> str | None:
        if self._data is None:
            return None
        return kinds.SANDBOX_DATA if self.spec.kind == "bwrap" else str(self._data)

    # -- life cycle -------------------------------------------------------------------

    def connection_paths(self) -> tuple[str, str]:
        """Where the next kernel's IPC sockets and connection file go (its exchange folder)."""
        if self.kernel is not None:
            # before the grader writes anything there: no process of the dead kernel is left
            # to plant a link where the next connection file goes, and its files are gone
            self.kernel.kill()
            if self.user.uid is not None:
                kill_user(self.user.uid)
            self._empty_written()
        self._started += 1
        n = self._started
        return str(self.ipc / f"k{n}"), str(self.ipc / f"kernel-{n}.json")

    def hand_over(self, path: str | Path) -> None:
        """Give a file the grader wrote to the sandbox's user (the connection file)."""
        self._own(Path(path))

    def launch(self, argv: list[str], *, env: dict[str, str]) -> KernelProcess:
        """Start ``argv`` (the kernel's command line) in the sandbox, ending the previous
        kernel; the kernel's process tree is returned at once, while it starts."""
        if self.kernel is not None:
            self.kernel.kill()
        launch = {
            "rlimits": self._rlimits(),
            "uid": self.user.uid,
            "gid": self.user.gid,
            "cwd": self.home,
            "argv": list(argv),
            "env": env,
        }
        command = [sys.executable, "-I", "-c", _LAUNCHER, json.dumps(launch)]
        if self.spec.kind == "bwrap":
            command = self._bwrap() + command
        command = cgroups.command(self.cgroup, command)
        log_path = self.run / f"kernel-{self._started}.log"
        with open(log_path, "wb") as log:
            try:
                popen = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    env=env,
                    cwd=self.run,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as e:
                raise KernelStartError(f"the kernel could not be started ({e}).") from None
        self.kernel = KernelProcess(self, popen, log_path)
        self.launched.set()
        return self.kernel

    def describe(self) -> dict:
        """The report's ``sandbox`` entry."""
        bwrap = self.spec.kind == "bwrap"
        described = {
            "kind": self.spec.kind,
            "network": not bwrap,
            "filesystem": "private" if bwrap else "shared (read access to the machine)",
            "user": self.user.reason,
            "device": self.spec.device,
            "limits": {**self.spec.limits.as_report(), "memory_mb": self.spec.memory_mb},
        }
        if self.spec.fallback:
            described["note"] = self.spec.fallback
        problem = cgroups.problem()
        described["cpu"] = (
            "a cgroup of its own: processor time shared fairly with other sandboxes"
            if problem is None
            else f"no cgroup ({problem}): a submission running many busy processes can slow "
            "submissions graded beside it"
        )
        if self.spec.device == "cuda":
            described["gpu"] = self.spec.gpu or "0"
            nodes, note = kinds.gpu_device_nodes(self.spec.gpu)
            if note and self.spec.kind == "bwrap":
                described["gpu_note"] = note
        return described

    def close(self) -> None:
        """Kill every process of the sandbox and delete its folders."""
        if self.kernel is not None:
            self.kernel.kill()
        if self.user.uid is not None:
            kill_user(self.user.uid)
        self.cgroup.remove()
        for stray in quota.strays(self.user.uid) if self.spec.kind == "process" else ():
            cleanup.remove_tree(stray)
        cleanup.remove_tree(self.run)
        if self.mounted:
            quota.unmount(self.exchange)
        cleanup.remove_tree(self.exchange)
        self.user.release()

    def _empty_written(self) -> None:
        """Before a restart: what the dead kernel left in the shared folders goes (so a
        kernel stopped for filling them does not leave its successor over the limit, and no
        link it planted is there when the grader writes); the notebook stays."""
        for folder in self.written():
            cleanup.empty(folder, keep={self.filename} if folder == self.work else set())

    def written(self) -> list[Path]:
        """The host folders the kernel can write to (what the disk limit measures); a plain
        process with a user of its own also owns what it left in the machine's /tmp and
        /dev/shm."""
        shared = [self.ipc, self.outbox]
        if self.spec.kind == "bwrap":
            return shared
        return [self.work, self.tmp, *shared, *quota.strays(self.user.uid)]

    # -- helpers ----------------------------------------------------------------------

    def _folder(self, name: str, *, owned: bool, root: Path | None = None) -> Path:
        path = (root or self.run) / name
        path.mkdir(mode=0o700 if owned else 0o755)
        if owned:
            self._own(path)
        else:
            os.chmod(path, 0o755)
        return path

    def _own(self, path: Path) -> None:
        if self.user.uid is not None:  # the path itself, never what a link there points to
            gid = self.user.gid if self.user.gid is not None else -1
            os.chown(path, self.user.uid, gid, follow_symlinks=False)

    def _stage_data(self) -> Path:
        """A folder holding only the files the kernel may read (hard links when possible)."""
        root = self._folder("data", owned=False)
        for rel, source in self.spec.data_files.items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o755)
            try:
                os.link(source, target)
            except OSError:
                shutil.copyfile(source, target)
            os.chmod(target, 0o644)
        return root

    def _bwrap(self) -> list[str]:
        (self._etc / "passwd").write_text(
            "root:x:0:0:root:/root:/usr/sbin/nologin\n"
            f"student:x:{self.user.uid or os.getuid()}:{self.user.gid or os.getgid()}:"
            f"student:{kinds.SANDBOX_HOME}:/bin/sh\n"
        )
        (self._etc / "group").write_text(f"root:x:0:\nstudent:x:{self.user.gid or os.getgid()}:\n")
        return kinds.bwrap_argv(
            run_dir=self.run,
            work=self.work,
            notebook=self.filename,
            home_mb=self.spec.limits.max_disk_mb,
            shared_rw=[self.ipc, self.outbox],
            shared_ro=[self.inbox],
            data_dir=self._data,
            passwd=self._etc / "passwd",
            group=self._etc / "group",
            tmp_mb=self.spec.limits.max_file_mb,
            cuda=self.spec.device == "cuda",
            gpu=self.spec.gpu,
            hidden=[GRADER_PACKAGE, *self.spec.hidden],
        )

    def kernel_env(self) -> dict[str, str]:
        """The kernel's whole environment: what Python needs, nothing from the grader."""
        threads = str(self.spec.threads)
        env = {
            "PATH": f"{os.path.dirname(sys.executable)}:/usr/local/bin:/usr/bin:/bin",
            "HOME": self.home,
            "USER": "student",
            "LOGNAME": "student",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMPDIR": "/tmp" if self.spec.kind == "bwrap" else str(self.tmp),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONNOUSERSITE": "1",
            "MPLBACKEND": "Agg",
            "IPYTHONDIR": f"{self.home}/.ipython",
            "OMP_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads,
            "OPENBLAS_NUM_THREADS": threads,
            "CUDA_VISIBLE_DEVICES": "" if self.spec.device != "cuda" else (self.spec.gpu or "0"),
            # numbered as nvidia-smi and /dev/nvidiaN number them (PCI order)
            "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
        }
        if self.spec.device == "cuda" and os.environ.get("LD_LIBRARY_PATH"):
            env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
        return env

    def _rlimits(self) -> dict[str, int]:
        limits = self.spec.limits
        rl = {
            "RLIMIT_CORE": 0,
            "RLIMIT_FSIZE": max(limits.max_file_mb, limits.max_result_mb) * 2**20,
            "RLIMIT_NOFILE": 1024,
        }
        if self.spec.device != "cuda":
            rl["RLIMIT_AS"] = self.spec.memory_mb * 2**20
        if self.user.uid is not None:
            rl["RLIMIT_NPROC"] = limits.max_processes
        elif os.geteuid() != 0:
            rl["RLIMIT_NPROC"] = tasks_of(os.getuid()) + limits.max_processes
        return rl


def _memory_folder() -> str | None:
    """/dev/shm when it is a writable memory file system, else the usual temporary folder."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None
