# expect-function: dense_backward
# expect-hint: none
def dense_backward(dy, x, W):
    dx = dy @ W.T
    dW = x.T @ dy
    db = dy.sum(axis=0, keepdims=True)
    return dx, dW, db
