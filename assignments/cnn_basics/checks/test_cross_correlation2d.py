"""cross_correlation2d(image, kernel): valid cross-correlation, no kernel flip."""

import numpy as np
import pytest

from autograder.checking import Case, agree
from autograder.questions import Question


def truth(reference, image, kernel):
    import torch
    import torch.nn.functional as F

    ref = reference.cross_correlation2d(image, kernel)
    t = F.conv2d(torch.from_numpy(image)[None, None], torch.from_numpy(kernel)[None, None])
    return agree(ref, t[0, 0].numpy(), what=f"cross_correlation2d of shape {image.shape}")


cross_correlation2d = Question("cross_correlation2d", truth)


@pytest.mark.points(2)
def test_cross_correlation2d_matches_course_example(student, reference):
    """Does cross_correlation2d give the course's worked example, [[133, 75], [100, 101]]?"""
    image = np.array([[12, 3, 19], [25, 10, 1], [9, 7, 17]], dtype=np.float64)
    kernel = np.array([[1, 2], [3, 4]], dtype=np.float64)
    cross_correlation2d.check(
        student,
        reference,
        [Case((image, kernel), "the course's worked example")],
        truth=lambda image, kernel: np.array([[133.0, 75.0], [100.0, 101.0]]),
    )


@pytest.mark.points(2)
def test_cross_correlation2d_non_square(student, reference, rng):
    """Is cross_correlation2d right for non-square images and kernels (no kernel flip)?"""
    cases = [
        Case(
            (rng.normal(size=(h, w)), rng.normal(size=(kh, kw))), f"{h}x{w} image, {kh}x{kw} kernel"
        )
        for h, w, kh, kw in [(4, 6, 2, 3), (7, 5, 3, 1), (5, 9, 4, 2), (6, 6, 1, 6), (3, 8, 3, 8)]
    ]
    cross_correlation2d.check(student, reference, cases)


@pytest.mark.points(1)
def test_cross_correlation2d_kernel_as_large_as_image(student, reference, rng):
    """Does a kernel the size of the image give a single (1, 1) value?"""
    cases = [
        Case((rng.normal(size=(3, 4)), rng.normal(size=(3, 4))), "kernel as large as the image")
    ]
    cross_correlation2d.check(student, reference, cases)


@pytest.mark.points(1)
@pytest.mark.hidden
def test_cross_correlation2d_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does cross_correlation2d leave its inputs unchanged?"""
    image, kernel = rng.normal(size=(6, 5)), rng.normal(size=(2, 2))
    leaves_inputs_alone("cross_correlation2d", (image, kernel))
