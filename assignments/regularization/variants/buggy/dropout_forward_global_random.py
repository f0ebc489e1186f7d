# question: dropout_forward
# bug: draws from NumPy's global generator (np.random.rand), not from the rng it is given
import numpy as np


def dropout_forward(x, p, training, rng):
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (np.random.rand(*x.shape) >= p) / (1 - p)
    return x * mask, mask
