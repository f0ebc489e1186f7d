"""A sandbox for one submission: its private folders and the kernel process in it.

This module (with ``kinds``, ``users`` and ``launcher``) is the only part of the
grader that knows about processes, users and namespaces.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from autograder.config import Limits
from autograder.errors import KernelStartError
from autograder.sandbox import kinds, users

_LAUNCHER = Path(__file__).with_name("launcher.py").read_text(encoding="utf-8")
GRADER_PACKAGE = Path(__file__).resolve().parent.parent
"""The grader's own package: never visible in a sandbox (installed from a wheel, it holds
the course's solutions, inside the Python installation the kernel runs from)."""

_SIGNAL_WORDS = {
    signal.SIGSEGV: "crashed with a segmentation fault (SIGSEGV)",
    signal.SIGKILL: "was killed (SIGKILL)",
    signal.SIGABRT: "aborted (SIGABRT)",
    signal.SIGBUS: "crashed with a bus error (SIGBUS)",
    signal.SIGFPE: "crashed with a floating-point exception (SIGFPE)",
    signal.SIGILL: "crashed with an illegal instruction (SIGILL)",
    signal.SIGXFSZ: "wrote a file larger than its limit (SIGXFSZ)",
    signal.SIGXCPU: "used more CPU time than its limit (SIGXCPU)",
    signal.SIGTERM: "was terminated (SIGTERM)",
}


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
        self.run = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self.run, 0o711)
        # the kernel's sockets and the call files live in memory when the machine allows:
        # hundreds of small files a grade, and folders on disk are slow to make and remove
        self.exchange = Path(tempfile.mkdtemp(prefix="autograder-x-", dir=_memory_folder()))
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
        self.kernel: KernelProcess | None = None
        self._started = 0
        if self.user.uid is not None:
            _kill_user(self.user.uid)  # leftovers of an earlier grader that crashed

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
            _kill_user(self.user.uid)
        shutil.rmtree(self.run, ignore_errors=True)
        shutil.rmtree(self.exchange, ignore_errors=True)
        self.user.release()

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
        if self.user.uid is not None:
            os.chown(path, self.user.uid, self.user.gid if self.user.gid is not None else -1)

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
            rl["RLIMIT_NPROC"] = _tasks_of(os.getuid()) + limits.max_processes
        return rl


class KernelProcess:
    """The process tree of one kernel: liveness, interrupts, limits, and a final kill."""

    def __init__(self, box: Sandbox, popen: subprocess.Popen, log: Path) -> None:
        self.box = box
        self.popen = popen
        self.log = log
        self.pid: int | None = None
        self._reason: str | None = None
        self._seen: dict[int, float] = {}
        self._limits_lock = threading.Lock()
        self._stop = threading.Event()
        self._watch = threading.Thread(target=self._watchdog, daemon=True, name="sandbox-watch")
        self._watch.start()

    # -- questions --------------------------------------------------------------------

    def _look_for_kernel(self) -> None:
        """Learn the kernel's process id: the launcher's child (the launcher forks once)."""
        try:
            root = psutil.Process(self.popen.pid)
            launchers = [root] if self.box.spec.kind == "process" else root.children(True)
            for proc in launchers:
                if proc.cmdline()[1:3] == ["-I", "-c"]:
                    children = proc.children()
                    if children:
                        self.pid = children[0].pid
                    return
        except psutil.Error:
            return

    def alive(self) -> bool:
        """Whether the kernel lives: its process (or, while it starts, the launcher)."""
        if self._reason is not None:
            return False
        launcher_gone = self.popen.poll() is not None
        if self.box.spec.kind == "bwrap" and launcher_gone:
            return False  # bubblewrap gone: the whole sandbox is gone
        if self.pid is None and not launcher_gone:
            self._look_for_kernel()
        if self.pid is None:
            return not launcher_gone
        # a plain process: the submission may kill the launcher; the kernel is what counts
        try:
            return psutil.Process(self.pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def exit_code(self) -> int:
        """The kernel's exit status once it has ended (128 + n for signal n)."""
        code = self.popen.poll()
        if code is None or self._reason is not None:
            return 128 + signal.SIGKILL
        return 128 - code if code < 0 else code

    def death_reason(self) -> str:
        """A sentence fragment saying how the kernel ended ("crashed with a ...")."""
        if self._reason:
            return self._reason
        code = self.popen.poll()
        if code is None:
            return "stopped answering"
        tail = self.log_tail()
        if "MemoryError" in tail or "std::bad_alloc" in tail:
            return "ran out of memory (memory limit exceeded)"
        if code < 0:
            code = 128 - code
        if code > 128:
            try:
                sig = signal.Signals(code - 128)
            except ValueError:
                return f"was ended by signal {code - 128}"
            return _SIGNAL_WORDS.get(sig, f"was ended by {sig.name}")
        return f"exited with status {code} (the code called exit or os._exit)"

    def cpu_seconds(self) -> float:
        """Processor time the kernel's processes have used (user and system, all threads,
        and children they have waited for), read from the grader's side."""
        total = 0.0
        for proc in self._tree():
            try:
                t = proc.cpu_times()
            except psutil.Error:
                continue
            total += t.user + t.system + t.children_user + t.children_system
        return total

    def log_tail(self, limit: int = 4000) -> str:
        try:
            with open(self.log, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - limit))
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    # -- actions ----------------------------------------------------------------------

    def send_signal(self, signum: int) -> None:
        """Send a signal to the kernel (SIGINT: KeyboardInterrupt in the running code)."""
        if self.pid is None:
            self._look_for_kernel()
        if self.pid is not None:
            try:
                os.kill(self.pid, signum)
            except OSError:
                pass

    def kill(self, reason: str | None = None) -> None:
        """Kill every process of this kernel's tree; ``reason`` is kept as its death reason."""
        if reason and self._reason is None:
            self._reason = reason
        self._stop.set()
        procs = self._tree()
        for sig_target in (self.popen.pid, self.pid):
            if sig_target is not None:
                try:
                    os.killpg(sig_target, signal.SIGKILL)
                except OSError:
                    pass
        for pid, created in list(self._seen.items()):
            try:
                proc = psutil.Process(pid)
                if proc.create_time() == created:
                    procs.append(proc)
            except psutil.Error:
                pass
        for proc in procs:
            try:
                proc.kill()
            except psutil.Error:
                pass
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _wait_dead(procs, KILL_WAIT_S)

    # -- the watchdog -----------------------------------------------------------------

    def _tree(self) -> list[psutil.Process]:
        """Every process that belongs to this kernel's sandbox right now."""
        try:
            root = psutil.Process(self.popen.pid)
            procs = {p.pid: p for p in root.children(recursive=True)}
            procs[root.pid] = root
        except psutil.Error:
            procs = {}
        if self.box.spec.kind == "process":
            uid = self.box.user.uid
            for proc in psutil.process_iter(["uids"]):
                if proc.pid in procs:
                    continue
                try:
                    same_session = os.getsid(proc.pid) == self.popen.pid
                    same_user = uid is not None and proc.info["uids"].real == uid
                except (OSError, psutil.Error, AttributeError, TypeError):
                    continue
                if same_session or same_user:
                    procs[proc.pid] = proc
        return list(procs.values())

    def _watchdog(self) -> None:
        while not self._stop.wait(0.2):
            if not self.alive() or self.enforce_limits():
                return

    def enforce_limits(self) -> str | None:
        """Kill the kernel when its processes exceed the process or memory limit.

        The watchdog calls this five times a second; the kernel runner also calls it
        after each notebook cell, so that a cell which leaves too many processes
        behind is the one blamed, not whatever code happens to run next. Returns the
        death reason when it killed the kernel.
        """
        with self._limits_lock:
            if not self.alive():
                return None
            limits = self.box.spec.limits
            memory = self.box.spec.memory_mb * 2**20
            if self.box.spec.device != "cuda":
                memory *= 2  # the address-space limit is the guard; this is the backstop
            procs = self._tree()
            rss = 0
            for proc in procs:
                try:
                    self._seen.setdefault(proc.pid, proc.create_time())
                    rss += proc.memory_info().rss
                except psutil.Error:
                    continue
            reason = None
            if len(procs) > limits.max_processes + 3:
                reason = (
                    f"started too many processes (process limit exceeded: {len(procs)} "
                    f"running, the limit is {limits.max_processes})"
                )
            elif rss > memory:
                reason = (
                    f"used too much memory (memory limit exceeded: {rss / 2**20:,.0f} MiB, "
                    f"the limit is {self.box.spec.memory_mb:,} MiB)"
                )
            if reason:
                self.kill(reason)
            return reason


def _memory_folder() -> str | None:
    """/dev/shm when it is a writable memory file system, else the usual temporary folder."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return None


def _tasks_of(uid: int) -> int:
    count = 0
    for proc in psutil.process_iter(["uids", "num_threads"]):
        try:
            if proc.info["uids"].real == uid:
                count += proc.info["num_threads"] or 1
        except (AttributeError, TypeError):
            continue
    return count


KILL_WAIT_S = 5.0
"""How long a kill waits for its processes to be dead (``_kill_user`` keeps killing till then)."""


def _wait_dead(procs: list[psutil.Process], timeout: float) -> None:
    """Wait until every process is gone or a zombie (SIGKILL takes effect asynchronously)."""
    deadline = time.monotonic() + timeout
    for proc in procs:
        while time.monotonic() < deadline:
            try:
                if not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.Error:
                break
            time.sleep(0.01)


def _living(uid: int) -> bool:
    """Whether a process of ``uid`` exists that is not yet a zombie."""
    for p in psutil.process_iter(["uids", "status"]):
        uids = p.info["uids"]
        if uids and uids.real == uid and p.info["status"] != psutil.STATUS_ZOMBIE:
            return True
    return False


def _kill_user(uid: int) -> None:
    """Kill every process of a sandbox user, from a child that becomes that user.

    SIGKILL is delivered asynchronously, and a process forking at that moment
    may leave a child behind, so it repeats until none is left (or gives up after
    ``KILL_WAIT_S``); zombies are already dead and only wait for their parent.
    """
    deadline = time.monotonic() + KILL_WAIT_S
    while time.monotonic() < deadline:
        if not _living(uid):
            return
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the forked child
            try:
                os.setgid(uid)
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.05)
