"""Tests of ``engine.plots``: every figure is drawn, saved as a real PNG, shows as many
panels/images as the model has, and bad arguments raise a clear ValueError."""

from __future__ import annotations

import matplotlib.image
import numpy as np
import pytest
from matplotlib.figure import Figure

import engine
from engine import plots

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


# -- helpers and fixtures -------------------------------------------------------------------------


def small_cnn(seed=0):
    return engine.Sequential(
        [
            engine.Conv2D(4, 3, activation="relu"),
            engine.MaxPool2D(),
            engine.Flatten(),
            engine.Dense(10, activation="softmax"),
        ],
        input_shape=(12, 12, 1),
        seed=seed,
    )


def two_conv_cnn(channels=3, seed=0):
    return engine.Sequential(
        [
            engine.Conv2D(5, 3, activation="relu"),
            engine.MaxPool2D(),
            engine.Conv2D(6, 3, activation="relu"),
            engine.Flatten(),
            engine.Dense(3, activation="softmax"),
        ],
        input_shape=(12, 12, channels),
        seed=seed,
    )


def mlp(seed=0):
    return engine.Sequential(
        [engine.Dense(8, activation="relu"), engine.Dense(3, activation="softmax")],
        input_shape=(5,),
        seed=seed,
    )


def deep_mlp(seed, depth=6, width=32, inputs=20, classes=10, activation="sigmoid"):
    layers = [engine.Dense(width, activation=activation, kernel_initializer="glorot_uniform")
              for _ in range(depth)]
    layers.append(engine.Dense(classes, activation="softmax"))
    return engine.Sequential(layers, input_shape=(inputs,), seed=seed, dtype="float64")


def images(n=16, channels=1, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 12, 12, channels)).astype(np.float32)
    y = rng.integers(0, 10, size=n)
    return x, y


def assert_png(path):
    """The file is a non-empty PNG that decodes to an image of positive size."""
    data = path.read_bytes()
    assert len(data) > 100
    assert data[:8] == PNG_MAGIC
    pixels = matplotlib.image.imread(path)
    assert pixels.ndim == 3 and pixels.shape[0] > 50 and pixels.shape[1] > 50


def image_count(fig):
    return sum(len(ax.images) for ax in fig.axes)


def grid_rows(fig):
    return fig.axes[0].get_subplotspec().get_geometry()[0]


@pytest.fixture(scope="module")
def trained_history():
    x, y = images(24)
    model = small_cnn()
    history = model.fit(x, y, "cross_entropy", engine.Adam(0.01), epochs=2, batch_size=8,
                        validation_data=(x[:8], y[:8]), verbose=False)
    return model, history


# -- 1. learning curves ----------------------------------------------------------------------------


def test_learning_curves_with_validation(tmp_path, trained_history):
    _, history = trained_history
    path = tmp_path / "curves.png"
    fig = plots.plot_learning_curves(history, path=path)
    assert isinstance(fig, Figure)
    assert_png(path)
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["training loss", "validation loss"]
    labels = [line.get_label() for line in acc_ax.lines]
    assert labels == ["training accuracy", "validation accuracy"]
    np.testing.assert_allclose(loss_ax.lines[0].get_xdata(), history.epochs)
    np.testing.assert_allclose(loss_ax.lines[1].get_ydata(), history["val_loss"])
    assert loss_ax.get_legend() is not None and "epoch" in loss_ax.get_xlabel()


def test_learning_curves_without_validation_or_accuracy():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(16, 5))
    model = engine.Sequential([engine.Dense(1)], input_shape=(5,), dtype="float64")
    history = model.fit(x, x[:, :1], "mse", engine.SGD(0.01), epochs=3, batch_size=8, verbose=False)
    fig = plots.plot_learning_curves(history)
    assert len(fig.axes) == 1  # regression: no accuracy panel
    assert [line.get_label() for line in fig.axes[0].lines] == ["training loss"]
    # A plain dict of lists (like Keras' history.history) works too.
    fig = plots.plot_learning_curves({"loss": [1.0, 0.5], "accuracy": [0.3, 0.6]})
    assert len(fig.axes) == 2


def test_learning_curves_rejects_history_without_loss():
    with pytest.raises(ValueError, match="history"):
        plots.plot_learning_curves({"accuracy": [0.5]})
    with pytest.raises(ValueError, match="history"):
        plots.plot_learning_curves({"loss": []})


# -- 2. filters ------------------------------------------------------------------------------------


def test_filters_of_the_first_conv_layer(tmp_path, trained_history):
    model, _ = trained_history
    path = tmp_path / "filters.png"
    fig = plots.plot_filters(model, path=path)
    assert_png(path)
    assert image_count(fig) == 4
    assert len(fig.axes) == 4  # no empty frames left in the grid
    assert fig.get_suptitle()


def test_filters_of_a_named_layer_rgb_and_mean():
    model = two_conv_cnn(channels=3)
    fig = plots.plot_filters(model)  # first conv: 3 input channels, shown in colour
    assert image_count(fig) == 5
    assert all(ax.images[0].get_array().shape == (3, 3, 3) for ax in fig.axes)
    fig = plots.plot_filters(model, layer="conv2d_2")  # 5 input channels: their mean
    assert image_count(fig) == 6
    assert all(ax.images[0].get_array().shape == (3, 3) for ax in fig.axes)
    assert image_count(plots.plot_filters(model, layer=2)) == 6


def test_filters_of_a_kernel_array_are_normalised_each():
    kernel = np.zeros((5, 5, 1, 7))
    kernel[:, :, 0, 1] = np.arange(25).reshape(5, 5) * 100.0  # a large range
    kernel[:, :, 0, 2] = np.arange(25).reshape(5, 5) * 1e-3  # a tiny range
    fig = plots.plot_filters(kernel)
    assert image_count(fig) == 7
    shown = [np.asarray(ax.images[0].get_array()) for ax in fig.axes]
    np.testing.assert_allclose(shown[1], shown[2])
    for image in shown[1:3]:
        assert image.min() == 0.0 and image.max() == 1.0


def test_filters_errors():
    with pytest.raises(ValueError, match="model_or_kernel.*Conv2D"):
        plots.plot_filters(mlp())
    with pytest.raises(ValueError, match=r"model_or_kernel.*\(KH, KW, C_in, F\)"):
        plots.plot_filters(np.zeros((3, 3, 4)))
    with pytest.raises(ValueError, match="layer.*names"):
        plots.plot_filters(small_cnn(), layer="no_such_layer")
    with pytest.raises(ValueError, match="layer.*Conv2D"):
        plots.plot_filters(small_cnn(), layer="dense_1")
    with pytest.raises(ValueError, match="layer.*index"):
        plots.plot_filters(small_cnn(), layer=10)


# -- 3. feature maps -------------------------------------------------------------------------------


def test_feature_maps_rows_match_the_image_layers(tmp_path):
    model = two_conv_cnn(channels=3)
    x, _ = images(1, channels=3)
    path = tmp_path / "maps.png"
    fig = plots.plot_feature_maps(model, x[0], path=path, max_maps=4)
    assert_png(path)
    # Input + conv2d_1 (5 maps) + max_pool2d_1 (5) + conv2d_2 (6), at most 4 shown each.
    assert grid_rows(fig) == 1 + 3
    assert image_count(fig) == 1 + 4 + 4 + 4
    # The input is shown in colour, the maps in grayscale with their own sizes.
    shapes = [ax.images[0].get_array().shape for ax in fig.axes]
    assert shapes[0] == (12, 12, 3)
    assert shapes[1:5] == [(10, 10)] * 4
    assert shapes[5:9] == [(5, 5)] * 4
    assert shapes[9:] == [(3, 3)] * 4


def test_feature_maps_show_the_layer_outputs_and_leave_the_model_alone():
    model = small_cnn()
    model.train()
    x, _ = images(1)
    before = model.predict(x)
    fig = plots.plot_feature_maps(model, x[0])
    assert grid_rows(fig) == 1 + 2  # conv2d_1 and max_pool2d_1
    assert image_count(fig) == 1 + 4 + 4
    assert all(layer.training for layer in model.layers)  # mode restored
    np.testing.assert_array_equal(model.predict(x), before)
    # The first map is conv2d_1's channel 0, normalised to [0, 1].
    conv = model.layers[0].forward(x)[0, :, :, 0].astype(np.float64)
    expected = (conv - conv.min()) / (conv.max() - conv.min())
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), expected, atol=1e-6)


def test_feature_maps_of_selected_layers():
    model = two_conv_cnn(channels=1)
    x, _ = images(1)
    fig = plots.plot_feature_maps(model, x[0], layers=["conv2d_2"])
    assert grid_rows(fig) == 2 and image_count(fig) == 1 + 6
    fig = plots.plot_feature_maps(model, x[0], layers=[0, -3], max_maps=16)
    assert grid_rows(fig) == 3 and image_count(fig) == 1 + 5 + 6


def test_feature_maps_errors():
    model = small_cnn()
    x, _ = images(1)
    with pytest.raises(ValueError, match=r"image.*\(H, W, C\)"):
        plots.plot_feature_maps(model, x[0, :, :, 0])
    with pytest.raises(ValueError, match=r"image.*\(H, W, C\)"):
        plots.plot_feature_maps(model, x)
    with pytest.raises(ValueError, match=r"image.*\(12, 12, 1\)"):
        plots.plot_feature_maps(model, np.zeros((10, 10, 1)))
    with pytest.raises(ValueError, match="layers.*names"):
        plots.plot_feature_maps(model, x[0], layers=["conv"])
    with pytest.raises(ValueError, match="layers.*image outputs"):
        plots.plot_feature_maps(model, x[0], layers=["dense_1"])
    with pytest.raises(ValueError, match="max_maps"):
        plots.plot_feature_maps(model, x[0], max_maps=0)
    with pytest.raises(ValueError, match="model"):
        plots.plot_feature_maps(mlp(), np.zeros((5, 1, 1)))


# -- 4. weight histograms --------------------------------------------------------------------------


def test_weight_histograms(tmp_path):
    model = two_conv_cnn()
    path = tmp_path / "weights.png"
    fig = plots.plot_weight_histograms(model, path=path, bins=20)
    assert_png(path)
    names = ["conv2d_1", "conv2d_2", "dense_1"]
    assert len(fig.axes) == 3
    by_name = {layer.name: layer for layer in model.layers}
    for ax, name in zip(fig.axes, names, strict=True):
        std = by_name[name].params["W"].value.std()
        assert ax.get_title() == f"{name}\nstd = {std:.3g}"
        assert len(ax.patches) == 20  # one bar per bin


def test_weight_histograms_errors():
    no_weights = engine.Sequential([engine.Flatten()], input_shape=(4, 4, 1))
    with pytest.raises(ValueError, match="model.*weights"):
        plots.plot_weight_histograms(no_weights)
    with pytest.raises(ValueError, match="model.*not built"):
        plots.plot_weight_histograms(engine.Sequential([engine.Dense(3)]))
    with pytest.raises(ValueError, match="bins"):
        plots.plot_weight_histograms(mlp(), bins=0)


# -- 5. backpropagated gradients -------------------------------------------------------------------


def test_gradient_statistics_show_vanishing_gradients_in_a_deep_sigmoid_net():
    """Glorot & Bengio (2010): with sigmoids, gradients shrink from the output to the input."""
    assert min(last_to_first_gradient_ratios("sigmoid")) > 20  # measured about 1000×


def test_gradient_statistics_do_not_vanish_with_tanh_and_glorot_init():
    """The contrast of Glorot & Bengio: tanh with their initialisation keeps gradients level."""
    ratios = last_to_first_gradient_ratios("tanh")
    assert 0.2 < min(ratios) and max(ratios) < 5  # measured 0.7 to 1.05


def last_to_first_gradient_ratios(activation, seeds=(0, 1, 2)):
    """mean |∂L/∂W| of the last hidden layer / that of the first, for a few random nets."""
    ratios = []
    for seed in seeds:
        model = deep_mlp(seed, activation=activation)
        rng = np.random.default_rng(seed)
        x = rng.normal(size=(64, 20))
        y = rng.integers(0, 10, size=64)
        stats = plots.gradient_statistics(model, x, y, "cross_entropy")
        assert [name for name, _, _ in stats] == [f"dense_{i}" for i in range(1, 8)]
        assert all(mean > 0 and std > 0 for _, mean, std in stats)
        first, last_hidden = stats[0][1], stats[5][1]
        ratios.append(last_hidden / first)
    return ratios


def test_gradient_statistics_match_the_parameter_gradients():
    model = mlp()
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 5)).astype(np.float32)
    y = rng.integers(0, 3, size=6)
    weights = [p.value.copy() for p in model.parameters()]
    stats = plots.gradient_statistics(model, x, y, "cross_entropy")
    for (name, mean, std), layer in zip(stats, model.layers, strict=True):
        grad = layer.params["W"].grad
        assert name == layer.name
        assert mean == pytest.approx(float(np.abs(grad).mean()))
        assert std == pytest.approx(float(grad.std()))
    for before, p in zip(weights, model.parameters(), strict=True):
        np.testing.assert_array_equal(before, p.value)  # the weights are not changed


def test_gradient_histograms(tmp_path):
    model = deep_mlp(seed=0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 20))
    y = rng.integers(0, 10, size=32)
    path = tmp_path / "gradients.png"
    fig = plots.plot_gradient_histograms(model, x, y, "cross_entropy", path=path, bins=30, log=True)
    assert_png(path)
    ax_hist, ax_std = fig.axes
    assert len(ax_hist.patches) == 7  # one step histogram per weighted layer
    legend = [text.get_text() for text in ax_hist.get_legend().get_texts()]
    assert legend == [f"dense_{i}" for i in range(1, 8)]
    assert ax_hist.get_yscale() == "log"
    stats = plots.gradient_statistics(model, x, y, "cross_entropy")
    np.testing.assert_allclose(ax_std.lines[0].get_ydata(), [s for _, _, s in stats])
    np.testing.assert_allclose(ax_std.lines[0].get_xdata(), np.arange(1, 8))


def test_gradient_histograms_of_a_cnn_and_errors():
    model = small_cnn()
    x, y = images(8)
    fig = plots.plot_gradient_histograms(model, x, y, "cross_entropy")
    assert len(fig.axes[0].patches) == 2
    no_weights = engine.Sequential([engine.Flatten(), engine.Softmax()], input_shape=(2, 5, 1))
    with pytest.raises(ValueError, match="model.*weights"):
        plots.gradient_statistics(no_weights, x[:, :2, :5], y % 5, "cross_entropy")
    with pytest.raises(ValueError, match="bins"):
        plots.plot_gradient_histograms(model, x, y, "cross_entropy", bins=-1)
