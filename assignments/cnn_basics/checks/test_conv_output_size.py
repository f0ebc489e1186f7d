"""conv_output_size(w_in, kernel_size, padding=0, stride=1): the output width, a Python int.

PyTorch has no function for this; the truth is the reference solution, which is
checked here against the formula floor((w_in - kernel_size + 2 * padding) / stride) + 1.
"""

import numpy as np
import pytest

from autograder.checking import Case, GraderBug, Mismatch
from autograder.errors import StudentRaised
from autograder.feedback import describe_value
from autograder.questions import Question


def truth(reference, w_in, kernel_size, padding=0, stride=1):
    ref = reference.conv_output_size(w_in, kernel_size, padding, stride)
    formula = (w_in - kernel_size + 2 * padding) // stride + 1
    if type(ref) is not int or ref != formula:
        raise GraderBug("the reference solution disagrees with the formula on conv_output_size")
    return ref


def show(value):
    """A result as a student would write it, with its type when that is not obvious."""
    if isinstance(value, np.generic):
        return f"{value.item()!r} (a numpy.{type(value).__name__})"
    return describe_value(value)


def same_number(got, expected):
    """The value, whatever its type (the type has a check of its own)."""
    if isinstance(got, bool) or not isinstance(got, (int, float)) and not hasattr(got, "item"):
        raise Mismatch(f"The result is {show(got)}; expected the number {expected}.")
    try:
        value = got.item() if hasattr(got, "item") else got
    except ValueError:
        raise Mismatch(f"The result is {show(got)}; expected one number, {expected}.") from None
    if value != expected:
        raise Mismatch(f"The result is {show(got)}; expected {expected}.")


conv_output_size = Question("conv_output_size", truth, same_number)


def call_label(args):
    return f"conv_output_size({', '.join(str(a) for a in args)})"


@pytest.mark.points(1)
def test_conv_output_size_matches_course_example(student, reference):
    """Does conv_output_size(28, 5, 2, 1) give the course's answer, 28?"""
    args = (28, 5, 2, 1)
    expected = conv_output_size.expected(reference, *args)
    got = student.conv_output_size(*args)
    try:
        same_number(got, expected)
    except Mismatch as error:
        raise Mismatch(
            f"{call_label(args)} is the course's example (a 5x5 kernel with padding 2 keeps a "
            f"width of 28). {error}"
        ) from None


@pytest.mark.points(1.5)
def test_conv_output_size_follows_the_formula(student, reference):
    """Does conv_output_size follow floor((w_in - kernel_size + 2 * padding) / stride) + 1?"""
    cases = [
        Case((7, 3), "default padding 0 and stride 1"),
        Case((7, 3, 0, 2), "stride 2"),
        Case((8, 3, 0, 2), "stride 2 that does not divide evenly (round down)"),
        Case((5, 3, 1, 1), "padding 1"),
        Case((10, 4, 1, 3), "padding and stride, rounded down"),
        Case((32, 3, 1, 2), "padding and stride"),
        Case((6, 6, 0, 1), "kernel as large as the input"),
        Case((1, 1, 0, 5), "one pixel in, one pixel out"),
    ]
    conv_output_size.check(student, reference, cases)


@pytest.mark.points(1)
def test_conv_output_size_returns_python_int(student):
    """Does conv_output_size return a Python int (not a float or a NumPy integer)?"""
    for args in [(28, 5, 2, 1), (8, 3, 0, 2)]:
        got = student.conv_output_size(*args)
        if type(got) is int:
            continue
        kind = f"{type(got).__module__}.{type(got).__name__}"
        if isinstance(got, float) or "float" in kind:
            fix = (
                "Compute it with integer division (//) rather than / and floor, and "
                "return int(...) of the result."
            )
        else:
            fix = "Convert it before returning it, e.g. return int(size)."
        raise Mismatch(
            f"{call_label(args)} returned {got!s}, a {kind}; it must return a Python int "
            f"(a size is used in range(...) and in shapes). {fix}"
        )


def _expect_value_error(student, cases):
    for args, why in cases:
        try:
            got = student.conv_output_size(*args)
        except StudentRaised as error:
            if error.is_a("ValueError"):
                continue
            raise Mismatch(
                f"{call_label(args)} raised {error.type_name}"
                + (f": {error.message}" if error.message else "")
                + f"; expected a ValueError, because {why}."
            ) from None
        raise Mismatch(
            f"{call_label(args)} returned {show(got)}; expected it to raise a "
            f"ValueError, because {why}. Check the arguments and "
            f"raise ValueError('...') with a message that says what is wrong."
        )


@pytest.mark.points(1)
def test_conv_output_size_rejects_out_of_range_arguments(student):
    """Does conv_output_size raise ValueError for w_in < 1, kernel_size < 1, padding < 0 or stride <
    1?
    """
    _expect_value_error(
        student,
        [
            ((0, 1, 1, 1), "w_in = 0 is less than 1"),
            ((5, 0, 0, 1), "kernel_size = 0 is less than 1"),
            ((5, 3, -1, 1), "padding = -1 is negative"),
            ((5, 3, 0, 0), "stride = 0 is less than 1"),
        ],
    )


@pytest.mark.points(0.5)
@pytest.mark.hidden
def test_conv_output_size_rejects_an_empty_output(student):
    """Does conv_output_size raise ValueError when the kernel does not fit in the padded input?"""
    _expect_value_error(
        student,
        [
            (
                (3, 6, 1, 1),
                "a kernel of 6 does not fit in 3 + 2 * 1 = 5 pixels: the output would be empty",
            ),
        ],
    )
