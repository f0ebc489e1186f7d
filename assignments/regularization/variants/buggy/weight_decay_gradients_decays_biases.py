# question: weight_decay_gradients
# bug: gives the biases weight_decay * b too
def weight_decay_gradients(params, weight_decay):
    return {k: weight_decay * v for k, v in params.items()}
