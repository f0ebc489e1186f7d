# question: batchnorm2d_backward
# style: step-by-step backpropagation through the computation graph (CS231n style)
import numpy as np


def batchnorm2d_backward(dout, x, gamma, eps=1e-5):
    axes = (0, 2, 3)
    m = x.shape[0] * x.shape[2] * x.shape[3]
    mu = x.mean(axis=axes, keepdims=True)
    xc = x - mu
    var = (xc**2).mean(axis=axes, keepdims=True)
    std = np.sqrt(var + eps)
    x_hat = xc / std
    g = gamma.reshape(1, -1, 1, 1)

    dbeta = dout.sum(axis=axes)
    dgamma = (dout * x_hat).sum(axis=axes)
    dx_hat = dout * g
    dxc = dx_hat / std
    dstd = -(dx_hat * xc).sum(axis=axes, keepdims=True) / std**2
    dvar = dstd / (2 * std)
    dxc += 2 * xc * dvar / m
    dmu = -dxc.sum(axis=axes, keepdims=True)
    dx = dxc + dmu / m
    return dx, dgamma, dbeta
