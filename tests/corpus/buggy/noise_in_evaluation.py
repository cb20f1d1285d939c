# expect-function: inject_noise
# expect-hint: noise_in_evaluation
def inject_noise(x, sigma, z, training):
    return x + sigma * z
