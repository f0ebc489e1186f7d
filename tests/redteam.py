"""The red-team cases: hostile and broken submissions, each with its exact verdict.

A hostile case is a real notebook (the reference solution, or the example
submission of Alice with two bugs, plus something hostile); its verdict says
which questions lose points (all others keep every point), what the notebook
section of the report shows, and what must not have happened outside the
sandbox. A broken case is a file that is not a gradable notebook; its verdict
is the sentence of its ``rejected`` report.
"""

from __future__ import annotations

import json
import os
import secrets
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from tests.notebooks import (
    REPO,
    append_cells,
    replace_definition,
    solution,
    solution_path,
    solution_regions,
    template_path,
)

TOKEN = secrets.token_hex(6)
"""Unique to this test session: canary file names, process markers, secrets."""
SECRET = f"redteam-secret-{secrets.token_hex(12)}"
"""Put in the grader's environment by the tests; no report may ever contain it."""
ALICE = REPO / "examples" / "alice.ipynb"
LIMITS = {"cell_timeout_s": 6, "call_timeout_s": 2, "total_timeout_s": 240}
QUESTIONS = (
    "cross_correlation2d", "conv_output_size", "conv2d_forward", "max_pool2d", "avg_pool2d",
    "batchnorm2d_forward", "softmax", "cross_entropy", "softmax_cross_entropy_backward",
    "linear_backward", "relu_backward", "conv2d_backward", "max_pool2d_backward",
    "batchnorm2d_backward", "mlp_loss_and_gradients",
)  # fmt: skip


@dataclass
class Hostile:
    name: str
    notebook: Callable[[], NotebookNode]
    lost: set[str] = field(default_factory=set)
    """Questions that must lose points; every other question keeps full marks."""
    like_alice: bool = False
    """The verdict is Alice's honest scores (the case cheats on top of her notebook)."""
    cell_error: str | None = None
    """Text that the notebook section's errors must contain."""
    restarts: int | None = None
    """Exact number of kernel restarts, when it is part of the verdict."""
    flag: str | None = None
    """Text a staff flag must contain."""
    canaries: list[str] = field(default_factory=list)
    """Paths outside the sandbox that the case tries to create: under bwrap none may exist."""
    process_marker: str | None = None
    """A string in the command line of processes the case starts: none may survive grading."""
    bwrap_only: bool = False
    """Run only under bwrap (the attack would hit the test runner itself under a plain process)."""
    feedback: dict[str, str] = field(default_factory=dict)
    """question -> text its failed checks' feedback must contain."""


def _solution_plus(*cells: str) -> Callable[[], NotebookNode]:
    return lambda: append_cells(solution(), *(textwrap.dedent(c) for c in cells))


def _alice_plus(*cells: str) -> Callable[[], NotebookNode]:
    return lambda: append_cells(
        nbformat.read(ALICE, as_version=4), *(textwrap.dedent(c) for c in cells)
    )


def _template_plus(*cells: str) -> Callable[[], NotebookNode]:
    """The template: it holds none of the solution's code, so any of it in a report is a leak."""
    return lambda: append_cells(
        nbformat.read(template_path("cnn_basics"), as_version=4),
        *(textwrap.dedent(c) for c in cells),
    )


def _replacing(source: str) -> Callable[[], NotebookNode]:
    return lambda: replace_definition(solution(), textwrap.dedent(source))


FAKES = """
import builtins, sys
import numpy, numpy.testing
numpy.allclose = lambda *a, **k: True
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
builtins.print = lambda *a, **k: None
sys.stdout.write("All tests passed. Score: 100/100\\n")
"""

HOSTILE: list[Hostile] = [
    Hostile("fake_asserts_print_and_score", _alice_plus(FAKES), like_alice=True),
    Hostile(
        "fake_score_then_os_exit",
        _alice_plus(FAKES + "import os\nos._exit(0)\n"),
        like_alice=True,
        cell_error="exited with status 0",
    ),
    Hostile(
        "sys_exit_in_a_cell", _solution_plus("import sys\nsys.exit(0)"), cell_error="SystemExit"
    ),
    Hostile(
        "raise_systemexit_in_a_cell", _solution_plus("raise SystemExit(3)"), cell_error="SystemExit"
    ),
    Hostile(
        "patches_the_tools_the_grader_might_use",
        _solution_plus("""
            import builtins, json, os, numpy, numpy.lib.format
            numpy.save = numpy.load = numpy.lib.format.write_array = numpy.lib.format.read_array = None
            json.dump = json.load = json.dumps = json.loads = None
            os.rename = os.mkdir = None
            builtins.open = lambda *a, **k: (_ for _ in ()).throw(PermissionError("no"))
        """),
    ),
    Hostile(
        "replaces_the_graders_helper",
        _solution_plus("""
            for _name in [n for n in globals() if n.startswith("_") and callable(globals()[n])]:
                globals()[_name] = lambda *a, **k: None
        """),
        lost=set(QUESTIONS),
        flag="replaced the grader's call helper",
    ),
    Hostile(
        "while_true_at_top_level",
        _solution_plus("while True:\n    pass"),
        cell_error="time limit",
        restarts=0,
    ),
    Hostile(
        "while_true_in_a_function",
        _replacing("""
            def avg_pool2d(x, kernel_size=2, stride=2):
                while True:
                    pass
        """),
        lost={"avg_pool2d"},
        feedback={"avg_pool2d": "did not finish within 2 s"},
    ),
    Hostile(
        "sleeps_in_a_function",
        _replacing("""
            import time

            def max_pool2d(x, kernel_size=2, stride=2, padding=0):
                time.sleep(3600)
        """),
        lost={"max_pool2d"},
        feedback={"max_pool2d": "did not finish within 2 s"},
    ),
    Hostile(
        "ignores_interrupts_in_a_function",
        _replacing("""
            import time

            def conv2d_forward(x, w, b, stride=1, padding=0):
                while True:
                    try:
                        time.sleep(10)
                    except KeyboardInterrupt:
                        pass
        """),
        lost={"conv2d_forward"},
    ),
    Hostile(
        "kills_its_parent",
        _solution_plus("""
        import os, signal
        try:
            os.kill(os.getppid(), signal.SIGKILL)
        except OSError as e:
            print("refused:", e)
    """),
    ),
    Hostile(
        "kills_its_own_process_group",
        _solution_plus("import os, signal\nos.killpg(os.getpgid(0), signal.SIGKILL)"),
        cell_error="SIGKILL",
        restarts=1,
    ),
    Hostile(
        "starts_hundreds_of_processes",
        _solution_plus(f"""
            import subprocess
            children = [subprocess.Popen(["sleep", "{int(TOKEN[:4], 16) + 1000}.5"]) for i in range(500)]
        """),
        process_marker=f"{int(TOKEN[:4], 16) + 1000}.5",
    ),
    Hostile(
        "starts_thousands_of_threads",
        _solution_plus("""
        import threading, time
        threads = [threading.Thread(target=time.sleep, args=(60,), daemon=True) for _ in range(3000)]
        for t in threads:
            t.start()
    """),
    ),
    Hostile(
        "allocates_16_gib_in_a_cell",
        _solution_plus("import numpy as np\nhuge = np.ones(2**31)"),
        cell_error="memory limit exceeded",
    ),
    Hostile(
        "allocates_16_gib_in_a_function",
        _replacing("""
            import numpy as np

            def conv_output_size(w_in, kernel_size, padding=0, stride=1):
                return int(np.ones(2**31).sum())
        """),
        lost={"conv_output_size"},
        feedback={"conv_output_size": "memory limit exceeded"},
    ),
    Hostile(
        "prints_hundreds_of_megabytes",
        _solution_plus("import sys\nfor _ in range(400):\n    sys.stdout.write('x' * 2**20)"),
    ),
    Hostile(
        "writes_a_huge_file",
        _solution_plus("""
        with open("huge.bin", "wb") as f:
            for _ in range(1024):
                f.write(b"0" * 2**20)
    """),
        cell_error="File too large",
    ),
    Hostile(
        "reads_the_solutions_and_prints_them",
        _template_plus(f"""
            import glob, pathlib
            found = glob.glob({str(REPO)!r} + "/assignments/*/solution.ipynb") + glob.glob("/work/*/assignments/*/solution.ipynb")
            text = "".join(pathlib.Path(p).read_text() for p in found)
            print(text)
            raise RuntimeError(text[:20000] or "nothing found")
        """),
        cell_error="RuntimeError",
        lost=set(QUESTIONS),
    ),
    Hostile(
        "reads_the_graders_environment",
        _solution_plus("""
            import os, glob
            dump = dict(os.environ)
            for path in glob.glob("/proc/*/environ"):
                try:
                    dump[path] = open(path, "rb").read().decode(errors="replace")
                except OSError:
                    pass
            print(dump)
            raise RuntimeError(repr(dump)[:50000])
        """),
        cell_error="RuntimeError",
    ),
    Hostile(
        "writes_files_outside_its_folder",
        _solution_plus(f"""
            import os
            for path in [{str(REPO / f"pwned-{TOKEN}")!r}, "/tmp/pwned-{TOKEN}",
                         {str(solution_path().parent / f"pwned-{TOKEN}.ipynb")!r}, "/root/pwned-{TOKEN}"]:
                try:
                    with open(path, "w") as f:
                        f.write("pwned")
                except OSError as e:
                    print(path, e)
        """),
        canaries=[
            str(REPO / f"pwned-{TOKEN}"),
            f"/tmp/pwned-{TOKEN}",
            str(solution_path().parent / f"pwned-{TOKEN}.ipynb"),
            f"/root/pwned-{TOKEN}",
        ],
    ),
    Hostile(
        "segfaults_in_a_cell",
        _solution_plus("import ctypes\nctypes.string_at(0)"),
        cell_error="segmentation fault",
        restarts=1,
    ),
    Hostile(
        "segfaults_in_a_function",
        _replacing("""
            import ctypes

            def batchnorm2d_backward(dout, x, gamma, eps=1e-5):
                ctypes.string_at(0)
        """),
        lost={"batchnorm2d_backward"},
        feedback={"batchnorm2d_backward": "segmentation fault"},
    ),
    Hostile(
        "asks_for_input",
        _solution_plus("name = input('Your name: ')"),
        cell_error="StdinNotImplementedError",
    ),
    Hostile(
        "runs_shell_commands",
        _solution_plus(
            f"!ls / && touch /tmp/pwned-sh-{TOKEN} && echo shell ran",
            f"%%bash\necho hello > $HOME/hello.txt\ntouch {REPO}/pwned-bash-{TOKEN} || true\n"
            f"(sleep {int(TOKEN[4:8], 16) + 2000}.25 &)\n",
        ),
        canaries=[f"/tmp/pwned-sh-{TOKEN}", str(REPO / f"pwned-bash-{TOKEN}")],
        process_marker=f"{int(TOKEN[4:8], 16) + 2000}.25",
    ),
    Hostile(
        "returns_an_object_array",
        _replacing("""
            import numpy as np

            def cross_correlation2d(image, kernel):
                return np.array([[{"answer": 133}]], dtype=object)
        """),
        lost={"cross_correlation2d"},
        feedback={"cross_correlation2d": "not plain data"},
    ),
    Hostile(
        "returns_a_pickle",
        _replacing("""
            import pickle
            import numpy as np

            def conv2d_backward(dout, x, w, stride=1, padding=0):
                return pickle.dumps((np.zeros_like(x), np.zeros_like(w), np.zeros(w.shape[0])))
        """),
        lost={"conv2d_backward"},
        feedback={"conv2d_backward": "bytes"},
    ),
    Hostile(
        "returns_an_object_pretending_to_be_an_array",
        _replacing("""
            import numpy as np

            class Anything:
                shape = (1, 1, 2, 2)
                dtype = np.dtype("float64")
                def __array__(self, dtype=None, copy=None):
                    return np.zeros(self.shape)
                def __eq__(self, other):
                    return True
                def __sub__(self, other):
                    return np.zeros(self.shape)

            def max_pool2d_backward(dout, x, kernel_size=2, stride=2):
                return Anything()
        """),
        lost={"max_pool2d_backward"},
        feedback={"max_pool2d_backward": "Anything"},
    ),
    Hostile(
        "returns_a_gigabyte",
        _replacing("""
            import numpy as np

            def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, training=True,
                                    momentum=0.1, eps=1e-5):
                return np.ones(2**27), running_mean, running_var
        """),
        lost={"batchnorm2d_forward"},
        feedback={"batchnorm2d_forward": "more than 256 MiB"},
    ),
    Hostile(
        "escapes_as_a_daemon",
        _solution_plus(f"""
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    os.execvp("sleep", ["sleep", "{int(TOKEN[8:12], 16) + 3000}.75"])
                os._exit(0)
            time.sleep(0.5)
        """),
        process_marker=f"{int(TOKEN[8:12], 16) + 3000}.75",
        bwrap_only=True,
    ),
    Hostile(
        "kills_every_process_it_can_see",
        _solution_plus("""
            import os, signal
            for name in os.listdir("/proc"):
                if name.isdigit() and int(name) != os.getpid():
                    try:
                        os.kill(int(name), signal.SIGKILL)
                    except OSError:
                        pass
            os.kill(os.getpid(), signal.SIGKILL)
        """),
        cell_error="SIGKILL",
        bwrap_only=True,
    ),
]


# -- broken inputs ---------------------------------------------------------------------


@dataclass
class Broken:
    name: str
    write: Callable[[Path], Path]
    """Creates the input inside a folder; returns the path to grade."""
    sentence: str | None
    """A fragment of the rejection sentence; None when the file must be graded."""
    assignment: str | None = None
    note: str | None = None
    """For graded inputs: a note the report must carry."""


def _file(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path

    return write


def _notebook(name: str, change: Callable[[dict], object]) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        data = json.loads((solution_path("cnn_basics")).read_text())
        result = change(data)
        path = folder / name
        if isinstance(result, bytes):
            path.write_bytes(result)
        else:
            path.write_text(json.dumps(data if result is None else result))
        return path

    return write


def _v3(folder: Path) -> Path:
    from nbformat import v3, v4

    nb = nbformat.read(solution_path("cnn_basics"), as_version=4)
    old = v4.downgrade(nb)
    path = folder / "old_format.ipynb"
    path.write_text(
        v3.writes_json(old) if hasattr(v3, "writes_json") else nbformat.writes(old, version=3)
    )
    return path


def _big_outputs(data: dict) -> None:
    blob = "A" * (1 << 20)
    cell = data["cells"][1]
    cell["outputs"] = [
        {"output_type": "stream", "name": "stdout", "text": blob} for _ in range(100)
    ]


def _many_cells(data: dict) -> None:
    data["cells"] = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": "x = 1",
            "outputs": [],
            "execution_count": None,
            "id": f"c{i}",
        }
        for i in range(10_000)
    ]


def _r_kernel(data: dict) -> None:
    data["metadata"]["kernelspec"] = {"name": "ir", "display_name": "R", "language": "R"}
    data["metadata"]["language_info"] = {"name": "R"}


def _bad_cell_type(data: dict) -> None:
    data["cells"][2]["cell_type"] = "spreadsheet"


def _no_metadata(data: dict) -> None:
    del data["metadata"]["autograder"]


def _folder(folder: Path) -> Path:
    path = folder / "a_folder.ipynb"
    path.mkdir()
    return path


BROKEN: list[Broken] = [
    Broken("empty_file", _file("empty.ipynb", b""), "is empty"),
    Broken(
        "random_bytes", _file("noise.ipynb", secrets.token_bytes(4096) + b"\xff\xfe"), "not UTF-8"
    ),
    Broken(
        "python_file_renamed",
        _file("script.ipynb", "import numpy as np\n\ndef f(x):\n    return x\n"),
        "is a Python script",
    ),
    Broken(
        "truncated_json",
        _notebook("cut.ipynb", lambda d: json.dumps(d).encode()[:5000]),
        "is cut off",
    ),
    Broken(
        "json_that_is_not_a_notebook",
        _file("data.ipynb", '{"name": "alice", "score": 100}'),
        "not a Jupyter notebook",
    ),
    Broken("json_list", _file("list.ipynb", "[1, 2, 3]"), "not a Jupyter notebook"),
    Broken("nbformat_3", _v3, None, note="upgraded from nbformat 3"),
    Broken(
        "nbformat_5_from_the_future",
        _notebook("future.ipynb", lambda d: d.update(nbformat=5)),
        "nbformat 5",
    ),
    Broken(
        "invalid_cell_type", _notebook("cells.ipynb", _bad_cell_type), "unknown type 'spreadsheet'"
    ),
    Broken(
        "utf8_byte_order_mark",
        lambda f: _file("bom.ipynb", b"\xef\xbb\xbf" + (solution_path("cnn_basics")).read_bytes())(
            f
        ),
        None,
        note="byte-order mark",
    ),
    Broken(
        "hundred_megabytes_of_outputs",
        _notebook("huge.ipynb", _big_outputs),
        "over the 50 MB limit",
    ),
    Broken(
        "ten_thousand_cells", _notebook("cells10k.ipynb", _many_cells), "over the limit of 2,000"
    ),
    Broken("r_kernel", _notebook("r.ipynb", _r_kernel), "is written for R, not Python"),
    Broken(
        "assignment_name_with_dotdot",
        _notebook(
            "dots.ipynb",
            lambda d: d["metadata"]["autograder"].update(assignment="../../etc/passwd"),
        ),
        "is not a valid assignment name",
    ),
    Broken(
        "unknown_assignment",
        _notebook(
            "unknown.ipynb",
            lambda d: d["metadata"]["autograder"].update(assignment="quantum_chess"),
        ),
        "no assignment called 'quantum_chess'",
    ),
    Broken(
        "no_assignment_metadata",
        _notebook("anon.ipynb", _no_metadata),
        "does not say which assignment",
    ),
    Broken(
        "name_with_spaces_and_shell_characters",
        lambda f: _file(
            "alice; rm -rf ~ $(reboot) `id` & 'x'.ipynb",
            (solution_path("cnn_basics")).read_bytes(),
        )(f),
        None,
    ),
    Broken("path_that_does_not_exist", lambda f: f / "nowhere" / "ghost.ipynb", "does not exist"),
    Broken("a_folder", _folder, "is a folder"),
    Broken(
        "png_renamed",
        _file("picture.ipynb", b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(256)),
        "not UTF-8",
    ),
]


def _raw(extra: str) -> Callable[[dict], bytes]:
    """The solution's JSON with ``extra`` spliced in as a top-level member, as text."""
    return lambda d: (json.dumps(d)[:-1] + ", " + extra + "}").encode()


def _minor_infinite(d: dict) -> bytes:
    text = json.dumps(d)
    return text.replace(
        f'"nbformat_minor": {d["nbformat_minor"]}', '"nbformat_minor": 1e999'
    ).encode()


def _link_to_the_solution(folder: Path) -> Path:
    path = folder / "mine.ipynb"
    path.symlink_to(solution_path("cnn_basics"))
    return path


def _cell_change(index: int, **changes: object) -> Callable[[dict], None]:
    return lambda d: d["cells"][index].update(changes)


# issue 15, class 8 (intake) and class 3 (a link to the grader's own files), and further
# malformed files of our own: each rejected with a sentence, none an error of the grader
BROKEN += [
    Broken(
        "json_nested_100000_deep",
        _notebook("deep.ipynb", _raw('"x": ' + "[" * 100_000 + "]" * 100_000)),
        "nested too deeply",
    ),
    Broken(
        "a_5000_digit_integer_in_metadata",
        _notebook("digits.ipynb", _raw('"big": ' + "9" * 5000)),
        "number too large to read",
    ),
    Broken(
        "nbformat_minor_of_1e999",
        _notebook("minor.ipynb", _minor_infinite),
        "nbformat_minor is 'inf'",
    ),
    Broken("nan_in_the_json", _notebook("nan.ipynb", _raw('"n": NaN')), "holds NaN"),
    Broken("a_link_to_the_graders_solution", _link_to_the_solution, "is a symbolic link"),
    Broken(
        "cells_that_are_not_a_list",
        _notebook("cells.ipynb", lambda d: d.update(cells={"0": "x"})),
        "cells are not a list",
    ),
    Broken(
        "a_cell_source_that_is_a_number",
        _notebook("source.ipynb", _cell_change(3, source=42)),
        "cell 4 (code) is malformed",
    ),
    Broken(
        "an_assignment_name_that_is_a_list",
        _notebook(
            "listed.ipynb", lambda d: d["metadata"]["autograder"].update(assignment=["cnn_basics"])
        ),
        "is not a valid assignment name",
    ),
    Broken(
        "utf16_text",
        lambda f: _file("utf16.ipynb", solution_path("cnn_basics").read_text().encode("utf-16"))(f),
        "not UTF-8",
    ),
]


def environment_secret() -> dict[str, str]:
    return {"AUTOGRADER_REDTEAM_SECRET": SECRET, "GITHUB_TOKEN": f"ghp_{secrets.token_hex(18)}"}


def solution_lines(min_length: int = 16) -> set[str]:
    """Lines inside the reference solutions' solution regions (what must never leak)."""
    lines: set[str] = set()
    for path in (solution_path("cnn_basics"), solution_path("cifar10_cnn")):
        inside, _ = solution_regions(nbformat.read(path, as_version=4))
        lines.update(line.strip() for line in inside if len(line.strip()) >= min_length)
    return lines


def canary_cleanup(paths: list[str]) -> None:
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass
