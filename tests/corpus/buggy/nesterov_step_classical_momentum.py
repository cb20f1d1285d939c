# expect-function: nesterov_step
# expect-hint: nesterov_classical_momentum


def nesterov_step(w, dw, m, lr, beta1):
    m = beta1 * m + (1 - beta1) * dw
    return w - lr * m, m
