# question: weight_decay_loss
# style: np.vdot of each flattened weight with itself, a generator expression
import numpy as np


def weight_decay_loss(params, weight_decay):
    squares = sum(np.vdot(w, w) for name, w in params.items() if name[0] != "b")
    return 0.5 * weight_decay * squares
