# expect-function: rnn_backward_through_time
# expect-hint: bptt_h0_ignored
import numpy as np


def rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh):
    delta = dh * (1 - h_t**2)
    return delta @ W_xh.T, delta @ W_hh.T, x_t.T @ delta, h_prev.T @ delta, delta.sum(axis=0)


def rnn_backward_through_time(dh, x, h, W_xh, W_hh, h0):
    dx = np.zeros_like(x)
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    carried = np.zeros_like(h0)
    for t in reversed(range(x.shape[1])):
        h_prev = h[:, t - 1] if t > 0 else np.zeros_like(h0)
        dx[:, t], carried, a, b, c = rnn_cell_backward(dh[:, t] + carried, x[:, t], h_prev, h[:, t], W_xh, W_hh)
        dW_xh, dW_hh, db = dW_xh + a, dW_hh + b, db + c
    return dx, dW_xh, dW_hh, db, carried
