# expect-function: batchnorm_forward
# expect-hint: bn_divided_by_variance
def batchnorm_forward(x, gamma, beta, eps):
    # "restando media y dividiendo por varianza más epsilon"
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    x_hat = (x - mean) / (var + eps)
    return gamma * x_hat + beta, mean, var
