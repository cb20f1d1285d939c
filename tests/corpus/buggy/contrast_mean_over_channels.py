# expect-function: adjust_contrast
# expect-hint: contrast_mean_over_channels
def adjust_contrast(x, factor):
    mean = x.mean(axis=(1, 2, 3), keepdims=True)
    return (x - mean) * factor[:, None, None, None] + mean
