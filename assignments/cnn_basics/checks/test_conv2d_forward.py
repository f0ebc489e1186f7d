"""conv2d_forward(x, w, b, stride=1, padding=0) = torch.nn.functional.conv2d."""

import pytest

from autograder.checking import Case, agree
from autograder.questions import Question


def truth(reference, x, w, b, stride=1, padding=0):
    import torch
    import torch.nn.functional as F

    ref = reference.conv2d_forward(x, w, b, stride, padding)
    t = F.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(w),
        torch.from_numpy(b),
        stride=stride,
        padding=padding,
    )
    return agree(ref, t.numpy(), what=f"conv2d_forward with x {x.shape}, w {w.shape}")


def cases(rng, configs):
    """configs: (N, C, H, W, F, kh, kw, stride, padding, note); stride/padding None = default."""
    out = []
    for n, c, h, w, f, kh, kw, stride, padding, note in configs:
        args = (rng.normal(size=(n, c, h, w)), rng.normal(size=(f, c, kh, kw)), rng.normal(size=f))
        if stride is not None:
            args += (stride, padding)
        out.append(Case(args, note))
    return out


conv2d_forward = Question("conv2d_forward", truth)


@pytest.mark.points(1)
def test_conv2d_forward_single_channel(student, reference, rng):
    """Is conv2d_forward right for one image, one channel and one filter, with its defaults (stride
    1, no padding)?
    """
    conv2d_forward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 4, 4, 1, 3, 3, None, None, "defaults: stride 1, padding 0"),
                (1, 1, 5, 4, 1, 2, 2, 1, 0, "stride 1, padding 0"),
            ],
        ),
    )


@pytest.mark.points(2)
def test_conv2d_forward_channels_and_batch(student, reference, rng):
    """Does conv2d_forward sum over input channels and handle a batch of images and several non-
    square filters?
    """
    conv2d_forward.check(
        student,
        reference,
        cases(
            rng,
            [
                (2, 3, 5, 6, 4, 2, 3, 1, 0, "2 images, 3 channels, 4 filters of 2x3"),
                (1, 2, 4, 7, 3, 3, 1, 1, 0, "3 filters of 3x1 on a 4x7 image"),
            ],
        ),
    )


@pytest.mark.points(1.5)
def test_conv2d_forward_stride(student, reference, rng):
    """Does conv2d_forward handle stride 2 and 3 (including sizes the stride does not divide)?"""
    conv2d_forward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 5, 5, 1, 3, 3, 2, 0, "stride 2, 3x3 kernel on 5x5"),
                (
                    2,
                    2,
                    6,
                    7,
                    2,
                    2,
                    3,
                    2,
                    0,
                    "stride 2 on a non-square image, with a leftover column",
                ),
                (1, 2, 8, 7, 3, 2, 2, 3, 0, "stride 3, leftover rows and columns"),
            ],
        ),
    )


@pytest.mark.points(1.5)
def test_conv2d_forward_padding(student, reference, rng):
    """Does conv2d_forward pad with zeros on every side (padding 1 and 2)?"""
    conv2d_forward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 3, 3, 1, 3, 3, 1, 1, "padding 1 keeps a 3x3 image 3x3"),
                (1, 2, 4, 5, 2, 2, 3, 1, 1, "padding 1, non-square kernel"),
                (2, 1, 3, 4, 2, 3, 2, 1, 2, "padding 2"),
            ],
        ),
    )


@pytest.mark.points(2)
def test_conv2d_forward_stride_and_padding(student, reference, rng):
    """Does conv2d_forward handle stride and padding together?"""
    conv2d_forward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 5, 5, 1, 3, 3, 2, 1, "stride 2, padding 1"),
                (2, 2, 6, 5, 3, 3, 2, 2, 1, "stride 2, padding 1, non-square image and kernel"),
                (1, 3, 7, 8, 2, 4, 3, 3, 2, "stride 3, padding 2"),
            ],
        ),
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_conv2d_forward_random_configurations(student, reference, rng):
    """Is conv2d_forward right on larger random shapes, strides and paddings?"""
    configs = []
    for _ in range(3):
        kh, kw = rng.integers(1, 5, size=2)
        h, w = kh + rng.integers(0, 6), kw + rng.integers(0, 6)
        configs.append(
            (
                int(rng.integers(1, 3)),
                int(rng.integers(1, 4)),
                int(h),
                int(w),
                int(rng.integers(1, 5)),
                int(kh),
                int(kw),
                int(rng.integers(1, 4)),
                int(rng.integers(0, 3)),
                "random shape, stride and padding",
            )
        )
    conv2d_forward.check(student, reference, cases(rng, configs))


@pytest.mark.points(1)
@pytest.mark.hidden
def test_conv2d_forward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does conv2d_forward leave its inputs unchanged?"""
    x, w, b = rng.normal(size=(2, 2, 5, 4)), rng.normal(size=(3, 2, 3, 2)), rng.normal(size=3)
    leaves_inputs_alone("conv2d_forward", (x, w, b, 2, 1))
