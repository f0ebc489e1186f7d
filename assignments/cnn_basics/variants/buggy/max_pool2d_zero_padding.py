# question: max_pool2d
# bug: pads with zeros instead of -inf, so padding wins for negative inputs
import numpy as np


def max_pool2d(x, kernel_size=2, stride=2, padding=0):
    k, p = kernel_size, padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))  # zeros
    N, C, H, W = x_pad.shape
    H_out, W_out = (H - k) // stride + 1, (W - k) // stride + 1
    out = np.empty((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            window = x_pad[:, :, i * stride : i * stride + k, j * stride : j * stride + k]
            out[:, :, i, j] = window.max(axis=(2, 3))
    return out
