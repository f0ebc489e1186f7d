# question: sigmoid
# style: the two stable branches filled through boolean masks
import numpy as np


def sigmoid(x):
    out = np.empty(x.shape)
    positive = x >= 0
    out[positive] = 1 / (1 + np.exp(-x[positive]))
    e = np.exp(x[~positive])
    out[~positive] = e / (1 + e)
    return out
