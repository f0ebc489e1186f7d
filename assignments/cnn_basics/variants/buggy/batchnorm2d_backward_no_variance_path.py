# question: batchnorm2d_backward
# bug: dx treats the variance as a constant (only the path through the mean is kept)
import numpy as np


def batchnorm2d_backward(dout, x, gamma, eps=1e-5):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    inv_std = 1 / np.sqrt(x.var(axis=(0, 2, 3), keepdims=True) + eps)
    x_hat = (x - mean) * inv_std
    dbeta = dout.sum(axis=(0, 2, 3))
    dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
    dx = gamma[:, None, None] * inv_std * (dout - dout.mean(axis=(0, 2, 3), keepdims=True))
    return dx, dgamma, dbeta
