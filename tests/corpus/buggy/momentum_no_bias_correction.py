# expect-function: momentum_step
# expect-hint: momentum_no_bias_correction
def momentum_step(w, dw, m, t, lr, beta1):
    m = beta1 * m + (1 - beta1) * dw
    w = w - lr * m
    return w, m
