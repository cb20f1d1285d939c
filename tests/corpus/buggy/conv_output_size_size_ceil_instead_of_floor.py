# expect-function: conv_output_size
# expect-hint: size_ceil_instead_of_floor
import math


def conv_output_size(size, kernel, stride, padding):
    if padding == "same":
        return math.ceil(size / stride)
    if padding == "valid":
        total = 0
    elif padding == "full":
        total = 2 * (kernel - 1)
    else:
        total = 2 * padding
    return math.ceil((size + total - kernel) / stride) + 1
