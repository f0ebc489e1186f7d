"""Which user a submission's kernel runs as.

When the grader runs as root it gives each kernel a user of its own (from
``UID_BASE``), so the kernel cannot signal the grader, cannot write the grader's
files, and the process limit counts only the submission's processes. A lock
file per user keeps two graders on one machine from sharing one.
"""

from __future__ import annotations

import fcntl
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

UID_BASE = 61000
UID_COUNT = 512
LOCK_DIR = Path("/tmp/.autograder-users")


@dataclass
class SandboxUser:
    """A user id reserved for one kernel; ``uid`` is None when the kernel keeps the grader's."""

    uid: int | None
    gid: int | None
    reason: str
    _lock: int | None = None

    def release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None


def _reachable_by_others(path: Path) -> bool:
    """True when every folder above ``path`` can be traversed by any user."""
    path = path.resolve()
    for folder in [path, *path.parents]:
        try:
            mode = folder.stat().st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
            return False
    return True


def interpreter_reachable() -> bool:
    """Whether an unprivileged user could start this Python and import its packages."""
    import site

    paths = [Path(sys.executable), Path(sys.base_prefix), Path(sys.prefix)]
    paths += [Path(p) for p in site.getsitepackages() if os.path.isdir(p)]
    return all(_reachable_by_others(p) for p in paths)


def reserve(*, in_namespace: bool) -> SandboxUser:
    """Reserve a user for one kernel.

    ``in_namespace``: the kernel starts inside a bubblewrap mount namespace, where
    the interpreter is mounted on world-traversable folders, so reachability of
    its real path does not matter.
    """
    if os.geteuid() != 0:
        return SandboxUser(None, None, "the grader is not root, so the kernel runs as its user")
    if not in_namespace and not interpreter_reachable():
        return SandboxUser(
            None,
            None,
            "the Python installation is not readable by other users, so the kernel runs as root",
        )
    lock_dir = LOCK_DIR  # one place for every grader on the machine, whatever its TMPDIR
    lock_dir.mkdir(mode=0o700, exist_ok=True)
    for uid in range(UID_BASE, UID_BASE + UID_COUNT):
        fd = os.open(lock_dir / f"{uid}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        return SandboxUser(uid, uid, f"the kernel runs as user {uid}", fd)
    return SandboxUser(None, None, "no free sandbox user id was left, so the kernel runs as root")
