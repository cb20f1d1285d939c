# expect-function: piecewise_constant_decay
# expect-hint: piecewise_boundary_exclusive


def piecewise_constant_decay(boundaries, values, t, batch_size, n_train):
    epoch = 1 + (t * batch_size) // n_train
    for boundary, value in zip(boundaries, values):
        if epoch < boundary:
            return value
    return values[-1]
