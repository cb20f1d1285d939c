# expect-function: dense_backward
# expect-hint: gradients_averaged
def dense_backward(dy, x, W):
    dx = dy @ W.T
    dW = x.T @ dy / x.shape[0]
    db = dy.sum(axis=0) / x.shape[0]
    return dx, dW, db
