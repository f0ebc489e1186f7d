"""softmax_cross_entropy_backward(logits, labels): the gradient of the mean cross-entropy,
= autograd of torch.nn.functional.cross_entropy."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, logits, labels):
    import torch
    import torch.nn.functional as F

    ref = reference.softmax_cross_entropy_backward(logits, labels)
    t = torch.from_numpy(logits).clone().requires_grad_()
    F.cross_entropy(t, torch.from_numpy(labels)).backward()
    return agree(
        ref, t.grad.numpy(), what=f"softmax_cross_entropy_backward of shape {logits.shape}"
    )


def labelled(rng, n, k, scale=1.0):
    return (scale * rng.normal(size=(n, k)), rng.integers(0, k, size=n))


softmax_cross_entropy_backward = Question(
    "softmax_cross_entropy_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dlogits"),
)


@pytest.mark.points(1.5)
def test_softmax_cross_entropy_backward_matches_autograd(student, reference, rng):
    """Does softmax_cross_entropy_backward give (softmax(logits) - onehot(labels)) / N, as PyTorch's
    autograd does?
    """
    softmax_cross_entropy_backward.check(
        student,
        reference,
        [
            Case(labelled(rng, 2, 3), "a batch of 2"),
            Case(labelled(rng, 3, 5, 3.0), "a batch of 3, 5 classes"),
            Case((rng.normal(size=(4, 4)), np.array([0, 0, 3, 3])), "repeated labels"),
        ],
    )


@pytest.mark.points(1)
def test_softmax_cross_entropy_backward_divides_by_batch_size(student, reference, rng):
    """Does softmax_cross_entropy_backward include the 1/N of the mean over the batch?"""
    row = rng.normal(size=(1, 3))
    softmax_cross_entropy_backward.check(
        student,
        reference,
        [
            Case(
                (np.repeat(row, 4, axis=0), np.full(4, 2)),
                "the same example 4 times: each row is 1/4 of that example's own gradient",
            ),
            Case(labelled(rng, 8, 3), "a batch of 8"),
        ],
    )


@pytest.mark.points(1)
def test_softmax_cross_entropy_backward_extreme_logits(student, reference):
    """Does softmax_cross_entropy_backward stay finite and correct for extreme logits (up to
    1000 and -1000, rows with a huge spread), as softmax and cross_entropy must?
    """
    softmax_cross_entropy_backward.check(
        student,
        reference,
        [
            Case((np.array([[1000.0, 0.0, -1000.0]]), np.array([2])), "1000, 0 and -1000"),
            Case(
                (np.array([[710.0, 710.0], [-1000.0, -999.0]]), np.array([0, 1])),
                "every logit 710 (exp overflows), every logit near -1000 (exp underflows to 0)",
            ),
            Case(
                (
                    np.array(
                        [[800.0, -800.0, 0.0, 5.0], [0.5, -0.2, 0.1, 0.0], [3.0, 1e3, -2.0, 0.0]]
                    ),
                    np.array([1, 0, 1]),
                ),
                "rows with a huge spread next to an ordinary row",
            ),
        ],
    )


@pytest.mark.points(0.5)
@pytest.mark.hidden
def test_softmax_cross_entropy_backward_random_batches(student, reference, rng):
    """Is softmax_cross_entropy_backward right on larger random batches?"""
    softmax_cross_entropy_backward.check(
        student,
        reference,
        [
            Case(
                labelled(rng, int(rng.integers(5, 20)), int(rng.integers(2, 11)), 5.0),
                "a random batch",
            )
            for _ in range(2)
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_softmax_cross_entropy_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does softmax_cross_entropy_backward leave its inputs unchanged?"""
    leaves_inputs_alone("softmax_cross_entropy_backward", labelled(rng, 4, 5))
