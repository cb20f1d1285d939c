# expect-function: lstm_cell_forward
# expect-hint: lstm_gates_lecture_order
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    H = h_prev.shape[1]
    # the lecture's order: f, i, c~, o
    f = sigmoid(z[:, :H])
    i = sigmoid(z[:, H:2 * H])
    c_tilde = np.tanh(z[:, 2 * H:3 * H])
    o = sigmoid(z[:, 3 * H:])
    c_t = f * c_prev + i * c_tilde
    return o * np.tanh(c_t), c_t
