# question: conv_output_size
# bug: returns a NumPy float (np.floor of a true division) instead of a Python int
import numpy as np


def conv_output_size(w_in, kernel_size, padding=0, stride=1):
    if w_in < 1 or kernel_size < 1 or padding < 0 or stride < 1:
        raise ValueError("argument out of range")
    w_out = np.floor((w_in - kernel_size + 2 * padding) / stride) + 1
    if w_out < 1:
        raise ValueError("the output would be empty")
    return w_out
