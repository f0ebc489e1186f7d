# question: weight_decay_gradients
# bug: returns gradients for the weights only (no entries for the biases)
def weight_decay_gradients(params, weight_decay):
    return {k: weight_decay * v for k, v in params.items() if not k.startswith("b")}
