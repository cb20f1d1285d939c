# expect-function: adagrad_step
# expect-hint: adagrad_no_sqrt


def adagrad_step(w, dw, s, lr, eps):
    s = s + dw * dw
    return w - lr * dw / (s + eps), s
