# question: batchnorm2d_forward
# bug: in training mode, returns the running statistics without updating them
import numpy as np


def batchnorm2d_forward(
    x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5
):
    if training:
        mean, var = x.mean(axis=(0, 2, 3)), x.var(axis=(0, 2, 3))
    else:
        mean, var = running_mean, running_var
    x_hat = (x - mean[:, None, None]) / np.sqrt(var[:, None, None] + eps)
    out = gamma[:, None, None] * x_hat + beta[:, None, None]
    return out, running_mean.copy(), running_var.copy()
