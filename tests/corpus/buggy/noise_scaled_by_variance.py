# expect-function: inject_noise
# expect-hint: noise_scaled_by_variance
def inject_noise(x, sigma, z, training):
    if not training:
        return x.copy()
    return x + sigma ** 2 * z
