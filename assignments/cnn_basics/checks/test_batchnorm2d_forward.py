"""batchnorm2d_forward(x, gamma, beta, running_mean, running_var, training=True,
momentum=0.1, eps=1e-5) = torch.nn.functional.batch_norm with the same arguments."""

import pytest

from autograder.checking import Case, agree, expect_array, expect_tuple
from autograder.questions import Question

RESULTS = ("out", "new_running_mean", "new_running_var")


def truth(
    reference, x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5
):
    import torch
    import torch.nn.functional as F

    ref = reference.batchnorm2d_forward(
        x, gamma, beta, running_mean.copy(), running_var.copy(), training, momentum, eps
    )
    rm, rv = torch.tensor(running_mean), torch.tensor(running_var)  # copies, updated in place
    out = F.batch_norm(
        torch.from_numpy(x),
        rm,
        rv,
        torch.from_numpy(gamma),
        torch.from_numpy(beta),
        training,
        momentum,
        eps,
    )
    return tuple(
        agree(r, t.numpy(), what=f"{name} of batchnorm2d_forward")
        for r, t, name in zip(ref, (out, rm, rv), RESULTS, strict=True)
    )


def compare(*which):
    """Compare the named results only (each check grades its own part of the tuple)."""

    def check(got, expected):
        got = expect_tuple(got, RESULTS, what="The result")
        for name in which:
            i = RESULTS.index(name)
            expect_array(got[i], expected[i], what=f"The returned {name}")

    return check


def inputs(rng, shape, *rest, scale=3.0):
    n, c, h, w = shape
    x = 1.5 + scale * rng.normal(size=shape)
    gamma, beta = 0.5 + rng.random(c), rng.normal(size=c)
    running_mean, running_var = rng.normal(size=c), 0.5 + rng.random(c)
    return (x, gamma, beta, running_mean, running_var, *rest)


batchnorm2d_forward = Question("batchnorm2d_forward", truth)


@pytest.mark.points(2)
def test_batchnorm2d_forward_training_output(student, reference, rng):
    """In training mode, does batchnorm2d_forward normalize each channel with its batch mean and
    biased variance?
    """
    batchnorm2d_forward.check(
        student,
        reference,
        [
            Case(inputs(rng, (2, 1, 2, 2)), "one channel, defaults (training)"),
            Case(inputs(rng, (2, 3, 3, 2), True), "3 channels, training"),
            Case(inputs(rng, (4, 2, 3, 3), True, 0.1, 1e-5), "2 channels, 4 images"),
        ],
        compare("out"),
    )


@pytest.mark.points(2)
def test_batchnorm2d_forward_running_statistics(student, reference, rng):
    """In training mode, does batchnorm2d_forward update the running mean and the running variance
    (unbiased) with momentum 0.1?
    """
    batchnorm2d_forward.check(
        student,
        reference,
        [
            Case(inputs(rng, (2, 1, 2, 2)), "one channel, defaults: momentum 0.1"),
            Case(inputs(rng, (2, 3, 3, 2), True, 0.1), "3 channels, momentum 0.1"),
            Case(inputs(rng, (3, 2, 2, 3), True, 0.1, 1e-5), "2 channels, 3 images"),
        ],
        compare("new_running_mean", "new_running_var"),
    )


@pytest.mark.points(1)
def test_batchnorm2d_forward_momentum(student, reference, rng):
    """Does batchnorm2d_forward use the momentum it is given (0.3, 0.9) in the running averages?"""
    batchnorm2d_forward.check(
        student,
        reference,
        [
            Case(inputs(rng, (2, 2, 2, 3), True, 0.3), "momentum 0.3"),
            Case(inputs(rng, (2, 3, 3, 3), True, 0.9, 1e-5), "momentum 0.9"),
        ],
        compare("new_running_mean", "new_running_var"),
    )


@pytest.mark.points(2)
def test_batchnorm2d_forward_evaluation_mode(student, reference, rng):
    """In evaluation mode, does batchnorm2d_forward normalize with the running statistics and return
    them unchanged?
    """
    batchnorm2d_forward.check(
        student,
        reference,
        [
            Case(inputs(rng, (2, 1, 2, 2), False), "evaluation mode"),
            Case(inputs(rng, (1, 3, 3, 2), False, 0.1), "evaluation mode, 3 channels"),
            Case(
                inputs(rng, (2, 2, 3, 3), False, 0.5, 1e-3),
                "evaluation mode, momentum 0.5 (unused), eps 1e-3",
            ),
        ],
        compare(*RESULTS),
    )


@pytest.mark.points(1)
def test_batchnorm2d_forward_eps(student, reference, rng):
    """Does batchnorm2d_forward add the eps it is given to the variance (eps 0.1 and 1.0, training
    and evaluation)?
    """
    batchnorm2d_forward.check(
        student,
        reference,
        [
            Case(
                inputs(rng, (2, 2, 2, 2), True, 0.1, 0.1, scale=0.3),
                "training, eps 0.1, small variance",
            ),
            Case(inputs(rng, (2, 2, 3, 2), True, 0.2, 1.0, scale=0.5), "training, eps 1.0"),
            Case(inputs(rng, (2, 2, 2, 3), False, 0.1, 0.5), "evaluation, eps 0.5"),
        ],
        compare("out"),
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_batchnorm2d_forward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does batchnorm2d_forward leave its inputs unchanged, the running statistics included?"""
    leaves_inputs_alone("batchnorm2d_forward", inputs(rng, (2, 3, 3, 2), True, 0.1, 1e-5))
