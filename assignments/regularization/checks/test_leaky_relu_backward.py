"""leaky_relu_backward(dout, x, negative_slope=0.01): dout where x > 0, negative_slope *
dout elsewhere (x == 0 included, as PyTorch does), = autograd of F.leaky_relu."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, x, negative_slope=0.01):
    import torch
    import torch.nn.functional as F

    ref = reference.leaky_relu_backward(dout, x, negative_slope)
    t = torch.from_numpy(x).clone().requires_grad_()
    F.leaky_relu(t, negative_slope).backward(torch.from_numpy(dout))
    return agree(
        ref, t.grad.numpy(), what=f"leaky_relu_backward of shape {x.shape}, slope {negative_slope}"
    )


leaky_relu_backward = Question(
    "leaky_relu_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


@pytest.mark.points(2)
def test_leaky_relu_backward_default_slope(student, reference, rng):
    """With the default negative_slope of 0.01, does leaky_relu_backward pass dout where x > 0 and
    0.01 * dout where x < 0?
    """
    leaky_relu_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 2.0, 3.0]), np.array([-1.5, 0.5, 2.0])), "three values"),
            Case((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), "random x"),
            Case((rng.normal(size=(2, 3)), -1 - rng.random(size=(2, 3))), "every x negative"),
        ],
    )


@pytest.mark.points(2)
def test_leaky_relu_backward_other_slopes(student, reference, rng):
    """Does leaky_relu_backward use the negative_slope it is given (0.2, 0.5 and 0)?"""
    leaky_relu_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 2.0, 3.0]), np.array([-1.5, 0.5, -2.0]), 0.2), "slope 0.2"),
            Case((rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), 0.5), "slope 0.5"),
            Case((rng.normal(size=(2, 4)), rng.normal(size=(2, 4)), 0.0), "slope 0: ReLU"),
        ],
    )


@pytest.mark.points(2)
def test_leaky_relu_backward_zero_input(student, reference, rng):
    """Where x is exactly 0, does leaky_relu_backward return negative_slope * dout, as PyTorch does?"""
    x = np.array([[0.0, 0.5, -0.5], [0.0, 0.0, 2.0], [-3.0, 0.0, 1.0]])
    leaky_relu_backward.check(
        student,
        reference,
        [
            Case((np.array([[2.0, 3.0, 5.0]]), np.array([[0.0, 1.0, -1.0]])), "x contains 0.0"),
            Case((np.array([[2.0, 3.0, 5.0]]), np.array([[0.0, 1.0, -1.0]]), 0.2), "slope 0.2"),
            Case((rng.normal(size=(3, 3)), x, 0.1), "several exact zeros, slope 0.1"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_leaky_relu_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does leaky_relu_backward leave its inputs unchanged?"""
    leaves_inputs_alone(
        "leaky_relu_backward", (rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), 0.2)
    )
