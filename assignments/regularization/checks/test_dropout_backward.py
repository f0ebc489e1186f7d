"""dropout_backward(dout, mask): dout * mask, = autograd of x * mask."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, mask):
    import torch

    ref = reference.dropout_backward(dout, mask)
    t = torch.zeros(mask.shape, dtype=torch.float64, requires_grad=True)
    (t * torch.from_numpy(mask)).backward(torch.from_numpy(dout))
    return agree(ref, t.grad.numpy(), what=f"dropout_backward of shape {mask.shape}")


dropout_backward = Question(
    "dropout_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


def case(rng, shape, p, note):
    """An upstream gradient and an inverted-dropout mask (0 or 1 / (1 - p)) of one shape."""
    mask = (rng.random(size=shape) >= p) / (1 - p)
    return Case((rng.normal(size=shape), mask), f"{note}, a mask with p = {p}")


@pytest.mark.points(2)
def test_dropout_backward_matches_autograd(student, reference, rng):
    """Given the mask of the forward pass, does dropout_backward return dout * mask, the gradient
    PyTorch computes for x * mask?
    """
    dropout_backward.check(
        student,
        reference,
        [
            Case(
                (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[2.0, 0.0], [0.0, 2.0]])),
                "a 2 x 2 example, p = 0.5",
            ),
            case(rng, (3, 4), 0.3, "a 2-D array"),
            case(rng, (4, 5), 0.8, "a 2-D array"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_dropout_backward_any_shape(student, reference, rng):
    """Does dropout_backward work on inputs of any shape, such as (N, C, H, W) feature maps?"""
    dropout_backward.check(
        student,
        reference,
        [case(rng, (7,), 0.5, "a vector"), case(rng, (2, 3, 3, 2), 0.25, "a feature map")],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_dropout_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does dropout_backward leave its inputs unchanged?"""
    leaves_inputs_alone("dropout_backward", case(rng, (4, 5), 0.5, "").args)
