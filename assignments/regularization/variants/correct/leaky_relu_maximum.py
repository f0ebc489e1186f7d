# question: leaky_relu
# style: np.maximum(x, a * x), which is the leaky ReLU for slopes 0 <= a < 1
import numpy as np


def leaky_relu(x, negative_slope=0.01):
    return np.maximum(x, negative_slope * x)
