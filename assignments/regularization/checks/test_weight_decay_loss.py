"""weight_decay_loss(params, weight_decay): 0.5 * weight_decay * the sum of squares of every
weight array (names not starting with "b"), a float; biases are not decayed."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_float
from autograder.questions import Question


def truth(reference, params, weight_decay):
    import torch

    ref = reference.weight_decay_loss({k: v.copy() for k, v in params.items()}, weight_decay)
    penalty = torch.zeros((), dtype=torch.float64)
    for name, value in params.items():
        if not name.startswith("b"):
            penalty = penalty + 0.5 * weight_decay * (torch.from_numpy(value) ** 2).sum()
    return float(agree(ref, penalty.item(), what="the penalty of weight_decay_loss"))


weight_decay_loss = Question(
    "weight_decay_loss",
    truth,
    lambda got, expected: expect_float(got, expected, what="The returned loss"),
)


def two_layer(rng, d, hidden, k, bias_scale=1.0):
    """The parameters of a two-layer network, as in the notebook."""
    return {
        "W1": rng.normal(size=(d, hidden)),
        "b1": bias_scale * rng.normal(size=hidden),
        "W2": rng.normal(size=(hidden, k)),
        "b2": bias_scale * rng.normal(size=k),
    }


EXAMPLE = {
    "W1": np.array([[1.0, 2.0], [3.0, 4.0]]),
    "b1": np.array([10.0, 20.0]),
    "W2": np.array([[1.0], [-1.0]]),
    "b2": np.array([5.0]),
}


@pytest.mark.points(2)
def test_weight_decay_loss_matches_autograd(student, reference, rng):
    """Does weight_decay_loss return 0.5 * weight_decay * (the sum of the squares of the weights),
    as computed by PyTorch?
    """
    weight_decay_loss.check(
        student,
        reference,
        [
            Case((EXAMPLE, 0.1), "the notebook's example: 0.5 * 0.1 * 32 = 1.6"),
            Case((two_layer(rng, 3, 4, 2), 0.01), "a two-layer network, weight_decay 0.01"),
            Case((two_layer(rng, 5, 6, 3), 0.5), "a two-layer network, weight_decay 0.5"),
        ],
    )


@pytest.mark.points(2)
def test_weight_decay_loss_skips_biases(student, reference, rng):
    """Does weight_decay_loss leave out the biases (the names that start with "b")?"""
    weight_decay_loss.check(
        student,
        reference,
        [
            Case(
                (
                    {
                        "W1": np.zeros((2, 2)),
                        "b1": np.array([3.0, 4.0]),
                        "W2": np.zeros((2, 1)),
                        "b2": np.array([5.0]),
                    },
                    0.1,
                ),
                "zero weights, nonzero biases: the penalty is 0",
            ),
            Case((two_layer(rng, 3, 4, 2, bias_scale=10.0), 0.1), "large biases"),
        ],
    )


@pytest.mark.points(1)
def test_weight_decay_loss_any_layers(student, reference, rng):
    """Does weight_decay_loss work for any number of layers and any weight shapes (a convolution's
    (F, C, kh, kw) included)?
    """
    conv = {
        "W1": rng.normal(size=(2, 3, 3, 3)),
        "b1": rng.normal(size=2),
        "W2": rng.normal(size=(8, 5)),
        "b2": rng.normal(size=5),
        "W3": rng.normal(size=(5, 3)),
        "b3": rng.normal(size=3),
    }
    weight_decay_loss.check(
        student,
        reference,
        [
            Case(({"W": rng.normal(size=(2, 3)), "b": rng.normal(size=3)}, 0.2), "one layer"),
            Case((conv, 0.05), "a convolution and two linear layers"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_weight_decay_loss_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does weight_decay_loss leave the params dict and its arrays unchanged?"""
    leaves_inputs_alone("weight_decay_loss", (two_layer(rng, 3, 4, 2), 0.1))
