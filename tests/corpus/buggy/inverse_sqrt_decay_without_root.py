# expect-function: inverse_sqrt_decay
# expect-hint: inverse_sqrt_without_root


def inverse_sqrt_decay(alpha0, t, batch_size, n_train):
    epoch = 1 + (t * batch_size) // n_train
    return alpha0 / epoch
