# question: sigmoid
# bug: the textbook 1 / (1 + exp(-x)): right values, but exp(-x) overflows for x < -709
import numpy as np


def sigmoid(x):
    return 1 / (1 + np.exp(-x))
