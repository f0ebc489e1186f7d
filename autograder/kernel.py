"""Run a notebook and short snippets in a sandboxed kernel, through nbclient.

A :class:`Kernel` owns one submission's kernel: it executes the notebook cell by
cell (``skip-execution`` cells left out, a failing cell recorded and the rest
still run), executes the grader's snippets with a time limit, and when the
kernel dies or stops answering it starts a fresh one and replays the cells that
ran before, so that grading goes on.
"""

from __future__ import annotations

import ast
import asyncio
import re
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from jupyter_client.asynchronous import AsyncKernelClient
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode

from autograder.config import Limits
from autograder.errors import KernelStartError
from autograder.sandbox import KernelProcess, Sandbox

SKIP_TAG = "skip-execution"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_INTERRUPT_GRACE_S = 3.0


@dataclass
class Outcome:
    """What executing one piece of code gave."""

    status: str
    """"ok", "error" (it raised), "timeout", "died" (the kernel died), or "not run"."""
    error: str | None = None
    """``ename: evalue`` for errors, a sentence for the others."""
    ename: str | None = None
    traceback: str = ""
    output: str = ""
    output_truncated: bool = False
    seconds: float = 0.0


@dataclass
class CellRecord:
    """One code cell of the submission and what running it gave."""

    index: int
    source: str
    outcome: Outcome
    replay: bool = True
    """Whether the cell runs again after a kernel restart (not when it killed or hung it)."""


@dataclass
class NotebookRun:
    """The notebook part of a report."""

    cells: int
    code_cells: int
    executed: int
    skipped: int
    records: list[CellRecord] = field(default_factory=list)
    seconds: float = 0.0

    def errors(self) -> list[CellRecord]:
        return [r for r in self.records if r.outcome.status != "ok"]

    def why_undefined(self, name: str) -> str | None:
        """Why ``name`` may be missing: the failed cell that binds it, or else mentions it.

        For a template this is the cell whose solution was replaced by
        ``raise NotImplementedError``; None when no failed cell has the name.
        """
        mentions = re.compile(rf"\b{re.escape(name)}\b")
        binding = [r for r in self.errors() if name in _top_level_names(r.source)]
        consequence = f"NameError: name '{name}' is not defined"
        mentioning = [
            r
            for r in self.errors()
            if mentions.search(r.source) and not (r.outcome.error or "").startswith(consequence)
        ]
        for records, role in ((binding, "which defines it"), (mentioning, "where it appears")):
            if records:
                record = records[0]
                o = record.outcome
                first = ((o.error or "").splitlines() or [""])[0][:200]
                if o.status == "error":
                    return f"cell {record.index + 1}, {role}, raised {first}"
                return f"cell {record.index + 1}, {role}, did not finish ({first or o.status})"
        return None


def _top_level_names(source: str) -> list[str]:
    """Functions, classes and variables a cell binds at its top level (none if it is not Python)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.extend(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


class _SandboxClient(AsyncKernelClient):
    """A kernel client whose liveness is the sandbox's process, not a heartbeat."""

    process: KernelProcess | None = None

    def is_alive(self) -> bool:  # type: ignore[override]
        return self.process is not None and self.process.alive()


class _Executor(NotebookClient):
    """nbclient with a cap on how much output of a cell is kept."""

    def __init__(self, nb: NotebookNode, *, max_output: int, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.max_output = max_output
        self.kept = 0
        self.truncated = False

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "stream":
            text = content.get("text", "")
        elif kind in ("display_data", "execute_result"):
            text = str(content.get("data", {}).get("text/plain", ""))
            text = text + "\n" if text else ""
        elif kind == "error":
            return super().output(outs, msg, display_id, cell_index)
        else:
            return None
        room = self.max_output - self.kept
        if room <= 0:
            self.truncated = True
            return None
        if len(text) > room:
            text, self.truncated = text[:room], True
        self.kept += len(text)
        if outs and outs[-1].get("output_type") == "stream" and outs[-1].get("name") == "stdout":
            outs[-1]["text"] += text
            return outs[-1]
        out = NotebookNode(output_type="stream", name="stdout", text=text)
        outs.append(out)
        return out


class Kernel:
    """One submission's kernel: start, run cells and snippets, restart and replay."""

    def __init__(self, box: Sandbox, limits: Limits, *, deadline: float) -> None:
        self.box = box
        self.limits = limits
        self.deadline = deadline
        self.restarts = 0
        self.process: KernelProcess | None = None
        self._client: _SandboxClient | None = None
        self._history: list[CellRecord] = []
        self._setup: list[str] = []
        self._executor: _Executor | None = None

    # -- life cycle -------------------------------------------------------------------

    def start(self) -> None:
        """Start a fresh kernel and wait until it answers."""
        self._close_client()
        self.process = self.box.start_kernel()
        budget = max(5.0, min(60.0, self.remaining()))
        self.process.find_kernel(timeout=budget)
        client = _SandboxClient()
        client.load_connection_info(self.process.connection_info)
        client.process = self.process
        self._client = client
        try:
            _run(self._connect(client, budget))
        except Exception as e:
            reason = self.process.death_reason() if not self.process.alive() else "did not answer"
            raise KernelStartError(f"the kernel {reason} while starting ({e}).") from None

    async def _connect(self, client: _SandboxClient, timeout: float) -> None:
        client.start_channels(stdin=False)  # input() raises instead of waiting
        await client.wait_for_ready(timeout=timeout)

    def close(self) -> None:
        self._close_client()
        if self.process is not None:
            self.process.kill()

    def _close_client(self) -> None:
        if self._client is not None:
            client, self._client = self._client, None

            async def stop() -> None:
                client.stop_channels()

            try:
                _run(stop())
            except Exception:  # noqa: BLE001 - a dead kernel's sockets may already be gone
                pass

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
                    if not self.process.alive():
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
        if self._client is None or self.process is None or not self.process.alive():
            return Outcome("died", f"the kernel {self._reason()}")
        executor = self._executor_for()
        cell = NotebookNode(
            cell_type="code", source=code, metadata=NotebookNode(), outputs=[], execution_count=None
        )
        executor.nb.cells = [cell]
        started = time.monotonic()
        executor.timeout_func = lambda _cell: limit
        executor.kept, executor.truncated = 0, False
        try:
            _run(executor.async_execute_cell(cell, 0, store_history=history))
        except CellTimeoutError:
            _cancel_pending()
            return self._after_timeout(limit, started)
        except DeadKernelError:
            _cancel_pending()
            return Outcome(
                "died", f"the kernel {self._reason()}", seconds=time.monotonic() - started
            )
        except Exception as error:  # noqa: BLE001 - e.g. a corrupt message from a flooded kernel
            _cancel_pending()
            self.process.kill("sent a message the grader could not read")
            return Outcome(
                "died",
                f"the kernel sent a message the grader could not read ({type(error).__name__}); "
                "it was stopped",
                seconds=time.monotonic() - started,
            )
        outcome = _outcome_of(cell, time.monotonic() - started, executor.truncated)
        if outcome.status in ("ok", "error") and not self.process.alive():
            # it finished, but the kernel died with it (the watchdog saw a limit exceeded)
            return Outcome("died", f"the kernel {self._reason()}", seconds=outcome.seconds)
        return outcome

    def ensure_alive(self) -> bool:
        """Restart and replay when the kernel is dead; False when that is no longer allowed."""
        if self.process is not None and self.process.alive():
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
        return self.process is not None and self.process.alive()

    # -- helpers ----------------------------------------------------------------------

    def _executor_for(self) -> _Executor:
        if self._executor is None or self._executor.kc is not self._client:
            executor = _Executor(
                NotebookNode(cells=[], metadata={}, nbformat=4, nbformat_minor=5),
                max_output=self.limits.max_output_kb * 1024,
                allow_errors=True,
                skip_cells_with_tag=SKIP_TAG,
                iopub_timeout=2,
                raise_on_iopub_timeout=False,
                interrupt_on_timeout=False,
                record_timing=False,
                coalesce_streams=False,
            )
            executor.reset_execution_trackers()
            executor.kc = self._client
            executor.km = None
            self._executor = executor
        return self._executor

    def _after_timeout(self, limit: float, started: float) -> Outcome:
        """Interrupt a cell that ran too long; restart the kernel if it does not stop."""
        assert self.process is not None and self._client is not None
        self.process.interrupt()
        stopped = _run(self._wait_idle(_INTERRUPT_GRACE_S))
        note = "" if stopped else "; it ignored the interrupt, so the kernel was restarted"
        outcome = Outcome(
            "timeout",
            f"timed out after {limit:.0f} s (the time limit){note}",
            seconds=time.monotonic() - started,
        )
        if not stopped:
            self.process.kill()
            self.restart()
        return outcome

    async def _wait_idle(self, grace: float) -> bool:
        """After an interrupt: True once the kernel answers a new request in time."""
        assert self._client is not None
        deadline = time.monotonic() + grace
        msg_id = self._client.kernel_info()
        while time.monotonic() < deadline:
            try:
                msg = await self._client.shell_channel.get_msg(timeout=0.1)
            except Exception:  # noqa: BLE001 - queue.Empty and zmq errors alike
                if not self.process or not self.process.alive():
                    return False
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return True
        return False

    def _reason(self) -> str:
        return self.process.death_reason() if self.process else "is not running"


def _outcome_of(cell: NotebookNode, seconds: float, truncated: bool) -> Outcome:
    output, error, ename, trace = [], None, None, ""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            ename = out.get("ename", "Error")
            error = f"{ename}: {out.get('evalue', '')}".rstrip(": ")
            trace = _ANSI.sub("", "\n".join(out.get("traceback", [])))
        elif out.get("output_type") == "stream":
            output.append(out.get("text", ""))
    return Outcome(
        "error" if error else "ok",
        error,
        ename,
        trace,
        "".join(output),
        truncated,
        seconds,
    )


class _LoopThread:
    """A private event loop in a thread of its own for every kernel conversation.

    The caller may already run an event loop in its thread (pytest plugins,
    Playwright, Jupyter): nbclient's coroutines never touch it.
    """

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True, name="kernel-io")
        self.thread.start()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()


_IO: _LoopThread | None = None
_IO_LOCK = threading.Lock()


def _run(coro: Any) -> Any:
    """Run a coroutine on the private kernel I/O loop and wait for its result."""
    global _IO
    with _IO_LOCK:
        if _IO is None:
            _IO = _LoopThread()
    return _IO.run(coro)


def _cancel_pending() -> None:
    """Cancel nbclient's polling tasks left behind by a timeout or a dead kernel.

    Left running, they would read (and drop) the next cell's output messages.
    """

    async def cancel() -> None:
        me = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    _run(cancel())
