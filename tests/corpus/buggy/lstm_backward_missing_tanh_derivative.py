# expect-function: lstm_cell_backward
# expect-hint: lstm_backward_missing_tanh_derivative
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    H = h_prev.shape[1]
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    i = sigmoid(z[:, :H])
    f = sigmoid(z[:, H:2 * H])
    g = np.tanh(z[:, 2 * H:3 * H])
    o = sigmoid(z[:, 3 * H:])
    c_t = f * c_prev + i * g
    delta_c = dc + dh * o
    dz = np.concatenate([delta_c * g * i * (1 - i), delta_c * c_prev * f * (1 - f), delta_c * i * (1 - g * g),
                         dh * np.tanh(c_t) * o * (1 - o)], axis=1)
    return dz @ kernel.T, dz @ recurrent_kernel.T, delta_c * f, x_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0)
