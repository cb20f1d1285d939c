"""The functional layer: stateless forward/backward pairs that validate their
arguments and dispatch to the backend that owns the arrays.

Every operation ``op`` has ``op_forward(...)`` and ``op_backward(dy, ...)``;
losses return ``(loss, grad)``; optimiser updates work in place. These are the
functions students re-implement and the autograder compares against.
"""

from .activations import (
    elu_backward,
    elu_forward,
    leaky_relu_backward,
    leaky_relu_forward,
    log_softmax_backward,
    log_softmax_forward,
    relu_backward,
    relu_forward,
    sigmoid_backward,
    sigmoid_forward,
    softmax_backward,
    softmax_forward,
    tanh_backward,
    tanh_forward,
)
from .batchnorm import (
    batchnorm_backward,
    batchnorm_dropout_backward,
    batchnorm_dropout_forward,
    batchnorm_forward,
    batchnorm_inference,
    batchnorm_inference_backward,
    update_moving_statistics,
)
from .conv import conv2d_backward, conv2d_forward, conv2d_geometry, resolve_padding
from .conv_block import conv2d_relu_avg_pool_backward, conv2d_relu_avg_pool_forward
from .dense import dense_backward, dense_forward
from .dropout import dropout_backward, dropout_forward
from .losses import binary_cross_entropy, binary_cross_entropy_with_logits, mse_loss, softmax_cross_entropy
from .optim import adagrad_update, adam_update, momentum_update, nesterov_update, rmsprop_update, sgd_update
from .penalty import add_l2_penalty, l2_penalty
from .pooling import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    global_avg_pool2d_backward,
    global_avg_pool2d_forward,
    global_max_pool2d_backward,
    global_max_pool2d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from .recurrent import (
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_forward,
)
from .shape import flatten_backward, flatten_forward

__all__ = [
    "adagrad_update",
    "adam_update",
    "add_l2_penalty",
    "avg_pool2d_backward",
    "avg_pool2d_forward",
    "batchnorm_backward",
    "batchnorm_dropout_backward",
    "batchnorm_dropout_forward",
    "batchnorm_forward",
    "batchnorm_inference",
    "batchnorm_inference_backward",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv2d_backward",
    "conv2d_forward",
    "conv2d_geometry",
    "conv2d_relu_avg_pool_backward",
    "conv2d_relu_avg_pool_forward",
    "dense_backward",
    "dense_forward",
    "dropout_backward",
    "dropout_forward",
    "elu_backward",
    "elu_forward",
    "flatten_backward",
    "flatten_forward",
    "global_avg_pool2d_backward",
    "global_avg_pool2d_forward",
    "global_max_pool2d_backward",
    "global_max_pool2d_forward",
    "l2_penalty",
    "leaky_relu_backward",
    "leaky_relu_forward",
    "log_softmax_backward",
    "log_softmax_forward",
    "lstm_backward",
    "lstm_cell_backward",
    "lstm_cell_forward",
    "lstm_forward",
    "max_pool2d_backward",
    "max_pool2d_forward",
    "momentum_update",
    "mse_loss",
    "nesterov_update",
    "relu_backward",
    "relu_forward",
    "resolve_padding",
    "rmsprop_update",
    "rnn_backward",
    "rnn_cell_backward",
    "rnn_cell_forward",
    "rnn_forward",
    "sgd_update",
    "sigmoid_backward",
    "sigmoid_forward",
    "softmax_backward",
    "softmax_cross_entropy",
    "softmax_forward",
    "tanh_backward",
    "tanh_forward",
    "update_moving_statistics",
]
