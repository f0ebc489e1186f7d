# question: tanh_backward
# style: computes in float32 and returns float32
import numpy as np


def tanh_backward(dout, x):
    t = np.tanh(x.astype(np.float32))
    return dout.astype(np.float32) * (1 - t * t)
