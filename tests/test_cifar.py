"""The cifar10_cnn assignment and its accuracy check, on CPU with the synthetic data set."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from autograder.assignments import find
from tests.notebooks import replace_definition, solution, solution_path, template_path

pytestmark = pytest.mark.slow
CONFIG = find("cifar10_cnn").config.components["training"]

LINEAR_CNN = '''
class CifarCNN(nn.Module):
    """The course's layers with every ReLU removed and average pooling: a linear map."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.Conv2d(32, 64, 3, padding=1),
            nn.AvgPool2d(2, 2),
            nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.Conv2d(128, 128, 3, padding=1),
            nn.AvgPool2d(2, 2),
            nn.Conv2d(128, 256, 3, padding=1), nn.BatchNorm2d(256), nn.Conv2d(256, 256, 3, padding=1),
            nn.AvgPool2d(2, 2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4096, 1024), nn.Linear(1024, 512),
                                  nn.Linear(512, 10))

    def forward(self, x):
        return self.head(self.features(x))
'''

NEVER_STEPS = '''
def train_one_epoch(model, dataloader, criterion, optimizer, device):
    """Forgets optimizer.step(): the loss is computed, the weights never move."""
    model.train()
    losses = []
    for images, labels in dataloader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = criterion(model(images), labels)
        loss.backward()
        losses.append(loss.item())
    return sum(losses) / len(losses)
'''

READS_LABELS = '''
class CifarCNN(nn.Module):
    """Looks for the test labels on disk and answers from them; else always says class 0."""

    def __init__(self):
        super().__init__()
        import glob, os, pickle
        self.bias = nn.Parameter(torch.zeros(10))
        self.table = {}
        places = ["/data", os.path.expanduser("~"), "/tmp", "/home"]
        for place in places:
            for path in glob.glob(place + "/**/test_batch", recursive=True):
                with open(path, "rb") as f:
                    batch = pickle.load(f, encoding="latin1")
                for row, label in zip(batch["data"], batch["labels"]):
                    self.table[bytes(row[:64])] = label

    def forward(self, x):
        logits = torch.zeros(len(x), 10, device=x.device) + self.bias
        logits[:, 0] += 1.0
        return logits
'''


def _variant(source: str):
    return replace_definition(solution("cifar10_cnn"), textwrap.dedent(source))


def _checks(graded) -> dict[tuple[str, str], dict]:
    return {(q["id"], c["id"]): c for q in graded.json["questions"] for c in q["checks"]}


def test_the_solution_passes_every_check_including_the_accuracy_check(cifar_solution):
    data = cifar_solution.json
    assert data["status"] == "graded", data["error"]
    failed = {
        k: c["feedback"] for k, c in _checks(cifar_solution).items() if c["status"] != "passed"
    }
    assert failed == {}
    assert data["score"] == data["max_score"] == 100.0
    t = data["training"]
    cpu = find("cifar10_cnn").config.components["training"].cpu
    assert t["status"] == "passed" and t["device"] == "cpu" and t["dataset_kind"] == "synthetic"
    assert t["test_accuracy"] >= cpu.threshold
    assert t["epochs"] == min(t["epochs_requested"], cpu.epoch_cap)
    assert cpu.batch_size_min <= t["batch_size"] <= cpu.batch_size_max
    assert t["parameters"] == 5_852_170
    assert len(t["curves"]["train_loss"]) == t["epochs"]
    matrix = np.array(t["confusion_matrix"])
    plain = round(cpu.n_test * CONFIG.plain_share)  # sent as published, not counted
    assert matrix.shape == (10, 10) and matrix.sum() == t["n_test"] == cpu.n_test - plain
    # learned: near chance before training, every sampled weight moved, and about as good
    # on the published images as on the altered ones
    assert t["untrained_accuracy"] <= 10 + CONFIG.chance_margin
    assert t["weights_changed"] > 90
    assert abs(t["published_accuracy"] - t["test_accuracy"]) < CONFIG.lookup_gap_flag
    assert data["flags"] == []
    assert abs(100 * np.trace(matrix) / matrix.sum() - t["test_accuracy"]) < 1e-3
    assert len(t["per_class_accuracy"]) == 10 and len(t["class_names"]) == 10
    assert np.array(t["first_layer_filters"]).shape == (32, 3, 3, 3)
    assert "synthetic" in data["training"]["dataset"]


def test_the_template_scores_zero_without_crashing(grade_once, synthetic_cifar):
    graded = grade_once(
        "cifar_template", template_path("cifar10_cnn"), device="cpu", data_dir=synthetic_cifar
    )
    data = graded.json
    assert data["status"] == "graded" and data["score"] == 0.0
    accuracy = _checks(graded)[("accuracy", "reaches_the_bar")]
    assert accuracy["status"] == "failed", accuracy
    assert "cell 21, where it appears, raised NotImplementedError" in accuracy["feedback"]


@pytest.mark.parametrize(
    "name, source, also_failing",
    [
        ("no_nonlinearity", LINEAR_CNN, set()),
        (
            "never_steps",
            NEVER_STEPS,
            {
                ("train_one_epoch", "changes_the_weights"),
                ("train_one_epoch", "lowers_the_loss_on_a_separable_set"),
            },
        ),
        (
            "reads_labels_from_the_data_folder",
            READS_LABELS,
            {("CifarCNN", "output_depends_on_the_image")},
        ),
    ],
)
def test_a_model_that_cannot_learn_fails_the_accuracy_check_only(
    name, source, also_failing, grade_once, synthetic_cifar
):
    graded = grade_once(f"cifar_{name}", _variant(source), device="cpu", data_dir=synthetic_cifar)
    assert graded.json["status"] == "graded", graded.json["error"]
    checks = _checks(graded)
    failed = {k for k, c in checks.items() if c["status"] != "passed"}
    assert failed == {("accuracy", "reaches_the_bar")} | also_failing
    bar = find("cifar10_cnn").config.components["training"].cpu.threshold
    assert graded.json["training"]["test_accuracy"] < bar
    if name == "reads_labels_from_the_data_folder":
        assert graded.json["training"]["test_accuracy"] < 20  # it found nothing to read


def test_without_a_gpu_the_accuracy_check_is_skipped_never_passed(grade_once):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    graded = grade_once("cifar_auto", solution_path("cifar10_cnn"), device="auto")
    accuracy = _checks(graded)[("accuracy", "reaches_the_bar")]
    assert accuracy["status"] == "skipped" and accuracy["points"] == 0
    assert "no gpu here" in accuracy["feedback"].lower() and "--device cpu" in accuracy["feedback"]
    assert graded.json["training"]["status"] == "skipped"
    assert "--device cpu" in graded.json["training"]["reason"]
    assert graded.json["score"] == 100.0 - accuracy["max_points"]


def test_no_train_skips_the_accuracy_check(grade_once, synthetic_cifar):
    graded = grade_once(
        "cifar_no_train",
        solution_path("cifar10_cnn"),
        device="cpu",
        data_dir=synthetic_cifar,
        train=False,
    )
    accuracy = _checks(graded)[("accuracy", "reaches_the_bar")]
    assert accuracy["status"] == "skipped" and "--no-train" in accuracy["feedback"]


def test_missing_data_is_said_clearly(grade_once, tmp_path_factory):
    empty = tmp_path_factory.mktemp("no-data")
    graded = grade_once("cifar_no_data", solution_path("cifar10_cnn"), device="cpu", data_dir=empty)
    accuracy = _checks(graded)[("accuracy", "reaches_the_bar")]
    assert accuracy["status"] == "error"
    assert (
        str(empty) in accuracy["feedback"]
        and "python -m autograder.data download" in accuracy["feedback"]
    )
    assert graded.json["training"]["status"] == "error"


def test_a_large_gap_on_mirrored_images_is_flagged_for_staff():
    """The grader's own arithmetic: a model right on images and wrong on their mirror."""
    from autograder.training import Outcome
    from autograder.training.measure import measure

    labels = np.repeat(np.arange(10), 20)
    logits = np.eye(10)[labels] * 5.0
    mirrored = np.eye(10)[(labels + 1) % 10] * 5.0
    outcome = Outcome(threshold=80.0)
    section = {"class_names": [str(i) for i in range(10)]}
    flags = measure(
        outcome,
        {"logits": logits, "flipped_logits": mirrored, "filters": None},
        labels,
        section,
        find("cifar10_cnn").config.components["training"].flip_gap_flag,
    )
    assert outcome.accuracy == 100.0
    assert section["flipped_accuracy"] == 0.0
    assert flags and "mirrored" in flags[0]


def test_the_data_set_named_in_the_report_is_the_one_used(cifar_solution, synthetic_cifar):
    from autograder.data import cifar

    assert cifar_solution.json["training"]["dataset"] == cifar.describe(synthetic_cifar).description
