# expect-function: momentum_step
# expect-hint: momentum_pytorch_form
def momentum_step(w, dw, m, t, lr, beta1):
    # torch.optim.SGD(momentum=beta1): buf = momentum * buf + grad; p -= lr * buf
    m = beta1 * m + dw
    w = w - lr * m
    return w, m
