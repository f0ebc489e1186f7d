# question: weight_decay_gradients
# style: one dict comprehension
import numpy as np


def weight_decay_gradients(params, weight_decay):
    return {
        name: np.zeros_like(w) if name.startswith("b") else weight_decay * w
        for name, w in params.items()
    }
