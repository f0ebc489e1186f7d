"""dropout_forward(x, p, training, rng) -> (out, mask): inverted dropout.

In training mode each entry of mask is 1 / (1 - p) with probability 1 - p and 0 otherwise,
drawn from the numpy.random.Generator rng, and out = x * mask; in evaluation mode out is x
and mask is all ones. A Generator cannot travel to the kernel, so the checks run a snippet
there that makes the generators from seeds the grader chooses and sends back what
dropout_forward returned; every verdict is decided here, from that data.
"""

import numpy as np
import pytest

from autograder.checking import Mismatch, expect_array, expect_tuple
from autograder.feedback import describe_value
from autograder.questions import equal_data

FORWARD = """
import numpy as np
result = [
    student["dropout_forward"](
        inputs["x"], inputs["p"], inputs["training"], np.random.default_rng(seed)
    )
    for seed in inputs["seeds"]
]
"""

LEAVES = """
import numpy as np
x = inputs["x"]
student["dropout_forward"](x, inputs["p"], True, np.random.default_rng(inputs["seed"]))
result = x
"""

KEPT_TOLERANCE = 0.015
"""Largest distance of the kept fraction from 1 - p over 40,000 units (the standard
deviation is at most 0.0025, so a right answer is more than 6 of them away from failing)."""

SCALE_RTOL = 1e-12
"""Kept entries of mask are 1 / (1 - p) and out is x * mask up to rounding (x / (1 - p) and
x * (1 / (1 - p)) may differ in the last bit)."""


def call_text(p, training, seed):
    return f"dropout_forward(x, p={p}, training={training}, rng=np.random.default_rng({seed}))"


def label(x, p, training, seed):
    """The call with its input, as the feedback shows it."""
    return f"{call_text(p, training, seed)} with x = {describe_value(x)}"


def forward(student, x, p, training, seeds):
    """Call dropout_forward(x, p, training, default_rng(seed)) in the kernel for each seed;
    a list of (out, mask), both checked to be numeric arrays of x's shape."""
    call = label(x, p, training, seeds[0])
    got = student.run(
        FORWARD,
        label=call_text(p, training, seeds[0]),
        function="dropout_forward",
        x=x,
        p=p,
        training=training,
        seeds=[int(s) for s in seeds],
    )
    if not isinstance(got, list) or len(got) != len(seeds):
        raise Mismatch(f"{call}\ncame back as {describe_value(got)}, which the grader cannot read.")
    results = []
    for seed, result in zip(seeds, got, strict=True):
        what = label(x, p, training, seed)
        out, mask = expect_tuple(result, ("out", "mask"), what=f"The result of {what}")
        for name, value in (("out", out), ("mask", mask)):
            if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
                raise Mismatch(
                    f"{what}\nreturned {name} = {describe_value(value)}; expected an array."
                )
            if value.shape != x.shape:
                raise Mismatch(
                    f"{what}\nreturned {name} of shape {value.shape}; expected x's shape {x.shape}."
                )
        results.append((out, mask))
    return results


def seed_of(rng):
    return int(rng.integers(2**31))


@pytest.mark.points(3)
def test_dropout_forward_keeps_one_minus_p(student, rng):
    """In training mode, does dropout_forward keep about a fraction 1 - p of the units (p = 0.3,
    0.5, 0.8; within 0.015 over 40,000 units)?
    """
    x = 1 + rng.random(size=(100, 400))
    for p in (0.3, 0.5, 0.8):
        seed = seed_of(rng)
        ((_, mask),) = forward(student, x, p, True, [seed])
        kept = float(np.mean(mask != 0))
        if abs(kept - (1 - p)) > KEPT_TOLERANCE:
            raise Mismatch(
                f"{call_text(p, True, seed)} with x of shape {x.shape}, all values in [1, 2)\n"
                f"kept {kept:.4f} of the units (entries of mask that are not 0); expected "
                f"1 - p = {1 - p:.4f}, within {KEPT_TOLERANCE} over {x.size:,} units. p is the "
                "probability of dropping a unit: keep a unit when its random number is >= p."
            )


def small_cases(rng):
    return [
        (rng.normal(size=(4, 5)), 0.5),
        (rng.normal(size=(3, 6)), 0.3),
        (rng.normal(size=(2, 3, 4, 4)), 0.75),
    ]


@pytest.mark.points(3)
def test_dropout_forward_mask_values(student, rng):
    """In training mode, does every entry of the mask hold either 0 or 1 / (1 - p) (inverted
    dropout)?
    """
    for x, p in small_cases(rng):
        seed = seed_of(rng)
        ((_, mask),) = forward(student, x, p, True, [seed])
        scale = 1 / (1 - p)
        good = (mask == 0) | np.isclose(mask, scale, rtol=SCALE_RTOL, atol=0)
        if not good.all():
            where = tuple(int(i) for i in np.argwhere(~good)[0])
            raise Mismatch(
                f"{label(x, p, True, seed)}\nreturned a mask with {int((~good).sum())} of "
                f"{mask.size} entries that are neither 0 nor 1 / (1 - p) = {scale:.6g}; the "
                f"first at index {where} is {float(mask[where]):.6g}.\n"
                f"mask = {describe_value(mask)}\nInverted dropout scales the kept units during "
                "training, so the mask holds the factor itself, not 1 (or True)."
            )


@pytest.mark.points(2)
def test_dropout_forward_output_is_x_times_mask(student, rng):
    """In training mode, is the output x * mask (up to rounding, rtol 1e-12), for the mask
    dropout_forward returns?
    """
    for x, p in small_cases(rng):
        seed = seed_of(rng)
        ((out, mask),) = forward(student, x, p, True, [seed])
        try:
            expect_array(out, x * mask, what="out", rtol=SCALE_RTOL, atol=0.0)
        except Mismatch as error:
            raise Mismatch(
                f"{label(x, p, True, seed)}\nreturned mask = {describe_value(mask)}\n"
                f"and an out that is not x * mask:\n{error}"
            ) from None


@pytest.mark.points(3)
def test_dropout_forward_evaluation_mode(student, rng):
    """In evaluation mode (training=False), is dropout_forward the identity: out equal to x and a
    mask of ones?
    """
    for x, p in [(rng.normal(size=(3, 4)), 0.5), (rng.normal(size=(2, 2, 3, 3)), 0.9)]:
        seed = seed_of(rng)
        ((out, mask),) = forward(student, x, p, False, [seed])
        if not np.array_equal(out, x):
            raise Mismatch(
                f"{label(x, p, False, seed)}\nreturned out = {describe_value(out)}\n"
                "In evaluation mode dropout does nothing: out must equal x exactly (no units "
                "dropped, no scaling; inverted dropout did its scaling during training)."
            )
        if not np.array_equal(mask, np.ones(x.shape)):
            raise Mismatch(
                f"{label(x, p, False, seed)}\nreturned mask = {describe_value(mask)}\n"
                "In evaluation mode every entry of the mask must be 1."
            )


@pytest.mark.points(1)
def test_dropout_forward_p_zero(student, rng):
    """In training mode with p = 0, does dropout_forward keep every unit (out equal to x, a mask of
    ones)?
    """
    x = rng.normal(size=(4, 6))
    seed = seed_of(rng)
    ((out, mask),) = forward(student, x, 0.0, True, [seed])
    if not (np.array_equal(out, x) and np.array_equal(mask, np.ones(x.shape))):
        raise Mismatch(
            f"{label(x, 0.0, True, seed)}\nreturned out = {describe_value(out)}\n"
            f"and mask = {describe_value(mask)}\nWith p = 0 no unit is dropped and 1 / (1 - p) is 1: "
            "out must equal x and every entry of the mask must be 1."
        )


@pytest.mark.points(2)
def test_dropout_forward_uses_the_given_rng(student, rng):
    """Does dropout_forward draw its random numbers from the rng it is given: the same mask for
    two generators with the same seed, another mask for another seed?
    """
    x = rng.normal(size=(20, 30))
    seed = seed_of(rng)
    first, again, other = forward(student, x, 0.5, True, [seed, seed, seed + 1])
    call = f"dropout_forward(x, p=0.5, training=True, rng) with x of shape {x.shape}"
    if not (np.array_equal(first[1], again[1]) and np.array_equal(first[0], again[0])):
        differ = int(np.sum(first[1] != again[1]))
        raise Mismatch(
            f"{call}, called twice with rng = np.random.default_rng({seed}), gave two different "
            f"results (the masks differ at {differ} of {x.size} entries). Draw every random "
            "number from rng (e.g. rng.random(x.shape)), not from np.random.* or a generator of "
            "your own."
        )
    if np.array_equal(first[1], other[1]):
        raise Mismatch(
            f"{call} gave the same mask for rng = np.random.default_rng({seed}) and for "
            f"np.random.default_rng({seed + 1}). Draw the random numbers from the rng you are "
            "given, not from a generator with a fixed seed."
        )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_dropout_forward_leaves_inputs_alone(student, rng):
    """Does dropout_forward leave its input x unchanged?"""
    x = rng.normal(size=(4, 5))
    seed = seed_of(rng)
    call = call_text(0.5, True, seed)
    after = student.run(LEAVES, label=call, function="dropout_forward", x=x, p=0.5, seed=seed)
    if not equal_data(x, after):
        raise Mismatch(
            f"{call} changed its input x in place. A function must not modify its inputs: build "
            "new arrays (e.g. x * mask) instead of writing into x (x *= ..., x[...] = ...)."
        )
