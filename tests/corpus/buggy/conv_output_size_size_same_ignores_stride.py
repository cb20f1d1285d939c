# expect-function: conv_output_size
# expect-hint: size_same_ignores_stride
def conv_output_size(size, kernel, stride, padding):
    if padding == "same":
        return size              # "same": the output is as large as the input
    if padding == "valid":
        total = 0
    elif padding == "full":
        total = 2 * (kernel - 1)
    else:
        total = 2 * padding
    return (size + total - kernel) // stride + 1
