"""The first program that runs inside a sandbox; it starts the kernel.

This file is executed as a script (``python -c <source> <json>``) inside the
sandbox, where the grader's package is not importable, so it uses the standard
library only. It applies the resource limits, detaches the kernel into its own
process group, drops to the sandbox's user when it may, starts the kernel as
its child, and waits: its exit
status is the kernel's (128 + signal number when a signal ended it). When its
own parent (the grader, or bubblewrap) goes away it kills the kernel's group.
"""

import ctypes
import json
import os
import resource
import signal
import sys


def main() -> None:
    cfg = json.loads(sys.argv[1])
    for name, value in cfg["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    try:
        os.setsid()
    except OSError:
        pass  # already a session leader (bubblewrap's --new-session)
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    child = os.fork()
    if child == 0:
        os.setpgid(0, 0)
        if cfg.get("uid") is not None:
            os.setgroups([])
            os.setgid(cfg["gid"])
            os.setuid(cfg["uid"])
        os.umask(0o022)
        os.chdir(cfg["cwd"])
        os.execve(cfg["argv"][0], cfg["argv"], cfg["env"])

    def stop(signum: int, frame: object) -> None:
        try:
            os.killpg(child, signal.SIGKILL)
        except OSError:
            pass
        os._exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGHUP, stop)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            os._exit(0)
        except InterruptedError:
            continue
        if pid == child:
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)


if __name__ == "__main__":
    main()
