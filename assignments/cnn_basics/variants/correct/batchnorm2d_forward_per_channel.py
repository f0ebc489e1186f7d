# question: batchnorm2d_forward
# style: a loop over channels, statistics written out by hand
import numpy as np


def batchnorm2d_forward(
    x, gamma, beta, running_mean, running_var, training=True, momentum=0.1, eps=1e-5
):
    N, C, H, W = x.shape
    out = np.empty_like(x)
    new_mean, new_var = np.array(running_mean, dtype=float), np.array(running_var, dtype=float)
    for c in range(C):
        values = x[:, c].ravel()
        if training:
            m = values.sum() / values.size
            v = ((values - m) ** 2).sum() / values.size
            new_mean[c] = (1 - momentum) * running_mean[c] + momentum * m
            new_var[c] = (1 - momentum) * running_var[c] + momentum * v * values.size / (
                values.size - 1
            )
        else:
            m, v = running_mean[c], running_var[c]
        out[:, c] = gamma[c] * (x[:, c] - m) / np.sqrt(v + eps) + beta[c]
    return out, new_mean, new_var
