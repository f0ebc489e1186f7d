# question: random_crop
# bug: rng.integers(0, 2 * padding) excludes its upper bound: the offset 2 * padding never comes up
import numpy as np


def random_crop(images, rng, padding=4):
    N, C, H, W = images.shape
    p = padding
    padded = np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))
    offsets = rng.integers(0, 2 * p, size=(N, 2))
    cropped = np.empty_like(images)
    for i, (dy, dx) in enumerate(offsets):
        cropped[i] = padded[i, :, dy : dy + H, dx : dx + W]
    return cropped, offsets
