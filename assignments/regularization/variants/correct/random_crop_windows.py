# question: random_crop
# style: all windows at once with sliding_window_view, picked by fancy indexing; offsets drawn
# one by one with endpoint=True
import numpy as np


def random_crop(images, rng, padding=4):
    n, c, h, w = images.shape
    padded = np.pad(images, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))
    # windows: (N, C, 2p + 1, 2p + 1, H, W)
    offsets = np.array(
        [[rng.integers(0, 2 * padding, endpoint=True) for _ in range(2)] for _ in range(n)],
        dtype=np.int64,
    ).reshape(n, 2)
    cropped = windows[np.arange(n), :, offsets[:, 0], offsets[:, 1]]  # (N, C, H, W)
    return np.ascontiguousarray(cropped), offsets
