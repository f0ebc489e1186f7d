# question: sigmoid
# bug: exp(x) / (1 + exp(x)) gives inf / inf = nan for large positive x
# also: sigmoid_backward
import numpy as np


def sigmoid(x):
    e = np.exp(x)
    return e / (1 + e)
