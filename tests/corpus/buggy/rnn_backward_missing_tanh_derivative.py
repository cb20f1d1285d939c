# expect-function: rnn_cell_backward
# expect-hint: rnn_backward_missing_tanh_derivative
def rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh):
    dx_t = dh @ W_xh.T
    dh_prev = dh @ W_hh.T
    dW_xh = x_t.T @ dh
    dW_hh = h_prev.T @ dh
    db = dh.sum(axis=0)
    return dx_t, dh_prev, dW_xh, dW_hh, db
