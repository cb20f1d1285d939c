# expect-function: epoch_of_step
# expect-hint: epoch_without_floor


def epoch_of_step(t, batch_size, n_train):
    return 1 + t * batch_size / n_train
