"""elu(x, alpha=1.0): x where x > 0, alpha * (exp(x) - 1) elsewhere,
= torch.nn.functional.elu."""

import numpy as np
import pytest

from autograder.checking import Case, agree
from autograder.questions import Question


def truth(reference, x, alpha=1.0):
    import torch
    import torch.nn.functional as F

    ref = reference.elu(x, alpha)
    t = F.elu(torch.from_numpy(x), alpha)
    return agree(ref, t.numpy(), what=f"elu of shape {x.shape}, alpha {alpha}")


elu = Question("elu", truth)


@pytest.mark.points(2)
def test_elu_default_alpha(student, reference, rng):
    """With the default alpha of 1, does elu match PyTorch's F.elu?"""
    elu.check(
        student,
        reference,
        [
            Case((np.array([-2.0, -0.5, 0.0, 0.5, 3.0]),), "negative, zero and positive x"),
            Case((rng.normal(size=(3, 4)),), "a 2-D array"),
            Case((2 * rng.normal(size=(2, 2, 2, 3)),), "an (N, C, H, W) feature map"),
        ],
    )


@pytest.mark.points(2)
def test_elu_other_alphas(student, reference, rng):
    """Does elu use the alpha it is given (0.5 and 2)?"""
    elu.check(
        student,
        reference,
        [
            Case((np.array([-2.0, -0.5, 0.0, 0.5, 3.0]), 0.5), "alpha 0.5"),
            Case((rng.normal(size=(3, 3)), 2.0), "alpha 2"),
            Case((-3 * rng.random(size=(2, 4)), 0.5), "every x negative, alpha 0.5"),
        ],
    )


@pytest.mark.points(1)
def test_elu_extreme_inputs(student, reference):
    """Does elu stay finite and exact for large inputs (elu(1e4) = 1e4, elu(-1e4) = -alpha)?"""
    elu.check(
        student,
        reference,
        [
            Case((np.array([-1e4, -50.0, 50.0, 1e4]),), "large negative and positive x"),
            Case((np.array([-1e4, -800.0, 800.0, 1e4]), 0.5), "large x, alpha 0.5"),
            Case((np.array([[-710.0, 710.0], [-1e-9, 1e-9]]), 2.0), "past exp's overflow, alpha 2"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_elu_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does elu leave its input unchanged?"""
    leaves_inputs_alone("elu", (rng.normal(size=(4, 5)), 0.5))
