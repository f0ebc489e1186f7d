"""sigmoid(x): elementwise, = torch.sigmoid; finite, exact and without overflow for |x| up
to 1e4."""

import numpy as np
import pytest

from autograder.checking import Case, Mismatch, agree, expect_array
from autograder.feedback import describe_value
from autograder.questions import Question


def truth(reference, x):
    import torch

    ref = reference.sigmoid(x)
    t = torch.sigmoid(torch.from_numpy(x))
    return agree(ref, t.numpy(), what=f"sigmoid of shape {x.shape}")


sigmoid = Question("sigmoid", truth)

EXTREME = np.array([-1e4, -800.0, -30.0, 0.0, 30.0, 800.0, 1e4])


@pytest.mark.points(3)
def test_sigmoid_matches_pytorch(student, reference, rng):
    """Does sigmoid match PyTorch's torch.sigmoid, elementwise, on inputs of any shape?"""
    sigmoid.check(
        student,
        reference,
        [
            Case((np.array([-1.0, 0.0, 2.0]),), "a few values around 0"),
            Case((rng.normal(size=(2, 4)),), "a 2-D array"),
            Case((5 * rng.normal(size=(3, 3)),), "larger values"),
            Case((rng.normal(size=(2, 3, 2, 2)),), "an (N, C, H, W) feature map"),
        ],
    )


@pytest.mark.points(3)
def test_sigmoid_extreme_inputs(student, reference):
    """Does sigmoid stay finite and exact for inputs as large as 1e4 and as small as -1e4?"""
    sigmoid.check(
        student,
        reference,
        [
            Case((np.array([1e4]),), "x = 1e4: exp(x) overflows"),
            Case((np.array([-1e4]),), "x = -1e4: exp(-x) overflows"),
            Case((EXTREME,), "from -1e4 to 1e4"),
            Case(
                (np.array([[-710.0, -40.0, 40.0], [710.0, -5.0, 5.0]]),),
                "just past the overflow of exp (709.8) on both sides",
            ),
        ],
    )


NO_OVERFLOW = """
import numpy as np
with np.errstate(over="raise", invalid="raise"):
    try:
        result = {"out": student["sigmoid"](inputs["x"])}
    except FloatingPointError as error:
        result = {"error": str(error)}
"""


@pytest.mark.points(1)
def test_sigmoid_no_overflow(student, reference):
    """Does sigmoid compute its result for |x| up to 1e4 without any overflow (no RuntimeWarning
    from np.exp)?
    """
    label = "sigmoid(x) under np.errstate(over='raise', invalid='raise')"
    got = student.run(NO_OVERFLOW, label=label, function="sigmoid", x=EXTREME)
    if not isinstance(got, dict) or not ({"out", "error"} & set(got)):
        raise Mismatch(f"{label} came back as {describe_value(got)}, which the grader cannot read.")
    if "error" in got:
        raise Mismatch(
            f"{label} with x = {describe_value(EXTREME)}\nstopped with FloatingPointError: "
            f"{str(got['error'])[:200]}.\nAn intermediate value overflowed (or became nan), even if "
            "the final value is right: exponentiate only numbers <= 0, e.g. exp(-|x|), and remember "
            "that np.where computes both of its branches on every element."
        )
    expect_array(got["out"], sigmoid.expected(reference, EXTREME), what="The result")


@pytest.mark.points(1)
@pytest.mark.hidden
def test_sigmoid_leaves_inputs_alone(leaves_inputs_alone, rng):
    """Does sigmoid leave its input unchanged?"""
    leaves_inputs_alone("sigmoid", (5 * rng.normal(size=(4, 5)),))
