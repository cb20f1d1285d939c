"""The lectures' experiments in a few lines each.

- ``deep_net``: the deep fully connected nets of lectures 000–002, plain or
  residual, with any activation.
- ``gradient_norms``: ‖∂L/∂W‖ per layer after one backward pass; with
  ``compare_gradient_norms`` for sigmoid against ReLU nets, the vanishing
  gradients of lectures 001–002 and 004 §3 (histograms: ``engine.plots.
  plot_gradient_histograms``).
- ``plain_versus_residual``: the same deep net trained with and without the
  shortcuts m(x) + x (lecture 000, "deeper models are harder to optimise").
- ``sgd_noise_ball``: how far SGD's iterates wander around the least-squares
  optimum as a function of the learning rate and the batch size (lecture 004 §2).
- ``overfit_then_regularise``: lecture 003's recipe on the shipped digits: a
  big net overfits a small training set; L2, dropout and data augmentation
  close the gap between training and validation accuracy.

Every function takes a ``seed`` and returns plain numbers or ``History``
objects; ``engine.plots`` draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import validation as check
from .augment import Augmentation
from .datasets import load_digits
from .init import make_rng
from .layers import Dense, Flatten
from .layers.regularization import Dropout
from .layers.residual import Residual
from .model import Sequential
from .optimizers import SGD, Adam


def deep_net(depth, width=32, activation="sigmoid", residual=False, input_shape=(784,), classes=10,
             kernel_initializer="glorot_uniform", seed=0, dtype=np.float32):
    """Dense(width) → ``depth`` hidden layers Dense(width, activation) → Dense(classes, softmax).

    With ``residual=True`` each hidden layer is a residual block
    ``Residual([Dense(width, activation)])``: h ← h + g(h W + b). Images are
    flattened first.
    """
    depth = check.positive_int("depth", depth)
    width = check.positive_int("width", width)
    layers = [Flatten()] if len(input_shape) > 1 else []
    layers.append(Dense(width, kernel_initializer=kernel_initializer))
    for _ in range(depth):
        hidden = Dense(width, activation=activation, kernel_initializer=kernel_initializer)
        layers.append(Residual([hidden]) if residual else hidden)
    layers.append(Dense(classes, activation="softmax", kernel_initializer=kernel_initializer))
    kind = "residual" if residual else "plain"
    return Sequential(layers, input_shape=input_shape, seed=seed, dtype=dtype, name=f"{kind}_{activation}_{depth}")


def gradient_norms(model, x, y, loss="cross_entropy"):
    """{layer name: ‖∂L/∂W‖ (Frobenius)} for every weight matrix, input to output,
    after one forward/backward pass on (x, y). The weights do not change."""
    model.loss_and_backward(x, y, loss)
    return {name[: -len(".W")]: float(np.linalg.norm(p.grad)) for name, p in model.named_parameters().items()
            if name.endswith(".W")}


def compare_gradient_norms(x, y, depth=10, width=32, activations=("sigmoid", "relu"), seed=0, **net_options):
    """{activation: gradient_norms(...)} for a deep net of each activation, same depth and seed.

    In the sigmoid net the norms shrink layer by layer towards the input (σ' ≤ 1/4);
    in the ReLU net they stay of the same order.
    """
    shape = tuple(x.shape[1:])
    return {a: gradient_norms(deep_net(depth, width, a, input_shape=shape, seed=seed, dtype=x.dtype, **net_options),
                              x, y)
            for a in activations}


def plain_versus_residual(x, y, depth=20, width=32, activation="relu", kernel_initializer="truncated_normal",
                          epochs=5, batch_size=64, lr=1e-3, validation_data=None, seed=0, verbose=False):
    """Train the same deep net plain and residual (same seed, data order and optimiser).

    Returns {"plain": History, "residual": History}; compare their "loss"
    curves (``engine.plots.plot_histories``). With small initial weights
    (truncated normal, σ = 0.05) the plain net's signal and gradients fade
    layer after layer and its loss stays at log(10) ≈ 2.30, while the shortcuts
    carry both through the residual net, which trains.
    """
    histories = {}
    for kind in ("plain", "residual"):
        model = deep_net(depth, width, activation, residual=kind == "residual", input_shape=tuple(x.shape[1:]),
                         classes=int(np.max(y)) + 1, kernel_initializer=kernel_initializer, seed=seed, dtype=x.dtype)
        histories[kind] = model.fit(x, y, "cross_entropy", Adam(lr), epochs=epochs, batch_size=batch_size,
                                    validation_data=validation_data, seed=seed, verbose=verbose)
    return histories


@dataclass
class NoiseBall:
    """Result of ``sgd_noise_ball``: ``spread[i, j]`` is the mean squared distance
    E‖θ_t − θ*‖² of the last half of the iterates from the optimum θ*, for
    ``learning_rates[i]`` and ``batch_sizes[j]``; ``paths[(lr, B)]`` the iterates
    (steps + 1, 2) of each run, ``optimum`` θ*."""

    learning_rates: tuple
    batch_sizes: tuple
    spread: np.ndarray
    paths: dict
    optimum: np.ndarray


def sgd_noise_ball(learning_rates=(0.01, 0.03, 0.1), batch_sizes=(1, 4, 16), steps=400, samples=256, noise=1.0,
                   seed=0):
    """SGD on a 2-parameter least-squares problem, started at its optimum θ*.

    Data: y = 1.5·x₁ − 0.5·x₂ + noise, the model y = x θ (a Dense(1) without
    bias learned with the engine's SGD and MSE). At θ* the full gradient is 0,
    but a minibatch gradient is not: SGD wanders in a "noise ball" whose size
    grows with the learning rate and shrinks with the batch size (lecture 004
    §2; for small steps E‖θ − θ*‖² ∝ lr / B).
    """
    rng = make_rng(seed)
    x = rng.standard_normal((samples, 2))
    y = (x @ np.array([1.5, -0.5]) + noise * rng.standard_normal(samples))[:, None]
    optimum = np.linalg.lstsq(x, y, rcond=None)[0]
    spread = np.zeros((len(learning_rates), len(batch_sizes)))
    paths = {}
    for i, lr in enumerate(learning_rates):
        for j, batch in enumerate(batch_sizes):
            model = Sequential([Dense(1)], input_shape=(2,), dtype=np.float64)
            weight = model.layers[0].params["W"]  # θ; the bias stays 0 (the data has no offset)
            weight.value[...] = optimum
            optimizer = SGD(lr)
            path = [weight.value[:, 0].copy()]
            for _ in range(steps):
                picks = rng.integers(0, samples, batch)
                model.loss_and_backward(x[picks], y[picks], "mse")
                optimizer.step([weight])
                path.append(weight.value[:, 0].copy())
            path = np.array(path)
            paths[(lr, batch)] = path
            spread[i, j] = np.mean(np.sum((path[steps // 2 :] - optimum[:, 0]) ** 2, axis=1))
    return NoiseBall(tuple(learning_rates), tuple(batch_sizes), spread, paths, optimum[:, 0])


REGULARISERS = ("baseline", "l2", "dropout", "augmentation")


def overfit_then_regularise(train_size=300, width=256, epochs=25, batch_size=32, lr=1e-3, l2=0.1, p_keep=0.3,
                            settings=REGULARISERS, seed=0, verbose=False):
    """Lecture 003's recipe on the shipped digits: capacity first, then regularise.

    A wide two-layer net trained on ``train_size`` digits reaches ~100 %
    training accuracy while the validation accuracy stays behind ("baseline");
    then the same net with the L2 penalty (``l2``), with dropout after the hidden
    layer (``p_keep``), and with augmented batches (small rotations, crops,
    noise). Returns {setting: History}; the gap is
    history["accuracy"][-1] − history["val_accuracy"][-1]. With the defaults
    (measured with seed 0) the baseline's gap is about 0.14; augmentation
    closes it almost entirely, dropout and L2 narrow it (L2 at some cost in
    validation accuracy: the recipe's regularisation strength is a trade-off).
    """
    unknown = set(settings) - set(REGULARISERS)
    if unknown:
        raise ValueError(f"settings must be chosen from {REGULARISERS}, got {sorted(unknown)}")
    data = load_digits(validation=0.3, test=0.0, seed=seed)
    x, y = data.x_train[:train_size], data.y_train[:train_size]
    augment = Augmentation([("rotate", {"max_degrees": 10}), ("random_crop", {"padding": 2}),
                            ("gaussian_noise", {"std": 0.1})])
    histories = {}
    for setting in settings:
        hidden = [Flatten(), Dense(width, activation="relu")]
        if setting == "dropout":
            hidden.append(Dropout(p_keep))
        model = Sequential(hidden + [Dense(10, activation="softmax")], input_shape=x.shape[1:], seed=seed)
        histories[setting] = model.fit(
            x, y, "cross_entropy", Adam(lr), epochs=epochs, batch_size=batch_size, seed=seed, verbose=verbose,
            validation_data=(data.x_val, data.y_val), l2=l2 if setting == "l2" else 0.0,
            augment=augment if setting == "augmentation" else None)
    return histories
