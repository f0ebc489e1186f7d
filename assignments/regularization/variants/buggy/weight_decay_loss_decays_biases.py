# question: weight_decay_loss
# bug: decays the biases too
import numpy as np


def weight_decay_loss(params, weight_decay):
    return float(0.5 * weight_decay * sum(np.sum(v**2) for v in params.values()))
