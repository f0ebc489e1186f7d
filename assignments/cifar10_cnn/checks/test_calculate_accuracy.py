"""calculate_accuracy(model, dataloader, device) -> (accuracy_percent, confusion_matrix)."""

import numpy as np
import pytest
from cifar10_support import kernel_code, kind

from autograder.checking import Mismatch, expect_array, expect_float, expect_tuple

RUN = kernel_code("""
import torch
model = PixelVote()
model.train()
data = loader(inputs["x"], inputs["y"], inputs["batch_size"])
accuracy, confusion = student["calculate_accuracy"](model, data, torch.device("cpu"))
result = {"accuracy": accuracy, "confusion": confusion, "seen": model.seen, "training_after": model.training}
""")


def _data(rng, n, *, always=None):
    x = rng.normal(size=(n, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, size=n)
    if always is not None:
        x[:, 0, 0, :10] = -1.0
        x[:, 0, 0, always] = 1.0
    return x, y


def _truth(x, y):
    predicted = x[:, 0, 0, :10].argmax(1)
    confusion = np.zeros((10, 10), dtype=np.int64)
    np.add.at(confusion, (y, predicted), 1)
    return 100.0 * float(np.mean(predicted == y)), confusion


def _run(student, x, y, batch_size):
    label = (
        f"calculate_accuracy(model, loader of {len(y)} images in batches of {batch_size}, 'cpu')"
    )
    got = student.run(RUN, label=label, x=x, y=y, batch_size=batch_size)
    return label, got


def _compare(label, got, x, y):
    accuracy, confusion = expect_tuple(
        (got["accuracy"], got["confusion"]), ("accuracy_percent", "confusion_matrix")
    )
    want_acc, want_conf = _truth(x, y)
    try:
        expect_float(accuracy, want_acc, what="accuracy_percent", rtol=1e-6, atol=1e-6)
    except Mismatch as m:
        hint = (
            " (a percentage in [0, 100], not a fraction)"
            if abs(float(accuracy) * 100 - want_acc) < 1e-6
            else ""
        )
        raise Mismatch(f"{label}: {m}{hint}") from None
    if not isinstance(confusion, np.ndarray) or confusion.dtype.kind not in "iu":
        raise Mismatch(
            f"{label}: confusion_matrix is {kind(confusion)}; expected an integer NumPy array (10, 10)."
        )
    try:
        expect_array(confusion, want_conf, what="confusion_matrix")
    except Mismatch as m:
        transposed = confusion.shape == (10, 10) and np.array_equal(confusion.T, want_conf)
        hint = (
            "\nIt is transposed: rows must be the actual class, columns the predicted one."
            if transposed
            else ""
        )
        raise Mismatch(f"{label}:\n{m}{hint}", details=m.details) from None


@pytest.mark.points(6)
def test_calculate_accuracy_matches_a_known_answer(student, rng):
    """On a fixed model and a loader whose answer the grader knows (last batch smaller), are the accuracy and every cell of the confusion matrix right?"""
    x, y = _data(rng, 53)
    label, got = _run(student, x, y, 8)
    _compare(label, got, x, y)


@pytest.mark.points(4)
def test_calculate_accuracy_rows_are_actual_columns_predicted(student, rng):
    """With a model that always predicts class 3, is column 3 the count of each actual class?"""
    x, y = _data(rng, 40, always=3)
    label, got = _run(student, x, y, 16)
    _compare(label, got, x, y)


@pytest.mark.points(5)
def test_calculate_accuracy_evaluates_without_gradients(student, rng):
    """Does calculate_accuracy put the model in evaluation mode and compute no gradients?"""
    x, y = _data(rng, 20)
    label, got = _run(student, x, y, 10)
    seen = got["seen"]
    assert seen, f"{label} never called the model."
    assert not any(training for training, _ in seen), (
        f"{label} ran the model in training mode; call model.eval() first (dropout and batch "
        "normalization behave differently when evaluating)."
    )
    assert not any(grad for _, grad in seen), (
        f"{label} computed gradients; wrap the loop in torch.no_grad() (it saves memory and time)."
    )
