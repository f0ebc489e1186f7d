"""batchnorm2d_backward(dout, x, gamma, eps=1e-5): (dx, dgamma, dbeta) in training mode,
= autograd of torch.nn.functional.batch_norm(training=True)."""

import pytest

from autograder.checking import Case, agree, expect_array, expect_tuple
from autograder.questions import Question

RESULTS = ("dx", "dgamma", "dbeta")


def truth(reference, dout, x, gamma, eps=1e-5):
    import torch
    import torch.nn.functional as F

    ref = reference.batchnorm2d_backward(dout, x, gamma, eps)
    c = x.shape[1]
    tx, tg = (torch.from_numpy(a).clone().requires_grad_() for a in (x, gamma))
    tb = torch.zeros(c, dtype=torch.float64, requires_grad=True)
    out = F.batch_norm(
        tx,
        torch.zeros(c, dtype=torch.float64),
        torch.ones(c, dtype=torch.float64),
        tg,
        tb,
        training=True,
        eps=eps,
    )
    out.backward(torch.from_numpy(dout))
    grads = (tx.grad, tg.grad, tb.grad)
    return tuple(
        agree(r, t.numpy(), what=f"{n} of batchnorm2d_backward")
        for r, t, n in zip(ref, grads, RESULTS, strict=True)
    )


def compare(*which):
    def check(got, expected):
        got = expect_tuple(got, RESULTS, what="The result")
        for name in which:
            i = RESULTS.index(name)
            expect_array(got[i], expected[i], what=f"The returned {name}")

    return check


def inputs(rng, shape, *eps, scale=2.0):
    x = 1.0 + scale * rng.normal(size=shape)
    return (rng.normal(size=shape), x, 0.5 + rng.random(shape[1]), *eps)


def cases(rng):
    return [
        Case(inputs(rng, (2, 1, 2, 2)), "one channel, default eps"),
        Case(inputs(rng, (2, 3, 2, 3), 1e-5), "3 channels"),
        Case(inputs(rng, (4, 2, 3, 3), 1e-5), "4 images, 2 channels"),
    ]


batchnorm2d_backward = Question("batchnorm2d_backward", truth)


@pytest.mark.points(3)
def test_batchnorm2d_backward_dx(student, reference, rng):
    """Does batchnorm2d_backward return the right dx, including the paths through the batch mean and
    variance?
    """
    batchnorm2d_backward.check(student, reference, cases(rng), compare("dx"))


@pytest.mark.points(1.5)
def test_batchnorm2d_backward_dgamma(student, reference, rng):
    """Does batchnorm2d_backward return the right dgamma?"""
    batchnorm2d_backward.check(student, reference, cases(rng), compare("dgamma"))


@pytest.mark.points(1.5)
def test_batchnorm2d_backward_dbeta(student, reference, rng):
    """Does batchnorm2d_backward return the right dbeta?"""
    batchnorm2d_backward.check(student, reference, cases(rng), compare("dbeta"))


@pytest.mark.points(1)
def test_batchnorm2d_backward_eps(student, reference, rng):
    """Does batchnorm2d_backward use the eps it is given (eps 0.1 and 1.0, small variance)?"""
    batchnorm2d_backward.check(
        student,
        reference,
        [
            Case(inputs(rng, (2, 2, 2, 2), 0.1, scale=0.3), "eps 0.1, small variance"),
            Case(inputs(rng, (2, 2, 3, 2), 1.0, scale=0.5), "eps 1.0"),
        ],
        compare(*RESULTS),
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_batchnorm2d_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does batchnorm2d_backward leave its inputs unchanged?"""
    leaves_inputs_alone("batchnorm2d_backward", inputs(rng, (2, 3, 3, 2), 1e-5))
