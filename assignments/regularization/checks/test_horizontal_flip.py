"""horizontal_flip(images, rng, p=0.5) -> (flipped, flags): each image mirrored along W
(the last axis) with probability p; flags (bool, (N,)) says which.

A Generator cannot travel to the kernel, so the checks run a snippet there that makes the
generators from seeds the grader chooses and sends back what horizontal_flip returned; the
grader flips the flagged images itself and decides every verdict here.
"""

import numpy as np
import pytest

from autograder.checking import Mismatch
from autograder.feedback import describe_value
from autograder.questions import equal_data

FLIP = """
import numpy as np
result = []
for seed in inputs["seeds"]:
    rng = np.random.default_rng(seed)
    if inputs["p"] is None:
        result.append(student["horizontal_flip"](inputs["images"], rng))
    else:
        result.append(student["horizontal_flip"](inputs["images"], rng, inputs["p"]))
"""

LEAVES = """
import numpy as np
images = inputs["images"]
student["horizontal_flip"](images, np.random.default_rng(inputs["seed"]), 0.5)
result = images
"""

RATE_TOLERANCE = 0.04
"""Largest distance of the share of flipped images from p over 4,000 images (the standard
deviation is at most 0.008, so a right answer is 5 of them away from failing; the seeds are
fixed, so the verdict never changes between grades)."""


def call_text(p, seed):
    rest = "" if p is None else f", p={p}"
    return f"horizontal_flip(images, rng=np.random.default_rng({seed}){rest})"


def label(images, p, seed):
    """The call with its input, as the feedback shows it."""
    return f"{call_text(p, seed)} with images = {describe_value(images)}"


def flip(student, images, p, seeds):
    """Call horizontal_flip(images, default_rng(seed), p) in the kernel for each seed (without p
    when it is None); a list of (flipped, flags): arrays of the right shapes, flags 0 or 1."""
    got = student.run(
        FLIP,
        label=call_text(p, seeds[0]),
        function="horizontal_flip",
        images=images,
        p=p,
        seeds=[int(s) for s in seeds],
    )
    if not isinstance(got, list) or len(got) != len(seeds):
        raise Mismatch(
            f"{label(images, p, seeds[0])}\ncame back as {describe_value(got)}, which the grader "
            "cannot read."
        )
    results = []
    for seed, result in zip(seeds, got, strict=True):
        what = label(images, p, seed)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mismatch(
                f"{what}\nreturned {describe_value(result, full=False)}; expected a tuple "
                "(flipped, flags)."
            )
        flipped, flags = result
        expected = {"flipped": images.shape, "flags": (len(images),)}
        for name, value in (("flipped", flipped), ("flags", flags)):
            if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
                raise Mismatch(
                    f"{what}\nreturned {name} = {describe_value(value)}; expected an array."
                )
            if value.shape != expected[name]:
                raise Mismatch(
                    f"{what}\nreturned {name} of shape {value.shape}; expected shape "
                    f"{expected[name]}."
                )
        if not np.isin(flags, (0, 1)).all():
            raise Mismatch(
                f"{what}\nreturned flags = {describe_value(flags)}; expected booleans, True for "
                "the images that were flipped."
            )
        results.append((flipped, flags))
    return results


def seed_of(rng):
    return int(rng.integers(2**31))


@pytest.mark.points(4)
def test_horizontal_flip_matches_flags(student, rng):
    """Is every image mirrored left-to-right (along W, the last axis) exactly when its flag is True,
    and left as it is otherwise?
    """
    cases = [
        (rng.normal(size=(4, 1, 2, 3)), None),
        (rng.normal(size=(5, 2, 3, 3)), 0.5),
        (rng.normal(size=(6, 3, 2, 4)), 0.3),
        (rng.normal(size=(3, 2, 3, 2)), 1.0),
    ]
    for images, p in cases:
        seed = seed_of(rng)
        ((flipped, flags),) = flip(student, images, p, [seed])
        for i, flag in enumerate(flags):
            expected = images[i, :, :, ::-1] if flag else images[i]
            if not np.array_equal(flipped[i], expected):
                state = "True: it is mirrored along W" if flag else "False: it is unchanged"
                raise Mismatch(
                    f"{label(images, p, seed)}\nreturned flags = {describe_value(flags)}, but "
                    f"flipped[{i}] is not images[{i}] as its flag says ({state}, "
                    f"images[{i}, :, :, ::-1]).\n"
                    f"Expected flipped[{i}] = {describe_value(expected)}\n"
                    f"Got      flipped[{i}] = {describe_value(flipped[i])}"
                )


@pytest.mark.points(3)
def test_horizontal_flip_rate(student, rng):
    """Over 4,000 images, does horizontal_flip flip a share p of them (p = 0.5 and 0.2, within
    0.04; none for p = 0, all for p = 1)?
    """
    images = np.zeros((4000, 1, 1, 2))
    for p, tolerance in ((None, RATE_TOLERANCE), (0.2, RATE_TOLERANCE), (0.0, 0.0), (1.0, 0.0)):
        seed = seed_of(rng)
        ((_, flags),) = flip(student, images, p, [seed])
        share = float(np.mean(flags))
        expected = 0.5 if p is None else p
        if abs(share - expected) > tolerance:
            within = f"within {tolerance}" if tolerance else "exactly"
            raise Mismatch(
                f"{call_text(p, seed)} with 4,000 images\nflipped a share {share:.4f} of the "
                f"images (flags that are True); expected p = {expected} ({within}; the default p "
                "is 0.5). Flip each image, independently, when its random number is below p."
            )


@pytest.mark.points(1)
def test_horizontal_flip_keeps_dtype(student, rng):
    """Does horizontal_flip keep the images' shape and dtype (uint8 and float32 images) and
    return the flags as a boolean array?
    """
    for images in (
        rng.integers(1, 256, size=(4, 3, 3, 5)).astype(np.uint8),
        rng.normal(size=(3, 2, 4, 4)).astype(np.float32),
    ):
        seed = seed_of(rng)
        ((flipped, flags),) = flip(student, images, 0.5, [seed])
        if flipped.dtype != images.dtype:
            raise Mismatch(
                f"{label(images, 0.5, seed)}\nreturned flipped of dtype {flipped.dtype}; expected "
                f"{images.dtype}, the dtype of the images. A flip only moves pixels: start from a "
                "copy of the images."
            )
        if flags.dtype != np.bool_:
            raise Mismatch(
                f"{label(images, 0.5, seed)}\nreturned flags of dtype {flags.dtype}; expected a "
                "boolean array (dtype bool), True for the images that were flipped."
            )


@pytest.mark.points(1)
def test_horizontal_flip_uses_the_given_rng(student, rng):
    """Does horizontal_flip draw its flags from the rng it is given: the same flags for two
    generators with the same seed, other flags for another seed?
    """
    images = rng.normal(size=(40, 1, 2, 2))
    seed = seed_of(rng)
    first, again, other = flip(student, images, 0.5, [seed, seed, seed + 1])
    call = f"horizontal_flip(images, rng) with 40 images of shape {images.shape[1:]}"
    if not (np.array_equal(first[1], again[1]) and np.array_equal(first[0], again[0])):
        raise Mismatch(
            f"{call}, called twice with rng = np.random.default_rng({seed}), gave two different "
            "results. Draw every random number from rng (e.g. rng.random(N)), not from "
            "np.random.* or a generator of your own."
        )
    if np.array_equal(first[1], other[1]):
        raise Mismatch(
            f"{call} gave the same flags for rng = np.random.default_rng({seed}) and for "
            f"np.random.default_rng({seed + 1}). Draw the flags from the rng you are given, not "
            "from a generator with a fixed seed."
        )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_horizontal_flip_leaves_inputs_alone(student, rng):
    """Does horizontal_flip leave its input images unchanged?"""
    images = rng.normal(size=(6, 2, 3, 3))
    seed = seed_of(rng)
    call = call_text(0.5, seed)
    after = student.run(LEAVES, label=call, function="horizontal_flip", images=images, seed=seed)
    if not equal_data(images, after):
        raise Mismatch(
            f"{call} changed its input images in place. A function must not modify its inputs: "
            "flip the images of a copy (images.copy()) or build a new array."
        )
