# question: softmax
# style: stable, returns float32
import numpy as np


def softmax(logits):
    e = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    return (e / np.sum(e, axis=1, keepdims=True)).astype(np.float32)
