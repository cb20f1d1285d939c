"""Lecture 002, Redes profundas y CNN (F. Sobrino): unstable gradients in a deep net, a convolutional
layer built from local receptive fields and shared weights, and 2×2 max pooling.

- ``gradient_norm_per_layer``: the norm ‖∂L/∂b^l‖ = ‖Σ_n δ^l‖ of every layer of a deep dense net
  h^l = g(h^{l−1} W^l + b^l), backpropagated from ∂L/∂h^L (Nielsen's "speed of learning" of a
  layer); the numbers that shrink towards the input in a sigmoid net (σ' ≤ 1/4) and shrink or grow
  with the scale of the weights in a ReLU net.
- ``local_receptive_field_conv``: the lecture's a¹ = σ(b + w * a⁰) for one feature map: one input
  map, one filter, stride 1, no padding, the cross-correlation of the engine (the kernel is not
  flipped): a¹[j, k] = σ(b + Σ_l Σ_m w[l, m] a⁰[j + l, k + m]).
- ``max_pooling_2x2``: the lecture's 2×2 max pooling of one feature map, windows that do not
  fit (an odd last row or column) dropped.

The cases are drawn so that each mistake named here shows: square weight matrices (where W and Wᵀ
both multiply), saturated sigmoid nets, kernels of random entries (never symmetric, so flipping or
transposing them changes the output), square and rectangular kernels, maps of odd sizes and maps
of negative values.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, register
from .common import NotThisCase, hint, mistakes, normal, note

# -- unstable gradients: ‖∂L/∂W^l‖ per layer ----------------------------------------------------------

ACTIVATIONS = ("sigmoid", "relu")


def _activate(z, activation):
    return F.sigmoid_forward(z) if activation == "sigmoid" else F.relu_forward(z)


def _activation_backward(dh, z, h, activation):
    """∂L/∂z from ∂L/∂h: dh·σ(z)(1 − σ(z)) for the sigmoid, dh·[z > 0] for the ReLU."""
    return F.sigmoid_backward(dh, h) if activation == "sigmoid" else F.relu_backward(dh, z)


def _forward(x, weights, biases, activation):
    """[(h^{l−1}, z^l, h^l)] for every layer l = 1 … L."""
    steps, h = [], x
    for W, b in zip(weights, biases):
        z = F.dense_forward(h, W, b)
        out = _activate(z, activation)
        steps.append((h, z, out))
        h = out
    return steps


def _backprop(x, weights, biases, dh, activation, delta=_activation_backward, propagate=None):
    """[(∂L/∂W^l, ∂L/∂b^l)] input to output; ``delta`` and ``propagate`` let a detector change one step."""
    grads = []
    for (h_prev, z, h), W in zip(reversed(_forward(x, weights, biases, activation)), weights[::-1]):
        dz = delta(dh, z, h, activation)
        dh_prev, dW, db = F.dense_backward(dz, h_prev, W)
        grads.append((dW, db))
        dh = dh_prev if propagate is None else propagate(dz, W)
    return grads[::-1]


def _norms(grads, which):
    """‖∂L/∂W^l‖ (which=0) or ‖∂L/∂b^l‖ (which=1) of every layer."""
    return np.array([np.linalg.norm(g[which]) for g in grads])


def _gradient_norm_reference(x, weights, biases, dh, activation):
    return (_norms(_backprop(x, weights, biases, dh, activation), which=1),)


def _delta_norms(x, weights, biases, dh, activation):
    """‖δ^l‖ of the whole (N, d) matrix, before summing over the batch."""
    if x.shape[0] == 1:
        raise NotThisCase("a batch of one: δ^l is ∂L/∂b^l")
    norms = []

    def delta(d, z, h, act):
        dz = _activation_backward(d, z, h, act)
        norms.append(np.linalg.norm(dz))
        return dz

    _backprop(x, weights, biases, dh, activation, delta=delta)
    return np.array(norms[::-1])


def _deep_net(rng, n, width, depth, scale, activation):
    """(x, weights, biases, dh, activation) of a net whose weights are N(0, scale²/width)."""
    weights = normal(rng, depth, width, width, scale=scale / np.sqrt(width))
    biases = normal(rng, depth, width, scale=0.1)
    return normal(rng, n, width), weights, biases, normal(rng, n, width), activation


def _gradient_norm_cases(rng):
    n, width, depth = int(rng.integers(3, 7)), int(rng.integers(3, 7)), int(rng.integers(5, 9))
    return [
        Case("typical", _deep_net(rng, n, width, depth, 1.0, "sigmoid")),
        Case("typical", _deep_net(rng, n, width, depth, 1.5, "relu")),
        Case("edge", _deep_net(rng, n, width, 1, 1.0, "sigmoid"),
             note("una sola capa", "a single layer")),
        Case("edge", _deep_net(rng, 1, width, depth, 1.5, "relu"),
             note("lote de un solo ejemplo", "a batch of one")),
        Case("edge", _deep_net(rng, n, width, depth, 4.0, "sigmoid"),
             note("pesos grandes: sigmoides saturadas, gradientes diminutos",
                  "large weights: saturated sigmoids, tiny gradients")),
        Case("edge", _deep_net(rng, n, width, 12, 3.0, "relu"),
             note("ReLU con pesos grandes: el gradiente explota hacia la entrada",
                  "ReLU with large weights: the gradient explodes towards the input")),
        Case("random", _deep_net(rng, int(rng.integers(1, 9)), int(rng.integers(2, 9)), int(rng.integers(2, 12)),
                                 float(rng.uniform(0.5, 3.0)), ACTIVATIONS[int(rng.integers(0, 2))])),
    ]


def _sigmoid_of_output(dh, z, h, activation):
    """σ'(h) instead of σ'(z): the derivative evaluated at the layer's output (σ applied twice)."""
    if activation != "sigmoid":
        raise NotThisCase("ReLU'(h) = ReLU'(z)")
    s = F.sigmoid_forward(h)
    return dh * s * (1.0 - s)


register(GradedFunction(
    name="gradient_norm_per_layer", exercise_set="002",
    parameters=("x", "weights", "biases", "dh", "activation"), outputs=("norms",),
    make_cases=_gradient_norm_cases, reference=_gradient_norm_reference,
    summary={"es": "‖∂L/∂b^l‖ (la velocidad de aprendizaje de la capa l) de h^l = g(h^(l−1) W^l + b^l), "
                   "retropropagando ∂L/∂h^L",
             "en": "‖∂L/∂b^l‖ (the speed of learning of layer l) of h^l = g(h^(l−1) W^l + b^l), "
                   "backpropagating ∂L/∂h^L"},
    # Vanished gradients are tiny: compare them relatively. σ'(z) = σ(1 − σ) loses digits where σ ≈ 1, so an
    # ulp between two sigmoids shows as ~1e-8 relative (|z| ≤ 20 here): rtol 1e-5 keeps a margin.
    rtol=1e-5, atol=1e-300,
    detectors=mistakes(
        _gradient_norm_reference,
        ("missing_activation_derivative",
         hint("Falta la derivada de la activación: δ^l = ∂L/∂h^l ⊙ g'(z^l) (σ(z)(1 − σ(z)) para la sigmoide, "
              "1{z > 0} para la ReLU). Es justamente el factor que hace desaparecer el gradiente.",
              "The activation's derivative is missing: δ^l = ∂L/∂h^l ⊙ g'(z^l) (σ(z)(1 − σ(z)) for the sigmoid, "
              "1{z > 0} for the ReLU). That factor is what makes the gradient vanish."),
         lambda x, W, b, dh, a: (_norms(_backprop(x, W, b, dh, a, delta=lambda d, z, h, act: d), which=1),)),
        ("derivative_of_output",
         hint("σ'(z) = σ(z)(1 − σ(z)) se evalúa en la preactivación z, o sea h(1 − h) con h = σ(z) la salida; "
              "tú aplicaste σ a la salida otra vez: σ(h)(1 − σ(h)).",
              "σ'(z) = σ(z)(1 − σ(z)) is taken at the pre-activation z, that is h(1 − h) with h = σ(z) the "
              "output; you applied σ to the output again: σ(h)(1 − σ(h))."),
         lambda x, W, b, dh, a: (_norms(_backprop(x, W, b, dh, a, delta=_sigmoid_of_output), which=1),)),
        ("weights_not_transposed",
         hint("El gradiente vuelve a la capa anterior por W traspuesta: ∂L/∂h^(l−1) = δ^l (W^l)ᵀ. Con W "
              "cuadrada δ W también tiene la forma correcta, pero no es el gradiente.",
              "The gradient goes back to the previous layer through W transposed: ∂L/∂h^(l−1) = δ^l (W^l)ᵀ. "
              "With a square W, δ W has the right shape too, but it is not the gradient."),
         lambda x, W, b, dh, a: (_norms(_backprop(x, W, b, dh, a, propagate=lambda dz, w: dz @ w), which=1),)),
        ("weight_gradient_norm",
         hint("Devolviste la norma de ∂L/∂W^l = (h^(l−1))ᵀ δ^l; se pide la de los sesgos, ∂L/∂b^l = Σ_n δ^l "
              "(la suma de δ^l sobre el lote).",
              "You returned the norm of ∂L/∂W^l = (h^(l−1))ᵀ δ^l; the norm asked for is the biases', "
              "∂L/∂b^l = Σ_n δ^l (δ^l summed over the batch)."),
         lambda x, W, b, dh, a: (_norms(_backprop(x, W, b, dh, a), which=0),)),
        ("bias_gradient_averaged",
         hint("∂L/∂b^l suma δ^l sobre el lote (eje 0), no lo promedia: el 1/N, si lo hay, ya viene dentro de "
              "∂L/∂h^L.",
              "∂L/∂b^l sums δ^l over the batch (axis 0), it does not average it: the 1/N, if any, already comes "
              "inside ∂L/∂h^L."),
         lambda x, W, b, dh, a: (_gradient_norm_reference(x, W, b, dh, a)[0] / x.shape[0],)),
        ("delta_not_summed",
         hint("Tomaste la norma de la matriz δ^l entera (N, d); ∂L/∂b^l es el vector Σ_n δ^l (d,): suma sobre "
              "el lote primero, después la norma.",
              "You took the norm of the whole matrix δ^l (N, d); ∂L/∂b^l is the vector Σ_n δ^l (d,): sum over the "
              "batch first, then take the norm."),
         lambda x, W, b, dh, a: (_delta_norms(x, W, b, dh, a),)),
        ("squared_norm",
         hint("La norma es la raíz de la suma de cuadrados: √(Σ (∂L/∂b)²), np.linalg.norm(db); falta la raíz.",
              "The norm is the square root of the sum of squares: √(Σ (∂L/∂b)²), np.linalg.norm(db); the root is "
              "missing."),
         lambda x, W, b, dh, a: (_gradient_norm_reference(x, W, b, dh, a)[0] ** 2,)),
        ("norms_reversed",
         hint("Las normas van en el orden de las capas, de la entrada a la salida: norms[0] es la primera "
              "capa (la más cercana a la entrada), aunque el backward las calcule al revés.",
              "The norms follow the layers from input to output: norms[0] is the first layer (nearest the "
              "input), even though the backward pass computes them in reverse."),
         lambda x, W, b, dh, a: (_gradient_norm_reference(x, W, b, dh, a)[0][::-1],)),
    ),
))


# -- a¹ = σ(b + w * a⁰): one feature map from local receptive fields and shared weights ----------------------


def _correlate(a, w):
    """Σ_l Σ_m w[l, m] a[j + l, k + m] for every valid (j, k), with the engine's convolution."""
    return F.conv2d_forward(a[None, :, :, None], w[:, :, None, None], np.zeros(1), 1, "valid")[0, :, :, 0]


def _feature_map(a, w, b):
    return F.sigmoid_forward(b + _correlate(a, w))


def _feature_map_reference(a, w, b):
    return (_feature_map(a, w, b),)


def _map_and_kernel(rng, h, w, kh, kw, scale=1.0):
    """A map of N(0, scale²) pixels, a kernel whose outputs are of order 1, and a bias."""
    return normal(rng, h, w, scale=scale), normal(rng, kh, kw, scale=1.0 / np.sqrt(kh * kw)), \
        round(float(rng.normal(0.0, 0.5)), 4)


def _feature_map_cases(rng):
    side = int(rng.integers(2, 5))
    h, w = int(rng.integers(6, 10)), int(rng.integers(6, 10))
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    return [
        Case("typical", _map_and_kernel(rng, h, w, 3, 3)),
        Case("typical", _map_and_kernel(rng, 12, 12, 5, 5),
             note("campo receptivo 5×5, como en la clase", "a 5×5 receptive field, as in the lecture")),
        Case("edge", _map_and_kernel(rng, side, side + 1, side, side + 1),
             note("el filtro mide lo mismo que el mapa: una sola salida",
                  "the filter is as large as the map: a single output")),
        Case("edge", _map_and_kernel(rng, h, w, 1, 1), note("filtro 1×1", "a 1×1 filter")),
        Case("edge", _map_and_kernel(rng, 7, 9, 2, 4),
             note("filtro rectangular 2×4 en un mapa 7×9", "a rectangular 2×4 filter on a 7×9 map")),
        Case("edge", _map_and_kernel(rng, h, w, 3, 3, scale=1e3),
             note("valores muy grandes: la sigmoide satura en 0 y 1", "very large values: the sigmoid saturates")),
        Case("random", _map_and_kernel(rng, kh + int(rng.integers(0, 6)), kw + int(rng.integers(0, 6)), kh, kw)),
    ]


def _too_few_positions(a, w, b):
    """range(H − K) instead of range(H − K + 1): the last row and column of the output missing."""
    full = _feature_map(a, w, b)
    return (full[:-1, :-1],)


def _transposed_kernel(a, w, b):
    if w.shape[0] != w.shape[1]:
        raise NotThisCase("a rectangular kernel transposed does not fit the same windows")
    return (_feature_map(a, np.ascontiguousarray(w.T), b),)


register(GradedFunction(
    name="local_receptive_field_conv", exercise_set="002", parameters=("a", "w", "b"), outputs=("a1",),
    make_cases=_feature_map_cases, reference=_feature_map_reference,
    summary={"es": "un mapa de características: a¹[j, k] = σ(b + Σ_l Σ_m w[l, m] a⁰[j + l, k + m]), paso 1, "
                   "sin relleno",
             "en": "one feature map: a¹[j, k] = σ(b + Σ_l Σ_m w[l, m] a⁰[j + l, k + m]), stride 1, no padding"},
    detectors=mistakes(
        _feature_map_reference,
        ("flipped_kernel",
         hint("Espejaste el filtro (la convolución «de libro», w[::-1, ::-1]): en las redes convolucionales el "
              "peso w[l, m] multiplica al píxel a⁰[j + l, k + m] de la ventana, sin invertir l ni m "
              "(correlación cruzada).",
              "You flipped the filter (the textbook convolution, w[::-1, ::-1]): in convolutional nets the weight "
              "w[l, m] multiplies the pixel a⁰[j + l, k + m] of the window, l and m not reversed "
              "(cross-correlation)."),
         lambda a, w, b: (_feature_map(a, np.ascontiguousarray(w[::-1, ::-1]), b),)),
        ("transposed_kernel",
         hint("Cruzaste los índices: w[l, m] va con a⁰[j + l, k + m] (l recorre filas, m columnas), no con "
              "a⁰[j + m, k + l].",
              "You crossed the indices: w[l, m] goes with a⁰[j + l, k + m] (l runs over rows, m over columns), "
              "not with a⁰[j + m, k + l]."),
         _transposed_kernel),
        ("missing_sigmoid",
         hint("Falta la activación: la capa es a¹ = σ(b + w * a⁰), con la sigmoide σ(z) = 1/(1 + e^(−z)).",
              "The activation is missing: the layer is a¹ = σ(b + w * a⁰), with the sigmoid σ(z) = 1/(1 + e^(−z))."),
         lambda a, w, b: (b + _correlate(a, w),)),
        ("missing_bias",
         hint("Falta el sesgo: a¹ = σ(b + w * a⁰), con un único b compartido por todas las posiciones.",
              "The bias is missing: a¹ = σ(b + w * a⁰), one b shared by every position."),
         lambda a, w, b: (_feature_map(a, w, 0.0),)),
        ("too_few_positions",
         hint("Faltan la última fila y columna: una ventana de K_H × K_W cabe en H − K_H + 1 posiciones "
              "verticales y W − K_W + 1 horizontales (range(H − K_H + 1)).",
              "The last row and column are missing: a K_H × K_W window fits in H − K_H + 1 vertical and "
              "W − K_W + 1 horizontal positions (range(H − K_H + 1))."),
         _too_few_positions),
    ),
))

# -- 2×2 max pooling of one feature map ---------------------------------------------------------------------


def _pool_reference(a):
    return (F.max_pool2d_forward(a[None, :, :, None], 2, 2)[0, :, :, 0],)


def _pool_cases(rng):
    h, w = 2 * int(rng.integers(3, 6)), 2 * int(rng.integers(3, 6))
    return [
        Case("typical", (normal(rng, h, w),)),
        Case("typical", (normal(rng, 24, 24),),
             note("un mapa de 24×24, como en la clase: sale 12×12", "a 24×24 map, as in the lecture: 12×12 out")),
        Case("edge", (normal(rng, 7, 5),),
             note("lados impares: la última fila y la última columna no forman ventana y se descartan",
                  "odd sides: the last row and column do not make a window and are dropped")),
        Case("edge", (normal(rng, 2, 2),), note("un mapa 2×2: una sola ventana", "a 2×2 map: a single window")),
        Case("edge", (normal(rng, 3, 6),), note("3 filas: sólo cabe una fila de ventanas",
                                                  "3 rows: only one row of windows fits")),
        Case("edge", (-np.abs(normal(rng, h, w)) - 0.1,),
             note("todos los valores negativos", "every value negative")),
        Case("edge", (rng.integers(0, 3, size=(h, w)).astype(np.float64),),
             note("valores enteros con empates", "integer values with ties")),
        Case("random", (normal(rng, int(rng.integers(2, 12)), int(rng.integers(2, 12))),)),
    ]


def _cropped(a):
    return a[: a.shape[0] // 2 * 2, : a.shape[1] // 2 * 2]


def _stride_one(a):
    return (F.max_pool2d_forward(a[None, :, :, None], 2, 1)[0, :, :, 0],)


def _partial_windows_kept(a):
    """Pooling with the odd last row/column kept as windows of their own (ceil instead of floor)."""
    if a.shape[0] % 2 == 0 and a.shape[1] % 2 == 0:
        raise NotThisCase("even sides: no partial window")
    rows, cols = -(-a.shape[0] // 2), -(-a.shape[1] // 2)
    return (np.array([[a[2 * i:2 * i + 2, 2 * j:2 * j + 2].max() for j in range(cols)] for i in range(rows)]),)


def _blocks_wrong(a):
    """reshape(H/2, W/2, 2, 2): blocks that are not the 2×2 windows."""
    c = _cropped(a)
    return (c.reshape(c.shape[0] // 2, c.shape[1] // 2, 2, 2).max(axis=(2, 3)),)


def _average(a):
    c = _cropped(a)
    return (c.reshape(c.shape[0] // 2, 2, c.shape[1] // 2, 2).mean(axis=(1, 3)),)


register(GradedFunction(
    name="max_pooling_2x2", exercise_set="002", parameters=("a",), outputs=("pooled",),
    make_cases=_pool_cases, reference=_pool_reference,
    summary={"es": "max pooling 2×2 de un mapa (H, W): el máximo de cada bloque 2×2 sin solaparse, sale "
                   "(H // 2, W // 2)",
             "en": "2×2 max pooling of an (H, W) map: the maximum of each non-overlapping 2×2 block, "
                   "(H // 2, W // 2) out"},
    detectors=mistakes(
        _pool_reference,
        ("overlapping_windows",
         hint("Las ventanas del pooling 2×2 no se solapan: avanzan de a 2 píxeles (paso 2), no de a 1 como el "
              "filtro de la convolución. La salida mide H // 2 × W // 2.",
              "The windows of 2×2 pooling do not overlap: they move 2 pixels at a time (stride 2), not 1 as the "
              "convolution's filter. The output is H // 2 × W // 2."),
         _stride_one),
        ("partial_windows_kept",
         hint("Con un lado impar, la última fila (o columna) no completa una ventana 2×2 y se descarta: la salida "
              "mide H // 2 × W // 2, no ⌈H/2⌉ × ⌈W/2⌉.",
              "With an odd side the last row (or column) does not make a full 2×2 window and is dropped: the "
              "output is H // 2 × W // 2, not ⌈H/2⌉ × ⌈W/2⌉."),
         _partial_windows_kept),
        ("blocks_not_windows",
         hint("reshape(H//2, W//2, 2, 2) no agrupa los bloques 2×2 de la imagen, mezcla filas enteras. Usa "
              "reshape(H//2, 2, W//2, 2) y el máximo sobre los ejes 1 y 3.",
              "reshape(H//2, W//2, 2, 2) does not group the image's 2×2 blocks, it mixes whole rows. Use "
              "reshape(H//2, 2, W//2, 2) and the maximum over axes 1 and 3."),
         _blocks_wrong),
        ("average_instead_of_max",
         hint("Promediaste cada ventana (average pooling); el max pooling de la clase se queda con el máximo.",
              "You averaged each window (average pooling); the lecture's max pooling keeps the maximum."),
         _average),
        ("max_started_at_zero",
         hint("El máximo de una ventana de valores negativos es negativo: no empieces el máximo en 0 "
              "(np.zeros); empieza en el primer valor de la ventana o en −inf.",
              "The maximum of a window of negative values is negative: do not start the maximum at 0 "
              "(np.zeros); start at the window's first value or at −inf."),
         lambda a: (np.maximum(_pool_reference(a)[0], 0.0),)),
    ),
))
