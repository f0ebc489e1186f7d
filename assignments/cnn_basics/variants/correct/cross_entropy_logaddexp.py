# question: cross_entropy
# style: np.logaddexp.reduce for the log-sum-exp, returns a NumPy float
import numpy as np


def cross_entropy(logits, labels):
    lse = np.logaddexp.reduce(logits, axis=1)
    return np.mean(lse - logits[np.arange(len(labels)), labels])
