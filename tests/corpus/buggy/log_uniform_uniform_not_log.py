# expect-function: log_uniform
# expect-hint: uniform_not_log


def log_uniform(u, low, high):
    return low + u * (high - low)
