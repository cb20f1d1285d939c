# expect-function: exponential_decay
# expect-hint: lr_step_instead_of_epoch


def exponential_decay(alpha0, gamma, t, batch_size, n_train):
    return alpha0 * gamma ** (t - 1)
