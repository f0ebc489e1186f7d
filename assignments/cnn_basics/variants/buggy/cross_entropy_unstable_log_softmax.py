# question: cross_entropy
# bug: takes log(softmax) instead of log-sum-exp: log(0) = -inf when a probability underflows
# also: mlp_loss_and_gradients
import numpy as np


def cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
    return float(-np.log(probs[np.arange(len(labels)), labels]).mean())
