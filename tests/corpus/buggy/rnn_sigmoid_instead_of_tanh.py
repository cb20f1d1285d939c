# expect-function: rnn_cell_forward
# expect-hint: rnn_sigmoid_instead_of_tanh
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b):
    # h_t = sigma(W_xh x_t + W_hh h_{t-1} + b_h), as in the lecture
    return sigmoid(x_t @ W_xh + h_prev @ W_hh + b)
