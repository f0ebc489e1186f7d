# question: conv2d_backward
# bug: dx scatters each output position back to x[i + u] instead of x[stride * i + u]
import numpy as np


def conv2d_backward(dout, x, w, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    _, _, H_out, W_out = dout.shape
    p, s = padding, stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = dout.sum(axis=(0, 2, 3))
    for i in range(H_out):
        for j in range(W_out):
            patch = x_pad[:, :, s * i : s * i + kh, s * j : s * j + kw]
            dw += np.tensordot(dout[:, :, i, j], patch, axes=([0], [0]))
            dx_pad[:, :, i : i + kh, j : j + kw] += np.tensordot(
                dout[:, :, i, j], w, axes=([1], [0])
            )
    return dx_pad[:, :, p : p + H, p : p + W], dw, db
