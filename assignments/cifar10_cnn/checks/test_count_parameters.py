"""count_parameters(model): the number of trainable parameters, an int.

Every model here is one the grader defines, so the truth is counted in the grader's own
process on its own copy of the model; the kernel only sends back what the student's
function returned.
"""

import numpy as np
import pytest
from cifar10_support import CifarSized, FrozenPartNet, kernel_code, kind

MODELS = {
    "CifarSized": "a CIFAR-10 network of about 0.9 million parameters, nested in Sequential blocks",
    "FrozenPartNet": "a network with a frozen layer and BatchNorm buffers",
}


def _count(name):
    return kernel_code(f'result = student["count_parameters"]({name}())\n')


def _truth(name):
    model = {"CifarSized": CifarSized, "FrozenPartNet": FrozenPartNet}[name]()
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def _expect_int(got, expected, what):
    assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), (
        f"count_parameters({what}) returned {kind(got)}; expected the int {expected}."
    )
    assert got == expected, (
        f"count_parameters({what}) returned {got}; PyTorch counts {expected} trainable parameters."
    )


@pytest.mark.points(4)
def test_count_parameters_matches_pytorch_on_a_cifar_sized_network(student):
    """On a CIFAR-10 network of the assignment's size, does count_parameters match PyTorch's count of trainable parameters?"""
    got = student.run(_count("CifarSized"), label="count_parameters(a CIFAR-10 network)")
    _expect_int(got, _truth("CifarSized"), MODELS["CifarSized"])


@pytest.mark.points(4)
def test_count_parameters_skips_frozen_parameters_and_buffers(student):
    """On a model with a frozen layer and BatchNorm buffers, does count_parameters count only trainable parameters?"""
    got = student.run(_count("FrozenPartNet"), label="count_parameters(model with a frozen layer)")
    _expect_int(got, _truth("FrozenPartNet"), MODELS["FrozenPartNet"])


@pytest.mark.points(2)
def test_count_parameters_returns_an_int(student):
    """Does count_parameters return a plain int (not a tensor or a float)?"""
    count = student.run(_count("CifarSized"), label="count_parameters(a CIFAR-10 network)")
    assert isinstance(count, (int, np.integer)) and not isinstance(count, bool), (
        f"count_parameters returned {kind(count)}; return an int, e.g. "
        "sum(p.numel() for p in model.parameters() if p.requires_grad)."
    )
