# question: elu_backward
# bug: uses the x > 0 branch at x == 0 (x >= 0): dout instead of alpha * dout there
import numpy as np


def elu_backward(dout, x, alpha=1.0):
    return np.where(x >= 0, dout, dout * alpha * np.exp(np.minimum(x, 0)))
