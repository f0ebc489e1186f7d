"""avg_pool2d(x, kernel_size=2, stride=2) = torch.nn.functional.avg_pool2d (no padding)."""

import pytest

from autograder.checking import Case, agree
from autograder.questions import Question


def truth(reference, x, kernel_size=2, stride=2):
    import torch
    import torch.nn.functional as F

    ref = reference.avg_pool2d(x, kernel_size, stride)
    t = F.avg_pool2d(torch.from_numpy(x), kernel_size, stride)
    return agree(ref, t.numpy(), what=f"avg_pool2d of shape {x.shape}")


avg_pool2d = Question("avg_pool2d", truth)


@pytest.mark.points(1)
def test_avg_pool2d_default_2x2(student, reference, rng):
    """Is avg_pool2d right with its defaults, 2x2 windows and stride 2?"""
    avg_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 4, 4)),), "defaults: kernel_size 2, stride 2"),
            Case((rng.normal(size=(2, 3, 4, 6)), 2, 2), "batch and channels"),
        ],
    )


@pytest.mark.points(1)
def test_avg_pool2d_non_square(student, reference, rng):
    """Is avg_pool2d right on non-square inputs whose size the window does not divide?"""
    avg_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 5, 4)), 2, 2), "5x4 input: the last row is dropped"),
            Case((rng.normal(size=(1, 2, 6, 8)), 3, 3), "3x3 windows, stride 3, on 6x8"),
            Case((rng.normal(size=(2, 1, 7, 9)), 4, 3), "4x4 windows, stride 3, on 7x9"),
        ],
    )


@pytest.mark.points(1)
def test_avg_pool2d_overlapping_windows(student, reference, rng):
    """Is avg_pool2d right with overlapping windows (kernel 3 with stride 2 and stride 1)?"""
    avg_pool2d.check(
        student,
        reference,
        [
            Case((rng.normal(size=(1, 1, 5, 5)), 3, 2), "kernel 3, stride 2"),
            Case((rng.normal(size=(2, 2, 5, 7)), 3, 1), "kernel 3, stride 1, non-square"),
            Case((rng.normal(size=(1, 1, 4, 6)), 2, 1), "kernel 2, stride 1"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_avg_pool2d_random_configurations(student, reference, rng):
    """Is avg_pool2d right on larger random shapes, window sizes and strides?"""
    cases = []
    for _ in range(3):
        k = int(rng.integers(1, 5))
        h, w = (int(v) for v in k + rng.integers(0, 6, size=2))
        cases.append(
            Case(
                (rng.normal(size=(2, 3, h, w)), k, int(rng.integers(1, 4))),
                "random shape, window size and stride",
            )
        )
    avg_pool2d.check(student, reference, cases)
