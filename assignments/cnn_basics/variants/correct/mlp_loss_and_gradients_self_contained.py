# question: mlp_loss_and_gradients
# style: self-contained (no helper functions), einsum, returns the loss as a NumPy float
import numpy as np


def mlp_loss_and_gradients(x, y, params):
    N = x.shape[0]
    z = np.einsum("nd,dh->nh", x, params["W1"]) + params["b1"]
    h = np.maximum(z, 0)
    logits = np.einsum("nh,hk->nk", h, params["W2"]) + params["b2"]
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(N), y].mean()
    dlogits = np.exp(log_probs)
    dlogits[np.arange(N), y] -= 1
    dlogits /= N
    dh = dlogits @ params["W2"].T
    dz = dh * (z > 0)
    return loss, {
        "W1": x.T @ dz,
        "b1": dz.sum(axis=0),
        "W2": h.T @ dlogits,
        "b2": dlogits.sum(axis=0),
    }
