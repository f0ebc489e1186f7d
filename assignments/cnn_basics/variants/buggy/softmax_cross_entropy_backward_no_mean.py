# question: softmax_cross_entropy_backward
# bug: forgets the 1/N of the mean over the batch
# also: mlp_loss_and_gradients
import numpy as np


def softmax_cross_entropy_backward(logits, labels):
    dlogits = softmax(logits)  # noqa: F821 - the notebook's softmax
    dlogits[np.arange(logits.shape[0]), labels] -= 1
    return dlogits
