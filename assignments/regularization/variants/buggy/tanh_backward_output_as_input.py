# question: tanh_backward
# bug: treats x as if it were the cached output tanh(x): dout * (1 - x ** 2)
def tanh_backward(dout, x):
    return dout * (1 - x**2)
