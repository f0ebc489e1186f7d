"""cross_entropy(logits, labels): the mean loss, one float; = F.cross_entropy."""

import numpy as np
import pytest

from autograder.checking import Case, Mismatch, agree, expect_float
from autograder.feedback import describe_value
from autograder.questions import Question


def truth(reference, logits, labels):
    import torch
    import torch.nn.functional as F

    ref = reference.cross_entropy(logits, labels)
    t = F.cross_entropy(torch.from_numpy(logits), torch.from_numpy(labels))
    return float(agree(ref, t.item(), what=f"cross_entropy of shape {logits.shape}"))


def same_loss(got, expected):
    """The value; an array holding one number is let through here (its type has its own check)."""
    if isinstance(got, np.ndarray) and got.size == 1:
        got = got.reshape(())[()]
    expect_float(got, expected, what="The returned loss")


def labelled(rng, n, k, scale=1.0):
    return (scale * rng.normal(size=(n, k)), rng.integers(0, k, size=n))


cross_entropy = Question("cross_entropy", truth, same_loss)


@pytest.mark.points(2)
def test_cross_entropy_matches_pytorch(student, reference, rng):
    """Does cross_entropy give the mean negative log-probability of the labels, as PyTorch does?"""
    cross_entropy.check(
        student,
        reference,
        [
            Case(labelled(rng, 1, 3), "one example"),
            Case(labelled(rng, 4, 3), "a batch of 4: the mean, not the sum"),
            Case(labelled(rng, 5, 6, 4.0), "a batch of 5, larger logits"),
        ],
    )


@pytest.mark.points(1)
def test_cross_entropy_returns_a_float(student, rng):
    """Does cross_entropy return one number (a float), not an array?"""
    logits, labels = labelled(rng, 3, 4)
    got = student.cross_entropy(logits, labels)
    ok = isinstance(got, (float, np.floating)) or (
        isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind == "f"
    )
    if not ok:
        raise Mismatch(
            f"cross_entropy(logits, labels) returned {describe_value(got)}, with logits of shape "
            f"{logits.shape}; it must return one number, a float. Take the mean over the whole "
            "batch (not per row, and without keepdims) and return float(loss)."
        )


@pytest.mark.points(2)
def test_cross_entropy_extreme_logits(student, reference):
    """Does cross_entropy stay finite and correct for extreme logits (1e4, -1e4, a label far below
    the maximum)?
    """
    cross_entropy.check(
        student,
        reference,
        [
            Case(
                (np.array([[1e4, 1e4, 1e4]]), np.array([1])), "every logit 1e4: exp(1e4) overflows"
            ),
            Case(
                (np.array([[1e4, 0.0, -1e4], [-1e4, 1e4, 0.0]]), np.array([0, 1])),
                "the label has the huge logit: the loss is about 0",
            ),
            Case(
                (np.array([[1e4, 0.0, -1e4], [0.0, 2.0, 900.0]]), np.array([2, 0])),
                "the label's probability underflows to 0: the loss is large but finite",
            ),
            Case(
                (np.array([[-1e4, -1e4 + 1.0, -1e4 - 2.0]]), np.array([2])),
                "all logits very negative",
            ),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_cross_entropy_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does cross_entropy leave its inputs unchanged?"""
    leaves_inputs_alone("cross_entropy", labelled(rng, 4, 5, 3.0))
