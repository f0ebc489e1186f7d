# question: max_pool2d_backward
# style: loops, a mask of the window's maximum
import numpy as np


def max_pool2d_backward(dout, x, kernel_size=2, stride=2):
    k, s = kernel_size, stride
    N, C, H_out, W_out = dout.shape
    dx = np.zeros(x.shape)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * s : i * s + k, j * s : j * s + k]
                    dx[n, c, i * s : i * s + k, j * s : j * s + k] += (
                        window == window.max()
                    ) * dout[n, c, i, j]
    return dx
