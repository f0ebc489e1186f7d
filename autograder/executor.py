"""nbclient as the grader drives it, and the private event loop every kernel conversation
runs on (the caller's own loop, if any, is never touched)."""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from nbclient import NotebookClient
from nbformat import NotebookNode

from autograder.config import Limits
from autograder.sandbox import Sandbox
from autograder.sandbox.provisioner import KERNEL_NAME, SandboxKernelManager, SandboxKernelSpecs

SKIP_TAG = "skip-execution"
"""Cells tagged so are not run (the Jupyter ecosystem's tag)."""

_LOG = logging.getLogger("autograder.kernel")
_LOG.addHandler(logging.NullHandler())
_LOG.propagate = False  # nbclient logs a timeout as an error; for the grader it is an outcome


def session(
    box: Sandbox,
    limits: Limits,
    *,
    argv: tuple[str, ...] | None,
    timeout_func: Any,
    on_cell_executed: Any,
    timed_out: str,
    startup_timeout: int,
) -> tuple[SandboxKernelManager, Executor]:
    """A kernel manager for a kernel in ``box`` and the nbclient that runs cells in it: errors
    recorded, ``skip-execution`` cells left out, output capped, and a cell past its time
    limit interrupted (its reply then carries ``timed_out`` under ``autograder``)."""
    km = SandboxKernelManager(
        sandbox=box,
        kernel_name=KERNEL_NAME,
        kernel_spec_manager=SandboxKernelSpecs(argv=argv, log=_LOG),
        log=_LOG,
    )
    executor = Executor(
        NotebookNode(cells=[], metadata={}, nbformat=4, nbformat_minor=5),
        km=km,
        max_output=limits.max_output_kb * 1024,
        allow_errors=True,
        skip_cells_with_tag=SKIP_TAG,
        timeout_func=timeout_func,
        interrupt_on_timeout=True,
        error_on_timeout={
            "ename": "TimeoutError",
            "evalue": "the time limit was reached",
            "traceback": [],
            "autograder": timed_out,
        },
        on_cell_executed=on_cell_executed,
        iopub_timeout=2,
        raise_on_iopub_timeout=False,
        record_timing=False,
        coalesce_streams=False,
        store_widget_state=False,  # comm messages (widgets) are dropped, not kept in memory
        startup_timeout=startup_timeout,
        log=_LOG,
    )
    return km, executor


class Executor(NotebookClient):
    """nbclient with a cap on how much output of a cell is kept."""

    def __init__(self, nb: NotebookNode, *, max_output: int, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.max_output = max_output
        self.kept = 0
        self.truncated = False

    def output(self, outs, msg, display_id, cell_index):
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


def run(coro: Any) -> Any:
    """Run a coroutine on the private kernel I/O loop and wait for its result."""
    global _IO
    with _IO_LOCK:
        if _IO is None:
            _IO = _LoopThread()
    return _IO.run(coro)


def cancel_pending() -> None:
    """Cancel nbclient's polling tasks left behind by an unexpected failure.

    Left running, they would read (and drop) the next cell's output messages.
    """

    async def cancel() -> None:
        me = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not me and not t.done()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    run(cancel())
