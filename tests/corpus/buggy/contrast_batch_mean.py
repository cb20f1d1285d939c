# expect-function: adjust_contrast
# expect-hint: contrast_batch_mean
def adjust_contrast(x, factor):
    mean = x.mean(axis=(0, 1, 2), keepdims=True)
    return (x - mean) * factor[:, None, None, None] + mean
