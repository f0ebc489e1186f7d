"""leaky_relu(x, negative_slope=0.01): x where x > 0, negative_slope * x elsewhere,
= torch.nn.functional.leaky_relu."""

import numpy as np
import pytest

from autograder.checking import Case, agree
from autograder.questions import Question


def truth(reference, x, negative_slope=0.01):
    import torch
    import torch.nn.functional as F

    ref = reference.leaky_relu(x, negative_slope)
    t = F.leaky_relu(torch.from_numpy(x), negative_slope)
    return agree(ref, t.numpy(), what=f"leaky_relu of shape {x.shape}, slope {negative_slope}")


leaky_relu = Question("leaky_relu", truth)


def with_zeros(rng, shape, scale=1.0):
    """Random values, about a fifth of them exactly 0."""
    x = scale * rng.normal(size=shape)
    x[rng.random(size=shape) < 0.2] = 0.0
    return x


@pytest.mark.points(2)
def test_leaky_relu_default_slope(student, reference, rng):
    """With the default negative_slope of 0.01, does leaky_relu match PyTorch's F.leaky_relu?"""
    leaky_relu.check(
        student,
        reference,
        [
            Case((np.array([-2.0, -0.5, 0.0, 0.5, 3.0]),), "negative, zero and positive x"),
            Case((rng.normal(size=(3, 4)),), "a 2-D array"),
            Case((-1 - rng.random(size=(2, 3)),), "every x negative"),
        ],
    )


@pytest.mark.points(2)
def test_leaky_relu_other_slopes(student, reference, rng):
    """Does leaky_relu use the negative_slope it is given (0.2, 0.5 and 0, the plain ReLU)?"""
    leaky_relu.check(
        student,
        reference,
        [
            Case((np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), 0.2), "negative_slope 0.2"),
            Case((rng.normal(size=(3, 3)), 0.5), "negative_slope 0.5"),
            Case((rng.normal(size=(2, 4)), 0.0), "negative_slope 0: the plain ReLU"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_leaky_relu_any_shape(student, reference, rng):
    """Does leaky_relu work elementwise on inputs of any shape, with exact zeros?"""
    leaky_relu.check(
        student,
        reference,
        [
            Case((with_zeros(rng, (7,)), 0.1), "a vector with exact zeros"),
            Case((with_zeros(rng, (2, 3, 3, 2), 2.0), 0.01), "an (N, C, H, W) feature map"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_leaky_relu_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does leaky_relu leave its input unchanged?"""
    leaves_inputs_alone("leaky_relu", (rng.normal(size=(4, 5)), 0.2))
