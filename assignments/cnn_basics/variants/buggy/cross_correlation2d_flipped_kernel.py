# question: cross_correlation2d
# bug: flips the kernel (a true convolution) instead of a cross-correlation
import numpy as np


def cross_correlation2d(image, kernel):
    kernel = kernel[::-1, ::-1]  # "convolution" as in signal processing
    kh, kw = kernel.shape
    H, W = image.shape
    out = np.zeros((H - kh + 1, W - kw + 1))
    for i in range(H - kh + 1):
        for j in range(W - kw + 1):
            out[i, j] = np.sum(image[i : i + kh, j : j + kw] * kernel)
    return out
