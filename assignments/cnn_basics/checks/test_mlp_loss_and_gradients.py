"""mlp_loss_and_gradients(x, y, params): (loss, grads) of linear - ReLU - linear - mean
cross-entropy, = autograd."""

import numpy as np
import pytest

from autograder.checking import (
    Case,
    Mismatch,
    agree,
    expect_array,
    expect_float,
    expect_tuple,
)
from autograder.feedback import describe_value
from autograder.questions import Question

KEYS = ("W1", "b1", "W2", "b2")


def truth(reference, x, y, params):
    import torch
    import torch.nn.functional as F

    ref_loss, ref_grads = reference.mlp_loss_and_gradients(
        x, y, {k: v.copy() for k, v in params.items()}
    )
    t = {k: torch.from_numpy(v).clone().requires_grad_() for k, v in params.items()}
    h = torch.relu(torch.from_numpy(x) @ t["W1"] + t["b1"])
    loss = F.cross_entropy(h @ t["W2"] + t["b2"], torch.from_numpy(y))
    loss.backward()
    grads = {
        k: agree(ref_grads[k], t[k].grad.numpy(), what=f"grads[{k!r}] of mlp_loss_and_gradients")
        for k in KEYS
    }
    return float(agree(ref_loss, loss.item(), what="the loss of mlp_loss_and_gradients")), grads


def compare(*which):
    """Compare the loss and/or the gradients named in ``which``."""

    def check(got, expected):
        loss, grads = expect_tuple(got, ("loss", "grads"), what="The result")
        if "loss" in which:
            if isinstance(loss, np.ndarray) and loss.size == 1:
                loss = loss.reshape(())[()]  # the type of the loss is graded by cross_entropy
            expect_float(loss, expected[0], what="The returned loss")
        names = [k for k in KEYS if k in which]
        if names and (not isinstance(grads, dict) or not set(KEYS) <= set(grads)):
            raise Mismatch(
                f"The returned grads is {describe_value(grads)}; expected a dict with the keys "
                f"{', '.join(map(repr, KEYS))}, like params."
            )
        for k in names:
            expect_array(grads[k], expected[1][k], what=f"The returned grads[{k!r}]")

    return check


def network(rng, n, d, hidden, k, note):
    params = {
        "W1": rng.normal(size=(d, hidden)),
        "b1": 0.5 * rng.normal(size=hidden),
        "W2": rng.normal(size=(hidden, k)),
        "b2": 0.5 * rng.normal(size=k),
    }
    return Case((rng.normal(size=(n, d)), rng.integers(0, k, size=n), params), note)


def cases(rng):
    return [
        network(rng, 1, 2, 3, 2, "one example, 2 inputs, 3 hidden units, 2 classes"),
        network(rng, 4, 3, 5, 3, "a batch of 4, 5 hidden units, 3 classes"),
        network(rng, 6, 4, 6, 4, "a batch of 6, 6 hidden units, 4 classes"),
    ]


def relu_at_zero(rng):
    """Hidden units whose pre-activation is exactly 0 (a zero input row, zero biases): the
    ReLU's gradient there is 0, as in relu_backward."""
    x, y, params = network(rng, 4, 3, 5, 3, "").args
    x[1] = 0.0
    params["b1"][[0, 2]] = 0.0
    return Case((x, y, params), "pre-activations exactly 0 (a zero input row, zero biases)")


def large_logits(rng, n, d, hidden, k, scale, note):
    """A network whose second layer is scaled up, so its logits reach the hundreds."""
    x, y, params = network(rng, n, d, hidden, k, note).args
    params["W2"] = scale * params["W2"]
    params["b2"] = scale * params["b2"]
    return Case((x, y, params), note)


mlp_loss_and_gradients = Question("mlp_loss_and_gradients", truth)


@pytest.mark.points(2)
def test_mlp_loss_and_gradients_loss(student, reference, rng):
    """Does mlp_loss_and_gradients return the right loss, the mean cross-entropy of the network's
    logits?
    """
    mlp_loss_and_gradients.check(student, reference, cases(rng), compare("loss"))


@pytest.mark.points(2)
def test_mlp_loss_and_gradients_second_layer(student, reference, rng):
    """Does mlp_loss_and_gradients return the right gradients of the second layer, grads['W2'] and
    grads['b2']?
    """
    mlp_loss_and_gradients.check(student, reference, cases(rng), compare("W2", "b2"))


@pytest.mark.points(2)
def test_mlp_loss_and_gradients_first_layer(student, reference, rng):
    """Does mlp_loss_and_gradients return the right gradients of the first layer, grads['W1'] and
    grads['b1'] (backpropagated through the ReLU, whose gradient at exactly 0 is 0)?
    """
    mlp_loss_and_gradients.check(
        student, reference, [*cases(rng), relu_at_zero(rng)], compare("W1", "b1")
    )


@pytest.mark.points(1)
def test_mlp_loss_and_gradients_large_logits(student, reference, rng):
    """Do mlp_loss_and_gradients's loss and gradients stay finite and correct when the network's
    logits are in the hundreds (exp overflows unless the row maximum is subtracted)?
    """
    mlp_loss_and_gradients.check(
        student,
        reference,
        [
            large_logits(rng, 2, 3, 4, 3, 400.0, "second layer 400 times larger"),
            large_logits(rng, 5, 4, 6, 4, 1000.0, "second layer 1000 times larger"),
        ],
        compare("loss", "W1", "b1", "W2", "b2"),
    )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_mlp_loss_and_gradients_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does mlp_loss_and_gradients leave its inputs, the params dict included, unchanged?"""
    leaves_inputs_alone("mlp_loss_and_gradients", network(rng, 5, 3, 4, 3, "").args)
