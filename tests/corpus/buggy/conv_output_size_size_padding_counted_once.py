# expect-function: conv_output_size
# expect-hint: size_padding_counted_once
def conv_output_size(size, kernel, stride, padding):
    if padding == "same":
        return -(-size // stride)
    if padding == "valid":
        padding = 0
    elif padding == "full":
        padding = 2 * (kernel - 1)
    return (size + padding - kernel) // stride + 1
