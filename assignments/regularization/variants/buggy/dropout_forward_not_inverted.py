# question: dropout_forward
# bug: plain (not inverted) dropout: the kept units are not scaled by 1 / (1 - p)
import numpy as np


def dropout_forward(x, p, training, rng):
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) >= p).astype(x.dtype)
    return x * mask, mask
