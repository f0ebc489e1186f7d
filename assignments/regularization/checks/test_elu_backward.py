"""elu_backward(dout, x, alpha=1.0): dout where x > 0, dout * alpha * exp(x) elsewhere
(x == 0 included, as PyTorch does), = autograd of F.elu."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, x, alpha=1.0):
    import torch
    import torch.nn.functional as F

    ref = reference.elu_backward(dout, x, alpha)
    t = torch.from_numpy(x).clone().requires_grad_()
    F.elu(t, alpha).backward(torch.from_numpy(dout))
    return agree(ref, t.grad.numpy(), what=f"elu_backward of shape {x.shape}, alpha {alpha}")


elu_backward = Question(
    "elu_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


@pytest.mark.points(2)
def test_elu_backward_default_alpha(student, reference, rng):
    """With the default alpha of 1, does elu_backward give PyTorch's gradient of F.elu (dout where
    x > 0, dout * exp(x) where x < 0)?
    """
    elu_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 2.0, 3.0]), np.array([-1.5, 0.5, 2.0])), "three values"),
            Case((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), "random x"),
            Case(
                (rng.normal(size=(2, 2, 2, 3)), 2 * rng.normal(size=(2, 2, 2, 3))),
                "an (N, C, H, W) feature map",
            ),
        ],
    )


@pytest.mark.points(2)
def test_elu_backward_other_alphas(student, reference, rng):
    """Does elu_backward use the alpha it is given (0.5 and 2)?"""
    elu_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 2.0, 3.0]), np.array([-1.5, 0.5, -2.0]), 0.5), "alpha 0.5"),
            Case((rng.normal(size=(3, 3)), rng.normal(size=(3, 3)), 2.0), "alpha 2"),
            Case(
                (rng.normal(size=(2, 4)), -3 * rng.random(size=(2, 4)), 0.5),
                "every x negative, alpha 0.5",
            ),
        ],
    )


@pytest.mark.points(1)
def test_elu_backward_zero_input(student, reference, rng):
    """Where x is exactly 0, does elu_backward return alpha * dout, as PyTorch does?"""
    x = np.array([[0.0, 0.5, -0.5], [0.0, 0.0, 2.0]])
    elu_backward.check(
        student,
        reference,
        [
            Case((np.array([2.0, 3.0, 5.0]), np.array([0.0, 1.0, -1.0]), 0.5), "alpha 0.5"),
            Case((rng.normal(size=(2, 3)), x, 2.0), "several exact zeros, alpha 2"),
        ],
    )


@pytest.mark.points(1)
def test_elu_backward_extreme_inputs(student, reference, rng):
    """Does elu_backward stay finite and exact for large inputs (dout at x = 1e4, 0 at x = -1e4)?"""
    elu_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 1.0]), np.array([-1e4, 1e4])), "x = -1e4 and 1e4"),
            Case(
                (
                    rng.normal(size=(2, 3)),
                    np.array([[-800.0, -50.0, 50.0], [710.0, 800.0, 1e4]]),
                    0.5,
                ),
                "large x, alpha 0.5",
            ),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_elu_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does elu_backward leave its inputs unchanged?"""
    leaves_inputs_alone("elu_backward", (rng.normal(size=(4, 5)), rng.normal(size=(4, 5)), 0.5))
