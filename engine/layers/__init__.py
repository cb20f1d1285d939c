"""Stateful layers built on ``engine.functional``; ``Sequential`` chains them."""

from .activations import ELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh, make_activation
from .base import Layer, Parameter
from .linear import Conv2D, Dense
from .pooling import AveragePooling2D, Flatten, GlobalAveragePooling2D, GlobalMaxPooling2D, MaxPool2D, Reshape
from .recurrent import LSTM, Bidirectional, SimpleRNN, TimeDistributedDense
from .regularization import BatchNormalization, Dropout
from .residual import Residual

__all__ = [
    "Layer", "Parameter", "Dense", "Conv2D", "MaxPool2D", "AveragePooling2D", "GlobalAveragePooling2D",
    "GlobalMaxPooling2D", "Flatten", "ReLU", "LeakyReLU", "ELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
    "make_activation", "Dropout", "BatchNormalization", "Residual", "Reshape",
    "SimpleRNN", "LSTM", "Bidirectional", "TimeDistributedDense",
]
