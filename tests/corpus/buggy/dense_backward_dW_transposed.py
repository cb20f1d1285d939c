# expect-function: dense_backward
# expect-hint: dW_transposed
def dense_backward(dy, x, W):
    dx = dy @ W.T
    dW = dy.T @ x
    db = dy.sum(axis=0)
    return dx, dW, db
