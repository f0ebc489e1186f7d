"""softmax(logits): row-wise, = torch.softmax(logits, dim=1); finite for every finite input."""

import numpy as np
import pytest

from autograder.checking import Case, Mismatch, agree, expect_array
from autograder.questions import Question, same


def truth(reference, logits):
    import torch

    ref = reference.softmax(logits)
    t = torch.softmax(torch.from_numpy(logits), dim=1)
    return agree(ref, t.numpy(), what=f"softmax of shape {logits.shape}")


softmax = Question("softmax", truth)


@pytest.mark.points(1.5)
def test_softmax_matches_pytorch(student, reference, rng):
    """Does softmax match PyTorch's softmax over each row?"""
    softmax.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 3)),), "one row"),
            Case((rng.normal(size=(2, 5)),), "two rows"),
            Case((3 * rng.normal(size=(4, 3)),), "four rows, larger logits"),
            Case((rng.normal(size=(3, 1)),), "one class: every probability is 1"),
        ],
    )


def rows_sum_to_one(got, expected):
    if isinstance(got, (list, tuple)):
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            pass
    numeric = isinstance(got, np.ndarray) and got.dtype.kind in "iuf"
    if not numeric or got.shape != expected.shape:
        same(got, expected)  # says what is wrong with the type or shape
        got = np.asarray(got, dtype=float)
    expect_array(got.sum(axis=1), np.ones(len(expected)), what="The sum of each row")
    if (got < 0).any():
        raise Mismatch(f"softmax returned {int((got < 0).sum())} negative probabilities.")


@pytest.mark.points(1)
def test_softmax_rows_sum_to_one(student, reference, rng):
    """Does every row of softmax's result sum to 1, with no negative values?"""
    softmax.check(
        student,
        reference,
        [
            Case((rng.normal(size=(3, 4)),), "three rows"),
            Case((20 * rng.normal(size=(5, 9)),), "wide rows, large logits"),
        ],
        rows_sum_to_one,
    )


@pytest.mark.points(1.5)
def test_softmax_extreme_logits(student, reference):
    """Does softmax stay finite and correct for extreme logits (1e4, -1e4, one huge value)?"""
    softmax.check(
        student,
        reference,
        [
            Case((np.array([[1e4, 1e4, 1e4]]),), "every logit 1e4: exp(1e4) overflows"),
            Case((np.array([[1e4, 0.0, -1e4]]),), "1e4 next to 0 and -1e4"),
            Case(
                (np.array([[-1e4, -1e4 + 1.0, -1e4 - 2.0], [1000.0, 0.0, 999.0]]),),
                "all logits very negative: exp underflows to 0",
            ),
            Case(
                (
                    np.array(
                        [[0.5, 800.0, -3.0, 1.0], [2.0, 1.0, 0.0, -1.0], [-800.0, 0.0, 1.5, 3.0]]
                    ),
                ),
                "rows with one huge value",
            ),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_softmax_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does softmax leave its input unchanged?"""
    leaves_inputs_alone("softmax", (5 * rng.normal(size=(4, 6)),))
