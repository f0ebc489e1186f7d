# question: elu
# bug: combines the branches by multiplying with masks: exp(710) = inf times 0 gives nan
import numpy as np


def elu(x, alpha=1.0):
    return x * (x > 0) + alpha * (np.exp(x) - 1) * (x <= 0)
