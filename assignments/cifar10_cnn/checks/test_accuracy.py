"""The accuracy check: the grader trains a fresh CifarCNN() and measures it itself."""

import pytest

from autograder.training import TrainingSkipped


@pytest.mark.points(35)
@pytest.mark.training
def test_accuracy_reaches_the_bar(student, training):
    """Trained by the grader with your make_optimizer and train_one_epoch, does a fresh CifarCNN() reach the test-accuracy bar?"""
    try:
        outcome = training.run(student)
    except TrainingSkipped as skipped:
        pytest.skip(str(skipped))
    section = training.section
    lines = [
        f"Test accuracy {outcome.accuracy:.2f} % after {outcome.epochs} epoch(s) on "
        f"{section.get('dataset')} (bar: {outcome.threshold:g} %).",
    ]
    if outcome.stopped:
        lines.append(f"Training stopped early: {outcome.stopped}.")
    curve = section.get("curves", {}).get("test_accuracy") or []
    if curve:
        lines.append("Test accuracy per epoch: " + ", ".join(f"{a:.1f}" for a in curve) + ".")
    assert outcome.passed, "\n".join(lines)
