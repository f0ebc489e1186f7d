"""Run a notebook and short snippets in a sandboxed kernel, through nbclient.

A :class:`Kernel` owns one submission's kernel: it executes the notebook cell by
cell (``skip-execution`` cells left out, a failing cell recorded and the rest
still run), executes the grader's snippets with a time limit, and when the
kernel dies or stops answering it starts a fresh one and replays the cells that
ran before, so that grading goes on.

Only documented interfaces of jupyter_client and nbclient are used: the kernel
is started, polled, interrupted and killed by a
:class:`~jupyter_client.manager.AsyncKernelManager` whose provisioner is the
sandbox (:mod:`autograder.sandbox.provisioner`), and cells run through
:class:`nbclient.NotebookClient` with its own time limit and interrupt
(``timeout_func``, ``interrupt_on_timeout``, ``error_on_timeout``).
"""

from __future__ import annotations

import math
import secrets
import time
from dataclasses import replace
from typing import Any

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

from autograder.config import Limits
from autograder.errors import KernelStartError
from autograder.executor import SKIP_TAG, Executor, cancel_pending, run, session
from autograder.runs import CellRecord, NotebookRun, Outcome, outcome_of
from autograder.sandbox import KernelProcess, Sandbox
from autograder.sandbox.provisioner import SandboxKernelManager, SandboxProvisioner

_INTERRUPT_GRACE_S = 3.0
_EXIT_GRACE_S = 2.0
EXITED = "was ended by the code: it called exit() or quit(), which shut the kernel down"
_TIMED_OUT = secrets.token_hex(8)
"""Marks the reply nbclient makes up for a cell it interrupted (never sent to a kernel)."""


class Kernel:
    """One submission's kernel: start, run cells and snippets, restart and replay."""

    def __init__(
        self,
        box: Sandbox,
        limits: Limits,
        *,
        deadline: float,
        argv: tuple[str, ...] | None = None,
    ) -> None:
        self.box = box
        self.limits = limits
        self.deadline = deadline
        self.argv = argv
        """The kernel's command line (None: ipykernel in the grader's Python)."""
        self.restarts = 0
        self.process: KernelProcess | None = None
        """The current kernel's process tree (kept after it ends, for its death reason)."""
        self._km: SandboxKernelManager | None = None
        self._executor: Executor | None = None
        self._history: list[CellRecord] = []
        self._setup: list[str] = []
        self._limit = limits.cell_timeout_s
        self._reply: dict[str, Any] | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start a fresh kernel (ending the previous one) and wait until it answers."""
        self._shutdown()
        budget = max(5.0, min(self.limits.kernel_start_timeout_s, self.remaining()))
        try:
            run(self._start(budget))
        except Exception as error:  # noqa: BLE001 - whatever stopped the start, say so
            process = self.process
            if process is not None and not process.alive():
                why = f"the kernel {process.death_reason()} while starting"
            elif isinstance(error, KernelStartError):
                why = str(error).rstrip(".")
            else:
                why = f"the kernel did not answer within {budget:.0f} s of starting ({error})"
            self._shutdown()
            raise KernelStartError(f"{why}.") from None

    async def _start(self, budget: float) -> None:
        km, executor = session(
            self.box,
            self.limits,
            argv=self.argv,
            timeout_func=lambda _cell: self._limit,
            on_cell_executed=self._note_reply,
            timed_out=_TIMED_OUT,
            startup_timeout=math.ceil(budget),
        )
        self._km, self._executor = km, executor
        try:
            await executor.async_start_new_kernel()
        except ModuleNotFoundError as error:  # the provisioner's entry point is not installed
            raise KernelStartError(
                f"the grader is not installed: {error} (install it with pip install .)"
            ) from None
        provisioner = km.provisioner
        self.process = provisioner.process if isinstance(provisioner, SandboxProvisioner) else None
        client = km.client()
        client.start_channels(stdin=False)  # input() raises instead of waiting
        client.allow_stdin = False
        executor.kc = client
        await client.wait_for_ready(timeout=budget)

    def close(self) -> None:
        self._shutdown()

    def _shutdown(self) -> None:
        """Stop the client's channels and the kernel (its whole sandboxed process tree)."""
        km, executor = self._km, self._executor
        self._km = self._executor = None
        if km is None:
            return

        async def stop() -> None:
            if executor is not None and executor.kc is not None:
                executor.kc.stop_channels()
            if km.has_kernel:
                await km.shutdown_kernel(now=True)

        try:
            run(stop())
        except Exception:  # noqa: BLE001 - a dead kernel's sockets may already be gone
            if self.process is not None:
                self.process.kill()

    def alive(self) -> bool:
        """Whether the kernel's process lives (the provisioner's answer, read from its
        process tree here rather than through the I/O loop: it is asked twice a call)."""
        km = self._km
        if km is None:
            return False
        if self.process is not None:
            return self.process.alive()
        return bool(run(km.is_alive()))

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    # -- the notebook -----------------------------------------------------------------

    def run_notebook(self, nb: NotebookNode) -> NotebookRun:
        """Execute every code cell not tagged ``skip-execution``, in order."""
        started = time.monotonic()
        run = NotebookRun(cells=len(nb.cells), code_cells=0, executed=0, skipped=0)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            run.code_cells += 1
            tags = cell.get("metadata", {}).get("tags", []) or []
            if SKIP_TAG in tags or not cell.source.strip():
                run.skipped += 1
                continue
            if self.remaining() <= 0:
                outcome = Outcome("not run", "not run: the total time limit was reached")
            else:
                outcome = self.execute(
                    cell.source, timeout=self.limits.cell_timeout_s, history=False
                )
                run.executed += 1
                if outcome.status in ("ok", "error") and self.process is not None:
                    # a cell that leaves too many processes behind is the one to blame, also
                    # when the watchdog killed the kernel just as the cell finished
                    self.process.enforce_limits()
                    if not self.alive():
                        outcome = replace(
                            outcome, status="died", error=f"the kernel {self._reason()}"
                        )
            # after a restart the notebook is replayed, except cells that killed or hung the
            # kernel, or flooded it with output (a flood can leave a kernel unusable)
            replay = outcome.status in ("ok", "error") and not outcome.output_truncated
            record = CellRecord(index, cell.source, outcome, replay=replay)
            self._history.append(record)
            run.records.append(record)
            if outcome.status in ("died", "timeout") and not self.ensure_alive():
                break
        run.seconds = time.monotonic() - started
        return run

    def add_setup(self, code: str) -> Outcome:
        """Run grader code now, and after every restart before the notebook is replayed
        (the call helper)."""
        self._setup.append(code)
        return self.execute(code, timeout=30.0, history=False)

    # -- executing code ---------------------------------------------------------------

    def execute(self, code: str, *, timeout: float, history: bool = False) -> Outcome:
        """Run ``code`` with a time limit (also bounded by the total limit)."""
        limit = max(0.1, min(timeout, self.remaining()))
        executor = self._executor
        if executor is None or executor.kc is None or not self.alive():
            return Outcome("died", f"the kernel {self._reason()}")
        cell = NotebookNode(
            cell_type="code", source=code, metadata=NotebookNode(), outputs=[], execution_count=None
        )
        executor.nb.cells = [cell]
        executor.kept, executor.truncated = 0, False
        self._limit, self._reply = limit, None
        started = time.monotonic()
        try:
            run(executor.async_execute_cell(cell, 0, store_history=history))
        except DeadKernelError:
            return Outcome(
                "died", f"the kernel {self._reason()}", seconds=time.monotonic() - started
            )
        except Exception as error:  # noqa: BLE001 - e.g. a corrupt message from a flooded kernel
            cancel_pending()
            if self.process is not None:
                self.process.kill("sent a message the grader could not read")
            return Outcome(
                "died",
                f"the kernel sent a message the grader could not read ({type(error).__name__}); "
                "it was stopped",
                seconds=time.monotonic() - started,
            )
        whole: dict[str, Any] = self._reply or {}
        reply: dict[str, Any] = whole.get("content") or {}
        if reply.get("autograder") == _TIMED_OUT:
            return self._after_timeout(limit, started)
        outcome = outcome_of(cell, time.monotonic() - started, executor.truncated)
        if _asked_to_exit(reply):
            # exit() and quit() return normally; the kernel ends just after its reply
            self._wait_dead(_EXIT_GRACE_S)
            if self.process is not None:
                self.process.kill(EXITED)
            return replace(outcome, status="died", error=f"the kernel {EXITED}")
        if outcome.status in ("ok", "error") and not self.alive():
            # it finished, but the kernel died with it (the watchdog saw a limit exceeded)
            return Outcome("died", f"the kernel {self._reason()}", seconds=outcome.seconds)
        return outcome

    def _note_reply(self, cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        """nbclient's ``on_cell_executed`` hook: keep the reply (it tells a time-out)."""
        self._reply = execute_reply

    def ensure_alive(self) -> bool:
        """Restart and replay when the kernel is dead; False when that is no longer allowed."""
        if self.alive():
            return True
        return self.restart()

    def restart(self) -> bool:
        """Start a fresh kernel and replay the cells that ran before; False past the limit."""
        if self.restarts >= self.limits.max_kernel_restarts or self.remaining() <= 1:
            self.close()
            return False
        self.restarts += 1
        try:
            self.start()
        except KernelStartError:
            return False
        for code in self._setup:
            self.execute(code, timeout=30.0)
        for record in self._history:
            if record.replay and self.remaining() > 0:
                outcome = self.execute(record.source, timeout=self.limits.cell_timeout_s)
                if outcome.status in ("died", "timeout"):
                    record.replay = False
                    return self.restart()
        return self.alive()

    # -- helpers ----------------------------------------------------------------------

    def _after_timeout(self, limit: float, started: float) -> Outcome:
        """nbclient interrupted a cell that ran too long; restart the kernel if it goes on."""
        stopped = run(self._wait_idle(_INTERRUPT_GRACE_S))
        note = "" if stopped else "; it ignored the interrupt, so the kernel was restarted"
        outcome = Outcome(
            "timeout",
            f"timed out after {limit:.0f} s (the time limit){note}",
            seconds=time.monotonic() - started,
        )
        if not stopped:
            self.restart()
        return outcome

    async def _wait_idle(self, grace: float) -> bool:
        """After an interrupt: True once the kernel answers a new request in time."""
        client = self._executor.kc if self._executor is not None else None
        km = self._km
        if client is None or km is None:
            return False
        deadline = time.monotonic() + grace
        msg_id = client.kernel_info()
        while time.monotonic() < deadline:
            try:
                msg = await client.shell_channel.get_msg(timeout=0.1)
            except Exception:  # noqa: BLE001 - queue.Empty and zmq errors alike
                if not await km.is_alive():
                    return False
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    def _wait_dead(self, grace: float) -> None:
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and self.alive():
            time.sleep(0.05)

    def _reason(self) -> str:
        return self.process.death_reason() if self.process else "is not running"


def _asked_to_exit(reply: dict[str, Any]) -> bool:
    """Whether the code called IPython's exit() or quit(): the reply carries the request."""
    payloads = reply.get("payload") or []
    return any(
        isinstance(p, dict) and p.get("source") == "ask_exit" and not p.get("keepkernel")
        for p in payloads
    )
