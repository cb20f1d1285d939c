# expect-function: exponential_decay
# expect-hint: exponential_power_epoch


def exponential_decay(alpha0, gamma, t, batch_size, n_train):
    epoch = 1 + (t * batch_size) // n_train
    return alpha0 * gamma**epoch
