# question: tanh_backward
# bug: tanh written from its definition with exp(x) and exp(-x): inf / inf = nan for |x| > 710
import numpy as np


def tanh_backward(dout, x):
    t = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return dout * (1 - t * t)
