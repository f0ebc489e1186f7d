"""The accuracy check's training path, proven on the CPU where the same PyTorch code applies:
bfloat16 autocast and channels-last (as on a GPU), a model that flattens with view(), the
time budget's one rule, and the GPU plumbing that can be checked without a GPU.

CPU bfloat16 autocast caches weights exactly as CUDA autocast does, so a trainer that
froze the weights within an epoch would fail here as it would on a GPU.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from autograder.sandbox import MAX_THREADS, kernel_threads
from autograder.sandbox.kinds import gpu_device_nodes
from tests.notebooks import replace_definition, solution, solution_path

pytestmark = pytest.mark.slow

VIEW_FLATTEN = '''
class CifarCNN(nn.Module):
    """The course's network as the course writes it: the head flattens with view()."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.Conv2d(128, 128, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(128, 256, 3, padding=1), nn.BatchNorm2d(256), nn.ReLU(),
            nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, 2),
        )
        self.fc1 = nn.Linear(4096, 1024)
        self.fc2 = nn.Linear(1024, 512)
        self.fc3 = nn.Linear(512, 10)

    def forward(self, x):
        x = self.features(x)
        x = x.view(x.size(0), -1)  # fails on a channels-last tensor
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))
'''


def _course(tmp_path: Path, **cpu: object) -> Path:
    """A folder of assignments holding cifar10_cnn with some [training.cpu] values changed."""
    root = tmp_path / "course"
    shutil.copytree(solution_path("cifar10_cnn").parent, root / "cifar10_cnn")
    config = root / "cifar10_cnn" / "config.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    start = lines.index("[training.cpu]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    section = [ln for ln in lines[start + 1 : end] if ln.split("=")[0].strip() not in cpu]
    for key, value in cpu.items():
        text = str(value).lower() if isinstance(value, bool) else repr(value)
        section.append(f"{key} = {text}")
    lines = lines[: start + 1] + section + lines[end:]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def bf16_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _course(tmp_path_factory.mktemp("bf16"), mixed_precision=True, channels_last=True)


def _accuracy_check(graded) -> dict:
    return next(c for q in graded.json["questions"] for c in q["checks"] if q["id"] == "accuracy")


def test_the_solution_learns_with_bfloat16_autocast_and_channels_last(
    grade_once, synthetic_cifar, bf16_course
):
    graded = grade_once(
        "cifar_bf16",
        solution_path("cifar10_cnn"),
        device="cpu",
        data_dir=synthetic_cifar,
        assignments=(bf16_course,),
    )
    t = graded.json["training"]
    assert (t["mixed_precision"], t["channels_last"]) == ("bfloat16", True), t.get("setup_notes")
    assert _accuracy_check(graded)["status"] == "passed", _accuracy_check(graded)["feedback"]
    losses = t["curves"]["train_loss"]
    assert losses[-1] < losses[0] < 2.4  # it learns within the first epoch, and on
    assert t["test_accuracy"] == t["curves"]["test_accuracy"][-1]  # the headline is plotted


def test_a_model_that_flattens_with_view_trains_without_channels_last(
    grade_once, synthetic_cifar, bf16_course, tmp_path
):
    nb = replace_definition(solution("cifar10_cnn"), textwrap.dedent(VIEW_FLATTEN))
    path = tmp_path / "view_flatten.ipynb"
    import nbformat

    nbformat.write(nb, path)
    graded = grade_once(
        "cifar_view", path, device="cpu", data_dir=synthetic_cifar, assignments=(bf16_course,)
    )
    t = graded.json["training"]
    assert t["channels_last"] is False
    assert any("channels-last not used" in n for n in t["setup_notes"])
    assert t["mixed_precision"] == "bfloat16"  # not switched off along with it
    assert _accuracy_check(graded)["status"] == "passed", _accuracy_check(graded)["feedback"]


def test_training_that_spends_its_budget_fails_without_measuring_a_half_trained_model(
    grade_once, synthetic_cifar, tmp_path
):
    course = _course(tmp_path, time_budget_s=1.0, mixed_precision=True)
    graded = grade_once(
        "cifar_budget",
        solution_path("cifar10_cnn"),
        device="cpu",
        data_dir=synthetic_cifar,
        assignments=(course,),
    )
    check = _accuracy_check(graded)
    t = graded.json["training"]
    assert check["status"] == "failed" and check["points"] == 0
    assert "Training stopped before it finished: the training budget of 1 s" in check["feedback"]
    assert t["status"] == "failed" and t["epochs"] == 1 and t["epochs_planned"] == 2
    assert t["stopped"].startswith("the training budget of 1 s (processor time ÷ threads)")
    assert "confusion_matrix" not in t  # no final evaluation of a model cut short
    assert t["test_accuracy"] == t["curves"]["test_accuracy"][-1]
    assert t["budget_used_s"] > 1.0


def test_each_kernel_sees_only_its_own_gpu(tmp_path):
    dev = tmp_path / "dev"
    (dev / "nvidia-caps").mkdir(parents=True)
    for name in ("nvidiactl", "nvidia-uvm", "nvidia0", "nvidia1", "nvidia2", "nvidia3"):
        (dev / name).touch()
    (dev / "nvidia-caps" / "nvidia-cap1").touch()
    nodes, note = gpu_device_nodes("2", dev=str(dev))
    names = sorted(Path(n).name for n in nodes)
    assert names == ["nvidia-cap1", "nvidia-uvm", "nvidia2", "nvidiactl"] and note is None
    nodes, note = gpu_device_nodes("GPU-00000000-not-on-this-machine", dev=str(dev))
    assert {"nvidia0", "nvidia3"} <= {Path(n).name for n in nodes} and "not known" in note


def test_batch_workers_take_the_gpus_named_in_cuda_visible_devices(monkeypatch):
    from autograder.batch import gpus as _gpus

    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "2,3")
    assert _gpus("auto") == ["2", "3"]  # physical 2 and 3, not 0 and 1
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-aaaa,MIG-bbbb")
    assert _gpus("cuda") == ["GPU-aaaa", "MIG-bbbb"]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,-1,2")
    assert _gpus("cuda") == ["1"]  # CUDA stops at an invalid entry
    assert _gpus("cpu") == []


def test_kernel_threads_stay_within_the_process_limit():
    assert kernel_threads(None, 256) <= MAX_THREADS
    assert kernel_threads(240, 64) == 16
    assert kernel_threads(None, 8) == 2
    assert kernel_threads(3, 256) == 3
