# question: conv_output_size
# bug: never raises ValueError; returns the formula's value for any argument
def conv_output_size(w_in, kernel_size, padding=0, stride=1):
    return (w_in - kernel_size + 2 * padding) // stride + 1
