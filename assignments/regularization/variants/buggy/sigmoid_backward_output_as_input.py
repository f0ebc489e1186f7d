# question: sigmoid_backward
# bug: treats x as if it were the cached output sigmoid(x): dout * x * (1 - x)
def sigmoid_backward(dout, x):
    return dout * x * (1 - x)
