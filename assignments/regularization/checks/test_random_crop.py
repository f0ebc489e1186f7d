"""random_crop(images, rng, padding=4) -> (cropped, offsets): zero-pad every image by
padding on each side, then cut out the H x W window at offsets[i] = (dy, dx), drawn
uniformly from 0..2 * padding per image and axis.

A Generator cannot travel to the kernel, so the checks run a snippet there that makes the
generators from seeds the grader chooses and sends back what random_crop returned; the
grader crops the images itself at the returned offsets and decides every verdict here.
"""

import numpy as np
import pytest

from autograder.checking import Mismatch
from autograder.feedback import describe_value
from autograder.questions import equal_data

CROP = """
import numpy as np
result = []
for seed in inputs["seeds"]:
    rng = np.random.default_rng(seed)
    if inputs["padding"] is None:
        result.append(student["random_crop"](inputs["images"], rng))
    else:
        result.append(student["random_crop"](inputs["images"], rng, inputs["padding"]))
"""

LEAVES = """
import numpy as np
images = inputs["images"]
student["random_crop"](images, np.random.default_rng(inputs["seed"]), inputs["padding"])
result = images
"""

SPREAD_TOLERANCE = 0.04
"""Largest distance of each offset value's frequency from 1 / (2 * padding + 1) over 3,000
images (the standard deviation is at most 0.0087, so a right answer is more than 4.5 of them
away from failing; the seeds are fixed, so the verdict never changes between grades)."""


def call_text(padding, seed):
    rest = "" if padding is None else f", padding={padding}"
    return f"random_crop(images, rng=np.random.default_rng({seed}){rest})"


def label(images, padding, seed):
    """The call with its input, as the feedback shows it."""
    return f"{call_text(padding, seed)} with images = {describe_value(images)}"


def crop(student, images, padding, seeds):
    """Call random_crop(images, default_rng(seed), padding) in the kernel for each seed (without
    padding when it is None); a list of (cropped, offsets), numeric arrays of the right shapes."""
    got = student.run(
        CROP,
        label=call_text(padding, seeds[0]),
        function="random_crop",
        images=images,
        padding=padding,
        seeds=[int(s) for s in seeds],
    )
    if not isinstance(got, list) or len(got) != len(seeds):
        raise Mismatch(
            f"{label(images, padding, seeds[0])}\ncame back as {describe_value(got)}, which the "
            "grader cannot read."
        )
    results = []
    for seed, result in zip(seeds, got, strict=True):
        what = label(images, padding, seed)
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise Mismatch(
                f"{what}\nreturned {describe_value(result, full=False)}; expected a tuple "
                "(cropped, offsets)."
            )
        cropped, offsets = result
        expected = {"cropped": images.shape, "offsets": (len(images), 2)}
        for name, value in (("cropped", cropped), ("offsets", offsets)):
            if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
                raise Mismatch(
                    f"{what}\nreturned {name} = {describe_value(value)}; expected an array."
                )
            if value.shape != expected[name]:
                raise Mismatch(
                    f"{what}\nreturned {name} of shape {value.shape}; expected shape "
                    f"{expected[name]}."
                )
        results.append((cropped, offsets))
    return results


def valid_offsets(offsets, padding, what):
    """The offsets as Python ints, each in 0..2 * padding (a Mismatch otherwise)."""
    p = 4 if padding is None else padding
    whole = (
        np.isfinite(offsets) & (offsets == np.round(offsets)) if offsets.dtype.kind == "f" else None
    )
    if whole is not None and not whole.all():
        i = int(np.argwhere(~whole)[0][0])
        raise Mismatch(
            f"{what}\nreturned offsets[{i}] = {offsets[i].tolist()}: offsets are whole numbers of "
            "pixels (draw them with rng.integers)."
        )
    bad = (offsets < 0) | (offsets > 2 * p)
    if bad.any():
        i = int(np.argwhere(bad)[0][0])
        raise Mismatch(
            f"{what}\nreturned offsets[{i}] = {offsets[i].tolist()}: with padding {p}, dy and dx "
            f"must each lie in 0..{2 * p} (2 * padding), so that the H x W window stays inside "
            "the padded image."
        )
    return [(int(dy), int(dx)) for dy, dx in offsets]


def crop_at(images, offsets, padding):
    """The grader's own crops of ``images`` at ``offsets``."""
    p = 4 if padding is None else padding
    _, _, h, w = images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))
    return np.stack([padded[i, :, dy : dy + h, dx : dx + w] for i, (dy, dx) in enumerate(offsets)])


def expect_crops(images, padding, seed, cropped, offsets, hint):
    what = label(images, padding, seed)
    offsets = valid_offsets(offsets, padding, what)
    expected = crop_at(images, offsets, padding)
    for i, (dy, dx) in enumerate(offsets):
        if not np.array_equal(cropped[i], expected[i]):
            raise Mismatch(
                f"{what}\nreturned offsets[{i}] = ({dy}, {dx}), but cropped[{i}] is not the window "
                f"at (dy, dx) = ({dy}, {dx}) of the zero-padded image.\n"
                f"Expected cropped[{i}] = {describe_value(expected[i])}\n"
                f"Got      cropped[{i}] = {describe_value(cropped[i])}\n{hint}"
            )


def seed_of(rng):
    return int(rng.integers(2**31))


@pytest.mark.points(4)
def test_random_crop_matches_offsets(student, rng):
    """Is every crop exactly the H x W window at the returned offsets (dy, dx) of the zero-padded
    image?
    """
    cases = [
        (rng.normal(size=(2, 1, 3, 3)), 0),
        (rng.normal(size=(2, 1, 3, 4)), 1),
        (rng.normal(size=(3, 2, 4, 5)), 2),
        (rng.normal(size=(4, 3, 6, 6)), None),
    ]
    for images, padding in cases:
        seed = seed_of(rng)
        ((cropped, offsets),) = crop(student, images, padding, [seed])
        expect_crops(
            images,
            padding,
            seed,
            cropped,
            offsets,
            "offsets[i] = (dy, dx) is the top-left corner of the window in the padded image: "
            "rows dy to dy + H - 1, columns dx to dx + W - 1 (with padding 0 every crop is the "
            "image itself; the default padding is 4).",
        )


@pytest.mark.points(2)
def test_random_crop_offsets_in_range(student, rng):
    """Are the offsets an integer array of shape (N, 2) with every dy and dx in 0..2 * padding?"""
    images = np.zeros((200, 1, 2, 2))
    for padding in (1, 2, None):
        seed = seed_of(rng)
        ((_, offsets),) = crop(student, images, padding, [seed])
        what = label(images, padding, seed)
        if offsets.dtype.kind not in "iu":
            raise Mismatch(
                f"{what}\nreturned offsets of dtype {offsets.dtype}; expected an integer array "
                "(rng.integers draws integers)."
            )
        valid_offsets(offsets, padding, what)


@pytest.mark.points(2)
def test_random_crop_offsets_spread(student, rng):
    """Over 3,000 images, does each of dy and dx take every value of 0..2 * padding about equally
    often (within 0.04), independently of each other and from image to image?
    """
    images = np.zeros((3000, 1, 1, 1))
    for padding in (None, 1):
        p = 4 if padding is None else padding
        k = 2 * p + 1
        seed = seed_of(rng)
        ((_, offsets),) = crop(student, images, padding, [seed])
        what = f"{call_text(padding, seed)} with 3,000 images"
        drawn = valid_offsets(offsets, padding, label(images, padding, seed))
        offsets = np.array(drawn)
        for axis, name in enumerate(("dy", "dx")):
            freq = np.bincount(offsets[:, axis], minlength=k) / len(offsets)
            worst = int(np.argmax(np.abs(freq - 1 / k)))
            if abs(freq[worst] - 1 / k) > SPREAD_TOLERANCE:
                shares = ", ".join(f"{v}: {f:.3f}" for v, f in enumerate(freq))
                raise Mismatch(
                    f"{what}\ndrew {name} = {worst} for a share {freq[worst]:.3f} of the images; "
                    f"each of the {k} values 0..{2 * p} should come up about 1/{k} = {1 / k:.3f} of "
                    f"the time (within {SPREAD_TOLERANCE}). Shares of {name}: {shares}. Draw a new "
                    f"offset for every image with rng.integers(0, {2 * p + 1}, ...): the upper "
                    "bound of rng.integers is excluded."
                )
        same = float(np.mean(offsets[:, 0] == offsets[:, 1]))
        if abs(same - 1 / k) > SPREAD_TOLERANCE:
            raise Mismatch(
                f"{what}\ngave dy == dx for a share {same:.3f} of the images; independent draws "
                f"agree about 1/{k} = {1 / k:.3f} of the time (within {SPREAD_TOLERANCE}). Draw dy "
                "and dx separately."
            )


@pytest.mark.points(1)
def test_random_crop_zero_padding(student, rng):
    """Where a window reaches past the image, is the crop filled with zeros (the padding)?"""
    images = np.ones((30, 1, 3, 3))
    seed = seed_of(rng)
    ((cropped, offsets),) = crop(student, images, 2, [seed])
    expect_crops(
        images,
        2,
        seed,
        cropped,
        offsets,
        "The images are all ones: the pixels of the window that fall outside the image come "
        "from the padding and must be 0 (np.pad pads with zeros by default).",
    )


@pytest.mark.points(1)
def test_random_crop_keeps_dtype(student, rng):
    """Does random_crop keep the images' shape and dtype (uint8 and float32 images)?"""
    for images in (
        rng.integers(1, 256, size=(3, 3, 5, 5)).astype(np.uint8),
        rng.normal(size=(2, 3, 4, 6)).astype(np.float32),
    ):
        seed = seed_of(rng)
        ((cropped, _),) = crop(student, images, 2, [seed])
        if cropped.dtype != images.dtype:
            raise Mismatch(
                f"{label(images, 2, seed)}\nreturned cropped of dtype {cropped.dtype}; expected "
                f"{images.dtype}, the dtype of the images. A crop only moves pixels: build the "
                "result with the images' dtype (np.pad and np.empty_like keep it)."
            )


@pytest.mark.points(1)
def test_random_crop_uses_the_given_rng(student, rng):
    """Does random_crop draw its offsets from the rng it is given: the same offsets for two
    generators with the same seed, other offsets for another seed?
    """
    images = rng.normal(size=(10, 1, 4, 4))
    seed = seed_of(rng)
    first, again, other = crop(student, images, 2, [seed, seed, seed + 1])
    call = f"random_crop(images, rng, padding=2) with 10 images of shape {images.shape[1:]}"
    if not (np.array_equal(first[1], again[1]) and np.array_equal(first[0], again[0])):
        raise Mismatch(
            f"{call}, called twice with rng = np.random.default_rng({seed}), gave two different "
            f"results: offsets {first[1].tolist()} and then {again[1].tolist()}. Draw every random "
            "number from rng (rng.integers), not from np.random.* or a generator of your own."
        )
    if np.array_equal(first[1], other[1]):
        raise Mismatch(
            f"{call} gave the same offsets for rng = np.random.default_rng({seed}) and for "
            f"np.random.default_rng({seed + 1}). Draw the offsets from the rng you are given, not "
            "from a generator with a fixed seed."
        )


@pytest.mark.points(1)
@pytest.mark.hidden
def test_random_crop_leaves_inputs_alone(student, rng):
    """Does random_crop leave its input images unchanged?"""
    images = rng.normal(size=(3, 2, 4, 4))
    seed = seed_of(rng)
    call = call_text(2, seed)
    after = student.run(
        LEAVES, label=call, function="random_crop", images=images, padding=2, seed=seed
    )
    if not equal_data(images, after):
        raise Mismatch(
            f"{call} changed its input images in place. A function must not modify its inputs: "
            "pad into a new array and copy the windows out of it."
        )
