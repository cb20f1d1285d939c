# expect-function: momentum_step
# expect-hint: momentum_stores_corrected_average
def momentum_step(w, dw, m, t, lr, beta1):
    m = beta1 * m + (1 - beta1) * dw
    m = m / (1 - beta1 ** t)        # stores m-hat instead of m
    return w - lr * m, m
