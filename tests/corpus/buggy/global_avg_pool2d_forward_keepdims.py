# expect-function: global_avg_pool2d_forward
# expect-hint: global_avg_keepdims
def global_avg_pool2d_forward(x):
    return x.mean(axis=(1, 2), keepdims=True)
