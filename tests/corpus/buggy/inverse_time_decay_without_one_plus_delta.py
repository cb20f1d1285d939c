# expect-function: inverse_time_decay
# expect-hint: inverse_time_without_one_plus_delta


def inverse_time_decay(alpha0, delta, t, batch_size, n_train):
    epoch = 1 + (t * batch_size) // n_train
    return alpha0 / (1 + delta * epoch)
