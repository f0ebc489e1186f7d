# question: conv2d_forward
# style: im2col (column matrix and one matrix product)
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    p, s = padding, stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    H_out, W_out = (H + 2 * p - kh) // s + 1, (W + 2 * p - kw) // s + 1
    cols = np.empty((N, H_out, W_out, C * kh * kw))
    for i in range(H_out):
        for j in range(W_out):
            cols[:, i, j, :] = x_pad[:, :, i * s : i * s + kh, j * s : j * s + kw].reshape(N, -1)
    out = cols.reshape(-1, C * kh * kw) @ w.reshape(F, -1).T + b  # (N * H_out * W_out, F)
    return out.reshape(N, H_out, W_out, F).transpose(0, 3, 1, 2)
