# expect-function: residual_forward
# expect-hint: no_inner_relu


def residual_forward(x, W1, b1, W2, b2):
    return (x @ W1 + b1) @ W2 + b2 + x
