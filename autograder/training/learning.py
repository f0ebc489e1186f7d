"""Evidence that the accuracy came from learning, judged by the grader from data.

Before training the grader measures the untrained model (it must be near chance); after
training it compares samples of the weights taken before and after (they must have
changed), the accuracy on the few test images sent as published with the accuracy on the
altered ones (a model that knows the published images does much better on them), and the
last training loss with the accuracy. The first two fail the check; all of them flag the
submission for staff with the figures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.training import measure
from autograder.training.config import TrainingConfig


def untrained(
    info: Any, labels: np.ndarray, classes: int, config: TrainingConfig, section: dict[str, Any]
) -> tuple[list[str], str | None]:
    """Flags, and the failure sentence when the untrained model scores above chance plus
    the margin."""
    predicted = measure.predictions(
        {"predictions": _get(info, "untrained_predictions")}, len(labels)
    )
    accuracy = measure.accuracy(predicted, labels)
    section["untrained_accuracy"] = round(accuracy, 3)
    bar = 100.0 / classes + config.chance_margin
    if accuracy <= bar:
        return [], None
    why = (
        f"the untrained {config.model}() already scores {accuracy:.1f} % on the test images "
        f"(chance is {100.0 / classes:.0f} %, the most an untrained network may score is "
        f"{bar:.0f} %): its accuracy does not come from training"
    )
    return [f"{why}; look at this submission's model"], why


def after_training(
    outcome: Any,
    info: Any,
    final: Any,
    plain_labels: np.ndarray,
    classes: int,
    config: TrainingConfig,
    section: dict[str, Any],
) -> tuple[list[str], str | None]:
    """Flags, and the failure sentence when no weight changed in training."""
    flags: list[str] = []
    failure = None
    before, after = measure.floats(_get(info, "weights")), measure.floats(_get(final, "weights"))
    if before.shape == after.shape and before.size:
        changed = float(np.mean(before != after))
        section["weights_changed"] = round(100.0 * changed, 2)
        if changed == 0.0:
            failure = (
                "training did not change a single weight of the model (an optimizer with a "
                "learning rate of 0, or a train_one_epoch that never steps): the accuracy "
                "does not come from training"
            )
            flags.append(f"{failure}; look at this submission's model and optimizer")
    elif before.shape != after.shape:
        flags.append(
            "the model's trainable weights were not the same before and after training "
            f"({before.size} sampled values before, {after.size} after); look at this "
            "submission's model"
        )
    plain = measure.floats(_get(final, "plain_logits"))
    if len(plain_labels) and plain.shape == (len(plain_labels), classes):
        plain_accuracy = measure.accuracy(plain.argmax(1), plain_labels)
        section["published_accuracy"] = round(plain_accuracy, 3)
        gap = plain_accuracy - outcome.accuracy
        if gap > config.lookup_gap_flag:
            flags.append(
                f"accuracy on test images as published is {gap:.1f} points higher than on the "
                f"same kind of images shifted by up to {config.test_shift_px} pixels "
                f"({plain_accuracy:.1f} % vs {outcome.accuracy:.1f} %): a trained network "
                "hardly notices such a shift, a table of the published images does; look at "
                "this submission's model"
            )
    losses = [x for x in section.get("curves", {}).get("train_loss", []) if x is not None]
    chance_loss = math.log(classes)
    if losses and losses[-1] >= 0.95 * chance_loss and outcome.accuracy >= outcome.threshold:
        flags.append(
            f"the last training loss is {losses[-1]:.3f}, no better than guessing "
            f"({chance_loss:.3f}), yet test accuracy is {outcome.accuracy:.1f} %: the two do "
            "not fit; look at this submission's train_one_epoch and model"
        )
    return flags, failure


def _get(answer: Any, key: str) -> Any:
    return answer.get(key) if isinstance(answer, dict) else None
