# expect-function: decayed_update
# expect-hint: decay_applied_to_bias
def decayed_update(W, b, dW, db, lr, lam):
    decay = 1 - lr * lam
    return decay * W - lr * dW, decay * b - lr * db
