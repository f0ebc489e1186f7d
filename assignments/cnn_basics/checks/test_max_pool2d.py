"""max_pool2d(x, kernel_size=2, stride=2, padding=0) = torch.nn.functional.max_pool2d."""

import pytest

from autograder.checking import Case, agree
from autograder.questions import Question


def truth(reference, x, kernel_size=2, stride=2, padding=0):
    import torch
    import torch.nn.functional as F

    ref = reference.max_pool2d(x, kernel_size, stride, padding)
    t = F.max_pool2d(torch.from_numpy(x), kernel_size, stride, padding)
    return agree(ref, t.numpy(), what=f"max_pool2d of shape {x.shape}")


max_pool2d = Question("max_pool2d", truth)


@pytest.mark.points(1.5)
def test_max_pool2d_default_2x2(student, reference, rng):
    """Is max_pool2d right with its defaults, 2x2 windows and stride 2?"""
    max_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 4, 4)),), "defaults: kernel_size 2, stride 2, no padding"),
            Case(
                (rng.normal(size=(2, 3, 4, 6)), 2, 2), "2x2 windows, stride 2, batch and channels"
            ),
            Case(
                (rng.normal(size=(1, 2, 5, 5)), 2, 2),
                "odd size: the last row and column are dropped",
            ),
        ],
    )


@pytest.mark.points(1)
def test_max_pool2d_non_square(student, reference, rng):
    """Is max_pool2d right on non-square inputs and with windows other than 2x2?"""
    max_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 4, 7)), 2, 2), "non-square input 4x7"),
            Case((rng.normal(size=(2, 2, 6, 9)), 3, 3), "3x3 windows, stride 3, on 6x9"),
            Case((rng.normal(size=(1, 1, 8, 5)), 4, 2), "4x4 windows, stride 2, on 8x5"),
        ],
    )


@pytest.mark.points(1.5)
def test_max_pool2d_overlapping_windows(student, reference, rng):
    """Is max_pool2d right with overlapping windows (kernel 3 with stride 2 and stride 1)?"""
    max_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 5, 5)), 3, 2), "kernel 3, stride 2"),
            Case((rng.normal(size=(2, 2, 7, 6)), 3, 2), "kernel 3, stride 2, non-square"),
            Case((rng.normal(size=(1, 2, 5, 6)), 3, 1), "kernel 3, stride 1"),
        ],
    )


@pytest.mark.points(1.5)
def test_max_pool2d_padding(student, reference, rng):
    """Is max_pool2d right with padding (padding 1 with kernel 2 and 3, padding 2 with kernel 4)?"""
    max_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 4, 4)), 2, 2, 1), "kernel 2, stride 2, padding 1"),
            Case((rng.normal(size=(2, 2, 5, 6)), 3, 2, 1), "kernel 3, stride 2, padding 1"),
            Case((rng.normal(size=(1, 1, 5, 4)), 3, 1, 1), "kernel 3, stride 1, padding 1"),
            Case((rng.normal(size=(1, 2, 7, 6)), 4, 3, 2), "kernel 4, stride 3, padding 2"),
        ],
    )


@pytest.mark.points(1.5)
def test_max_pool2d_ignores_padding_for_negative_inputs(student, reference, rng):
    """Does max_pool2d ignore padded positions for negative inputs (padding must never win)?"""
    max_pool2d.check(
        student,
        reference,
        [
            Case(
                (-1 - rng.random(size=(1, 1, 4, 4)), 2, 2, 1),
                "all inputs negative, kernel 2, padding 1",
            ),
            Case(
                (-1 - rng.random(size=(2, 2, 5, 5)), 3, 2, 1),
                "all inputs negative, kernel 3, padding 1",
            ),
            Case((-1 - rng.random(size=(1, 1, 4, 5)), 3, 1, 1), "all inputs negative, stride 1"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_max_pool2d_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does max_pool2d leave its input unchanged?"""
    leaves_inputs_alone("max_pool2d", (rng.normal(size=(2, 2, 5, 6)), 3, 2, 1))
