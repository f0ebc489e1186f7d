"""How much a sandbox has written to the grader's disk and memory file systems.

Under bubblewrap the kernel's home, ``/tmp`` and ``/dev/shm`` are memory file systems of a
fixed size, so the kernel cannot write more there; the folders it shares with the grader
(the kernel's sockets, a call's results) live on the host, and in a plain process every
folder does. The watchdog measures those with :func:`usage` and kills the kernel when
they hold more than the limit. The walk follows no link (each folder is opened through
its parent's handle with ``O_NOFOLLOW``), recurses nowhere and stops counting at
``MAX_ENTRIES``, so a tree the kernel planted can neither mislead nor stall it.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_ENTRIES = 20_000
"""Files and folders a sandbox may hold in its shared folders (inodes cost too)."""


@dataclass(frozen=True)
class Usage:
    bytes: int
    entries: int

    @property
    def too_many(self) -> bool:
        return self.entries > MAX_ENTRIES


def usage(folders: Iterable[Path]) -> Usage:
    """Bytes (allocated) and entries under ``folders``, counting at most ``MAX_ENTRIES``."""
    total = entries = 0
    for folder in folders:
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:  # a file (or a link) of its own
            try:
                total += os.lstat(folder).st_blocks * 512
                entries += 1
            except OSError:
                pass
            continue
        stack = [fd]
        while stack:
            current = stack.pop()
            try:
                with os.scandir(current) as listing:
                    for entry in listing:
                        entries += 1
                        if entries > MAX_ENTRIES:
                            break
                        try:
                            info = entry.stat(follow_symlinks=False)
                        except OSError:
                            continue
                        total += info.st_blocks * 512
                        if stat.S_ISDIR(info.st_mode):
                            try:
                                stack.append(
                                    os.open(
                                        entry.name,
                                        os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW,
                                        dir_fd=current,
                                    )
                                )
                            except OSError:
                                continue
            except OSError:
                pass
            finally:
                os.close(current)
            if entries > MAX_ENTRIES:
                for left in stack:
                    os.close(left)
                return Usage(total, entries)
    return Usage(total, entries)


def strays(uid: int | None) -> list[Path]:
    """What the user ``uid`` (a plain process's own user) left in the machine's /tmp and
    /dev/shm: counted against its limit, and removed with its sandbox."""
    found: list[Path] = []
    for folder in ("/tmp", "/dev/shm") if uid is not None else ():
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.stat(follow_symlinks=False).st_uid == uid:
                        found.append(Path(entry.path))
        except OSError:
            continue
    return found


def exceeded(found: Usage, limit_mb: int) -> str | None:
    """The death reason when ``found`` is over the limits, else None."""
    if found.too_many:
        return (
            f"created too many files (disk limit exceeded: more than {MAX_ENTRIES:,} files and "
            "folders)"
        )
    if found.bytes > limit_mb * 2**20:
        return (
            f"wrote too much to disk (disk limit exceeded: {found.bytes / 2**20:,.0f} MiB, "
            f"the limit is {limit_mb:,} MiB)"
        )
    return None


def mount_memory(folder: Path, size_mb: int) -> bool:
    """Make ``folder`` a memory file system of ``size_mb`` of its own, when the grader may
    mount (root): what the kernel writes there then has a hard size, and the grader's
    cleanup is an unmount. False where mounting is not allowed (the watchdog's measure is
    the limit there)."""
    mount = shutil.which("mount")
    if os.geteuid() != 0 or mount is None:
        return False
    options = f"size={size_mb}m,mode=0711,nosuid,nodev"
    try:
        done = subprocess.run(
            [mount, "-t", "tmpfs", "-o", options, "autograder-sandbox", str(folder)],
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def unmount(folder: Path) -> None:
    """Detach a folder :func:`mount_memory` mounted (lazily: a process still holding one of
    its files cannot keep it), freeing its memory."""
    umount = shutil.which("umount")
    if umount is None:
        return
    try:
        subprocess.run([umount, "-l", str(folder)], capture_output=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        pass
