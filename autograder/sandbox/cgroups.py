"""A control group per sandbox, where the machine lets the grader make one.

Every sandbox's processes go into a cgroup of their own, siblings of one another with
equal CPU weight: the kernel's scheduler then shares the processors between sandboxes,
not between processes, so a submission that starts forty busy processes slows itself,
not the neighbour graded beside it (``--jobs 2``). The cgroup also counts the processor
time of every process the sandbox ever ran, exited ones included, which is what a CPU
budget charges.

cgroup v2 (one hierarchy with a ``cpu`` controller) and v1 (``cpu`` and ``cpuacct``
hierarchies) are both used. Where neither is writable (no root, a container that mounts
them read-only) :func:`problem` says so, and the report notes that CPU fairness between
batch workers is not enforced there.
"""

from __future__ import annotations

import atexit
import functools
import os
import secrets
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
GROUP = f"autograder-{os.getpid()}"
"""This grader process's folder in each hierarchy; one sub-folder per sandbox."""


@functools.lru_cache(maxsize=1)
def _layout() -> tuple[str, list[Path]] | str:
    """("v2", [base]) or ("v1", [cpu base, cpuacct base]) that this process may write, or
    a sentence saying why there is none."""
    if (ROOT / "cgroup.controllers").is_file():
        try:
            controllers = (ROOT / "cgroup.controllers").read_text().split()
        except OSError as e:
            return f"the cgroup file system cannot be read ({e.strerror})"
        if "cpu" not in controllers:
            return "the cgroup v2 hierarchy has no cpu controller"
        return _make("v2", [ROOT / GROUP])
    cpu, acct = ROOT / "cpu", ROOT / "cpuacct"
    if not (cpu / "cpu.shares").is_file():
        return "no cgroup cpu controller is mounted"
    bases = [cpu / GROUP]
    if (acct / "cpuacct.usage").is_file() and acct.resolve() != cpu.resolve():
        bases.append(acct / GROUP)
    return _make("v1", bases)


def _make(version: str, bases: list[Path]) -> tuple[str, list[Path]] | str:
    try:
        for base in bases:
            base.mkdir(exist_ok=True)
        if version == "v2":
            (bases[0] / "cgroup.subtree_control").write_text("+cpu")
    except OSError as e:
        for base in bases:
            _remove(base)
        return f"the grader may not create cgroups here ({e.strerror or e})"
    atexit.register(remove_base)
    return version, bases


def problem() -> str | None:
    """None when sandboxes get cgroups here, else why not."""
    layout = _layout()
    return layout if isinstance(layout, str) else None


class Group:
    """One sandbox's cgroup: the files a starting process writes its id into, its CPU time,
    and its removal. ``procs`` is empty where cgroups cannot be made (see :func:`problem`)."""

    def __init__(self) -> None:
        self.folders: list[Path] = []
        self.version = ""
        layout = _layout()
        if isinstance(layout, str):
            return
        version, bases = layout
        name = f"sandbox-{secrets.token_hex(6)}"
        try:
            for base in bases:
                folder = base / name
                folder.mkdir()
                self.folders.append(folder)
        except OSError:
            self.remove()
        self.version = version

    @property
    def procs(self) -> list[str]:
        """The ``cgroup.procs`` files the sandbox's first process joins."""
        return [str(f / "cgroup.procs") for f in self.folders]

    def members(self) -> list[int]:
        """The processes in the group now (a daemon that left its session included)."""
        if not self.folders:
            return []
        try:
            text = (self.folders[0] / "cgroup.procs").read_text()
        except OSError:
            return []
        return [int(line) for line in text.split() if line.isdigit()]

    def cpu_seconds(self) -> float | None:
        """Processor time of every process that ran in the group (None without a group)."""
        if not self.folders:
            return None
        try:
            if self.version == "v2":
                for line in (self.folders[0] / "cpu.stat").read_text().splitlines():
                    key, _, value = line.partition(" ")
                    if key == "usage_usec":
                        return int(value) / 1e6
                return None
            acct = self.folders[-1] / "cpuacct.usage"
            if acct.is_file():
                return int(acct.read_text()) / 1e9
        except (OSError, ValueError):
            return None
        return None

    def remove(self) -> None:
        """Remove the group once its processes are gone (retried briefly: a killed process
        leaves its cgroup a moment after SIGKILL)."""
        for folder in self.folders:
            _remove(folder)
        self.folders = []


def command(group: Group, argv: list[str]) -> list[str]:
    """``argv`` started inside ``group``: a shell writes its own process id into the group's
    files, then becomes ``argv``, so no process of the sandbox ever runs outside it."""
    if not group.procs:
        return argv
    script = 'for f in "$@"; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; done'
    script += '; while [ "$1" != -- ]; do shift; done; shift; exec "$@"'
    return ["/bin/sh", "-c", script, "sh", *group.procs, "--", *argv]


def _remove(folder: Path) -> None:
    for _ in range(50):
        try:
            folder.rmdir()
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.02)


def remove_base() -> None:
    """Remove this grader process's folders (at exit; empty by then)."""
    layout = _layout()
    if not isinstance(layout, str):
        for base in layout[1]:
            _remove(base)
