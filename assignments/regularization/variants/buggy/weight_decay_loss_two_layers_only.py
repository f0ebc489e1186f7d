# question: weight_decay_loss
# bug: hard-codes the names W1 and W2 of the two-layer network
import numpy as np


def weight_decay_loss(params, weight_decay):
    W1, W2 = params["W1"], params["W2"]
    return float(0.5 * weight_decay * (np.sum(W1 * W1) + np.sum(W2 * W2)))
