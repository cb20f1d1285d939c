# expect-function: update_running_statistics
# expect-hint: running_momentum_wrong_side
def update_running_statistics(running_mean, running_var, batch_mean, batch_var, momentum):
    running_mean = (1 - momentum) * running_mean + momentum * batch_mean
    running_var = (1 - momentum) * running_var + momentum * batch_var
    return running_mean, running_var
