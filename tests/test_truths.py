"""The checks' truths kept on disk (autograder/truths.py): a grade in a new process reads
them instead of computing them, gives the very same report, and does not import PyTorch;
a store the grader did not write itself, or a damaged one, is ignored; the store is named
after everything a truth depends on."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder import assignments, truths
from autograder.wire import TensorArray
from tests.notebooks import REPO, replace_definition, solution, solution_path, variant, write

BUGS = (
    "avg_pool2d_ignores_stride",
    "batchnorm2d_forward_biased_running_var",
    "conv2d_forward_one_sided_padding",
    "cross_correlation2d_flipped_kernel",
    "softmax_no_max_subtraction",
    "conv_output_size_float",
    "max_pool2d_backward_no_accumulation",
    "linear_backward_db_mean",
)

GRADE = """
import json, sys
from pathlib import Path
from autograder.grading import grade
from autograder.options import Options
report = grade(Path(sys.argv[1]), Options())
checks = [
    {k: v for k, v in c.to_json().items() if k != "seconds"}
    for q in report.questions for c in q.checks
]
print(json.dumps({"score": report.score, "checks": checks, "torch": "torch" in sys.modules}))
"""


def graded_in_a_new_process(notebook: Path, cache: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", GRADE, str(notebook)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def buggy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nb = solution()
    for bug in BUGS:
        replace_definition(nb, variant("buggy", bug))
    return write(nb, tmp_path_factory.mktemp("truths") / "buggy.ipynb")


def the_store(cache: Path) -> Path:
    (store,) = (cache / "truths").glob("cnn_basics-*.npz")
    return store


def test_the_next_process_reads_the_truths_gives_the_same_report_and_needs_no_pytorch(
    buggy: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = graded_in_a_new_process(buggy, cache)
    assert first["torch"], "with no store yet, the truths are computed (PyTorch's among them)"
    failed = [c for c in first["checks"] if c["status"] == "failed"]
    assert sum("xpected" in c["feedback"] for c in failed) >= 8  # compared with truths
    store = the_store(cache)
    assert stat.S_IMODE(store.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.parent.stat().st_mode) == 0o700
    written = (store.stat().st_ino, store.stat().st_mtime_ns)

    second = graded_in_a_new_process(buggy, cache)
    assert not second["torch"]
    assert second["checks"] == first["checks"]  # statuses, points, feedback, details
    assert second["score"] == first["score"] < 100
    # a grade that computed nothing new leaves the store as it was (a write replaces the file)
    assert (the_store(cache).stat().st_ino, the_store(cache).stat().st_mtime_ns) == written


def test_a_store_the_grader_did_not_write_alone_is_ignored_and_a_damaged_one_too(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    assert graded_in_a_new_process(solution_path(), cache)["score"] == 100
    store = the_store(cache)
    entries = truths._read_store(store)
    assert entries and len(entries) > 100
    # every truth doubled: a store that lies
    poisoned = {key: _doubled(value) for key, value in entries.items()}

    def lying(mode: int) -> None:
        store.unlink()
        truths._write_store(store, poisoned)
        store.chmod(mode)

    lying(0o600)  # the grader's own: believed (which shows that the store is really read)
    assert graded_in_a_new_process(solution_path(), cache)["score"] < 50

    for damage in (lambda: lying(0o666), lambda: store.write_bytes(store.read_bytes()[:1000])):
        damage()  # writable by anyone (not the grader's own), or cut short: ignored
        ignored = graded_in_a_new_process(solution_path(), cache)
        assert ignored["score"] == 100 and ignored["torch"]
        # and replaced by the truths computed instead
        assert stat.S_IMODE(store.stat().st_mode) == 0o600
        assert set(truths._read_store(store) or {}) == set(entries)

    valid = shutil.copy(store, tmp_path / "valid.npz")
    assert truths._read_store(Path(valid)) is not None
    store.unlink()
    store.symlink_to(valid)  # a link is never followed, even to a store that would do
    assert truths._read_store(store) is None


def _doubled(value):
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        return value * 2 + 1
    if isinstance(value, float):
        return value * 2 + 1
    if isinstance(value, (tuple, list)):
        return type(value)(_doubled(v) for v in value)
    if isinstance(value, dict):
        return {k: _doubled(v) for k, v in value.items()}
    return value


def test_the_store_is_named_after_everything_a_truth_depends_on(tmp_path: Path) -> None:
    folder = tmp_path / "cnn_basics"
    shutil.copytree(assignments.course_root() / "cnn_basics", folder)
    seen = {truths.digest(folder)}

    def changed(path: Path, text: str) -> str:
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        truths.digest.cache_clear()
        return truths.digest(folder)

    for path, text in [
        (folder / "checks" / "test_softmax.py", "\n# a changed check\n"),
        (folder / "solution.ipynb", " "),
        (folder / "config.toml", "\n# a changed setting\n"),
    ]:
        new = changed(path, text)
        assert new not in seen, path.name
        seen.add(new)
    (folder / "checks" / "helper.py").write_text("X = 1\n", encoding="utf-8")
    truths.digest.cache_clear()
    assert truths.digest(folder) not in seen
    seen.add(truths.digest(folder))
    assert changed(folder / "cnn_basics.ipynb", " ") in seen  # the template: no truth uses it
    truths.digest.cache_clear()


def test_plain_data_comes_back_exactly_and_anything_else_is_not_stored(tmp_path: Path) -> None:
    fortran = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    kept = {
        ("checks/a.py", 1, "truth", b"\x01"): (np.float32(1.5), np.int64(-3), np.bool_(True)),
        ("checks/a.py", 1, "truth", b"\x02"): {"w": fortran, "b": np.array([True, False])},
        ("checks/a.py", 9, "other", b"\x03"): [float("nan"), -0.0, float("inf"), 2**70, None],
        ("checks/b.py", 2, "truth", b"\x04"): ("text", np.array([1 + 2j]), np.zeros((0, 3))),
    }
    refused = {
        ("checks/a.py", 1, "truth", b"\x05"): np.array([object()], dtype=object),
        ("checks/a.py", 1, "truth", b"\x06"): np.zeros(2).view(TensorArray),
        ("checks/a.py", 1, "truth", b"\x07"): {1, 2},
        ("checks/a.py", 1, "truth", b"\x08"): {3: "a key that is not a string"},
    }
    path = tmp_path / "store.npz"
    truths._write_store(path, {**kept, **refused})
    back = truths._read_store(path)
    assert back is not None and set(back) == set(kept)
    for key, value in kept.items():
        _same(back[key], value)


def _same(got, want) -> None:
    assert type(got) is type(want)
    if isinstance(want, np.ndarray | np.generic):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert np.array_equal(got, want, equal_nan=want.dtype.kind in "fc")
    elif isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            _same(g, w)
    elif isinstance(want, dict):
        assert list(got) == list(want)
        for k in want:
            _same(got[k], want[k])
    elif isinstance(want, float):
        assert got.hex() == want.hex()
    else:
        assert got == want


def test_pytorch_is_loaded_ahead_only_for_checks_that_import_it_themselves() -> None:
    assert not truths.checks_import_torch(assignments.find("cnn_basics", []))
    assert not truths.checks_import_torch(assignments.find("regularization", []))
    assert truths.checks_import_torch(assignments.find("cifar10_cnn", []))


def test_a_cache_folder_that_cannot_be_made_costs_time_only(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    graded = graded_in_a_new_process(solution_path(), blocked / "cache")
    assert graded["score"] == 100 and graded["torch"]
    assert blocked.read_text(encoding="utf-8") == "not a folder"
