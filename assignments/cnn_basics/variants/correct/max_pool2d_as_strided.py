# question: max_pool2d
# style: stride tricks (as_strided) on an input padded with -inf
import numpy as np
from numpy.lib.stride_tricks import as_strided


def max_pool2d(x, kernel_size=2, stride=2, padding=0):
    k, s, p = kernel_size, stride, padding
    x_pad = np.full((x.shape[0], x.shape[1], x.shape[2] + 2 * p, x.shape[3] + 2 * p), -np.inf)
    x_pad[:, :, p : p + x.shape[2], p : p + x.shape[3]] = x
    N, C, H, W = x_pad.shape
    H_out, W_out = (H - k) // s + 1, (W - k) // s + 1
    sn, sc, sh, sw = x_pad.strides
    windows = as_strided(
        x_pad,
        shape=(N, C, H_out, W_out, k, k),
        strides=(sn, sc, s * sh, s * sw, sh, sw),
        writeable=False,
    )
    return windows.max(axis=(4, 5))
