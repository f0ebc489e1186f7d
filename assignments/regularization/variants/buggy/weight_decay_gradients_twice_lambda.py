# question: weight_decay_gradients
# bug: differentiates lambda * W ** 2 instead of 0.5 * lambda * W ** 2: 2 * lambda * W
import numpy as np


def weight_decay_gradients(params, weight_decay):
    return {
        k: np.zeros_like(v) if k.startswith("b") else 2 * weight_decay * v
        for k, v in params.items()
    }
