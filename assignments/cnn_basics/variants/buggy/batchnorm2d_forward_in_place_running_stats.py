# question: batchnorm2d_forward
# bug: updates running_mean and running_var in place (the caller's arrays change)
import numpy as np


def batchnorm2d_forward(
    x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5
):
    if training:
        n = x.shape[0] * x.shape[2] * x.shape[3]
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
        running_mean *= 1 - momentum
        running_mean += momentum * mean
        running_var *= 1 - momentum
        running_var += momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + eps)
    return gamma[:, None, None] * x_hat + beta[:, None, None], running_mean, running_var
