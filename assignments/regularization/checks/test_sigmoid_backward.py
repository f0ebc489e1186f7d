"""sigmoid_backward(dout, x): dout * sigmoid(x) * (1 - sigmoid(x)), = autograd of
torch.sigmoid; finite for saturated inputs."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, x):
    import torch

    ref = reference.sigmoid_backward(dout, x)
    t = torch.from_numpy(x).clone().requires_grad_()
    torch.sigmoid(t).backward(torch.from_numpy(dout))
    return agree(ref, t.grad.numpy(), what=f"sigmoid_backward of shape {x.shape}")


sigmoid_backward = Question(
    "sigmoid_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


@pytest.mark.points(3)
def test_sigmoid_backward_matches_autograd(student, reference, rng):
    """Does sigmoid_backward give PyTorch's gradient of torch.sigmoid, dout * s * (1 - s) with
    s = sigmoid(x)?
    """
    sigmoid_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 2.0, -1.0]), np.array([0.0, 1.0, -2.0])), "three values"),
            Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3))), "a 2-D array"),
            Case((rng.normal(size=(3, 4)), 4 * rng.normal(size=(3, 4))), "larger x"),
            Case(
                (rng.normal(size=(2, 2, 2, 3)), rng.normal(size=(2, 2, 2, 3))),
                "an (N, C, H, W) feature map",
            ),
        ],
    )


@pytest.mark.points(2)
def test_sigmoid_backward_saturated_inputs(student, reference, rng):
    """For saturated units (|x| up to 1e4), does sigmoid_backward return a finite gradient, (almost)
    zero?
    """
    sigmoid_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 1.0]), np.array([-1e4, 1e4])), "x = -1e4 and 1e4"),
            Case(
                (rng.normal(size=(2, 3)), np.array([[-800.0, -40.0, -20.0], [20.0, 40.0, 800.0]])),
                "large negative and positive x",
            ),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_sigmoid_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does sigmoid_backward leave its inputs unchanged?"""
    leaves_inputs_alone("sigmoid_backward", (rng.normal(size=(4, 5)), rng.normal(size=(4, 5))))
