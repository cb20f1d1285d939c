"""Figures for looking inside a network: learning curves, filters, feature maps,
weight histograms and the backpropagated-gradient histograms of Glorot & Bengio (2010).

Every function builds and returns a matplotlib ``Figure``; with ``path=...`` it
also saves the figure there as a PNG. The figures are created with
``matplotlib.figure.Figure`` directly (not ``pyplot``), so no window is opened
and no GUI is needed: in a notebook, put the returned figure as the last
expression of a cell to display it, or open the saved PNG.

Lecture 001 shows two of these pictures:

- the features a CNN learns, from edges (first layer) to textures and objects:
  ``plot_filters`` draws the first layer's filters, ``plot_feature_maps`` what
  every convolution and pooling layer makes of one image;
- the "backpropagated gradients normalized histograms" of Glorot & Bengio:
  in a deep sigmoid network the gradients of the layers far from the output
  vanish to zero. ``plot_gradient_histograms`` draws them and
  ``gradient_statistics`` gives the same numbers as a list.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from .backends import to_backend, to_host
from .layers import Conv2D

__all__ = [
    "plot_learning_curves",
    "plot_filters",
    "plot_feature_maps",
    "plot_weight_histograms",
    "plot_gradient_histograms",
    "gradient_statistics",
    "plot_histories",
    "plot_noise_ball",
]

DPI = 100


# -- small helpers ----------------------------------------------------------------------------


def _finish(fig, path):
    """Save ``fig`` as a PNG when a path is given; return the figure."""
    if path is not None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=DPI, format="png")
    return fig


def _grid(n):
    """(rows, columns) of a near-square grid holding n small images."""
    cols = math.ceil(math.sqrt(n))
    return math.ceil(n / cols), cols


def _normalise(image):
    """Scale an array to [0, 1] using its own minimum and maximum (a constant array gives 0.5)."""
    image = np.asarray(image, dtype=np.float64)
    low, high = image.min(), image.max()
    if high - low <= 0:
        return np.full_like(image, 0.5)
    return (image - low) / (high - low)


def _show(ax, image):
    """Draw an (H, W) grayscale or (H, W, 3) colour image, normalised to its own range."""
    image = _normalise(image)
    if image.ndim == 2:
        ax.imshow(image, cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest")
    else:
        ax.imshow(image, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])


def _require_built(model, argument="model"):
    if not hasattr(model, "layers"):
        raise ValueError(
            f"{argument} must be an engine Sequential model, got {type(model).__name__}"
        )
    if getattr(model, "input_shape", None) is None:
        raise ValueError(
            f"{argument} is not built yet: give input_shape when creating it, or run a forward pass"
        )


def _layer_index(model, layer, argument="layer"):
    """The index in ``model.layers`` of a layer given by index (negative allowed) or by name."""
    names = [lay.name for lay in model.layers]
    if isinstance(layer, (int, np.integer)) and not isinstance(layer, bool):
        n = len(model.layers)
        if not -n <= layer < n:
            raise ValueError(f"{argument} must be an index in [-{n}, {n - 1}], got {layer}")
        return int(layer) % n
    if isinstance(layer, str):
        if layer not in names:
            raise ValueError(f"{argument} must be one of the layer names {names}, got {layer!r}")
        return names.index(layer)
    raise ValueError(f"{argument} must be a layer index (int) or a layer name (str), got {layer!r}")


def _weights(model):
    """[(layer name, its weight Parameter "W")] in order, layers inside blocks included
    (named "block.layer")."""
    return [(name[: -len(".W")], p) for name, p in model.named_parameters().items() if name.endswith(".W")]


# -- 1. learning curves -------------------------------------------------------------------------


def plot_learning_curves(history, path=None):
    """Loss per epoch (training and, if recorded, validation) and, for classification,
    accuracy per epoch on a second axes.

    ``history`` is the ``History`` returned by ``fit`` (or a dict of per-epoch lists
    with at least a "loss" key, like Keras' ``history.history``).
    """
    if "loss" not in history:
        raise ValueError(
            f"history must hold a 'loss' entry (the History returned by fit), got {history!r}"
        )
    n = len(history["loss"])
    if n == 0:
        raise ValueError("history must hold at least one epoch, got an empty 'loss' list")
    epochs = list(getattr(history, "epochs", None) or range(1, n + 1))

    panels = [("loss", "Loss")]
    if "accuracy" in history:
        panels.append(("accuracy", "Accuracy"))
    fig = Figure(figsize=(5.5 * len(panels), 4), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (key, label) in zip(axes, panels, strict=True):
        ax.plot(epochs, history[key], marker="o", label=f"training {key}")
        if f"val_{key}" in history:
            ax.plot(epochs, history[f"val_{key}"], marker="s", label=f"validation {key}")
        ax.set_title(f"{label} per epoch")
        ax.set_xlabel("epoch")
        ax.set_ylabel(label.lower())
        ax.grid(True, alpha=0.3)
        ax.legend()
    return _finish(fig, path)


# -- 2. filters -----------------------------------------------------------------------------------


def _kernel_to_plot(model_or_kernel, layer):
    """(kernel array (KH, KW, C_in, F), title) from a model, a Conv2D layer or a kernel array."""
    if isinstance(model_or_kernel, np.ndarray):
        if model_or_kernel.ndim != 4:
            raise ValueError(
                "model_or_kernel must be a model or a kernel array of shape (KH, KW, C_in, F), "
                f"got an array of shape {model_or_kernel.shape}"
            )
        return model_or_kernel, f"{model_or_kernel.shape[3]} filters"
    if isinstance(model_or_kernel, Conv2D):
        conv = model_or_kernel
    elif hasattr(model_or_kernel, "layers"):
        model = model_or_kernel
        _require_built(model, "model_or_kernel")
        if layer is None:
            convs = [lay for lay in model.layers if isinstance(lay, Conv2D)]
            if not convs:
                kinds = [lay.kind for lay in model.layers]
                raise ValueError(
                    "model_or_kernel must have a Conv2D layer to show its filters, "
                    f"got layers {kinds}"
                )
            conv = convs[0]
        else:
            conv = model.layers[_layer_index(model, layer)]
            if not isinstance(conv, Conv2D):
                raise ValueError(f"layer must name a Conv2D layer, got {conv.name!r} ({conv.kind})")
    else:
        raise ValueError(
            "model_or_kernel must be a Sequential model, a Conv2D layer or a kernel array "
            f"(KH, KW, C_in, F), got {type(model_or_kernel).__name__}"
        )
    if "W" not in conv.params:
        raise ValueError(f"the Conv2D layer {conv.name!r} is not built yet")
    kernel = to_host(conv.params["W"].value)
    return kernel, f"{conv.name}: {kernel.shape[3]} filters of {kernel.shape[0]}×{kernel.shape[1]}"


def plot_filters(model_or_kernel, path=None, layer=None):
    """The filters of the first Conv2D layer (or of ``layer``, an index or a name),
    one small image per filter, each normalised to its own range.

    ``model_or_kernel`` may also be a Conv2D layer or a kernel array (KH, KW, C_in, F).
    Filters over 3 input channels are shown in colour (RGB); otherwise the mean
    over the input channels is shown in grayscale (bright = positive weights).
    First-layer filters of a trained CNN often look like edge and colour detectors.
    """
    kernel, title = _kernel_to_plot(model_or_kernel, layer)
    kh, kw, c_in, n_filters = kernel.shape
    rows, cols = _grid(n_filters)
    fig = Figure(figsize=(1.2 * cols + 0.4, 1.2 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for f, ax in enumerate(axes):
        if f >= n_filters:
            ax.remove()  # leave no empty frame in the grid
            continue
        w = kernel[:, :, :, f]
        _show(ax, w if c_in == 3 else w.mean(axis=2))
        ax.set_title(str(f), fontsize=8)
    if c_in == 3:
        channels = "RGB"
    else:
        channels = "grayscale" if c_in == 1 else f"mean of {c_in} input channels"
    fig.suptitle(f"{title} ({channels})")
    return _finish(fig, path)


# -- 3. feature maps -------------------------------------------------------------------------------


def _check_image(model, image):
    image = np.asarray(image)
    if image.ndim != 3:
        hint = " (add a channel axis with image[..., None])" if image.ndim == 2 else ""
        raise ValueError(f"image must have shape (H, W, C), got shape {image.shape}{hint}")
    if not np.issubdtype(image.dtype, np.number):
        raise ValueError(f"image must hold numbers, got dtype {image.dtype}")
    if getattr(model, "input_shape", None) is None:
        model.build(image.shape)
    elif tuple(image.shape) != tuple(model.input_shape):
        raise ValueError(
            f"image must have shape {tuple(model.input_shape)} (the model's input), "
            f"got {image.shape}"
        )
    return image.astype(model.dtype)


def plot_feature_maps(model, image, path=None, layers=None, max_maps=16):
    """What one image becomes inside the network: the input, then one row per layer
    whose output is a stack of maps (N, H, W, C) -- convolution and pooling layers --
    showing up to ``max_maps`` channels each.

    ``layers`` limits the rows to the given layer indices or names. The model is run
    in evaluation mode on a batch of one image, layer by layer, and left unchanged.
    """
    if not hasattr(model, "layers"):
        raise ValueError(f"model must be an engine Sequential model, got {type(model).__name__}")
    if isinstance(max_maps, bool) or not isinstance(max_maps, (int, np.integer)) or max_maps < 1:
        raise ValueError(f"max_maps must be a positive int, got {max_maps!r}")
    image = _check_image(model, image)
    if layers is None:
        wanted = None
    else:
        if isinstance(layers, (int, np.integer, str)):
            layers = [layers]
        wanted = {_layer_index(model, lay, "layers") for lay in layers}
        for i in sorted(wanted):
            shape = model.layers[i].output_shape
            if len(shape) != 3:
                raise ValueError(
                    f"layers must name layers with image outputs (N, H, W, C), but "
                    f"{model.layers[i].name!r} outputs (N, {', '.join(map(str, shape))})"
                )

    # Run the layers one by one in evaluation mode, keeping the 4-D outputs.
    modes = [lay.training for lay in model.layers]
    kept = []
    try:
        model.eval()
        x = to_backend(image[None], getattr(model, "backend", "cpu"))  # the layers take the model's arrays
        for i, lay in enumerate(model.layers):
            x = lay.forward(x)
            if x.ndim == 4 and (wanted is None or i in wanted):
                kept.append((lay, to_host(x)[0]))
    finally:
        for lay, mode in zip(model.layers, modes, strict=True):
            lay.training = mode
    if not kept:
        raise ValueError("model has no layer whose output is a stack of maps (N, H, W, C) to show")

    cols = max(min(maps.shape[2], max_maps) for _, maps in kept)
    rows = len(kept) + 1
    fig = Figure(figsize=(1.1 * cols + 1.2, 1.15 * rows + 0.6), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)

    def label_row(ax, text):
        ax.set_ylabel(text, rotation=0, ha="right", va="center", fontsize=8)

    # Row 0: the input image (colour if it has 3 channels, else the channel mean).
    _show(axes[0, 0], image if image.shape[2] == 3 else image.mean(axis=2))
    label_row(axes[0, 0], f"input\n{image.shape[0]}×{image.shape[1]}×{image.shape[2]}")
    for ax in axes[0, 1:]:
        ax.remove()
    # One row per kept layer: its first channels, each normalised to its own range.
    for r, (lay, maps) in enumerate(kept, start=1):
        shown = min(maps.shape[2], max_maps)
        for c, ax in enumerate(axes[r]):
            if c >= shown:
                ax.remove()
                continue
            _show(ax, maps[:, :, c])
            if r == 1:
                ax.set_title(f"channel {c}", fontsize=7)
        h, w, ch = maps.shape
        label_row(axes[r, 0], f"{lay.name}\n{h}×{w}×{ch}")
    fig.suptitle(f"Feature maps of {model.name} (up to {max_maps} channels per layer)")
    return _finish(fig, path)


# -- 4. weight histograms -------------------------------------------------------------------------


def plot_weight_histograms(model, path=None, bins=50):
    """One histogram of the weights "W" of every layer that has weights (biases left out),
    titled with the layer name and the standard deviation of its weights."""
    _require_built(model)
    bins = _check_bins(bins)
    weighted = _weights(model)
    if not weighted:
        raise ValueError("model must have at least one layer with weights 'W' (Dense or Conv2D)")
    cols = min(len(weighted), 4)
    rows = math.ceil(len(weighted) / cols)
    fig = Figure(figsize=(3.4 * cols, 2.8 * rows + 0.4), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, (name, weight) in zip(axes, weighted, strict=False):  # the grid may have spare axes
        w = to_host(weight.value).ravel()
        ax.hist(w, bins=bins, color="tab:blue", alpha=0.8)
        ax.set_title(f"{name}\nstd = {w.std():.3g}", fontsize=9)
        ax.set_xlabel("weight value")
        ax.set_ylabel("count")
    for ax in axes[len(weighted):]:
        ax.remove()
    fig.suptitle("Weights per layer")
    return _finish(fig, path)


def _check_bins(bins):
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)) or bins < 1:
        raise ValueError(f"bins must be a positive int, got {bins!r}")
    return int(bins)


# -- 5. backpropagated gradients (Glorot & Bengio 2010) --------------------------------------------


def _weight_gradients(model, x, y, loss):
    """[(layer name, copy of ∂L/∂W)] after one forward/backward pass on (x, y)."""
    if not hasattr(model, "loss_and_backward"):
        raise ValueError(f"model must be an engine Sequential model, got {type(model).__name__}")
    model.loss_and_backward(x, y, loss)
    grads = [(name, np.array(to_host(weight.grad))) for name, weight in _weights(model)]
    if not grads:
        raise ValueError("model must have at least one layer with weights 'W' (Dense or Conv2D)")
    return grads


def _statistics(grads):
    return [(name, float(np.mean(np.abs(g))), float(np.std(g))) for name, g in grads]


def gradient_statistics(model, x, y, loss):
    """(layer name, mean |∂L/∂W|, std of ∂L/∂W) for every layer with weights, input to output.

    One forward and backward pass on the batch (x, y) with ``loss`` (a name such as
    "cross_entropy" or a Loss); the parameters' ``.grad`` arrays are overwritten,
    the weights are not changed. In a deep sigmoid network the numbers shrink from
    the output towards the input: the vanishing gradients of Glorot & Bengio (2010).
    """
    return _statistics(_weight_gradients(model, x, y, loss))


def plot_gradient_histograms(model, x, y, loss, path=None, bins=50, log=False):
    """The backpropagated gradients of every layer's weights after one forward/backward
    pass on (x, y), as in Glorot & Bengio (2010):

    - left: normalised histograms (each sums to 1) of ∂L/∂W, one step curve per layer,
      all on the same bins (``bins``, made odd so that one bin is centred on 0). Layers
      far from the output whose gradients vanish show a narrow peak at zero.
      ``log=True`` puts the y axis on a log scale;
    - right: the standard deviation of ∂L/∂W against the layer's depth (log scale).

    The numbers are those of ``gradient_statistics``. The ``.grad`` arrays are overwritten.
    """
    bins = _check_bins(bins)
    grads = _weight_gradients(model, x, y, loss)
    stats = _statistics(grads)

    fig = Figure(figsize=(11, 4.2), layout="constrained")
    ax_hist, ax_std = fig.subplots(1, 2)

    # Shared bins, symmetric around 0 and covering every gradient of every layer.
    # An odd number of bins puts one bin right on 0, where vanished gradients pile up.
    limit = max(float(np.max(np.abs(g))) for _, g in grads)
    limit = limit if limit > 0 else 1.0
    edges = np.linspace(-limit, limit, (bins | 1) + 1)
    colours = [f"C{i % 10}" for i in range(len(grads))]
    for (name, g), colour in zip(grads, colours, strict=True):
        values = g.ravel()
        weights = np.full(values.shape, 1.0 / values.size)  # each histogram sums to 1
        ax_hist.hist(values, bins=edges, weights=weights, histtype="step", linewidth=1.5,
                     color=colour, label=name)
    ax_hist.set_title("Backpropagated gradients ∂L/∂W (normalised histograms)")
    ax_hist.set_xlabel("gradient value")
    ax_hist.set_ylabel("fraction of the layer's weights")
    if log:
        ax_hist.set_yscale("log")
    ax_hist.legend(fontsize=8, title="layer (input → output)", title_fontsize=8)

    depth = np.arange(1, len(stats) + 1)
    stds = [s for _, _, s in stats]
    ax_std.plot(depth, stds, marker="o")
    ax_std.set_xticks(depth, [name for name, _, _ in stats], rotation=30, ha="right", fontsize=8)
    if all(s > 0 for s in stds):
        ax_std.set_yscale("log")
    ax_std.set_title("Gradient std per layer (input → output)")
    ax_std.set_xlabel("layer depth")
    ax_std.set_ylabel("std of ∂L/∂W")
    ax_std.grid(True, alpha=0.3)
    return _finish(fig, path)


# -- 6. experiments compared (engine.experiments) ------------------------------------------------------


def plot_histories(histories, metric="loss", path=None):
    """One curve per training run: ``metric`` per epoch for every History of the dict
    ``histories`` ({label: History}, e.g. from ``plain_versus_residual`` or
    ``overfit_then_regularise``); its "val_" twin is drawn dashed when recorded."""
    if not isinstance(histories, dict) or not histories:
        raise ValueError(f"histories must be a non-empty dict {{label: History}}, got {histories!r}")
    missing = [label for label, history in histories.items() if metric not in history]
    if missing:
        raise ValueError(f"metric {metric!r} is not recorded in the histories {missing}")
    fig = Figure(figsize=(6.5, 4.2), layout="constrained")
    ax = fig.subplots()
    for i, (label, history) in enumerate(histories.items()):
        epochs = range(1, len(history[metric]) + 1)
        ax.plot(epochs, history[metric], color=f"C{i % 10}", marker="o", markersize=3, label=f"{label}: {metric}")
        if f"val_{metric}" in history:
            ax.plot(epochs, history[f"val_{metric}"], color=f"C{i % 10}", linestyle="--",
                    label=f"{label}: val_{metric}")
    ax.set_xlabel("epoch")
    ax.set_ylabel(metric)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
    return _finish(fig, path)


def plot_noise_ball(result, path=None):
    """The result of ``engine.experiments.sgd_noise_ball``: left, the iterates of SGD around
    the optimum for each learning rate (largest batch and batch 1); right, the mean squared
    distance to the optimum against the learning rate, one line per batch size."""
    fig = Figure(figsize=(11, 4.5), layout="constrained")
    ax_paths, ax_spread = fig.subplots(1, 2)
    for i, lr in enumerate(result.learning_rates):
        path_points = result.paths[(lr, result.batch_sizes[0])]
        ax_paths.plot(path_points[:, 0], path_points[:, 1], ".", markersize=2, color=f"C{i % 10}",
                      label=f"lr {lr:g}, batch {result.batch_sizes[0]}")
    ax_paths.plot(*result.optimum, "k*", markersize=12, label="optimum θ*")
    ax_paths.set_title("SGD iterates around the optimum")
    ax_paths.set_xlabel("θ₁")
    ax_paths.set_ylabel("θ₂")
    ax_paths.set_aspect("equal", adjustable="datalim")
    ax_paths.legend(fontsize=8)
    for j, batch in enumerate(result.batch_sizes):
        ax_spread.plot(result.learning_rates, result.spread[:, j], marker="o", label=f"batch {batch}")
    ax_spread.set_xscale("log")
    ax_spread.set_yscale("log")
    ax_spread.set_title("Noise ball: E‖θ − θ*‖² after the transient")
    ax_spread.set_xlabel("learning rate")
    ax_spread.set_ylabel("mean squared distance to θ*")
    ax_spread.grid(True, alpha=0.3)
    ax_spread.legend(fontsize=8)
    return _finish(fig, path)
