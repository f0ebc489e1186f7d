# question: leaky_relu_backward
# style: a copy of dout scaled in place through a boolean mask
def leaky_relu_backward(dout, x, negative_slope=0.01):
    dx = dout.copy()
    dx[x <= 0] *= negative_slope
    return dx
