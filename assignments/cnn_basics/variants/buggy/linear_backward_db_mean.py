# question: linear_backward
# bug: db is the mean of dout over the batch instead of the sum
# also: mlp_loss_and_gradients
def linear_backward(dout, x, w):
    return dout @ w.T, x.T @ dout, dout.mean(axis=0)
