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
import psutil

from autograder.assignments import Assignment
from autograder.checking import CheckUnavailable
from autograder.config import TrainingSettings
from autograder.errors import CallTimeout, DatasetMissing, StudentError

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
        self.threads = 1
        """torch threads in the kernel (the budget divides CPU time by them on the CPU)."""
        self.device_name: str | None = None
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
        self.threads = self.settings.threads or kernel.box.spec.threads

    def section(self) -> dict[str, Any]:
        return self._section

    # -- the run ----------------------------------------------------------------------

    def probe(self, student: Any) -> None:
        """Before the notebook runs: can the sandboxed kernel use the training device? A
        device the sandbox cannot use is the grader's problem, never the student's: the
        check then reports an error with the reason instead of training."""
        if self.skip or self.data_problem or self.device != "cuda":
            return
        try:
            info = student.run(
                CALL,
                label="probing the GPU",
                timeout=SETUP_TIMEOUT_S,
                step="probe",
                device=self.device,
            )
            self.device_name = (
                _text(info.get("device_name"), 100) if isinstance(info, dict) else None
            )
        except StudentError as error:
            self.data_problem = (
                f"the GPU cannot be used inside the sandbox ({str(error)[:300]}); the accuracy "
                "check was not run (a problem of the grading machine, not of the notebook)"
            )

    def run(self, student: Any) -> Outcome:
        """Train a fresh CifarCNN in the kernel and measure it; raises TrainingSkipped/Unavailable.

        The time budget (``time_budget_s``) is charged, epoch by epoch, with the processor
        time the training used: the kernel's CPU time divided by its threads when it trains
        on the CPU, wall-clock time on a GPU (the worker's own). Training must finish its
        epochs within the budget, or the check fails. An epoch that runs far past the budget
        left while other programs keep the machine busy is the machine's problem: the check
        then reports an error (grade again), not a failure.
        """
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
            "budget_counts": "processor time ÷ threads"
            if self.device == "cpu"
            else "wall-clock time",
            "n_test": int(len(labels)),
            "class_names": names,
            "curves": {"train_loss": [], "test_accuracy": [], "epoch_seconds": []},
        }
        threads = self.threads
        common = {
            "device": self.device,
            "data_dir": self._kernel.box.data_path,
            "seed": 0,
            "mean": MEAN,
            "std": STD,
            "mixed_precision": s.mixed_precision,
            "channels_last": s.channels_last,
            "threads": threads,
            "n_train": s.n_train or 0,
            "batch_size_min": s.batch_size_min,
            "batch_size_max": s.batch_size_max,
            "gpu_memory_fraction": self.config.gpu_memory_fraction,
        }
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
            section.update(status="failed", error=str(error), stopped="setup")
            outcome.stopped = "setup"
            raise
        section.update(_setup_info(info))
        epochs = min(section["epochs_requested"], s.epoch_cap)
        section["epochs_planned"] = epochs
        curves = section["curves"]
        charged = 0.0
        meter = _Meter(self._kernel, threads=threads, cpu=self.device == "cpu")
        for epoch in range(1, epochs + 1):
            left = s.time_budget_s - charged
            meter.start()
            try:
                done = student.run(
                    CALL,
                    label=f"training epoch {epoch} (train_one_epoch)",
                    timeout=left * BUSY_SLACK + 30,
                    step="epoch",
                    **common,
                )
            except CallTimeout:
                usage = meter.stop()
                if usage.others_busy >= BUSY_MACHINE:
                    why = (
                        f"the machine was busy: other programs kept {usage.others_busy:.0%} of its "
                        f"processors busy while epoch {epoch} ran, so it did not finish in "
                        f"{usage.wall:.0f} s; grade this notebook again on a quieter machine"
                    )
                    section.update(status="error", error=why, stopped=f"epoch {epoch}: {why}")
                    raise TrainingUnavailable(why) from None
                outcome.stopped = (
                    f"epoch {epoch} did not finish within the {left:.0f} s left of the training "
                    f"budget ({usage.charged:.0f} s of {section['budget_counts']} used in "
                    f"{usage.wall:.0f} s; other programs kept the machine {usage.others_busy:.0%} "
                    "busy): train_one_epoch is too slow"
                )
                break
            except StudentError as error:
                outcome.stopped = f"epoch {epoch}: {error}"
                section["error"] = str(error)
                break
            usage = meter.stop()
            charged += usage.charged
            accuracy = _accuracy(_predictions(done, len(labels)), labels)
            curves["train_loss"].append(
                _finite(done.get("loss") if isinstance(done, dict) else None)
            )
            curves["test_accuracy"].append(round(accuracy, 3))
            curves["epoch_seconds"].append(round(usage.wall, 3))
            outcome.epochs = epoch
            self._show(epoch, epochs, curves["train_loss"][-1], accuracy, usage.wall)
            if charged > s.time_budget_s:
                outcome.stopped = (
                    f"the training budget of {s.time_budget_s:.0f} s ({section['budget_counts']}) "
                    f"was spent after {epoch} of {epochs} epochs ({charged:.0f} s)"
                )
                break
        section["epochs"] = outcome.epochs
        section["budget_used_s"] = round(charged, 3)
        section["train_seconds"] = round(sum(curves["epoch_seconds"]), 3)
        section["seconds_per_epoch"] = round(section["train_seconds"] / max(1, outcome.epochs), 3)
        if curves["test_accuracy"]:
            section["test_accuracy"] = curves["test_accuracy"][-1]
        if outcome.stopped:
            # a model whose training was cut short is not measured: the check fails
            section.update(status="failed", stopped=outcome.stopped)
            raise AssertionError(f"Training stopped before it finished: {outcome.stopped}.")
        try:
            final = student.run(
                CALL,
                label="evaluating the trained model",
                timeout=SETUP_TIMEOUT_S,
                step="final",
                **common,
            )
            self._measure(outcome, final, labels, names)
        except StudentError as error:
            section.update(status="failed", error=f"the final evaluation failed: {error}")
            raise
        except AssertionError as error:
            section.update(status="failed", error=str(error))
            raise
        curves["test_accuracy"][-1] = section["test_accuracy"]  # the headline is the last point
        return outcome

    def _measure(self, outcome: Outcome, final: Any, labels: np.ndarray, names: list[str]) -> None:
        section = self._section
        final = final if isinstance(final, dict) else {}
        logits, flipped = _floats(final.get("logits")), _floats(final.get("flipped_logits"))
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


class _Meter:
    """Wall-clock time, the kernel's processor time, and the machine's other load, read by
    the grader (psutil) around one epoch: nothing here is the kernel's claim."""

    def __init__(self, kernel: Any, *, threads: int, cpu: bool) -> None:
        self.kernel, self.threads, self.cpu = kernel, max(1, threads), cpu

    def start(self) -> None:
        self.wall0, self.cpu0, self.busy0 = time.monotonic(), self._kernel_cpu(), _machine_busy()

    def stop(self) -> Usage:
        wall = max(1e-6, time.monotonic() - self.wall0)
        cpu = max(0.0, self._kernel_cpu() - self.cpu0)
        others = max(0.0, _machine_busy() - self.busy0 - cpu)
        share = min(1.0, others / (wall * (psutil.cpu_count() or 1)))
        return Usage(wall, cpu, share, cpu / self.threads if self.cpu else wall)

    def _kernel_cpu(self) -> float:
        process = getattr(self.kernel, "process", None)
        return process.cpu_seconds() if process is not None else 0.0


def _machine_busy() -> float:
    """Processor seconds the whole machine has spent busy since it started."""
    times = psutil.cpu_times()
    idle = times.idle + getattr(times, "iowait", 0.0)
    return sum(times) - idle


def _setup_info(info: Any) -> dict[str, Any]:
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
        "optimizer": _text(info.get("optimizer"), 60),
        "parameters": _int(info.get("parameters")),
        "mixed_precision": "bfloat16" if info.get("mixed_precision") == "bfloat16" else "off",
        "channels_last": info.get("channels_last") is True,
        "device_name": _text(info.get("device_name"), 100),
        "setup_notes": [_text(n, 300) for n in notes[:5]],
    }


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        return None
    return int(value)


def _text(value: Any, limit: int) -> str | None:
    return None if value is None else str(value)[:limit]


def _floats(value: Any) -> np.ndarray:
    """A numeric array from the kernel as float64 (an empty one for anything else)."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return np.nan_to_num(value.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    return np.zeros((0,), dtype=np.float64)


def _predictions(done: Any, n: int) -> np.ndarray:
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
