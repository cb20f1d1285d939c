# expect-function: inject_noise
# expect-hint: noise_multiplicative
def inject_noise(x, sigma, z, training):
    if training:
        return x * (1 + sigma * z)
    return x.copy()
