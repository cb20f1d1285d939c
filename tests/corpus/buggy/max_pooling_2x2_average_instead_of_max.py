# expect-function: max_pooling_2x2
# expect-hint: average_instead_of_max


def max_pooling_2x2(a):
    rows, cols = a.shape[0] // 2, a.shape[1] // 2
    return a[:2 * rows, :2 * cols].reshape(rows, 2, cols, 2).mean(axis=(1, 3))
