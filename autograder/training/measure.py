"""What the accuracy check measures, on the grader's side: the cost of each epoch (read
with psutil, never the kernel's word), the facts of the setup (checked and bounded), and
every accuracy from the logits that come back."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psutil


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


BUSY_SLACK = 3.0
"""An epoch may take this many times the budget left (wall-clock) before it is stopped:
room for a machine that other programs slow down, whose time is not charged."""
BUSY_MACHINE = 0.5
"""Other programs using this share of the machine's processors make a stop the machine's
fault, not the student's."""


@dataclass
class Usage:
    """What one epoch cost, measured from the grader's side."""

    wall: float
    kernel_cpu: float
    others_busy: float
    """Share of the machine's processors other programs used meanwhile (0 to 1)."""
    charged: float
    """What the budget is charged: CPU time ÷ threads on the CPU, wall-clock on a GPU."""


class Meter:
    """Wall-clock time, the kernel's processor time, and the machine's other load, read by
    the grader (psutil) around one epoch: nothing here is the kernel's claim."""

    def __init__(self, kernel: Any, *, threads: int, cpu: bool) -> None:
        self.kernel, self.threads, self.cpu = kernel, max(1, threads), cpu

    def start(self) -> None:
        self.wall0, self.cpu0, self.busy0 = time.monotonic(), self._kernel_cpu(), machine_busy()

    def stop(self) -> Usage:
        wall = max(1e-6, time.monotonic() - self.wall0)
        cpu = max(0.0, self._kernel_cpu() - self.cpu0)
        others = max(0.0, machine_busy() - self.busy0 - cpu)
        share = min(1.0, others / (wall * (psutil.cpu_count() or 1)))
        return Usage(wall, cpu, share, cpu / self.threads if self.cpu else wall)

    def _kernel_cpu(self) -> float:
        process = getattr(self.kernel, "process", None)
        return process.cpu_seconds() if process is not None else 0.0


def machine_busy() -> float:
    """Processor seconds the whole machine has spent busy since it started."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(times) - idle


def setup_info(info: Any) -> dict[str, Any]:
    """The facts of the kernel's setup answer the report shows, each checked for its type and
    bounded: a claim of the kernel, never a threshold, a data set or a verdict."""
    info = info if isinstance(info, dict) else {}
    epochs = info.get("epochs_requested")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise AssertionError("The training setup did not report a positive number of EPOCHS.")
    notes = info.get("notes") if isinstance(info.get("notes"), list) else []
    return {
        "epochs_requested": int(epochs),
        "batch_size_requested": _int(info.get("batch_size_requested")),
        "batch_size": _int(info.get("batch_size")),
        "steps_per_epoch": _int(info.get("steps_per_epoch")),
        "n_train": _int(info.get("n_train")),
        "optimizer": text(info.get("optimizer"), 60),
        "parameters": _int(info.get("parameters")),
        "mixed_precision": "bfloat16" if info.get("mixed_precision") == "bfloat16" else "off",
        "channels_last": info.get("channels_last") is True,
        "device_name": text(info.get("device_name"), 100),
        "setup_notes": [text(n, 300) for n in notes[:5]],
    }


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return None
    return int(value)


def text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def floats(value: Any) -> np.ndarray:
    """A numeric array from the kernel as float64 (an empty one for anything else)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return np.nan_to_num(value.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    return np.zeros((0,), dtype=np.float64)


def predictions(done: Any, n: int) -> np.ndarray:
    """The epoch's test predictions as class indices, or an empty array when the kernel
    sent something else (which counts as 0 % accuracy)."""
    predictions = done.get("predictions") if isinstance(done, dict) else None
    if (
        isinstance(predictions, np.ndarray)
        and predictions.shape == (n,)
        and predictions.dtype.kind in "iu"
    ):
        return predictions.astype(np.int64)
    return np.zeros(0, dtype=np.int64)


def accuracy(predictions: np.ndarray, labels: np.ndarray) -> float:
    if predictions.shape != labels.shape:
        return 0.0
    return float(100.0 * np.mean(predictions == labels))


def finite(x: Any) -> float | None:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return None
    return round(value, 5) if np.isfinite(value) else None


def measure(
    outcome: Outcome, final: Any, labels: np.ndarray, section: dict[str, Any], flip_gap_flag: float
) -> list[str]:
    """Accuracies, per class, mirrored, and the confusion matrix from the final logits, into
    ``section``; the flags for staff."""
    flags = []
    final = final if isinstance(final, dict) else {}
    logits, flipped = floats(final.get("logits")), floats(final.get("flipped_logits"))
    classes = len(section.get("class_names") or []) or 10
    if logits.shape != (len(labels), classes) or flipped.shape != logits.shape:
        raise AssertionError(
            f"The trained model's output has shape {logits.shape}; expected "
            f"({len(labels)}, {classes})."
        )
    predicted = logits.argmax(1)
    outcome.accuracy = accuracy(predicted, labels)
    flip_accuracy = accuracy(flipped.argmax(1), labels)
    confusion = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(confusion, (labels, predicted), 1)
    per_class = 100.0 * np.diag(confusion) / np.maximum(confusion.sum(1), 1)
    flipped_hits = np.bincount(labels[flipped.argmax(1) == labels], minlength=classes)
    flipped_per_class = 100.0 * flipped_hits / np.maximum(np.bincount(labels, minlength=classes), 1)
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
        section["first_layer_filters"] = np.round(floats(filters), 5).tolist()
    if outcome.stopped:
        section["stopped"] = outcome.stopped
    gap = outcome.accuracy - flip_accuracy
    if gap > flip_gap_flag:
        flags.append(
            f"accuracy on mirrored test images is {gap:.1f} points lower ({flip_accuracy:.1f} % vs "
            f"{outcome.accuracy:.1f} %): a network that learned images generalizes to their mirror "
            "image, a lookup table does not; look at this submission's model"
        )
    return flags


def device_for(options: Any) -> tuple[str | None, str | None]:
    """The device to train on for these options, or None and why the check cannot run."""
    import torch

    has_cuda = torch.cuda.is_available()
    if options.device == "cpu":
        return "cpu", None
    if options.device == "cuda":
        if not has_cuda:
            return None, (
                "--device cuda was asked for, but no CUDA GPU is visible here; the accuracy "
                "check was not run"
            )
        return "cuda", None
    if has_cuda:
        return "cuda", None
    return None, (
        "no GPU here, so the accuracy check was not run (grade with --device cpu to train on "
        "the CPU with the assignment's CPU settings)"
    )
