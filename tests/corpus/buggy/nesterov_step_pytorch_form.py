# expect-function: nesterov_step
# expect-hint: nesterov_pytorch_form


def nesterov_step(w, dw, m, lr, beta1):
    # torch.optim.SGD(nesterov=True)
    m = beta1 * m + dw
    return w - lr * (dw + beta1 * m), m
