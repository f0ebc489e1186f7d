"""The sandbox as a Jupyter kernel provisioner: jupyter_client's own seam for kernels
that are launched, signalled, polled and killed in a custom way.

jupyter_client's :class:`~jupyter_client.KernelManager` asks its provisioner for
everything it does to the kernel's process: launch it, poll it (``is_alive``),
signal it (``interrupt_kernel``) and kill it (``shutdown_kernel``). A kernel
client made by that manager asks the manager whether the kernel lives, and
nbclient asks the client. So liveness, interrupts and kills have one source:
:class:`~autograder.sandbox.box.KernelProcess`, which knows the sandbox's process
tree (a heartbeat that a kernel starting on a busy machine misses plays no part).

The provisioner is registered as the entry point ``autograder-sandbox`` in the
group ``jupyter_client.kernel_provisioners`` (``pyproject.toml``) and named by the
kernel spec that :class:`SandboxKernelSpecs` hands out.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager, NoSuchKernel
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerBase
from traitlets import Any as AnyTrait

from autograder.sandbox.box import KernelProcess, Sandbox

KERNEL_NAME = "autograder-sandbox"
"""The name of the one kernel spec the grader uses, and of its provisioner."""

PROVISIONER = "autograder-sandbox"
"""The provisioner's entry-point name (group ``jupyter_client.kernel_provisioners``)."""

DEFAULT_ARGV = (
    sys.executable,
    "-m",
    "ipykernel_launcher",
    "-f",
    "{connection_file}",
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=CRITICAL",
)
"""The kernel's command line: ipykernel in the grader's own Python (``{connection_file}``
is filled in by jupyter_client)."""


def kernel_spec(argv: tuple[str, ...] | None = None) -> KernelSpec:
    """The kernel spec of a sandboxed IPython kernel."""
    return KernelSpec(
        argv=list(argv or DEFAULT_ARGV),
        display_name="Python 3 (autograder sandbox)",
        language="python",
        interrupt_mode="signal",
        metadata={"kernel_provisioner": {"provisioner_name": PROVISIONER}},
    )


class SandboxKernelSpecs(KernelSpecManager):
    """Kernel specs as the grader sees them: only the sandboxed kernel exists.

    The kernels installed on the machine play no part in grading, whatever a
    notebook's metadata asks for.
    """

    argv = AnyTrait(default_value=None, help="the kernel's command line (None: the default)")

    def find_kernel_specs(self) -> dict[str, str]:
        return {}

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        if kernel_name != KERNEL_NAME:
            raise NoSuchKernel(kernel_name)
        return kernel_spec(self.argv)


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start in ``sandbox`` (through the provisioner)."""

    sandbox = AnyTrait(help="the autograder.sandbox.Sandbox the kernel runs in")


class SandboxProvisioner(KernelProvisionerBase):
    """Launches the kernel in its manager's sandbox and answers for its process tree."""

    process: KernelProcess | None = None

    @property
    def manager(self) -> SandboxKernelManager:
        if not isinstance(self.parent, SandboxKernelManager):
            raise RuntimeError("the autograder-sandbox provisioner needs a SandboxKernelManager")
        return self.parent

    @property
    def sandbox(self) -> Sandbox:
        box = getattr(self.parent, "sandbox", None)
        if not isinstance(box, Sandbox):
            raise RuntimeError(
                "the autograder-sandbox provisioner needs a SandboxKernelManager with a sandbox"
            )
        return box

    @property
    def has_process(self) -> bool:
        return self.process is not None

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """Write the connection file (IPC sockets in the sandbox's exchange folder) and
        build the kernel's command line and scrubbed environment."""
        km = self.manager
        box = self.sandbox
        extra = kwargs.pop("extra_arguments", [])
        km.transport = "ipc"
        km.ip, km.connection_file = box.connection_paths()
        km.write_connection_file()
        box.hand_over(km.connection_file)
        cmd = km.format_kernel_cmd(extra_arguments=extra)
        kwargs["env"] = box.kernel_env()
        return await super().pre_launch(cmd=cmd, **kwargs)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        self.process = self.sandbox.launch(cmd, env=kwargs["env"])
        self.connection_info = self.manager.get_connection_info()
        return self.connection_info

    async def poll(self) -> int | None:
        if self.process is None:
            return 0
        return None if self.process.alive() else self.process.exit_code()

    async def wait(self) -> int | None:
        if self.process is None:
            return 0
        while self.process.alive():
            await asyncio.sleep(0.05)
        code = self.process.exit_code()
        self.process = None
        return code

    async def send_signal(self, signum: int) -> None:
        if self.process is None:
            return
        if signum == signal.SIGKILL:
            self.process.kill()
        else:
            self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if self.process is not None:
            self.process.kill()

    async def terminate(self, restart: bool = False) -> None:
        # nothing in the sandbox deserves a graceful end: the kernel's files go with it
        await self.kill(restart=restart)

    async def cleanup(self, restart: bool = False) -> None:
        if self.process is not None:
            self.process.kill()
            self.process = None

    def get_shutdown_wait_time(self, recommended: float = 5.0) -> float:
        return min(recommended, 1.0)
