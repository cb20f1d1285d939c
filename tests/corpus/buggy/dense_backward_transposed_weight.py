# expect-function: dense_backward
# expect-hint: transposed_weight
def dense_backward(dy, x, W):
    dx = dy @ W
    dW = x.T @ dy
    db = dy.sum(axis=0)
    return dx, dW, db
