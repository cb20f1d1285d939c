# expect-function: decayed_update
# expect-hint: decay_without_learning_rate
def decayed_update(W, b, dW, db, lr, lam):
    return (1 - lam) * W - lr * dW, b - lr * db
