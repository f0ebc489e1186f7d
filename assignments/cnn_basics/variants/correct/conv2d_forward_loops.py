# question: conv2d_forward
# style: loops over images, filters and output positions
import numpy as np


def conv2d_forward(x, w, b, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    x_pad = np.zeros((N, C, H + 2 * padding, W + 2 * padding))
    x_pad[:, :, padding : padding + H, padding : padding + W] = x
    H_out = (H + 2 * padding - kh) // stride + 1
    W_out = (W + 2 * padding - kw) // stride + 1
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    r, c = i * stride, j * stride
                    out[n, f, i, j] = np.sum(x_pad[n, :, r : r + kh, c : c + kw] * w[f]) + b[f]
    return out
