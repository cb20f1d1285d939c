# expect-function: adjust_contrast
# expect-hint: contrast_not_centred
def adjust_contrast(x, factor):
    return x * factor.reshape(-1, 1, 1, 1)
