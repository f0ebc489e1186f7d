"""max_pool2d_backward(dout, x, kernel_size=2, stride=2): the gradient of max_pool2d without
padding, = autograd of torch.nn.functional.max_pool2d. Inputs have no ties (distinct values)."""

import pytest

from autograder.checking import Case, agree, expect_array
from autograder.questions import Question


def truth(reference, dout, x, kernel_size=2, stride=2):
    import torch
    import torch.nn.functional as F

    ref = reference.max_pool2d_backward(dout, x, kernel_size, stride)
    t = torch.from_numpy(x).clone().requires_grad_()
    F.max_pool2d(t, kernel_size, stride).backward(torch.from_numpy(dout))
    return agree(ref, t.grad.numpy(), what=f"max_pool2d_backward of shape {x.shape}")


def case(rng, shape, k, s, note, defaults=False):
    """Distinct input values (no ties), a random upstream gradient."""
    n, c, h, w = shape
    size = n * c * h * w
    x = (rng.permutation(size).reshape(shape) - size / 2) / size
    dout = rng.normal(size=(n, c, (h - k) // s + 1, (w - k) // s + 1))
    return Case((dout, x) if defaults else (dout, x, k, s), note)


max_pool2d_backward = Question(
    "max_pool2d_backward",
    truth,
    lambda got, expected: expect_array(got, expected, what="The returned dx"),
)


@pytest.mark.points(2)
def test_max_pool2d_backward_default_2x2(student, reference, rng):
    """Does max_pool2d_backward send each window's gradient to its maximum, with 2x2 windows and
    stride 2?
    """
    max_pool2d_backward.check(
        student,
        reference,
        [
            case(rng, (1, 1, 4, 4), 2, 2, "defaults: kernel_size 2, stride 2", defaults=True),
            case(rng, (2, 3, 4, 6), 2, 2, "batch and channels"),
        ],
    )


@pytest.mark.points(1.5)
def test_max_pool2d_backward_non_square(student, reference, rng):
    """Is max_pool2d_backward right on non-square inputs and sizes the windows do not divide?"""
    max_pool2d_backward.check(
        student,
        reference,
        [
            case(rng, (1, 1, 5, 4), 2, 2, "5x4 input: the last row gets no gradient"),
            case(rng, (1, 2, 6, 9), 3, 3, "3x3 windows, stride 3, on 6x9"),
            case(rng, (2, 1, 7, 5), 3, 3, "3x3 windows, stride 3, rows and columns left over"),
        ],
    )


@pytest.mark.points(2.5)
def test_max_pool2d_backward_overlapping_windows(student, reference, rng):
    """With overlapping windows (kernel 3 with stride 2 or 1), does max_pool2d_backward add up the
    gradients of an input that is the maximum of several windows?
    """
    max_pool2d_backward.check(
        student,
        reference,
        [
            case(rng, (1, 1, 5, 5), 3, 2, "kernel 3, stride 2"),
            case(rng, (2, 2, 7, 6), 3, 2, "kernel 3, stride 2, non-square"),
            case(rng, (1, 1, 5, 6), 3, 1, "kernel 3, stride 1"),
            case(rng, (1, 2, 4, 4), 2, 1, "kernel 2, stride 1"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_max_pool2d_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does max_pool2d_backward leave its inputs unchanged?"""
    c = case(rng, (2, 2, 5, 6), 3, 2, "")
    leaves_inputs_alone("max_pool2d_backward", c.args)
