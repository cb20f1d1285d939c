# expect-function: one_hidden_layer
# expect-hint: no_relu


def one_hidden_layer(x, W1, b1, w2, b2):
    hidden = x @ W1 + b1
    return hidden @ w2 + b2
