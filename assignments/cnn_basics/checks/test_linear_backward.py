"""linear_backward(dout, x, w): (dx, dw, db) of out = x @ w + b, = autograd."""

import pytest

from autograder.checking import Case, agree, expect_array, expect_tuple
from autograder.questions import Question

RESULTS = ("dx", "dw", "db")


def truth(reference, dout, x, w):
    import torch

    ref = reference.linear_backward(dout, x, w)
    tx, tw = (torch.from_numpy(a).clone().requires_grad_() for a in (x, w))
    tb = torch.zeros(w.shape[1], dtype=torch.float64, requires_grad=True)
    (tx @ tw + tb).backward(torch.from_numpy(dout))
    grads = (tx.grad, tw.grad, tb.grad)
    return tuple(
        agree(r, t.numpy(), what=f"{n} of linear_backward")
        for r, t, n in zip(ref, grads, RESULTS, strict=True)
    )


def compare(name):
    def check(got, expected):
        got = expect_tuple(got, RESULTS, what="The result")
        i = RESULTS.index(name)
        expect_array(got[i], expected[i], what=f"The returned {name}")

    return check


def cases(rng):
    out = []
    for n, d, m, note in [
        (1, 2, 3, "one example"),
        (3, 4, 2, "a batch of 3"),
        (5, 3, 4, "a batch of 5"),
    ]:
        out.append(
            Case(
                (rng.normal(size=(n, m)), rng.normal(size=(n, d)), rng.normal(size=(d, m))),
                f"{note}: x {n}x{d}, w {d}x{m}",
            )
        )
    return out


linear_backward = Question("linear_backward", truth)


@pytest.mark.points(1.5)
def test_linear_backward_dx(student, reference, rng):
    """Does linear_backward return the right dx?"""
    linear_backward.check(student, reference, cases(rng), compare("dx"))


@pytest.mark.points(1.5)
def test_linear_backward_dw(student, reference, rng):
    """Does linear_backward return the right dw?"""
    linear_backward.check(student, reference, cases(rng), compare("dw"))


@pytest.mark.points(1)
def test_linear_backward_db(student, reference, rng):
    """Does linear_backward return the right db, the sum of dout over the batch?"""
    linear_backward.check(student, reference, cases(rng), compare("db"))


@pytest.mark.points(1)
@pytest.mark.hidden
def test_linear_backward_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does linear_backward leave its inputs unchanged?"""
    dout, x, w = rng.normal(size=(4, 3)), rng.normal(size=(4, 5)), rng.normal(size=(5, 3))
    leaves_inputs_alone("linear_backward", (dout, x, w))
