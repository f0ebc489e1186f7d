# question: dropout_forward
# bug: reads p as the probability of keeping a unit (CS231n's convention), not of dropping it
import numpy as np


def dropout_forward(x, p, training, rng):
    if not training:
        return x.copy(), np.ones_like(x)
    mask = (rng.random(x.shape) < p) / (1 - p)
    return x * mask, mask
