# expect-function: max_pooling_2x2
# expect-hint: blocks_not_windows


def max_pooling_2x2(a):
    rows, cols = a.shape[0] // 2, a.shape[1] // 2
    return a[:2 * rows, :2 * cols].reshape(rows, cols, 2, 2).max(axis=(2, 3))
