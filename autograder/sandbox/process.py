"""The process tree of one sandboxed kernel: liveness, signals, limits, and a final kill.

A :class:`KernelProcess` is what the kernel provisioner asks whether the kernel lives
and how to end it; its watchdog thread kills the tree when it exceeds the sandbox's
process or memory limit. Killing a sandbox user's every process happens here too.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from autograder.sandbox import quota

if TYPE_CHECKING:
    from autograder.sandbox.box import Sandbox

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
        """Processor time the kernel's processes have used, read from the grader's side: the
        sandbox's cgroup counts every process it ever ran; without one, the living processes
        (user and system, all threads, and children they have waited for)."""
        counted = self.box.cgroup.cpu_seconds()
        if counted is not None:
            return counted
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
        for pid in self.box.cgroup.members():
            if pid not in procs:
                try:
                    procs[pid] = psutil.Process(pid)
                except psutil.Error:
                    continue
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

    def enforce_limits(self, disk: bool = True) -> str | None:
        """Kill the kernel when its processes exceed the process or memory limit, or (with
        ``disk``) its folders on the host hold more than the disk limit.

        The watchdog calls this five times a second; the kernel
        runner also calls it
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
            if reason is None and disk:
                reason = quota.exceeded(quota.usage(self.box.written()), limits.max_disk_mb)
            if reason:
                self.kill(reason)
            return reason


def tasks_of(uid: int) -> int:
    count = 0
    for proc in psutil.process_iter(["uids", "num_threads"]):
        try:
            if proc.info["uids"].real == uid:
                count += proc.info["num_threads"] or 1
        except (AttributeError, TypeError):
            continue
    return count


KILL_WAIT_S = 5.0
"""How long a kill waits for its processes to be dead (``kill_user`` keeps killing till then)."""


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


def kill_user(uid: int) -> None:
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
