# expect-function: lstm_cell_backward
# expect-hint: lstm_backward_ignores_dc
import numpy as np


def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c_t = f * c_prev + i * g
    delta_c = dh * o * (1 - np.tanh(c_t) ** 2)
    dz = np.hstack([delta_c * g * i * (1 - i), delta_c * c_prev * f * (1 - f), delta_c * i * (1 - g ** 2),
                    dh * np.tanh(c_t) * o * (1 - o)])
    return dz @ kernel.T, dz @ recurrent_kernel.T, delta_c * f, x_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0)
