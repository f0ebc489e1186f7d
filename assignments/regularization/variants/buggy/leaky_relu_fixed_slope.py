# question: leaky_relu
# bug: ignores negative_slope and always uses 0.01
import numpy as np


def leaky_relu(x, negative_slope=0.01):
    return np.where(x > 0, x, 0.01 * x)
