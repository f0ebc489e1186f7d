# question: linear_backward
# style: einsum
import numpy as np


def linear_backward(dout, x, w):
    dx = np.einsum("nm,dm->nd", dout, w)
    dw = np.einsum("nd,nm->dm", x, dout)
    db = np.einsum("nm->m", dout)
    return dx, dw, db
