# question: avg_pool2d
# bug: ignores the stride argument and always moves by kernel_size (no overlapping windows)
import numpy as np


def avg_pool2d(x, kernel_size=2, stride=2):
    k = kernel_size
    N, C, H, W = x.shape
    H_out, W_out = (H - k) // k + 1, (W - k) // k + 1
    out = np.empty((N, C, H_out, W_out))
    for i in range(H_out):
        for j in range(W_out):
            out[:, :, i, j] = x[:, :, i * k : i * k + k, j * k : j * k + k].mean(axis=(2, 3))
    return out
