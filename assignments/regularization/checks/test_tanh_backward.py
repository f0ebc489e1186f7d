"""tanh_backward(dout, x): dout * (1 - tanh(x) ** 2), = autograd of torch.tanh."""

import numpy as np
import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, x):
    import torch

    ref = reference.tanh_backward(dout, x)
    t = torch.from_numpy(x).clone().requires_grad_()
    torch.tanh(t).backward(torch.from_numpy(dout))
    return agree(ref, t.grad.numpy(), what=f"tanh_backward of shape {x.shape}")


tanh_backward = Question(
    "tanh_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


@pytest.mark.points(3)
def test_tanh_backward_matches_autograd(student, reference, rng):
    """Does tanh_backward give PyTorch's gradient of torch.tanh, dout * (1 - tanh(x) ** 2), where x
    is the input of the forward pass?
    """
    tanh_backward.check(
        student,
        reference,
        [
            Case((np.array([1.0, 2.0, -1.0]), np.array([0.0, 0.5, -2.0])), "three values"),
            Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3))), "a 2-D array"),
            Case((rng.normal(size=(3, 4)), 3 * rng.normal(size=(3, 4))), "larger x"),
            Case(
                (rng.normal(size=(2, 2, 2, 3)), rng.normal(size=(2, 2, 2, 3))),
                "an (N, C, H, W) feature map",
            ),
        ],
    )


@pytest.mark.points(1)
def test_tanh_backward_saturated_inputs(student, reference, rng):
    """For saturated units (|x| up to 1e4), does tanh_backward return a finite gradient of 0?"""
    tanh_backward.check(
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
def test_tanh_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does tanh_backward leave its inputs unchanged?"""
    leaves_inputs_alone("tanh_backward", (rng.normal(size=(4, 5)), rng.normal(size=(4, 5))))
