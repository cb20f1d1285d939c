# expect-function: lstm_cell_forward
# expect-hint: lstm_h_without_tanh
import numpy as np


def lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, o = 1 / (1 + np.exp(-z_i)), 1 / (1 + np.exp(-z_f)), 1 / (1 + np.exp(-z_o))
    c_t = f * c_prev + i * np.tanh(z_c)
    h_t = o * c_t
    return h_t, c_t
