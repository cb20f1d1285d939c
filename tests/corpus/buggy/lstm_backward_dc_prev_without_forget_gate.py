# expect-function: lstm_cell_backward
# expect-hint: none
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, g, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    tanh_c = np.tanh(f * c_prev + i * g)
    delta_c = dc + dh * o * (1 - tanh_c ** 2)
    dz = np.concatenate([delta_c * g * i * (1 - i), delta_c * c_prev * f * (1 - f), delta_c * i * (1 - g ** 2),
                         dh * tanh_c * o * (1 - o)], axis=1)
    return dz @ kernel.T, dz @ recurrent_kernel.T, delta_c, x_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0)
