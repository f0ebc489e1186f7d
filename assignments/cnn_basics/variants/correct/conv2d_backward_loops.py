# question: conv2d_backward
# style: loops over output positions
import numpy as np


def conv2d_backward(dout, x, w, stride=1, padding=0):
    N, C, H, W = x.shape
    F, _, kh, kw = w.shape
    _, _, H_out, W_out = dout.shape
    p, s = padding, stride
    x_pad = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    dx_pad = np.zeros_like(x_pad)
    dw = np.zeros_like(w)
    db = np.zeros(F)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    patch = x_pad[n, :, s * i : s * i + kh, s * j : s * j + kw]
                    dw[f] += g * patch
                    db[f] += g
                    dx_pad[n, :, s * i : s * i + kh, s * j : s * j + kw] += g * w[f]
    return dx_pad[:, :, p : p + H, p : p + W], dw, db
