# expect-function: conv_output_size
# expect-hint: size_not_rounded
def conv_output_size(size, kernel, stride, padding):
    if padding == "same":
        return -(-size // stride)
    if padding == "valid":
        total = 0
    elif padding == "full":
        total = 2 * (kernel - 1)
    else:
        total = 2 * padding
    return (size + total - kernel) / stride + 1
