# question: elu
# style: a Python loop over every element with math.expm1
import math

import numpy as np


def elu(x, alpha=1.0):
    out = np.empty(x.shape)
    for i in np.ndindex(x.shape):
        value = float(x[i])
        out[i] = value if value > 0 else alpha * math.expm1(value)
    return out
