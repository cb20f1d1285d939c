# expect-function: inverse_time_decay
# expect-hint: lr_epoch_counted_from_zero


def inverse_time_decay(alpha0, delta, t, batch_size, n_train):
    epoch = (t * batch_size) // n_train
    return alpha0 * (1 + delta) / (1 + delta * epoch)
