"""A deep-learning engine for teaching, with Numba kernels on the CPU.

Layers of the package, from the bottom up:

- ``engine.backends``: the compiled kernels (``cpu``: Numba ``@njit``; ``cuda``:
  ``numba.cuda`` kernels on NVIDIA GPUs; a model picks one with ``backend=``);
- ``engine.functional``: validated, stateless forward/backward pairs;
- ``engine.layers`` and ``engine.model``: stateful layers and ``Sequential``;
- ``engine.optimizers``, ``engine.schedules``, ``engine.training``,
  ``engine.callbacks``: learning; ``engine.autoencoder``: encoder, code, decoder;
- ``engine.augment``: data augmentation; ``engine.synthetic``: the lectures' toy
  data (sawtooth, ECG beats, adding problem, sines);
- ``engine.experiments``: the lectures' experiments in a few lines;
- ``engine.init``, ``engine.gradcheck``, ``engine.datasets``, ``engine.plots``.
"""

from . import augment, functional, init, optimizers, schedules, synthetic
from .autoencoder import Autoencoder
from .backends import CudaUnavailableError
from .callbacks import EarlyStopping
from .gradcheck import check_model_gradients, gradcheck, numerical_gradient
from .layers import (
    ELU,
    LSTM,
    AveragePooling2D,
    BatchNormalization,
    Bidirectional,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    GlobalAveragePooling2D,
    GlobalMaxPooling2D,
    LeakyReLU,
    LogSoftmax,
    MaxPool2D,
    ReLU,
    Reshape,
    Residual,
    Sigmoid,
    SimpleRNN,
    Softmax,
    Tanh,
    TimeDistributedDense,
)
from .losses import BinaryCrossEntropy, CrossEntropy, MeanSquaredError
from .model import Sequential
from .optimizers import SGD, Adagrad, Adam, Momentum, Nesterov, RMSProp
from .training import Callback, History, fit

__version__ = "0.1.0"
__all__ = [
    "augment", "functional", "init", "optimizers", "schedules", "synthetic", "check_model_gradients", "gradcheck",
    "numerical_gradient", "Autoencoder", "EarlyStopping", "BatchNormalization", "Dropout", "Residual", "Reshape",
    "SimpleRNN", "LSTM", "Bidirectional", "TimeDistributedDense",
    "ELU", "AveragePooling2D", "Conv2D", "Dense", "Flatten", "GlobalAveragePooling2D", "GlobalMaxPooling2D",
    "LeakyReLU", "LogSoftmax", "MaxPool2D", "ReLU", "Sigmoid", "Softmax", "Tanh", "BinaryCrossEntropy",
    "CrossEntropy", "MeanSquaredError", "Sequential", "SGD", "Adagrad", "Adam", "Momentum", "Nesterov", "RMSProp",
    "Callback", "History", "fit", "lenet", "CudaUnavailableError",
]


def lenet(seed=0, dtype="float32", backend="cpu"):
    """The LeNet of lecture 004 §5 for 28×28×1 digits (60 074 parameters), on ``backend`` ("cpu" or "cuda")."""
    return Sequential(
        [
            Conv2D(6, 3, activation="relu"),
            AveragePooling2D(),
            Conv2D(16, 3, activation="relu"),
            AveragePooling2D(),
            Flatten(),
            Dense(120, activation="relu"),
            Dense(84, activation="relu"),
            Dense(10, activation="softmax"),
        ],
        input_shape=(28, 28, 1),
        seed=seed,
        dtype=dtype,
        backend=backend,
    )
