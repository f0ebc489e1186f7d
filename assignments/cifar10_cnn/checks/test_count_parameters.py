"""count_parameters(model): the number of trainable parameters, an int."""

import numpy as np
import pytest
from cifar10_support import FrozenPartNet, kernel_code, kind

YOURS = """
model = student["CifarCNN"]()
result = {
    "count": student["count_parameters"](model),
    "params": [(list(p.shape), bool(p.requires_grad)) for p in model.parameters()],
}
"""


def _expect_int(got, expected, what):
    assert isinstance(got, (int, np.integer)) and not isinstance(got, bool), (
        f"count_parameters({what}) returned {kind(got)}; expected the int {expected}."
    )
    assert got == expected, (
        f"count_parameters({what}) returned {got}; PyTorch counts {expected} trainable parameters."
    )


@pytest.mark.points(4)
def test_count_parameters_matches_pytorch_on_your_model(student):
    """Does count_parameters(CifarCNN()) match PyTorch's count of trainable parameters?"""
    got = student.run(YOURS, label="count_parameters(CifarCNN())")
    expected = sum(int(np.prod(shape)) for shape, grad in got["params"] if grad)
    _expect_int(got["count"], expected, "CifarCNN()")


GRADERS = kernel_code("""
result = student["count_parameters"](FrozenPartNet())
""")


@pytest.mark.points(4)
def test_count_parameters_skips_frozen_parameters_and_buffers(student):
    """On a model with a frozen layer and BatchNorm buffers, does count_parameters count only trainable parameters?"""
    got = student.run(GRADERS, label="count_parameters(model with a frozen layer)")
    expected = sum(p.numel() for p in FrozenPartNet().parameters() if p.requires_grad)
    _expect_int(got, expected, "a model with a frozen layer")


@pytest.mark.points(2)
def test_count_parameters_returns_an_int(student):
    """Does count_parameters return a plain int (not a tensor or a float)?"""
    got = student.run(YOURS, label="count_parameters(CifarCNN())")
    count = got["count"]
    assert isinstance(count, (int, np.integer)) and not isinstance(count, bool), (
        f"count_parameters returned {kind(count)}; return an int, e.g. "
        "sum(p.numel() for p in model.parameters() if p.requires_grad)."
    )
