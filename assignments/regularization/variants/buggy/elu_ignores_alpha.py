# question: elu
# bug: forgets alpha: exp(x) - 1 for x <= 0 whatever alpha is
import numpy as np


def elu(x, alpha=1.0):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0)))
