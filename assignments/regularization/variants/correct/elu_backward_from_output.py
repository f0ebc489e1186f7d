# question: elu_backward
# style: the derivative on the negative side from the output, elu(x) + alpha
import numpy as np


def elu_backward(dout, x, alpha=1.0):
    negative = np.minimum(x, 0)
    out = alpha * (np.exp(negative) - 1)
    return np.where(x > 0, dout, dout * (out + alpha))
