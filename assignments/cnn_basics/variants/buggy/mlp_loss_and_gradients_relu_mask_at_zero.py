# question: mlp_loss_and_gradients
# bug: backpropagates through the ReLU with the mask z >= 0: a gradient of 1 at exactly 0
import numpy as np


def mlp_loss_and_gradients(x, y, params):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    logits = h @ W2 + b2
    loss = cross_entropy(logits, y)  # noqa: F821 - the notebook's functions
    dlogits = softmax_cross_entropy_backward(logits, y)  # noqa: F821
    dh, dW2, db2 = linear_backward(dlogits, h, W2)  # noqa: F821
    dz = dh * (z >= 0)
    _, dW1, db1 = linear_backward(dz, x, W1)  # noqa: F821
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
