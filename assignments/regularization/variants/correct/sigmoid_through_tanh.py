# question: sigmoid
# style: sigmoid(x) = (1 + tanh(x / 2)) / 2, no exponential at all
import numpy as np


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))
