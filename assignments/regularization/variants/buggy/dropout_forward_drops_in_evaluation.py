# question: dropout_forward
# bug: ignores training: drops units in evaluation mode too
def dropout_forward(x, p, training, rng):
    mask = (rng.random(x.shape) >= p) / (1 - p)
    return x * mask, mask
