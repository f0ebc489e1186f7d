# question: dropout_forward
# style: mask from rng.binomial; evaluation mode returns x itself
import numpy as np


def dropout_forward(x, p, training, rng):
    if not training:
        return x, np.ones(x.shape)
    mask = rng.binomial(1, 1 - p, size=x.shape) * (1.0 / (1 - p))
    out = x * mask
    return out, mask
