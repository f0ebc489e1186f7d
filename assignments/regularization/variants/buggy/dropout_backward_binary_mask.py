# question: dropout_backward
# bug: multiplies by mask > 0 (0 or 1), dropping the 1 / (1 - p) scale of the kept units
def dropout_backward(dout, mask):
    return dout * (mask > 0)
