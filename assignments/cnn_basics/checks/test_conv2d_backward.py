"""conv2d_backward(dout, x, w, stride=1, padding=0): (dx, dw, db) of conv2d_forward,
= autograd of torch.nn.functional.conv2d."""

import pytest

from autograder.checking import Case, agree, expect_array, expect_tuple
from autograder.questions import Question

RESULTS = ("dx", "dw", "db")


def truth(reference, dout, x, w, stride=1, padding=0):
    import torch
    import torch.nn.functional as F

    ref = reference.conv2d_backward(dout, x, w, stride, padding)
    tx, tw = (torch.from_numpy(a).clone().requires_grad_() for a in (x, w))
    tb = torch.zeros(w.shape[0], dtype=torch.float64, requires_grad=True)
    F.conv2d(tx, tw, tb, stride=stride, padding=padding).backward(torch.from_numpy(dout))
    grads = (tx.grad, tw.grad, tb.grad)
    return tuple(
        agree(r, t.numpy(), what=f"{n} of conv2d_backward")
        for r, t, n in zip(ref, grads, RESULTS, strict=True)
    )


def compare(got, expected):
    got = expect_tuple(got, RESULTS, what="The result")
    for i, name in enumerate(RESULTS):
        expect_array(got[i], expected[i], what=f"The returned {name}")


def cases(rng, configs):
    """configs: (N, C, H, W, F, kh, kw, stride, padding, note); stride None = the defaults."""
    out = []
    for n, c, h, w, f, kh, kw, stride, padding, note in configs:
        s, p = (1, 0) if stride is None else (stride, padding)
        h_out, w_out = (h + 2 * p - kh) // s + 1, (w + 2 * p - kw) // s + 1
        args = (
            rng.normal(size=(n, f, h_out, w_out)),
            rng.normal(size=(n, c, h, w)),
            rng.normal(size=(f, c, kh, kw)),
        )
        if stride is not None:
            args += (stride, padding)
        out.append(Case(args, note))
    return out


conv2d_backward = Question("conv2d_backward", truth, compare)


@pytest.mark.points(2)
def test_conv2d_backward_no_stride_or_padding(student, reference, rng):
    """Does conv2d_backward return the right dx, dw and db with stride 1 and no padding?"""
    conv2d_backward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 3, 3, 1, 2, 2, None, None, "defaults: stride 1, padding 0"),
                (2, 3, 4, 5, 2, 2, 3, 1, 0, "2 images, 3 channels, 2 filters of 2x3"),
            ],
        ),
    )


@pytest.mark.points(2)
def test_conv2d_backward_stride(student, reference, rng):
    """Does conv2d_backward return the right dx, dw and db with stride 2 and 3?"""
    conv2d_backward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 5, 5, 1, 3, 3, 2, 0, "stride 2"),
                (2, 2, 6, 7, 2, 2, 3, 2, 0, "stride 2, non-square, a column left over"),
                (1, 2, 7, 8, 3, 2, 2, 3, 0, "stride 3, rows and columns left over (their dx is 0)"),
            ],
        ),
    )


@pytest.mark.points(2)
def test_conv2d_backward_padding(student, reference, rng):
    """Does conv2d_backward return the right dx, dw and db with padding 1 and 2?"""
    conv2d_backward.check(
        student,
        reference,
        cases(
            rng,
            [
                (1, 1, 3, 3, 1, 3, 3, 1, 1, "padding 1"),
                (2, 2, 4, 3, 2, 3, 2, 1, 2, "padding 2, non-square kernel"),
            ],
        ),
    )


@pytest.mark.points(2)
def test_conv2d_backward_stride_and_padding(student, reference, rng):
    """Does conv2d_backward return the right dx, dw and db with stride and padding together?"""
    conv2d_backward.check(
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
def test_conv2d_backward_random_configurations(student, reference, rng):
    """Is conv2d_backward right on larger random shapes, strides and paddings?"""
    configs = []
    for _ in range(2):
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
    conv2d_backward.check(student, reference, cases(rng, configs))


@pytest.mark.points(1)
@pytest.mark.hidden
def test_conv2d_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does conv2d_backward leave its inputs unchanged?"""
    dout, x, w = (
        rng.normal(size=(2, 3, 3, 3)),
        rng.normal(size=(2, 2, 5, 4)),
        rng.normal(size=(3, 2, 3, 2)),
    )
    leaves_inputs_alone("conv2d_backward", (dout, x, w, 2, 1))
