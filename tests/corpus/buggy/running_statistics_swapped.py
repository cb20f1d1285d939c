# expect-function: update_running_statistics
# expect-hint: none
def update_running_statistics(running_mean, running_var, batch_mean, batch_var, momentum):
    new_mean = momentum * running_mean + (1 - momentum) * batch_mean
    new_var = momentum * running_var + (1 - momentum) * batch_var
    return new_var, new_mean
