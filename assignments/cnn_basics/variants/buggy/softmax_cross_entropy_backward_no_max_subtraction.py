# question: softmax_cross_entropy_backward
# bug: a CS231n-style softmax_loss gradient: np.exp of the raw logits (no max subtracted) is nan above ~710
# also: mlp_loss_and_gradients
import numpy as np


def softmax_cross_entropy_backward(logits, labels):
    N = logits.shape[0]
    scores = np.exp(logits)
    probs = scores / np.sum(scores, axis=1, keepdims=True)
    dscores = probs.copy()
    dscores[np.arange(N), labels] -= 1
    dscores /= N
    return dscores
