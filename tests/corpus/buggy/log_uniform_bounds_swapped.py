# expect-function: log_uniform
# expect-hint: bounds_swapped


def log_uniform(u, low, high):
    return high * (low / high) ** u
