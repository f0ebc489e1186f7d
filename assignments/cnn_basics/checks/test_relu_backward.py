"""relu_backward(dout, x): the gradient of max(0, x), 0 at exactly x == 0 (as in PyTorch)."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, x):
    import torch

    ref = reference.relu_backward(dout, x)
    t = torch.from_numpy(x).clone().requires_grad_()
    torch.relu(t).backward(torch.from_numpy(dout))
    return agree(ref, t.grad.numpy(), what=f"relu_backward of shape {x.shape}")


relu_backward = Question(
    "relu_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


@pytest.mark.points(1.5)
def test_relu_backward_positive_and_negative_inputs(student, reference, rng):
    """Does relu_backward pass dout through where x > 0 and give 0 where x < 0?"""
    relu_backward.check(
        student,
        reference,
        [
            Case(
                (rng.normal(size=(2, 3)), np.array([[1.5, -2.0, 0.3], [-0.1, 4.0, -7.0]])),
                "positive and negative x",
            ),
            Case((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), "random x"),
            Case((rng.normal(size=(2, 2)), -1 - rng.random(size=(2, 2))), "every x negative"),
        ],
    )


@pytest.mark.points(1.5)
def test_relu_backward_zero_at_zero(student, reference, rng):
    """Is relu_backward's gradient 0 where x is exactly 0, as in PyTorch?"""
    relu_backward.check(
        student,
        reference,
        [
            Case(
                (np.array([[2.0, 3.0, 5.0]]), np.array([[0.0, 1.0, -1.0]])),
                "x contains an exact 0.0",
            ),
            Case(
                (
                    rng.normal(size=(3, 3)),
                    np.array([[0.0, 0.5, -0.5], [0.0, 0.0, 2.0], [-3.0, 0.0, 0.0]]),
                ),
                "x contains several exact 0.0 values",
            ),
        ],
    )


@pytest.mark.points(0.5)
@pytest.mark.hidden
def test_relu_backward_any_shape(student, reference, rng):
    """Does relu_backward work on inputs of any shape, such as (N, C, H, W) feature maps?"""
    shapes = [(7,), (2, 3, 4, 5)]
    cases = []
    for shape in shapes:
        x = rng.normal(size=shape)
        x[rng.random(size=shape) < 0.2] = 0.0
        cases.append(Case((rng.normal(size=shape), x), f"shape {shape}, with some exact zeros"))
    relu_backward.check(student, reference, cases)


@pytest.mark.points(0.5)
@pytest.mark.hidden
def test_relu_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does relu_backward leave its inputs unchanged?"""
    leaves_inputs_alone("relu_backward", (rng.normal(size=(4, 5)), rng.normal(size=(4, 5))))
