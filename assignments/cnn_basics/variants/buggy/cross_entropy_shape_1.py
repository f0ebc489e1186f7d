# question: cross_entropy
# bug: returns an array of shape (1,) (mean with keepdims) instead of one float
import numpy as np


def cross_entropy(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_probs[np.arange(logits.shape[0]), labels].mean(keepdims=True)
