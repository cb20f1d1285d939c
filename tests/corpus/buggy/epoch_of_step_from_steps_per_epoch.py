# expect-function: epoch_of_step
# expect-hint: epoch_from_steps_per_epoch
import math


def epoch_of_step(t, batch_size, n_train):
    steps_per_epoch = math.ceil(n_train / batch_size)
    return 1 + t // steps_per_epoch
