# question: leaky_relu
# bug: scales the negative entries of the caller's x in place and returns it
def leaky_relu(x, negative_slope=0.01):
    x[x <= 0] *= negative_slope
    return x
