# question: leaky_relu_backward
# bug: passes dout through where x == 0 (x >= 0), PyTorch uses the negative slope there
import numpy as np


def leaky_relu_backward(dout, x, negative_slope=0.01):
    return np.where(x >= 0, dout, negative_slope * dout)
