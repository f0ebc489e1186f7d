# question: conv2d_forward
# bug: pads 2 * padding zeros at the bottom and right only instead of padding on every side
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    p = padding
    x_pad = np.pad(x, ((0, 0), (0, 0), (0, 2 * p), (0, 2 * p)))
    H_out = (H + 2 * p - kh) // stride + 1
    W_out = (W + 2 * p - kw) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            patch = x_pad[:, :, i * stride : i * stride + kh, j * stride : j * stride + kw]
            out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    return out
