# question: dropout_forward
# bug: applies the mask to the caller's x in place (x *= mask) and returns it
import numpy as np


def dropout_forward(x, p, training, rng):
    if not training:
        return x, np.ones_like(x)
    mask = (rng.random(x.shape) >= p) / (1 - p)
    x *= mask
    return x, mask
