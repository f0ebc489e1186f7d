# question: cross_correlation2d
# style: loops
import numpy as np


def cross_correlation2d(image, kernel):
    H, W = image.shape
    kh, kw = kernel.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            total = 0.0
            for u in range(kh):
                for v in range(kw):
                    total += image[i + u, j + v] * kernel[u, v]
            out[i, j] = total
    return out
