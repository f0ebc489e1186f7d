"""The data layer: the synthetic set's file format, ``describe``, loading, and the safe unpickler.

Real files in temporary folders; nothing is mocked and nothing is downloaded.
"""

from __future__ import annotations

import io
import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.data import (
    DatasetCorrupt,
    DatasetExists,
    DatasetMissing,
    UnsafePickle,
    batches_folder,
    describe,
    generate,
    load_meta,
    load_split,
    patterns,
)
from autograder.data.batchfile import _RestrictedUnpickler
from autograder.data.cifar import ALL_FILES, TRAIN_FILES
from autograder.data.synthetic import CLASS_NAMES
from autograder.errors import DatasetMissing as GraderDatasetMissing

N_TRAIN, N_TEST = 200, 50
PACKAGE = Path(__file__).resolve().parents[1] / "autograder"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic set, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("synthetic")
    generate(root, n_train=N_TRAIN, n_test=N_TEST, seed=0)
    return root


@pytest.fixture
def own_set(tmp_path: Path) -> Path:
    """A small synthetic set that the test may change."""
    generate(tmp_path, n_train=N_TRAIN, n_test=N_TEST, seed=0)
    return tmp_path


def folder_of(root: Path) -> Path:
    return root / "cifar-10-batches-py"


# -- the file format ---------------------------------------------------------------------


def test_generate_writes_torchvisions_layout(synthetic: Path) -> None:
    names = sorted(p.name for p in folder_of(synthetic).iterdir())
    assert names == sorted(ALL_FILES)
    assert batches_folder(synthetic) == folder_of(synthetic)
    assert batches_folder(folder_of(synthetic)) == folder_of(synthetic)


def test_batches_load_with_the_cifar_website_recipe(synthetic: Path) -> None:
    """pickle.load(f, encoding="bytes") gives bytes keys, as for the real Python 2 files."""
    sizes = []
    for name in TRAIN_FILES:
        with open(folder_of(synthetic) / name, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}
        data = batch[b"data"]
        assert data.dtype == np.uint8 and data.ndim == 2 and data.shape[1] == 3072
        assert len(batch[b"labels"]) == len(batch[b"filenames"]) == len(data)
        assert all(type(label) is int for label in batch[b"labels"])
        assert all(isinstance(name, bytes) for name in batch[b"filenames"])
        sizes.append(len(data))
    assert batch[b"batch_label"] == b"training batch 5 of 5"
    assert sizes == [N_TRAIN // 5] * 5
    with open(folder_of(synthetic) / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="bytes")
    assert {b"num_cases_per_batch", b"label_names", b"num_vis"} <= set(meta)
    assert meta[b"num_vis"] == 3072 and meta[b"num_cases_per_batch"] == N_TRAIN // 5
    assert [n.decode() for n in meta[b"label_names"]] == list(CLASS_NAMES)


def test_batches_load_the_way_torchvision_reads_them(synthetic: Path) -> None:
    """As torchvision's CIFAR10 does: unpickle as latin1, rows to (N, 3, 32, 32), then to HWC."""
    data, targets = [], []
    for name in TRAIN_FILES:
        with open(folder_of(synthetic) / name, "rb") as f:
            entry = pickle.load(f, encoding="latin1")
        assert isinstance(entry["batch_label"], str)
        data.append(entry["data"])
        targets.extend(entry["labels"])
    images = np.vstack(data).reshape(-1, 3, 32, 32).transpose((0, 2, 3, 1))
    ours, labels = load_split(synthetic, train=True)
    assert ours.shape == (N_TRAIN, 32, 32, 3) and ours.dtype == np.uint8
    assert labels.shape == (N_TRAIN,) and labels.dtype == np.int64
    np.testing.assert_array_equal(ours, images)
    np.testing.assert_array_equal(labels, targets)
    row = np.vstack(data)[0]  # the 1024 red values, then green, then blue
    for channel in range(3):
        np.testing.assert_array_equal(
            row[1024 * channel : 1024 * (channel + 1)], ours[0, :, :, channel].ravel()
        )


def test_torchvision_refuses_the_synthetic_set_by_its_checksums(synthetic: Path) -> None:
    """Expected: the set is in CIFAR-10's format but is not CIFAR-10, so the checksums differ."""
    from torchvision.datasets import CIFAR10

    with pytest.raises(RuntimeError, match="corrupted"):
        CIFAR10(str(synthetic), train=True, download=False)


def test_load_split_gives_the_test_set_and_load_meta_the_names(synthetic: Path) -> None:
    images, labels = load_split(folder_of(synthetic), train=False)
    assert images.shape == (N_TEST, 32, 32, 3) and labels.shape == (N_TEST,)
    assert load_meta(synthetic) == CLASS_NAMES


def test_every_class_has_the_same_number_of_images(synthetic: Path) -> None:
    for train, n in ((True, N_TRAIN), (False, N_TEST)):
        _, labels = load_split(synthetic, train=train)
        assert np.bincount(labels, minlength=10).tolist() == [n // 10] * 10


def test_the_same_seed_gives_the_same_bytes(tmp_path: Path, synthetic: Path) -> None:
    generate(tmp_path / "again", n_train=N_TRAIN, n_test=N_TEST, seed=0)
    generate(tmp_path / "other", n_train=N_TRAIN, n_test=N_TEST, seed=1)
    for name in ALL_FILES:
        original = (folder_of(synthetic) / name).read_bytes()
        assert (folder_of(tmp_path / "again") / name).read_bytes() == original, name
        assert (folder_of(tmp_path / "other") / name).read_bytes() != original, name


def test_class_mean_images_are_flat_gray() -> None:
    """Random polarity leaves no class information in the mean image (nothing for a linear map)."""
    labels = np.arange(2000) % 10
    images = patterns.render(np.random.default_rng(0), labels).astype(np.float64)
    overall = images.mean(axis=0)
    for label in range(10):
        deviation = np.sqrt(np.mean((images[labels == label].mean(axis=0) - overall) ** 2))
        assert deviation < 15, (
            f"class {CLASS_NAMES[label]}: mean image deviates by {deviation:.1f} (rms)"
        )


# -- describe --------------------------------------------------------------------------


def test_describe_recognizes_the_synthetic_set(synthetic: Path) -> None:
    info = describe(synthetic)
    assert info.kind == "synthetic"
    assert (info.n_train, info.n_test) == (N_TRAIN, N_TEST)
    assert info.class_names == CLASS_NAMES
    assert info.root == synthetic and info.folder == folder_of(synthetic)
    assert "seed 0" in info.description and "not CIFAR-10" in info.description
    assert describe(folder_of(synthetic)) == info


def test_describe_calls_an_altered_file_unverified(own_set: Path) -> None:
    assert describe(own_set).kind == "synthetic"
    path = folder_of(own_set) / "data_batch_3"
    content = bytearray(path.read_bytes())
    content[len(content) // 2] ^= 0xFF  # one pixel of one image
    path.write_bytes(bytes(content))
    info = describe(own_set)
    assert info.kind == "unverified"
    assert "data_batch_3" in info.description
    assert (info.n_train, info.n_test) == (N_TRAIN, N_TEST)


def test_describe_calls_a_set_without_the_marker_unverified(own_set: Path) -> None:
    """A CIFAR-format set written by plain Python 3 pickle (str keys, protocol 4) is read too."""
    folder = folder_of(own_set)
    rng = np.random.default_rng(0)
    batch = {
        "data": rng.integers(0, 256, (30, 3072), dtype=np.uint8),
        "labels": list(range(10)) * 3,
    }
    for name in TRAIN_FILES:
        with open(folder / name, "wb") as f:
            pickle.dump(batch, f)
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": [f"class{i}" for i in range(10)]}, f)
    info = describe(own_set)
    assert info.kind == "unverified" and "torchvision" in info.description
    assert (info.n_train, info.n_test) == (150, N_TEST)
    assert info.class_names[0] == "class0"
    images, labels = load_split(own_set, train=True)
    np.testing.assert_array_equal(
        images[:30], batch["data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    )


def test_a_missing_folder_raises_dataset_missing_with_how_to_fetch(tmp_path: Path) -> None:
    with pytest.raises(DatasetMissing) as raised:
        describe(tmp_path / "nowhere")
    message = str(raised.value)
    assert str(tmp_path / "nowhere" / "cifar-10-batches-py") in message
    assert "python -m autograder.data download --data-dir" in message
    assert "python -m autograder.data synthetic" in message
    assert isinstance(raised.value, GraderDatasetMissing)  # the grader's own class


def test_a_missing_file_is_named(own_set: Path) -> None:
    (folder_of(own_set) / "test_batch").unlink()
    with pytest.raises(DatasetMissing, match="lacks test_batch"):
        describe(own_set)
    with pytest.raises(DatasetMissing, match="test_batch"):
        load_split(own_set, train=False)


# -- safety ----------------------------------------------------------------------------


class _Payload:
    """Unpickles into a shell command, as a hostile batch file would."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self) -> tuple:
        return (os.system, (self.command,))


def test_the_restricted_unpickler_refuses_os_system(own_set: Path, tmp_path: Path) -> None:
    witness = tmp_path / "ran"
    payload = pickle.dumps({"data": _Payload(f"touch {witness}"), "labels": []}, protocol=2)
    with pytest.raises(UnsafePickle, match="system"):
        _RestrictedUnpickler(io.BytesIO(payload), encoding="bytes").load()
    (folder_of(own_set) / "data_batch_1").write_bytes(payload)
    with pytest.raises(UnsafePickle, match="data_batch_1"):
        load_split(own_set, train=True)
    assert not witness.exists()


def test_a_garbled_file_raises_dataset_corrupt(own_set: Path) -> None:
    (folder_of(own_set) / "test_batch").write_bytes(b"not a pickle at all")
    with pytest.raises(DatasetCorrupt, match="test_batch"):
        load_split(own_set, train=False)


def test_no_plain_pickle_load_in_the_grader() -> None:
    """Project rule: pickles are only ever read through the restricted unpickler."""
    offenders = [
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.joinpath("data").rglob("*.py")
        if re.search(r"pickle\.loads?\(", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_generate_will_not_overwrite_a_foreign_set(tmp_path: Path) -> None:
    folder = folder_of(tmp_path)
    folder.mkdir()
    (folder / "data_batch_1").write_bytes(b"precious")
    with pytest.raises(DatasetExists, match="data_batch_1"):
        generate(tmp_path, n_train=N_TRAIN, n_test=N_TEST)
    assert (folder / "data_batch_1").read_bytes() == b"precious"


def test_generate_refuses_too_few_images(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 10"):
        generate(tmp_path, n_train=5, n_test=N_TEST)


# -- command line ----------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "autograder.data", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PACKAGE.parent,
    )


def test_cli_writes_and_describes_a_synthetic_set(tmp_path: Path) -> None:
    made = run_cli(
        "synthetic", "--out", str(tmp_path), "--train", "20", "--test", "10", "--seed", "3"
    )
    assert made.returncode == 0, made.stderr
    shown = run_cli("describe", str(tmp_path))
    assert shown.returncode == 0, shown.stderr
    assert (
        "synthetic" in shown.stdout and "seed 3" in shown.stdout and "20 training" in shown.stdout
    )


def test_cli_errors_are_one_sentence_and_exit_2(tmp_path: Path) -> None:
    for args in (
        ("describe", str(tmp_path)),
        ("synthetic", "--out", str(tmp_path), "--train", "3"),
    ):
        result = run_cli(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("error: ")
