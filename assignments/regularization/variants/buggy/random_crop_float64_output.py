# question: random_crop
# bug: builds the result with np.zeros, which is float64 whatever the images' dtype
import numpy as np


def random_crop(images, rng, padding=4):
    N, C, H, W = images.shape
    p = padding
    padded = np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))
    offsets = rng.integers(0, 2 * p + 1, size=(N, 2))
    cropped = np.zeros((N, C, H, W))
    for i, (dy, dx) in enumerate(offsets):
        cropped[i] = padded[i, :, dy : dy + H, dx : dx + W]
    return cropped, offsets
