# question: conv_output_size
# style: math.floor of a true division, one check per argument
import math


def conv_output_size(w_in, kernel_size, padding=0, stride=1):
    checks = {
        "w_in": (w_in, 1),
        "kernel_size": (kernel_size, 1),
        "padding": (padding, 0),
        "stride": (stride, 1),
    }
    for name, (value, lowest) in checks.items():
        if value < lowest:
            raise ValueError(f"{name} must be >= {lowest}, got {value}")
    w_out = math.floor((w_in - kernel_size + 2 * padding) / stride) + 1
    if w_out < 1:
        raise ValueError("the kernel does not fit in the padded input")
    return w_out
