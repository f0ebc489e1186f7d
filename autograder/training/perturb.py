"""The test images the kernel sees, altered afresh for every grade.

CIFAR-10's test set is public, so a model could carry a table of its images (their hashes,
say) instead of having learned anything. The grader therefore shows the kernel each test
image shifted by a few pixels (zero padding, as the training crops pad), maybe mirrored,
with faint noise, all drawn from a random source the kernel never sees: a CNN trained with
random crops and flips barely notices (``benchmarks/perturbed_accuracy.py`` measures it),
a lookup finds nothing. A small share of other test images goes as published, only to
flag a model that does much better on those.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Split:
    """The test set as the kernel gets it: ``altered`` images (every accuracy is measured on
    them) and, separately, ``plain`` ones with their labels kept by the grader."""

    altered: np.ndarray
    altered_labels: np.ndarray
    plain: np.ndarray
    plain_labels: np.ndarray


def alter(
    images: np.ndarray, rng: np.random.Generator, *, shift: int, flip: bool, noise: float
) -> np.ndarray:
    """``images`` (N, C, H, W) uint8, each shifted by up to ``shift`` pixels in each direction
    with zeros coming in, mirrored with probability 1/2 when ``flip``, with Gaussian noise
    of standard deviation ``noise``; a new uint8 array."""
    n, _, h, w = images.shape
    out = images
    if shift:
        padded = np.pad(images, ((0, 0), (0, 0), (shift, shift), (shift, shift)))
        dy = np.asarray(rng.integers(0, 2 * shift + 1, n))
        dx = np.asarray(rng.integers(0, 2 * shift + 1, n))
        rows = dy[:, None] + np.arange(h)[None, :]  # (N, H)
        cols = dx[:, None] + np.arange(w)[None, :]  # (N, W)
        index = np.arange(n)[:, None, None, None]
        chans = np.arange(images.shape[1])[None, :, None, None]
        out = padded[index, chans, rows[:, None, :, None], cols[:, None, None, :]]
    if flip:
        mirrored = np.asarray(rng.random(n)) < 0.5
        out = np.where(mirrored[:, None, None, None], out[..., ::-1], out)
    if noise:
        noisy = out.astype(np.float32) + rng.normal(0.0, noise, out.shape).astype(np.float32)
        out = np.clip(np.rint(noisy), 0, 255)
    return np.ascontiguousarray(out, dtype=np.uint8)


def split(
    images: np.ndarray,
    labels: np.ndarray,
    rng: np.random.Generator,
    *,
    plain_share: float,
    shift: int,
    flip: bool,
    noise: float,
) -> Split:
    """Shuffle the test set, keep ``plain_share`` of it as published and alter the rest."""
    order = rng.permutation(len(labels))
    images, labels = images[order], labels[order]
    n_plain = int(round(len(labels) * plain_share))
    altered = alter(images[n_plain:], rng, shift=shift, flip=flip, noise=noise)
    return Split(
        altered, labels[n_plain:], np.ascontiguousarray(images[:n_plain]), labels[:n_plain]
    )


def describe(shift: int, flip: bool, noise: float) -> str:
    """How the test images were altered, for the report."""
    parts = [f"shifted by up to {shift} pixels"] if shift else []
    parts += ["mirrored at random"] if flip else []
    parts += [f"with noise (standard deviation {noise:g} of 255)"] if noise else []
    if not parts:
        return "as published"
    return "each " + ", ".join(parts) + ", afresh for every grade"
