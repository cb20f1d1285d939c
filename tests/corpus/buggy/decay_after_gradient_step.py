# expect-function: decayed_update
# expect-hint: decay_after_gradient_step
def decayed_update(W, b, dW, db, lr, lam):
    W = W - lr * dW
    W = W * (1 - lr * lam)
    return W, b - lr * db
