"""The CIFAR-10 accuracy check, grader side.

The grader decides device and data, sends test images (never labels) to the
kernel, drives the in-kernel trainer epoch by epoch with a time budget, and
computes every accuracy, the per-class accuracy and the confusion matrix
itself from the logits that come back.
"""

from __future__ import annotations

import secrets
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from autograder.assignments import Assignment
from autograder.checking import CheckUnavailable
from autograder.config import TrainingSettings
from autograder.errors import DatasetMissing, StudentError

TRAINER = Path(__file__).with_name("kernel_trainer.py").read_text(encoding="utf-8")
CALL = TRAINER + "\nresult = _autograder_training(student, inputs)\n"
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2023, 0.1994, 0.2010)
SETUP_TIMEOUT_S = 180.0


class TrainingSkipped(Exception):
    """The accuracy check cannot run here (no GPU, or training turned off)."""


class TrainingUnavailable(CheckUnavailable):
    """The accuracy check cannot run because of the grader's machine (missing data)."""


@dataclass
class Outcome:
    """What a training run gave; accuracies in percent, computed by the grader."""

    threshold: float
    accuracy: float = 0.0
    epochs: int = 0
    stopped: str | None = None
    section: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.accuracy >= self.threshold


class TrainingContext:
    """Everything the accuracy check needs; created before the sandbox starts."""

    def __init__(
        self,
        assignment: Assignment,
        *,
        device: str | None,
        skip: str | None,
        data_root: Path | None,
        data_problem: str | None,
        progress: bool,
    ) -> None:
        training = assignment.config.training
        assert training is not None
        self.config = training
        self.device = device
        self.skip = skip
        self.data_root = data_root
        self.data_problem = data_problem
        self.progress = progress
        self.settings: TrainingSettings = training.cuda if device == "cuda" else training.cpu
        self.memory_mb = (
            training.cuda_memory_mb if device == "cuda" else assignment.config.limits.memory_mb
        )
        self.flags: list[str] = []
        self.data_files: dict[str, Path] = {}
        self.dataset: Any = None
        self._section: dict[str, Any] = {"status": "skipped", "reason": skip} if skip else {}
        self._student: Any = None
        self._kernel: Any = None
        if device and not skip and data_root is not None and not data_problem:
            from autograder.data import cifar

            self.dataset = cifar.describe(data_root)
            folder = cifar.batches_folder(data_root)
            for name in [*(f"data_batch_{i}" for i in range(1, 6)), "batches.meta"]:
                self.data_files[f"cifar-10-batches-py/{name}"] = folder / name

    def attach(self, student: Any, kernel: Any) -> None:
        self._student, self._kernel = student, kernel

    def section(self) -> dict[str, Any]:
        return self._section

    # -- the run ----------------------------------------------------------------------

    def run(self, student: Any) -> Outcome:
        """Train a fresh CifarCNN in the kernel and measure it; raises TrainingSkipped/Unavailable."""
        if self.skip:
            raise TrainingSkipped(self.skip)
        if self.data_problem:
            self._section = {"status": "error", "reason": self.data_problem}
            raise TrainingUnavailable(self.data_problem)
        from autograder.data import cifar

        s = self.settings
        images, labels = cifar.load_split(self.data_root, train=False)
        if s.n_test:
            images, labels = images[: s.n_test], labels[: s.n_test]
        order = np.random.default_rng(secrets.randbits(64)).permutation(len(labels))
        images = np.ascontiguousarray(images[order].transpose(0, 3, 1, 2))  # (N, 3, 32, 32) uint8
        labels = labels[order]
        names = list(self.dataset.class_names)
        outcome = Outcome(threshold=s.threshold)
        section = self._section = {
            "status": "running",
            "dataset": self.dataset.description,
            "dataset_kind": self.dataset.kind,
            "device": self.device,
            "threshold": s.threshold,
            "epoch_cap": s.epoch_cap,
            "time_budget_s": s.time_budget_s,
            "n_test": int(len(labels)),
            "class_names": names,
            "curves": {"train_loss": [], "test_accuracy": [], "epoch_seconds": []},
        }
        common = {
            "device": self.device,
            "data_dir": self._kernel.box.data_path,
            "seed": 0,
            "mean": MEAN,
            "std": STD,
            "mixed_precision": s.mixed_precision,
            "channels_last": s.channels_last,
            "threads": s.threads or 0,
            "n_train": s.n_train or 0,
            "batch_size_min": s.batch_size_min,
            "batch_size_max": s.batch_size_max,
        }
        started = time.monotonic()
        try:
            info = student.run(
                CALL,
                label="setting up training (CifarCNN(), make_optimizer)",
                timeout=SETUP_TIMEOUT_S,
                step="setup",
                test_images=images,
                **common,
            )
        except StudentError as error:
            section.update(status="failed", error=str(error))
            outcome.stopped = "setup"
            raise
        section.update(info)
        epochs = min(int(info["epochs_requested"]), s.epoch_cap)
        section["epochs_planned"] = epochs
        curves = section["curves"]
        for epoch in range(1, epochs + 1):
            left = s.time_budget_s - (time.monotonic() - started)
            if left <= 1:
                outcome.stopped = f"budget: the time budget of {s.time_budget_s:.0f} s ran out after {epoch - 1} epochs"
                break
            try:
                done = student.run(
                    CALL,
                    label=f"training epoch {epoch} (train_one_epoch)",
                    timeout=left,
                    step="epoch",
                    **common,
                )
            except StudentError as error:
                outcome.stopped = f"epoch {epoch}: {error}"
                section["error"] = str(error)
                break
            predictions = np.asarray(done["predictions"])
            accuracy = _accuracy(predictions, labels)
            curves["train_loss"].append(_finite(done["loss"]))
            curves["test_accuracy"].append(round(accuracy, 3))
            curves["epoch_seconds"].append(round(float(done["seconds"]), 3))
            outcome.epochs = epoch
            self._show(epoch, epochs, done["loss"], accuracy, done["seconds"])
        section["epochs"] = outcome.epochs
        section["train_seconds"] = round(sum(curves["epoch_seconds"]), 3)
        section["seconds_per_epoch"] = round(section["train_seconds"] / max(1, outcome.epochs), 3)
        if outcome.epochs == 0:
            section["status"] = "failed"
            raise AssertionError(
                f"Training stopped before the first epoch finished: {outcome.stopped}"
            )
        final = student.run(
            CALL,
            label="evaluating the trained model",
            timeout=SETUP_TIMEOUT_S,
            step="final",
            **common,
        )
        self._measure(outcome, final, labels, names)
        return outcome

    def _measure(self, outcome: Outcome, final: dict, labels: np.ndarray, names: list[str]) -> None:
        section = self._section
        logits = np.asarray(final["logits"], dtype=np.float64)
        flipped = np.asarray(final["flipped_logits"], dtype=np.float64)
        if logits.shape != (len(labels), 10) or flipped.shape != logits.shape:
            raise AssertionError(
                f"The trained model's output has shape {logits.shape}; expected ({len(labels)}, 10)."
            )
        predicted = logits.argmax(1)
        outcome.accuracy = _accuracy(predicted, labels)
        flip_accuracy = _accuracy(flipped.argmax(1), labels)
        confusion = np.zeros((10, 10), dtype=np.int64)
        np.add.at(confusion, (labels, predicted), 1)
        per_class = 100.0 * np.diag(confusion) / np.maximum(confusion.sum(1), 1)
        flipped_hits = np.bincount(labels[flipped.argmax(1) == labels], minlength=10)
        flipped_per_class = 100.0 * flipped_hits / np.maximum(np.bincount(labels, minlength=10), 1)
        section.update(
            test_accuracy=round(outcome.accuracy, 3),
            flipped_accuracy=round(flip_accuracy, 3),
            flip_gap=round(outcome.accuracy - flip_accuracy, 3),
            per_class_accuracy=[round(float(a), 2) for a in per_class],
            flipped_per_class_accuracy=[round(float(a), 2) for a in flipped_per_class],
            confusion_matrix=confusion.tolist(),
            status="passed" if outcome.passed else "failed",
        )
        filters = final.get("filters")
        if isinstance(filters, np.ndarray) and filters.ndim == 4 and filters.size <= 64 * 3 * 7 * 7:
            section["first_layer_filters"] = np.round(filters.astype(np.float64), 5).tolist()
        if outcome.stopped:
            section["stopped"] = outcome.stopped
        gap = outcome.accuracy - flip_accuracy
        if gap > self.config.flip_gap_flag:
            self.flags.append(
                f"accuracy on mirrored test images is {gap:.1f} points lower ({flip_accuracy:.1f} % vs "
                f"{outcome.accuracy:.1f} %): a network that learned images generalizes to their mirror "
                "image, a lookup table does not; look at this submission's model"
            )

    def _show(self, epoch: int, epochs: int, loss: float, accuracy: float, seconds: float) -> None:
        if not self.progress:
            return
        filled = int(24 * epoch / epochs)
        bar = "#" * filled + "." * (24 - filled)
        print(
            f"  training [{bar}] epoch {epoch}/{epochs}  loss {loss:.3f}  test {accuracy:5.1f} %  "
            f"{seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )


def _accuracy(predictions: np.ndarray, labels: np.ndarray) -> float:
    if predictions.shape != labels.shape:
        return 0.0
    return float(100.0 * np.mean(predictions == labels))


def _finite(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return round(value, 5) if np.isfinite(value) else None


def prepare(assignment: Assignment, options: Any, report: Any) -> TrainingContext:
    """Decide device and data for the accuracy check, before the sandbox starts."""
    device, skip = _device(options)
    if not options.train:
        device, skip = None, "training was turned off (--no-train); the accuracy check was not run"
    from autograder.data.cifar import DEFAULT_DATA_DIR

    root = Path(options.data_dir) if options.data_dir else DEFAULT_DATA_DIR
    problem = None
    if device and not skip:
        from autograder.data import cifar

        try:
            cifar.describe(root)
        except DatasetMissing as missing:
            problem = str(missing)
    return TrainingContext(
        assignment,
        device=device,
        skip=skip,
        data_root=root,
        data_problem=problem,
        progress=getattr(options, "progress", False),
    )


def _device(options: Any) -> tuple[str | None, str | None]:
    import torch

    has_cuda = torch.cuda.is_available()
    if options.device == "cpu":
        return "cpu", None
    if options.device == "cuda":
        if not has_cuda:
            return (
                None,
                "--device cuda was asked for, but no CUDA GPU is visible here; the accuracy check was not run",
            )
        return "cuda", None
    if has_cuda:
        return "cuda", None
    return None, (
        "no GPU here, so the accuracy check was not run (grade with --device cpu to train on "
        "the CPU with the assignment's CPU settings)"
    )
