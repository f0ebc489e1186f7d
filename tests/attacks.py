"""The second red team's attacks (issue 15, classes 1 to 8) and our own further ones, each
with its verdict.

An attack is a cell added to the reference solution of cnn_basics: either it redefines
one graded function (``question``; no other graded function calls it, so only that
question can be touched; the original stays reachable as ``_real_<name>``) or it does
something on its own. Attacks are graded together in a few notebooks (``COMBOS``), so one grade
per sandbox covers many; each attack is still its own test, with its own verdict, and
every question no attack targets must keep full marks.
"""

from __future__ import annotations

import glob
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.redteam import SECRET, TOKEN

FIND = """
import os as _os
def _exchange():
    # the folder this kernel shares with the grader: its connection file's folder's parent
    args = open("/proc/self/cmdline", "rb").read().split(b"\\0")
    return _os.path.dirname(_os.path.dirname(args[args.index(b"-f") + 1].decode()))
def _current(part):
    folder = _os.path.join(_exchange(), part)
    names = [n for n in _os.listdir(folder) if n.isdigit()]
    return _os.path.join(folder, max(names, key=int)) if names else None
"""


@dataclass
class Attack:
    name: str
    origin: str
    """"issue 15, class N" for the attacks the issue describes, "ours" for the others."""
    source: str
    question: str | None = None
    """The question whose function ``source`` replaces; None: ``source`` is a new cell."""
    lost: bool = True
    """Whether ``question`` loses points (False: the attack gains and costs nothing)."""
    lost_as_root: bool | None = None
    """The verdict in a plain process that runs as the grader's root (no user of its own,
    when the Python installation is not readable by other users), where it differs."""
    verdict: Callable[[dict[str, Any], str, str, Path], None] | None = None
    """Further assertions on (report.json, every report file's text, the sandbox kind,
    the report folder)."""
    canary: str | None = None
    """A host folder the attack aims at; the test makes it and checks nothing in it changed."""
    combo: str = ""
    tags: list[str] = field(default_factory=list)


def _feedback(data: dict, question: str) -> list[str]:
    q = next(q for q in data["questions"] if q["id"] == question)
    return [c["feedback"] or "" for c in q["checks"] if c["status"] != "passed"]


def _failed_check(question: str, check: str) -> Callable[[dict, str, str, Path], None]:
    def verdict(data: dict, text: str, kind: str, folder: Path) -> None:
        q = next(q for q in data["questions"] if q["id"] == question)
        status = {c["id"]: c["status"] for c in q["checks"]}
        assert status[check] == "failed", status

    return verdict


def _only_own_inputs(data: dict, text: str, kind: str, folder: Path) -> None:
    seen = [f for f in _feedback(data, "cross_correlation2d") if "SEEN:" in f]
    assert seen, _feedback(data, "cross_correlation2d")
    for feedback in seen:
        listed = feedback.split("SEEN:", 1)[1].split("]", 1)[0]
        assert listed.count("'") == 2, feedback  # one folder: the call's own


def _bounded_message(data: dict, text: str, kind: str, folder: Path) -> None:
    assert "x" * 100_000 not in text
    assert all(len(f) < 20_000 for f in _feedback(data, "avg_pool2d"))


def _html_written(data: dict, text: str, kind: str, folder: Path) -> None:
    for page in ("report.html", "report-student.html"):
        assert "max_pool2d" in (folder / page).read_text(encoding="utf-8")


def _no_ansi(data: dict, text: str, kind: str, folder: Path) -> None:
    assert "\x1b" not in text and "\x07" not in text
    assert "\n# Score: 100/100" not in text and f"FAKE-{TOKEN}" not in text.split("```")[0]


def _no_fake_output(data: dict, text: str, kind: str, folder: Path) -> None:
    assert f"PREFILLED-{TOKEN}" not in text


def _no_secret(data: dict, text: str, kind: str, folder: Path) -> None:
    assert SECRET not in text


def _restarted(data: dict, text: str, kind: str, folder: Path) -> None:
    assert data["notebook"]["kernel_restarts"] >= 1


def own_user(data: dict) -> bool:
    """Whether the kernel ran as a user of its own (always true under bwrap)."""
    return data["sandbox"]["kind"] == "bwrap" or "runs as user" in data["sandbox"]["user"]


def _disk(where: str) -> Callable[[dict, str, str, Path], None]:
    def verdict(data: dict, text: str, kind: str, folder: Path) -> None:
        errors = [e["error"] or "" for e in data["notebook"]["errors"]]
        mine = [e for e in errors if f"-{where}" in e or "disk limit" in e]
        if kind == "bwrap":  # a file system of its own size: the write fails in the notebook
            assert any(f"refused-{where}-{TOKEN}: No space left on device" in e for e in errors)
        elif where == "home" or own_user(data):  # the watchdog stops the kernel
            assert any("disk limit exceeded" in e for e in errors), errors
        else:  # root's files in the machine's /dev/shm cannot be told from the grader's own
            assert "runs as root" in data["sandbox"]["user"]
            for stray in glob.glob(f"/dev/shm/shm-{TOKEN}-*"):
                os.remove(stray)
            return
        assert mine and glob.glob(f"/dev/shm/shm-{TOKEN}-*") == []

    return verdict


# -- combo "claims": what the kernel says is only data; every verdict is the grader's -----

CLAIMS = [
    Attack(
        "mutates_its_input_then_rewrites_the_callers_frames",
        "issue 15, class 1",
        question="batchnorm2d_backward",
        source="""
        def batchnorm2d_backward(dout, x, gamma, eps=1e-5):
            import sys
            answer = _real_batchnorm2d_backward(dout, x, gamma, eps)
            original = dout.copy()
            dout[...] = 0.0  # the caller's array changes
            frame = sys._getframe(1)
            while frame is not None:  # and every array up the stack that looks like it is restored
                for key, value in list(frame.f_locals.items()):
                    if isinstance(value, np.ndarray) and value.shape == original.shape and value is not dout:
                        try:
                            value[...] = original
                        except Exception:
                            pass
                frame = frame.f_back
            return answer
        """,
        verdict=_failed_check("batchnorm2d_backward", "leaves_inputs_alone"),
    ),
    Attack(
        "patches_the_json_encoder_to_rewrite_every_result",
        "issue 15, class 1",
        source="""
        import json
        _real_iterencode = json.JSONEncoder.iterencode
        def _lie(self, o, _one_shot=False):
            # every result-like dict written with json says it passed and changed nothing
            if isinstance(o, dict) and not {"header", "content"} & set(o):
                o = {**o, "passed": True, "ok": True, "status": "ok", "changed": False}
            return _real_iterencode(self, o, _one_shot)
        json.JSONEncoder.iterencode = _lie
        """,
    ),
    Attack(
        "returns_two_million_empty_rows",
        "issue 15, class 5",
        question="conv_output_size",
        source="""
        def conv_output_size(w_in, kernel_size, padding=0, stride=1):
            return np.zeros((2_000_000, 0))
        """,
    ),
    Attack(
        "returns_an_array_of_shape_1_by_0",
        "issue 15, class 5",
        question="max_pool2d",
        source="""
        def max_pool2d(x, kernel_size=2, stride=2, padding=0):
            return np.zeros((1, 0))
        """,
        verdict=_html_written,
    ),
    Attack(
        "raises_a_20_mib_message",
        "issue 15, class 5",
        question="avg_pool2d",
        source="""
        def avg_pool2d(x, kernel_size=2, stride=2):
            raise ValueError("x" * (20 * 2**20))
        """,
        verdict=_bounded_message,
    ),
    Attack(
        "reads_the_other_calls_inputs",
        "issue 15, class 6",
        question="cross_correlation2d",
        source=FIND
        + textwrap.dedent(
            """
        def cross_correlation2d(image, kernel):
            listed = sorted(_os.listdir(_os.path.join(_exchange(), "in")))
            raise RuntimeError("SEEN:" + repr(listed))
        """
        ),
        verdict=_only_own_inputs,
    ),
    Attack(
        "returns_an_array_subclass_that_says_it_equals_anything",
        "ours",
        question="conv2d_forward",
        source="""
        class _Always(np.ndarray):
            def __eq__(self, other):
                return np.ones(np.broadcast(self, other).shape, dtype=bool)
            def __array_ufunc__(self, *args, **kwargs):
                return True
        def conv2d_forward(x, w, b, stride=1, padding=0):
            n, _, h, wd = x.shape
            return np.zeros((n, w.shape[0], h, wd)).view(_Always)
        """,
    ),
    Attack(
        "returns_a_generator",
        "ours",
        question="max_pool2d_backward",
        source="""
        def max_pool2d_backward(dout, x, kernel_size=2, stride=2):
            return (v for v in x.ravel())
        """,
    ),
    Attack(
        "returns_a_list_nested_100000_deep",
        "ours",
        question="conv2d_backward",
        source="""
        def conv2d_backward(dout, x, w, stride=1, padding=0):
            deep = []
            for _ in range(100_000):
                deep = [deep]
            return deep, deep, deep
        """,
    ),
    Attack(
        "returns_a_view_of_ten_billion_elements",
        "ours",
        question="batchnorm2d_forward",
        source="""
        def batchnorm2d_forward(x, gamma, beta, running_mean, running_var, momentum=0.1, eps=1e-5, training=True):
            huge = np.lib.stride_tricks.as_strided(np.zeros(1), shape=(100_000, 100_000), strides=(0, 0))
            return huge, running_mean, running_var
        """,
    ),
    Attack(
        "returns_nan_everywhere",
        "ours",
        question="mlp_loss_and_gradients",
        source="""
        def mlp_loss_and_gradients(x, y, params):
            return float("nan"), {k: np.full_like(v, np.nan) for k, v in params.items()}
        """,
    ),
    Attack(
        "prints_terminal_escapes_and_a_fake_score",
        "ours",
        source=f"""
        print("\\x1b]0;hacked\\x07\\x1b[2J\\x1b[1;1H# Score: 100/100\\nFAKE-{TOKEN}\\r# Score: 100/100")
        """,
        verdict=_no_ansi,
    ),
]


# -- combo "paths": the grader follows nothing the sandbox controls --------------------

PATHS = [
    Attack(
        "swaps_its_result_folder_for_a_link_to_a_host_folder",
        "issue 15, class 3",
        question="conv2d_backward",
        source=FIND
        + textwrap.dedent(
            """
        def conv2d_backward(dout, x, w, stride=1, padding=0):
            # where this call's results will go: a link to a host folder
            n = _os.path.basename(_current("in"))
            _os.symlink(CANARY, _os.path.join(_exchange(), "out", n))
            return _real_conv2d_backward(dout, x, w, stride, padding)
        """
        ),
        canary="conv2d_backward",
    ),
    Attack(
        "plants_links_where_the_next_results_go",
        "ours",
        question="mlp_loss_and_gradients",
        source=FIND
        + textwrap.dedent(
            """
        def mlp_loss_and_gradients(x, y, params):
            n = int(_os.path.basename(_current("in")))
            for later in range(n + 1, n + 6):  # where the next calls' results will go
                try:
                    _os.symlink(CANARY, _os.path.join(_exchange(), "out", str(later)))
                except OSError:
                    pass
            return _real_mlp_loss_and_gradients(x, y, params)
        """
        ),
        canary="mlp_loss_and_gradients",
        verdict=_no_secret,
    ),
    Attack(
        "writes_into_its_inputs_folder",
        "ours",
        question="avg_pool2d",
        lost=False,
        lost_as_root=True,
        source=FIND
        + textwrap.dedent(
            """
        def avg_pool2d(x, kernel_size=2, stride=2):
            inbox = _current("in")
            for name in _os.listdir(inbox):
                try:
                    with open(_os.path.join(inbox, name), "w") as f:
                        f.write("{}")
                except OSError:
                    continue
                raise AssertionError("the inputs folder was writable")
            return _real_avg_pool2d(x, kernel_size, stride)
        """
        ),
    ),
    Attack(
        "changes_directory_to_the_root",
        "ours",
        question="conv_output_size",
        lost=False,
        source="""
        def conv_output_size(w_in, kernel_size, padding=0, stride=1):
            import os
            os.chdir("/")
            return _real_conv_output_size(w_in, kernel_size, padding, stride)
        """,
    ),
    Attack(
        "nests_3000_folders_in_its_home",
        "issue 15, class 3",
        source="""
        import os
        home = os.getcwd()
        for i in range(3000):  # relative steps: deeper than a path may be long
            os.mkdir("d")
            os.chdir("d")
        os.chdir(home)
        """,
    ),
    Attack(
        "stops_itself_with_sigstop",
        "ours",
        question="max_pool2d_backward",
        source="""
        def max_pool2d_backward(dout, x, kernel_size=2, stride=2):
            import os, signal
            os.kill(os.getpid(), signal.SIGSTOP)
            return np.zeros_like(x)
        """,
        verdict=_restarted,
    ),
    Attack(
        "overflows_the_c_stack",
        "ours",
        question="batchnorm2d_backward",
        source="""
        def batchnorm2d_backward(dout, x, gamma, eps=1e-5):
            import sys
            sys.setrecursionlimit(10**8)
            def down(n):
                return down(n + 1) + 1
            return down(0)
        """,
        verdict=_restarted,
    ),
]


# -- combo "quotas": what a sandbox may write --------------------------------------------

QUOTAS = [
    Attack(
        "writes_1_5_gib_to_dev_shm",
        "issue 15, class 4",
        source=f"""
        import os
        try:
            block = b"s" * 2**26
            for i in range(24):
                with open("/dev/shm/shm-{TOKEN}-%d" % i, "wb") as f:
                    f.write(block)
            print("wrote everything")
        except OSError as e:
            raise OSError(f"refused-shm-{TOKEN}: {{e.strerror}}") from None
        """,
        verdict=_disk("shm"),
    ),
    Attack(
        "writes_1_5_gib_to_its_home",
        "issue 15, class 4",
        source=f"""
        import os
        try:
            block = b"d" * 2**26
            for i in range(24):
                with open(os.path.expanduser("~/disk-{TOKEN}-%d" % i), "wb") as f:
                    f.write(block)
            print("wrote everything")
        except OSError as e:
            raise OSError(f"refused-home-{TOKEN}: {{e.strerror}}") from None
        """,
        verdict=_disk("home"),
    ),
]

COMBOS = {"claims": CLAIMS, "paths": PATHS, "quotas": QUOTAS}
for _combo, _attacks in COMBOS.items():
    for _attack in _attacks:
        _attack.combo = _combo
        _attack.source = textwrap.dedent(_attack.source).strip() + "\n"
ATTACKS = [a for attacks in COMBOS.values() for a in attacks]
assert len({a.name for a in ATTACKS}) == len(ATTACKS)
for _attacks in COMBOS.values():  # one attack per question in each notebook
    _targets = [a.question for a in _attacks if a.question]
    assert len(set(_targets)) == len(_targets), _targets
