"""The accuracy check as a component an assignment asks for with a ``[training]`` table.

It decides the device and the data before the sandbox starts (the kernel sees the
training files read-only, never the test labels), checks before the notebook runs
that the sandboxed kernel can use the device, drives the in-kernel trainer epoch by
epoch within the time budget, and computes every accuracy itself from the logits
that come back. The checks of the assignment use it as the ``training`` fixture.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

import numpy as np

from autograder.checking import CheckUnavailable
from autograder.components import SandboxNeeds
from autograder.errors import CallTimeout, DatasetMissing, StudentError
from autograder.training import config as training_config
from autograder.training import learning, measure, perturb
from autograder.training.config import TrainingConfig
from autograder.training.measure import Meter, Outcome
from autograder.training.section import TrainingSection

TRAINER = Path(__file__).with_name("kernel_trainer.py").read_text(encoding="utf-8")
CALL = TRAINER + "\nresult = _autograder_training(student, inputs)\n"
SETUP_TIMEOUT_S = 180.0
BUSY_SLACK = 3.0
"""An epoch may take this many times the budget left (wall-clock) before it is stopped:
room for a machine that other programs slow down, whose time is not charged."""
BUSY_MACHINE = 0.5
"""Other programs using this share of the machine's processors make a stop the machine's
fault, not the student's."""


class TrainingSkipped(Exception):
    """The accuracy check cannot run here (no GPU, or training turned off)."""


class TrainingUnavailable(CheckUnavailable):
    """The accuracy check cannot run because of the grader's machine (data, GPU)."""


class TrainingComponent:
    """Everything the accuracy check needs, from before the sandbox starts to the report."""

    fixture = "training"
    section_type = TrainingSection
    markers = {"training": "training: the accuracy check; skipped when training is turned off"}

    @staticmethod
    def parse_config(raw: dict[str, Any], where: str) -> TrainingConfig:
        return training_config.parse(raw, where)

    def __init__(self, assignment: Any, config: TrainingConfig, options: Any) -> None:
        from autograder.data import dataset

        self.config = config
        self.data = dataset(config.dataset)
        self.device, self.skip = measure.device_for(options)
        if not options.train:
            self.device = None
            self.skip = "training was turned off (--no-train); the accuracy check was not run"
        self.data_root = Path(options.data_dir) if options.data_dir else self.data.default_root
        self.data_problem: str | None = None
        if self.device and not self.skip:
            try:
                self.dataset = self.data.describe(self.data_root)
            except DatasetMissing as missing:
                self.data_problem = str(missing)
        self.progress = bool(getattr(options, "progress", False))
        self.settings = config.cuda if self.device == "cuda" else config.cpu
        limits = assignment.config.limits
        self.memory_mb = config.cuda_memory_mb if self.device == "cuda" else limits.memory_mb
        self.flags: list[str] = []
        self.threads = 1
        """torch threads in the kernel (the budget divides CPU time by them on the CPU)."""
        self.section: dict[str, Any] = (
            {"status": "skipped", "reason": self.skip} if self.skip else {}
        )
        self._kernel: Any = None

    # -- the steps of a grade ----------------------------------------------------------

    def needs(self) -> SandboxNeeds:
        files = {}
        if self.device and not self.skip and not self.data_problem:
            files = self.data.training_files(self.data_root)
        return SandboxNeeds(self.memory_mb, self.device or "cpu", files)

    def before_notebook(self, student: Any, kernel: Any) -> None:
        """Can the sandboxed kernel use the training device? A device the sandbox cannot use
        is the grading machine's problem, never the student's: the check then reports an
        error with the reason instead of training."""
        self._kernel = kernel
        self.threads = self.settings.threads or kernel.box.spec.threads
        if self.skip or self.data_problem or self.device != "cuda":
            return
        try:
            student.run(
                CALL,
                label="probing the GPU",
                timeout=SETUP_TIMEOUT_S,
                step="probe",
                device=self.device,
            )
        except StudentError as error:
            self.data_problem = (
                f"the GPU cannot be used inside the sandbox ({str(error)[:300]}); the accuracy "
                "check was not run (a problem of the grading machine, not of the notebook)"
            )

    def report(self, report: Any) -> None:
        if self.section:
            report.sections["training"] = TrainingSection(self.section)
        report.flags.extend(self.flags)

    # -- the check ---------------------------------------------------------------------

    def run(self, student: Any) -> Outcome:
        """Train a fresh model in the kernel and measure it (see README: the time budget has
        one rule); raises TrainingSkipped or TrainingUnavailable when it cannot run."""
        if self.skip:
            raise TrainingSkipped(self.skip)
        if self.data_problem:
            self.section = {"status": "error", "reason": self.data_problem}
            raise TrainingUnavailable(self.data_problem)
        s, c = self.settings, self.config
        images, labels = self.data.load_split(self.data_root, train=False)
        if s.n_test:
            images, labels = images[: s.n_test], labels[: s.n_test]
        test = perturb.split(
            images.transpose(0, 3, 1, 2),  # (N, 3, H, W) uint8
            labels,
            np.random.default_rng(secrets.randbits(64)),  # never seen by the kernel
            plain_share=c.plain_share,
            shift=c.test_shift_px,
            flip=c.test_flip,
            noise=c.test_noise,
        )
        labels = test.altered_labels
        classes = len(self.dataset.class_names) or 10
        outcome = Outcome(threshold=s.threshold)
        section: dict[str, Any] = {
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
            "test_images": perturb.describe(c.test_shift_px, c.test_flip, c.test_noise),
            "class_names": list(self.dataset.class_names),
            "curves": {"train_loss": [], "test_accuracy": [], "epoch_seconds": []},
        }
        self.section = section
        common = self._inputs()
        try:
            info = student.run(
                CALL,
                label=f"setting up training ({self.config.model}(), {self.config.optimizer})",
                timeout=SETUP_TIMEOUT_S,
                step="setup",
                test_images=test.altered,
                plain_images=test.plain,
                **common,
            )
        except StudentError as error:
            section.update(status="failed", error=str(error), stopped="setup")
            raise
        section.update(measure.setup_info(info))
        self._judge(learning.untrained(info, labels, classes, c, section))
        self._epochs(student, outcome, labels, common)
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
            self.flags += measure.measure(outcome, final, labels, section, c.flip_gap_flag)
            self._judge(
                learning.after_training(
                    outcome, info, final, test.plain_labels, classes, c, section
                )
            )
        except (StudentError, AssertionError) as error:
            prefix = "the final evaluation failed: " if isinstance(error, StudentError) else ""
            section.update(status="failed", error=f"{prefix}{error}")
            raise
        section["curves"]["test_accuracy"][-1] = section["test_accuracy"]  # headline = last point
        return outcome

    def _judge(self, found: tuple[list[str], str | None]) -> None:
        """Keep the flags; a failure ends the check with its sentence."""
        flags, failure = found
        self.flags += flags
        if failure:
            self.section.update(status="failed", error=failure)
            raise AssertionError(failure[:1].upper() + failure[1:] + ".")

    def _inputs(self) -> dict[str, Any]:
        s, c = self.settings, self.config
        return {
            "device": self.device,
            "data_dir": self._kernel.box.data_path,
            "seed": 0,
            "mean": self.data.mean,
            "std": self.data.std,
            "names": {
                "model": c.model,
                "optimizer": c.optimizer,
                "train": c.train,
                "epochs": c.epochs,
                "batch_size": c.batch_size,
            },
            "mixed_precision": s.mixed_precision,
            "channels_last": s.channels_last,
            "threads": self.threads,
            "n_train": s.n_train or 0,
            "batch_size_min": s.batch_size_min,
            "batch_size_max": s.batch_size_max,
            "gpu_memory_fraction": c.gpu_memory_fraction,
        }

    def _epochs(self, student: Any, outcome: Outcome, labels: np.ndarray, common: dict) -> None:
        """Train epoch by epoch, charging the budget; ``outcome.stopped`` says why it ended early."""
        s, section = self.settings, self.section
        epochs = min(section["epochs_requested"], s.epoch_cap)
        section["epochs_planned"] = epochs
        curves = section["curves"]
        charged = 0.0
        meter = Meter(self._kernel, threads=self.threads, cpu=self.device == "cpu")
        for epoch in range(1, epochs + 1):
            left = s.time_budget_s - charged
            meter.start()
            try:
                done = student.run(
                    CALL,
                    label=f"training epoch {epoch} ({self.config.train})",
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
                    f"busy): {self.config.train} is too slow"
                )
                break
            except StudentError as error:
                outcome.stopped = f"epoch {epoch}: {error}"
                section["error"] = str(error)
                break
            usage = meter.stop()
            charged += usage.charged
            accuracy = measure.accuracy(measure.predictions(done, len(labels)), labels)
            loss = done.get("loss") if isinstance(done, dict) else None
            curves["train_loss"].append(measure.finite(loss))
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

    def _show(
        self, epoch: int, epochs: int, loss: float | None, accuracy: float, seconds: float
    ) -> None:
        if not self.progress:
            return
        filled = int(24 * epoch / epochs)
        bar = "#" * filled + "." * (24 - filled)
        shown = f"{loss:.3f}" if loss is not None else "nan"
        print(
            f"  training [{bar}] epoch {epoch}/{epochs}  loss {shown}  test {accuracy:5.1f} %  "
            f"{seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )
