# question: relu_backward
# style: multiply by a boolean mask
def relu_backward(dout, x):
    return dout * (x > 0)
