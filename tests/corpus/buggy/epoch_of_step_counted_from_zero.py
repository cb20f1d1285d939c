# expect-function: epoch_of_step
# expect-hint: epoch_counted_from_zero


def epoch_of_step(t, batch_size, n_train):
    return t * batch_size // n_train
