# question: random_crop
# bug: draws one offset for the whole batch instead of one per image
import numpy as np


def random_crop(images, rng, padding=4):
    N, C, H, W = images.shape
    p = padding
    padded = np.pad(images, ((0, 0), (0, 0), (p, p), (p, p)))
    dy, dx = rng.integers(0, 2 * p + 1, size=2)
    offsets = np.tile([dy, dx], (N, 1))
    return padded[:, :, dy : dy + H, dx : dx + W].copy(), offsets
