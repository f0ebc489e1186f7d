"""weight_decay_gradients(params, weight_decay): a dict with params' keys, weight_decay * W
for a weight and zeros for a bias (names starting with "b"); = autograd of the penalty, and
one torch.optim.SGD step with weight_decay (biases in a group without it) agrees with it."""

import numpy as np
import pytest

from autograder.checking import Case, Mismatch, agree, expect_array
from autograder.feedback import describe_value
from autograder.questions import Question

LR = 0.5


def is_bias(name):
    return name.startswith("b")


def truth(reference, params, weight_decay):
    import torch

    ref = reference.weight_decay_gradients({k: v.copy() for k, v in params.items()}, weight_decay)
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    penalty = torch.zeros((), dtype=torch.float64)
    for name, t in tensors.items():
        if not is_bias(name):
            penalty = penalty + 0.5 * weight_decay * (t**2).sum()
    penalty.backward()
    return {
        k: agree(
            ref[k],
            t.grad.numpy() if t.grad is not None else np.zeros(t.shape),
            what=f"grads[{k!r}] of weight_decay_gradients",
        )
        for k, t in tensors.items()
    }


def returned_dict(got, keys, params_keys):
    """``got`` is a dict holding at least ``keys`` (``params_keys``: all of them, for the
    message)."""
    if not isinstance(got, dict) or not set(keys) <= set(got):
        raise Mismatch(
            f"The returned grads is {describe_value(got, full=False)}; expected a dict with the "
            f"same keys as params, {', '.join(map(repr, params_keys))}, biases included."
        )
    return got


def compare(which):
    """Compare the weights' or the biases' gradients only (one check each)."""

    def check(got, expected):
        keys = [k for k in expected if is_bias(k) == (which == "biases")]
        grads = returned_dict(got, keys, list(expected))
        for k in keys:
            expect_array(grads[k], expected[k], what=f"The returned grads[{k!r}]")

    return check


weight_decay_gradients = Question("weight_decay_gradients", truth)


def two_layer(rng, d, hidden, k):
    return {
        "W1": rng.normal(size=(d, hidden)),
        "b1": rng.normal(size=hidden),
        "W2": rng.normal(size=(hidden, k)),
        "b2": rng.normal(size=k),
    }


def cases(rng):
    conv = {
        "W1": rng.normal(size=(2, 3, 2, 2)),
        "b1": rng.normal(size=2),
        "W2": rng.normal(size=(4, 3)),
        "b2": rng.normal(size=3),
        "W3": rng.normal(size=(3, 2)),
        "b3": rng.normal(size=2),
    }
    return [
        Case(({"W": np.array([[1.0, -2.0]]), "b": np.array([3.0])}, 0.1), "one small layer"),
        Case((two_layer(rng, 3, 4, 2), 0.01), "a two-layer network, weight_decay 0.01"),
        Case((two_layer(rng, 2, 3, 2), 0.5), "a two-layer network, weight_decay 0.5"),
        Case((conv, 0.05), "a convolution and two linear layers"),
    ]


@pytest.mark.points(3)
def test_weight_decay_gradients_weights(student, reference, rng):
    """Is the gradient of every weight weight_decay * W, as autograd computes it from the penalty?"""
    weight_decay_gradients.check(student, reference, cases(rng), compare("weights"))


@pytest.mark.points(2)
def test_weight_decay_gradients_biases(student, reference, rng):
    """Is the gradient of every bias (names starting with "b") an array of zeros of the bias's shape?"""
    weight_decay_gradients.check(student, reference, cases(rng), compare("biases"))


def sgd_step(reference, params, weight_decay):
    """The parameters after one torch.optim.SGD step with a zero data gradient: weights in a group
    with weight_decay, biases in a group without it."""
    import torch

    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    groups = [
        {"params": [t for k, t in tensors.items() if not is_bias(k)], "weight_decay": weight_decay},
        {"params": [t for k, t in tensors.items() if is_bias(k)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.SGD([g for g in groups if g["params"]], lr=LR)
    for t in tensors.values():
        t.grad = torch.zeros_like(t)
    optimizer.step()
    ref = reference.weight_decay_gradients({k: v.copy() for k, v in params.items()}, weight_decay)
    return (
        params,
        weight_decay,
        {
            k: agree(params[k] - LR * ref[k], t.detach().numpy(), what=f"the SGD step of {k!r}")
            for k, t in tensors.items()
        },
    )


def same_step(got, expected):
    params, weight_decay, after = expected
    grads = returned_dict(got, list(params), list(params))
    for k in params:
        try:
            step = params[k] - LR * np.asarray(grads[k], dtype=np.float64)
            expect_array(step, after[k], what=f"the step of params[{k!r}]")
        except (TypeError, ValueError):
            raise Mismatch(f"The returned grads[{k!r}] is {describe_value(grads[k])}.") from None
        except Mismatch as error:
            raise Mismatch(
                f"One SGD step with learning rate {LR} and a zero data gradient, params[{k!r}] - "
                f"{LR} * grads[{k!r}], does not move params[{k!r}] as torch.optim.SGD does with "
                f"weight_decay={weight_decay} for the weights and 0 for the biases.\n{error}",
                details=error.details,
            ) from None


sgd_steps = Question("weight_decay_gradients", sgd_step, same_step)


@pytest.mark.points(2)
def test_weight_decay_gradients_matches_sgd_step(student, reference, rng):
    """Does a gradient step with these gradients move the parameters as one step of
    torch.optim.SGD with weight_decay does (weights shrink by lr * weight_decay * W, biases stay)?
    """
    sgd_steps.check(
        student,
        reference,
        [
            Case((two_layer(rng, 3, 4, 2), 0.1), "a two-layer network, weight_decay 0.1"),
            Case((two_layer(rng, 2, 2, 3), 0.01), "a two-layer network, weight_decay 0.01"),
        ],
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_weight_decay_gradients_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does weight_decay_gradients leave the params dict and its arrays unchanged?"""
    leaves_inputs_alone("weight_decay_gradients", (two_layer(rng, 3, 4, 2), 0.1))
