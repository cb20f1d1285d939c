# expect-function: init_scale
# expect-hint: variance_instead_of_std


def init_scale(kind, shape):
    if len(shape) == 2:
        fan_in, fan_out = shape
    else:
        receptive = shape[0] * shape[1]
        fan_in, fan_out = receptive * shape[2], receptive * shape[3]
    rule, law = kind.split("_")
    if rule == "he":
        variance = 2 / fan_in
    elif rule == "lecun":
        variance = 1 / fan_in
    else:
        variance = 2 / (fan_in + fan_out)
    return 3 * variance if law == "uniform" else variance  # N(0, 2/fan_in): the second number is the scale
