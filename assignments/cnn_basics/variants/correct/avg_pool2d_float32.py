# question: avg_pool2d
# style: reshape-free loops, float32 result
import numpy as np


def avg_pool2d(x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    N, C, H, W = x.shape
    H_out, W_out = (H - k) // s + 1, (W - k) // s + 1
    out = np.zeros((N, C, H_out, W_out))
    for u in range(k):
        for v in range(k):
            out += x[:, :, u : u + s * (H_out - 1) + 1 : s, v : v + s * (W_out - 1) + 1 : s]
    return (out / (k * k)).astype(np.float32)
