# question: softmax
# bug: exponentiates the logits without subtracting the row maximum (overflows at 1e4)
# also: softmax_cross_entropy_backward, mlp_loss_and_gradients
import numpy as np


def softmax(logits):
    exp = np.exp(logits)
    return exp / exp.sum(axis=1, keepdims=True)
