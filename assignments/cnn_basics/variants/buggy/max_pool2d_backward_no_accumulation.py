# question: max_pool2d_backward
# bug: assigns the gradient (=) instead of adding it (+=): overlapping windows overwrite
import numpy as np


def max_pool2d_backward(dout, x, kernel_size=2, stride=2):
    k = kernel_size
    N, C, H_out, W_out = dout.shape
    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * stride : i * stride + k, j * stride : j * stride + k]
                    u, v = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * stride + u, j * stride + v] = dout[n, c, i, j]
    return dx
