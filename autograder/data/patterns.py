"""The ten picture classes of the synthetic data set, drawn with NumPy.

Each class is a binary pattern (stripes, checkers, a frame, dots, rings, a
plus, an x, a disc) with random period, phase, position and size within
limits, painted in a random colour pair with random polarity (the pattern is
the lighter colour or the darker one, 50/50), plus pixel noise. Because the
polarity is a coin flip, every class's mean image is the same flat gray: a
model with no nonlinearity finds no class information in the pixels, while a
small CNN learns the classes within a few hundred gradient steps.

Every class is symmetric under a horizontal flip (the diagonal stripes come in
both directions), so random flips during training never turn one class into
another.

The parameters below are tuned with ``benchmarks/synthetic_learnability.py``;
changing any of them changes the data set, so bump ``GENERATOR_VERSION`` in
``synthetic.py`` when you do.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

SIZE = 32
CLASS_NAMES = (
    "h-stripes", "v-stripes", "diagonals", "checkers", "frame",
    "dots", "rings", "plus", "x-cross", "disc",
)  # fmt: skip
PERIOD = (4.0, 8.0)
"""Stripe and ring period in pixels (half of it foreground)."""
CONTRAST = (0.35, 0.5)
"""Half the gap between the two colours of a picture, as a fraction of full scale."""
HUE = 0.3
"""Each channel's contrast is scaled by up to this fraction more or less (a colour tint)."""
NOISE = 9.6
"""Standard deviation of the Gaussian pixel noise, in 0-255 units."""
# Every picture's mean is 0.5 in each channel and its standard deviation near 0.2, as in
# CIFAR-10 (CIFAR10_MEAN, CIFAR10_STD), so the course's normalization constants fit this set
# too, and a picture's brightness says nothing about its class.

Mask = np.ndarray  # (n, SIZE, SIZE) bool
_Grid = tuple[np.ndarray, np.ndarray]  # y, x: (1, SIZE, SIZE) float32 pixel coordinates


def _uniform(rng: np.random.Generator, n: int, low: float, high: float) -> np.ndarray:
    return rng.uniform(low, high, size=(n, 1, 1)).astype(np.float32)


def _stripes(t: np.ndarray, rng: np.random.Generator, n: int) -> Mask:
    period, phase = _uniform(rng, n, *PERIOD), _uniform(rng, n, 0.0, 1.0)
    return np.mod(t / period + phase, 1.0) < 0.5


def _h_stripes(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    return _stripes(grid[0], rng, n)


def _v_stripes(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    return _stripes(grid[1], rng, n)


def _diagonals(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    direction = np.where(rng.random((n, 1, 1)) < 0.5, 1.0, -1.0).astype(np.float32)
    return _stripes((x + direction * y) / np.sqrt(2.0), rng, n)


def _checkers(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    cell = _uniform(rng, n, 5.0, 8.0)
    cells = np.floor(x / cell + _uniform(rng, n, 0, 1)) + np.floor(
        y / cell + _uniform(rng, n, 0, 1)
    )
    return np.mod(cells, 2.0) == 1.0


def _frame(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    cy, cx = _uniform(rng, n, 12, 20), _uniform(rng, n, 12, 20)
    half, width = _uniform(rng, n, 7, 11), _uniform(rng, n, 2.5, 4.0)
    distance = np.maximum(np.abs(x - cx), np.abs(y - cy))  # Chebyshev: squares around the centre
    return (distance < half) & (distance > half - width)


def _dots(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    spacing, radius = _uniform(rng, n, 5, 8), _uniform(rng, n, 1.3, 2.2)
    dx = np.mod(x + _uniform(rng, n, 0, 8), spacing) - spacing / 2
    dy = np.mod(y + _uniform(rng, n, 0, 8), spacing) - spacing / 2
    return dx * dx + dy * dy < radius * radius


def _rings(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    cy, cx = _uniform(rng, n, 10, 22), _uniform(rng, n, 10, 22)
    return _stripes(np.sqrt((x - cx) ** 2 + (y - cy) ** 2), rng, n)


def _bars(a: np.ndarray, b: np.ndarray, rng: np.random.Generator, n: int) -> Mask:
    """Two bars crossing at the origin of the (a, b) coordinates."""
    width, half_length = _uniform(rng, n, 3, 6), _uniform(rng, n, 10, 14)
    a, b = np.abs(a), np.abs(b)
    return ((a < width / 2) & (b < half_length)) | ((b < width / 2) & (a < half_length))


def _plus(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    cy, cx = _uniform(rng, n, 12, 20), _uniform(rng, n, 12, 20)
    return _bars(x - cx, y - cy, rng, n)


def _x_cross(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    cy, cx = _uniform(rng, n, 12, 20), _uniform(rng, n, 12, 20)
    u, v = x - cx, y - cy
    return _bars((u + v) / np.sqrt(2.0), (u - v) / np.sqrt(2.0), rng, n)


def _disc(rng: np.random.Generator, n: int, grid: _Grid) -> Mask:
    y, x = grid
    cy, cx, radius = _uniform(rng, n, 12, 20), _uniform(rng, n, 12, 20), _uniform(rng, n, 7, 12)
    return (x - cx) ** 2 + (y - cy) ** 2 < radius * radius


_DRAW: tuple[Callable[[np.random.Generator, int, _Grid], Mask], ...] = (
    _h_stripes, _v_stripes, _diagonals, _checkers, _frame,
    _dots, _rings, _plus, _x_cross, _disc,
)  # fmt: skip


def _colour_pairs(rng: np.random.Generator, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(foreground, background) colours, (n, 3) each, that give every picture a mean of 0.5.

    Which of the two is lighter is a coin flip (the polarity).
    """
    n = len(mask)
    f = mask.reshape(n, -1).mean(axis=1)[:, None]  # (n, 1) foreground fraction
    tint = 1 + rng.uniform(-HUE, HUE, size=(n, 3))
    c = rng.uniform(*CONTRAST, size=(n, 1)) * tint
    c = np.where(rng.random((n, 1)) < 0.5, c, -c)
    foreground = 0.5 + (1 - f) * c
    background = 0.5 - f * c
    return np.clip(foreground, 0, 1).astype(np.float32), np.clip(background, 0, 1).astype(
        np.float32
    )


def render(rng: np.random.Generator, labels: np.ndarray) -> np.ndarray:
    """Draw one image per label.

    Args:
        rng: the random source; the same state and labels give the same images.
        labels: (N,) integers in [0, 10).

    Returns:
        (N, 32, 32, 3) uint8 images, height-width-channel like CIFAR-10 in torchvision.
    """
    labels = np.asarray(labels)
    images = np.empty((len(labels), SIZE, SIZE, 3), np.uint8)
    y, x = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    grid = (y[None], x[None])
    for label, draw in enumerate(_DRAW):
        where = np.flatnonzero(labels == label)
        if len(where) == 0:
            continue
        n = len(where)
        mask = draw(rng, n, grid)[..., None].astype(np.float32)  # (n, H, W, 1)
        foreground, background = _colour_pairs(rng, mask)
        picture = background[:, None, None, :] + mask * (foreground - background)[:, None, None, :]
        picture = picture * 255.0 + NOISE * rng.standard_normal(picture.shape, dtype=np.float32)
        images[where] = np.clip(np.rint(picture), 0, 255).astype(np.uint8)
    return images
