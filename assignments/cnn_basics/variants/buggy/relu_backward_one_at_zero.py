# question: relu_backward
# bug: passes the gradient through at x == 0 (x >= 0 instead of x > 0)
# also: mlp_loss_and_gradients
import numpy as np


def relu_backward(dout, x):
    return np.where(x >= 0, dout, 0.0)
