# expect-function: rnn_cell_forward
# expect-hint: rnn_missing_tanh
def rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b):
    h_t = x_t @ W_xh + h_prev @ W_hh + b
    return h_t
