# expect-function: rnn_cell_backward
# expect-hint: rnn_backward_tanh_applied_again
import numpy as np


def rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh):
    delta = dh * (1 - np.tanh(h_t) ** 2)     # tanh'(z) = 1 - tanh(z)^2
    return delta @ W_xh.T, delta @ W_hh.T, x_t.T @ delta, h_prev.T @ delta, delta.sum(axis=0)
