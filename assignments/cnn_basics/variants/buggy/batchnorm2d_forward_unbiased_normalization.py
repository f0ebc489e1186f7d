# question: batchnorm2d_forward
# bug: normalizes with the unbiased variance (ddof=1) instead of the biased one
import numpy as np


def batchnorm2d_forward(
    x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5
):
    if training:
        mean = x.mean(axis=(0, 2, 3))
        var = x.var(axis=(0, 2, 3), ddof=1)
        new_running_mean = (1 - momentum) * running_mean + momentum * mean
        new_running_var = (1 - momentum) * running_var + momentum * var
    else:
        mean, var = running_mean, running_var
        new_running_mean, new_running_var = running_mean.copy(), running_var.copy()
    x_hat = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + eps)
    return gamma[:, None, None] * x_hat + beta[:, None, None], new_running_mean, new_running_var
