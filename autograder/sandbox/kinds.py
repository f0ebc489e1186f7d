"""Isolation kinds: which one to use, and the bubblewrap command line.

``bwrap``: bubblewrap (user, PID, network, IPC and UTS namespaces; a read-only
system; only the submission's folder writable; the data set read-only).
``process``: a plain process with a scrubbed environment, its own session,
resource limits and, when the grader is root and the interpreter allows it,
a user of its own. ``auto`` takes bwrap when it works here and says why not
when it does not.
"""

from __future__ import annotations

import functools
import glob
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

KINDS = ("auto", "bwrap", "process")

SANDBOX_HOME = "/home/student"
SANDBOX_DATA = "/data"

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_ETC_FILES = (
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/localtime",
    "/etc/nsswitch.conf",
    "/etc/fonts",
    "/etc/mime.types",
    "/etc/ssl/certs",
)


@functools.lru_cache(maxsize=1)
def bwrap_problem() -> str | None:
    """None when bubblewrap can make a sandbox here, else a sentence saying why not."""
    exe = shutil.which("bwrap")
    if exe is None:
        return "bubblewrap (bwrap) is not installed"
    argv = [exe, *_namespace_args(), *_system_args(), "--proc", "/proc", "--dev", "/dev"]
    argv += ["--", "/bin/sh", "-c", "exit 0"]
    try:
        done = subprocess.run(argv, capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"bubblewrap failed to start ({e})"
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        reason = message[-1] if message else f"exit status {done.returncode}"
        return f"bubblewrap cannot create namespaces here ({reason})"
    return None


def choose(requested: str) -> tuple[str, str | None]:
    """The kind to use for ``requested`` and, for ``auto`` falling back, the reason."""
    if requested == "process":
        return "process", None
    problem = bwrap_problem()
    if requested == "bwrap":
        if problem:
            from autograder.errors import SandboxUnavailable

            raise SandboxUnavailable(f"--sandbox bwrap was asked for, but {problem}.")
        return "bwrap", None
    if problem:
        return "process", f"fell back to a plain process: {problem}"
    return "bwrap", None


def _namespace_args() -> list[str]:
    args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if os.geteuid() != 0:
        args += ["--unshare-user", "--disable-userns"]
    return args


def _system_args() -> list[str]:
    args: list[str] = []
    for d in _SYSTEM_DIRS:
        if os.path.islink(d):
            args += ["--symlink", os.readlink(d), d]
        elif os.path.isdir(d):
            args += ["--ro-bind", d, d]
    for f in _ETC_FILES:
        args += ["--ro-bind-try", f, f]
    return args


_SHARED_NODES = ("/dev/nvidiactl", "/dev/nvidia-uvm", "/dev/nvidia-uvm-tools")


def gpu_device_nodes(gpu: str | None, dev: str = "/dev") -> tuple[list[str], str | None]:
    """The device nodes a kernel that may use ``gpu`` needs: the driver's shared nodes and
    that one GPU's ``/dev/nvidiaN``, and a note when the GPU's node cannot be told (then every
    GPU's node is there, as without a sandbox).

    ``gpu`` is an index (CUDA_DEVICE_ORDER=PCI_BUS_ID: the Nth GPU by PCI bus, which is
    ``/dev/nvidiaN``) or a ``GPU-``/``MIG-`` UUID (mapped with nvidia-smi).
    """
    _ensure_uvm(dev)
    shared = [n.replace("/dev", dev, 1) for n in _SHARED_NODES]
    nodes = [n for n in shared if os.path.exists(n)]
    nodes += sorted(glob.glob(f"{dev}/nvidia-caps/*"))  # MIG's capability nodes
    every = sorted(n for n in glob.glob(f"{dev}/nvidia*") if n[len(f"{dev}/nvidia") :].isdigit())
    minor = (gpu or "0").strip()
    if not minor.isdigit():
        minor = _minor_of_uuid(minor) or ""
    own = f"{dev}/nvidia{minor}"
    if minor and own in every:
        return nodes + [own], None
    return (
        nodes + every,
        f"the device node of GPU {gpu!r} is not known here, so every GPU's node is visible",
    )


def _minor_of_uuid(uuid: str) -> str | None:
    """The /dev/nvidiaN number of a GPU (or of a MIG instance's GPU) by its UUID."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return None
    try:
        listed = subprocess.run(
            [smi, "-L"], capture_output=True, text=True, timeout=20
        ).stdout.splitlines()
        queried = subprocess.run(
            [smi, "--query-gpu=uuid,minor_number", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
        ).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return None
    minors = dict(line.replace(" ", "").split(",", 1) for line in queried if "," in line)
    if uuid in minors:
        return minors[uuid]
    parent = None
    for line in listed:  # "GPU 0: ... (UUID: GPU-…)" followed by its "  MIG ... (UUID: MIG-…)"
        if line.startswith("GPU ") and "UUID: " in line:
            parent = line.split("UUID: ", 1)[1].rstrip(")")
        elif uuid in line and parent:
            return minors.get(parent)
    return None


def _ensure_uvm(dev: str) -> None:
    """/dev/nvidia-uvm appears when the driver's UVM module is first loaded; a sandbox built
    before that would lack it. nvidia-modprobe (shipped with the driver) creates it."""
    if dev != "/dev" or os.path.exists("/dev/nvidia-uvm") or not glob.glob("/dev/nvidia[0-9]*"):
        return
    modprobe = shutil.which("nvidia-modprobe")
    if modprobe:
        try:
            subprocess.run([modprobe, "-u", "-c=0"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            pass


def python_paths() -> list[str]:
    """Folders the interpreter needs that the system folders do not already hold."""
    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, *site.getsitepackages()}
    paths.add(os.path.dirname(os.path.realpath(sys.executable)))
    kept = []
    for p in sorted(paths):
        real = os.path.realpath(p)
        if os.path.isdir(real) and not any(
            real == d or real.startswith(d + "/") for d in _SYSTEM_DIRS
        ):
            kept.append(real)
    # keep only the outermost of nested folders
    return [p for p in kept if not any(p != q and p.startswith(q + "/") for q in kept)]


def _parents(path: str, made: set[str]) -> list[str]:
    """Arguments creating the world-traversable folders above ``path`` inside the sandbox."""
    args: list[str] = []
    for parent in reversed(Path(path).parents[:-1]):
        if str(parent) not in made and str(parent) not in _SYSTEM_DIRS:
            made.add(str(parent))
            args += ["--perms", "0755", "--dir", str(parent)]
    return args


def bwrap_argv(
    *,
    run_dir: Path,
    work: Path,
    notebook: str,
    home_mb: int,
    shared_rw: list[Path],
    shared_ro: list[Path],
    data_dir: Path | None,
    passwd: Path,
    group: Path,
    tmp_mb: int,
    cuda: bool,
    gpu: str | None = None,
    hidden: Sequence[Path] = (),
    python: Sequence[str] | None = None,
) -> list[str]:
    """The bubblewrap command line for one kernel (the command itself comes after it).

    ``hidden``: folders inside the Python installation the kernel must not read (the
    grader's own package, which holds the course's solutions when installed from a
    wheel); each is covered by an empty file system of its own. ``python``: the folders
    of the Python installation (default: this interpreter's, :func:`python_paths`).
    """
    args = [shutil.which("bwrap") or "bwrap", *_namespace_args(), *_system_args()]
    # the sandbox's own /proc, /dev, /tmp, /dev/shm and /home first: a mount made later
    # inside them (a Python installation under /tmp or /home, say) stays visible, while
    # one made before would be hidden under them
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--perms", "1777", "--size", str(tmp_mb * 2**20), "--tmpfs", "/tmp"]
    args += ["--perms", "1777", "--size", str(tmp_mb * 2**20), "--tmpfs", "/dev/shm"]
    args += ["--perms", "0755", "--dir", "/home"]
    made: set[str] = {"/tmp", "/home", "/dev", "/dev/shm", "/proc", "/etc"}
    mounted = list(python) if python is not None else python_paths()
    for p in mounted:
        args += _parents(p, made) + ["--ro-bind", p, p]
    for folder in hidden:
        real = os.path.realpath(folder)
        if any(real == p or real.startswith(p + "/") for p in mounted):
            args += ["--perms", "0755", "--size", "4096", "--tmpfs", real, "--remount-ro", real]
    args += ["--ro-bind", str(passwd), "/etc/passwd", "--ro-bind", str(group), "/etc/group"]
    # the home is a memory file system of its own size (what the kernel writes there never
    # reaches the host's disk); the notebook is shown in it read-only
    args += ["--perms", "1777", "--size", str(home_mb * 2**20), "--tmpfs", SANDBOX_HOME]
    args += ["--ro-bind", str(work / notebook), f"{SANDBOX_HOME}/{notebook}"]
    for folder in shared_rw:
        args += _parents(str(folder), made) + ["--bind", str(folder), str(folder)]
    for folder in shared_ro:
        args += _parents(str(folder), made) + ["--ro-bind", str(folder), str(folder)]
    if data_dir is not None:
        args += ["--ro-bind", str(data_dir), SANDBOX_DATA]
    if cuda:
        nodes, _ = gpu_device_nodes(gpu)
        for node in nodes:
            args += ["--dev-bind", node, node]
        args += ["--ro-bind-try", "/sys", "/sys"]
        args += ["--ro-bind-try", "/run/nvidia-persistenced", "/run/nvidia-persistenced"]
    args += ["--chdir", SANDBOX_HOME, "--"]
    return args


MAX_THREADS = 16
"""More BLAS/torch threads than this rarely help a notebook; every thread also counts
against the sandbox's process limit."""


def kernel_threads(asked: int | None, max_processes: int) -> int:
    """The kernel's BLAS/torch threads: as asked, else one per core, never more than
    ``MAX_THREADS`` nor a quarter of the process limit (threads count against it)."""
    return max(1, min(asked or os.cpu_count() or 1, MAX_THREADS, max_processes // 4))
