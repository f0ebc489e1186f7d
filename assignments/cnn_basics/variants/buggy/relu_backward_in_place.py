# question: relu_backward
# bug: zeroes dout in place and returns it, changing the caller's array
def relu_backward(dout, x):
    dout[x <= 0] = 0
    return dout
