# expect-function: rnn_cell_backward
# expect-hint: none
def rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh):
    delta = dh * (1 - h_t ** 2)
    return delta @ W_xh.T, delta @ W_hh.T, x_t.T @ delta, h_prev.T @ delta, delta.mean(axis=0)
