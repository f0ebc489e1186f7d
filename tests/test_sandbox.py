"""The sandbox, tried for real: scrubbed environment, private folder, isolation, cleanup."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder.config import Limits
from autograder.kernel import Kernel
from autograder.sandbox import Sandbox, SandboxSpec
from tests.kernels import kernel, kinds_available, notebook
from tests.notebooks import REPO

pytestmark = pytest.mark.slow


def _value(k, expression: str):
    outcome = k.execute(f"print(repr({expression}))", timeout=30)
    assert outcome.status == "ok", outcome.error
    import ast

    return ast.literal_eval(outcome.output.strip())


@pytest.mark.parametrize("kind", kinds_available())
def test_kernel_gets_a_scrubbed_environment_and_a_private_folder(tmp_path, kind, monkeypatch):
    monkeypatch.setenv("AUTOGRADER_TEST_SECRET", "s3cr3t-value-never-to-be-seen")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_not_for_students_0123456789")
    with kernel(tmp_path, kind) as k:
        env = _value(k, "dict(__import__('os').environ)")
        assert "AUTOGRADER_TEST_SECRET" not in env and "GITHUB_TOKEN" not in env
        passed = k.box.kernel_env()
        set_by_ipykernel = {
            "CLICOLOR",
            "CLICOLOR_FORCE",
            "FORCE_COLOR",
            "TERM",
            "PAGER",
            "GIT_PAGER",
        }
        extra = {
            n for n in set(env) - set(passed) - set_by_ipykernel if not n.startswith("PYDEVD_")
        }
        assert extra == set()
        assert all(env[n] == v for n, v in passed.items())
        grader_values = {v for v in os.environ.values() if len(v) >= 8}
        leaked = grader_values & set(env.values()) - set(passed.values())
        assert leaked == set()
        files = _value(
            k, "sorted(f for f in __import__('os').listdir('.') if not f.startswith('.'))"
        )
        assert files == ["submission.ipynb"]
        assert _value(k, "__import__('os').getcwd()") == env["HOME"]
        # its own session and process group, not the grader's
        assert _value(k, "__import__('os').getsid(0)") != os.getsid(0)
        assert _value(k, "__import__('os').getpgid(0) == __import__('os').getpid()")


def test_bwrap_hides_the_machine_and_the_network(tmp_path):
    if "bwrap" not in kinds_available():
        pytest.skip("bubblewrap does not work on this machine")
    with kernel(tmp_path, "bwrap") as k:
        # the repository may hold the grader's virtual environment (mounted read-only, as
        # the kernel runs from it); nothing else of it is there
        listed = _value(
            k,
            f"__import__('os').listdir({str(REPO)!r}) if __import__('os').path.isdir({str(REPO)!r}) else []",
        )
        assert set(listed) <= {".venv"}
        assert not _value(k, f"__import__('os').path.exists({str(REPO / 'assignments')!r})")
        assert not _value(k, "__import__('os').path.exists('/root/.bashrc')")
        assert _value(k, "__import__('os').listdir('/home')") == ["student"]
        code = (
            "import socket\n"
            "try:\n"
            "    socket.create_connection(('127.0.0.1', 22), timeout=2); print(repr('connected'))\n"
            "except OSError as e:\n"
            "    print(repr(type(e).__name__))\n"
        )
        outcome = k.execute(code, timeout=30)
        assert "connected" not in outcome.output
        assert _value(k, "sorted(__import__('socket').if_nameindex())") in ([], [(1, "lo")])
        assert _value(k, "__import__('os').getpid()") < 10  # its own PID namespace
        # the system is read-only
        outcome = k.execute("open('/usr/evil', 'w')", timeout=30)
        assert outcome.status == "error" and outcome.ename in ("OSError", "PermissionError")


def test_a_python_installation_under_tmp_or_home_stays_visible_in_bwrap(tmp_path):
    """The sandbox's own /tmp and /home are made before the interpreter's folders are
    mounted, so a virtual environment under /tmp (a CI checkout) is not hidden by them."""
    if "bwrap" not in kinds_available():
        pytest.skip("bubblewrap does not work on this machine")
    from autograder.sandbox.kinds import bwrap_argv, python_paths

    fake = tmp_path / "venv"  # under /tmp, as pytest's tmp_path is
    fake.mkdir()
    (fake / "marker").write_text("here")
    work = tmp_path / "work"
    work.mkdir()
    (work / "submission.ipynb").write_text("{}")
    (tmp_path / "passwd").write_text("root:x:0:0::/:/bin/sh\n")
    (tmp_path / "group").write_text("root:x:0:\n")
    argv = bwrap_argv(
        run_dir=tmp_path,
        work=work,
        notebook="submission.ipynb",
        home_mb=16,
        shared_rw=[],
        shared_ro=[],
        data_dir=None,
        passwd=tmp_path / "passwd",
        group=tmp_path / "group",
        tmp_mb=16,
        cuda=False,
        python=[str(fake), *python_paths()],
    )
    done = subprocess.run([*argv, "cat", str(fake / "marker")], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (0, "here"), done.stderr


def test_bwrap_covers_the_graders_package_inside_the_python_installation(tmp_path):
    """Installed from a wheel, the grader's package (with the course's solutions) lies in
    site-packages, which the kernel needs; bwrap covers it with an empty folder."""
    if "bwrap" not in kinds_available():
        pytest.skip("bubblewrap does not work on this machine")
    inside = Path(pytest.__file__).resolve().parent  # a package in the same site-packages
    assert os.listdir(inside)
    spec = SandboxSpec(kind="bwrap", limits=Limits(), memory_mb=4096, hidden=(inside,))
    nb = tmp_path / "submission.ipynb"
    nbformat.write(notebook("x = 1"), nb)
    box = Sandbox(spec, nb, filename="submission.ipynb")
    k = Kernel(box, Limits(), deadline=time.monotonic() + 60)
    try:
        k.start()
        assert _value(k, f"__import__('os').listdir({str(inside)!r})") == []
        assert _value(k, "__import__('numpy').__name__") == "numpy"  # the rest is there
    finally:
        k.close()
        box.close()


@pytest.mark.parametrize("kind", kinds_available())
def test_every_process_is_gone_after_grading(tmp_path, kind):
    with kernel(tmp_path, kind) as k:
        k.execute(
            "import subprocess, os\n"
            "p = subprocess.Popen(['sleep', '300'], start_new_session=True)\n"
            "q = subprocess.Popen(['sh', '-c', 'sleep 300 & sleep 300'])\n",
            timeout=30,
        )
        tree = psutil.Process(k.process.popen.pid).children(recursive=True)
        box = k.box
        assert len(tree) >= 4
    box.close()

    def living(p: psutil.Process) -> bool:  # is_running() also tells a reused pid apart
        try:
            return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    alive = [p.pid for p in tree if living(p)]
    assert alive == []
