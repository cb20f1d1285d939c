"""Lecture 004 §5, Redes convolucionales: the output size, the 2-D convolution forward and backward, pooling
and global pooling.

Images are NHWC (N, H, W, C), kernels (KH, KW, C, F). The convolution is the lecture's
cross-correlation ("la operación no espeja"):

    y[n, i, j, f] = b[f] + Σ_{u, v, c} x_pad[n, i·s_h + u, j·s_w + v, c] · W[u, v, c, f]

with OH = floor((H + pad_total − KH) / s_h) + 1, padding an int, a pair (rows, columns), "valid",
"same" (the odd pixel after, as Keras) or "full" (K − 1 on each side). Max pooling sends the
gradient to the first maximum of its window in row-major order; average pooling shares it evenly.

The output size along one axis is floor((n + total padding − K) / s) + 1 ("same": ceil(n / s); "full":
K − 1 on each side), an int. Global pooling reduces H and W of each channel: (N, H, W, C) -> (N, C); the
global max sends the gradient to the channel's first maximum in row-major order.

The cases are drawn so that each mistake named here shows: kernels of random normal entries (never
symmetric, so a flipped kernel changes the output), "same" padding with an even kernel and with a
stride of 3 (where the padding depends on the stride), "full" padding, overlapping pooling
windows, and integer-valued images (ties inside pooling windows).
"""

from __future__ import annotations

import numbers

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import NotThisCase, hint, mistakes, normal, note

# -- geometry -----------------------------------------------------------------------------------


def _pair(value) -> tuple[int, int]:
    return (int(value), int(value)) if isinstance(value, numbers.Integral) else (int(value[0]), int(value[1]))


def _pads(padding, x_shape, w_shape, stride):
    """((top, bottom), (left, right)) as the engine resolves ``padding``."""
    return F.resolve_padding(padding, x_shape[1:3], w_shape[:2], _pair(stride))


def _padded(x, pads):
    (top, bottom), (left, right) = pads
    return np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))


def _conv_with_pads(x, W, b, stride, pads):
    """The convolution with explicit, possibly one-sided, padding."""
    return F.conv2d_forward(_padded(x, pads), W, b, stride, 0)


def _conv_backward_with_pads(dy, x, W, stride, pads):
    """(dx, dW, db, dx_padded) of the convolution with explicit padding; dx is cropped back to x's shape."""
    dx_padded, dW, db = F.conv2d_backward(dy, _padded(x, pads), W, stride, 0)
    (top, _), (left, _) = pads
    dx = dx_padded[:, top:top + x.shape[1], left:left + x.shape[2], :]
    return dx, dW, db, dx_padded


def _one_side_pads(padding, x_shape, w_shape, stride, after):
    """The padding of a student who puts all of "same"'s (or K − 1 of "full"'s) padding on one side."""
    if padding not in ("same", "full"):
        raise NotThisCase("only named paddings are split by the student")
    (top, bottom), (left, right) = _pads(padding, x_shape, w_shape, stride)
    rows, cols = (top + bottom, left + right) if padding == "same" else (top, left)
    return ((0, rows), (0, cols)) if after else ((rows, 0), (cols, 0))


def _odd_pixel_first_pads(padding, x_shape, w_shape, stride):
    """"same" with the odd pixel at the top/left instead of the bottom/right."""
    if padding != "same":
        raise NotThisCase('only "same" has an odd pixel')
    (top, bottom), (left, right) = _pads(padding, x_shape, w_shape, stride)
    return (bottom, top), (right, left)


def _stride_one_same_pads(padding, x_shape, w_shape, stride):
    """"same" computed as if the stride were 1: (K − 1) split around the input, whatever the stride."""
    if padding != "same":
        raise NotThisCase('only "same" depends on the stride')
    return _pads("same", x_shape, w_shape, 1)


def _flipped(W):
    return np.ascontiguousarray(W[::-1, ::-1])


# -- the output size ----------------------------------------------------------------------------


def _size_reference(size, kernel, stride, padding):
    """The engine's output size along one axis: a (1, size, 1, 1) image and a (kernel, 1, 1, 1) kernel."""
    _, _, (out, _) = F.conv2d_geometry((1, size, 1, 1), (kernel, 1, 1, 1), (stride, 1), padding)
    return (int(out),)


def _total_padding(size, kernel, stride, padding):
    (before, after), _ = _pads(padding, (1, size, 1, 1), (kernel, 1, 1, 1), (stride, 1))
    return before + after


def _size_from(numerator, stride, rounding):
    """The student's formula with the division ``rounding``ed: floor (right), ceil, or none at all."""
    if rounding == "ceil":
        return (-(-numerator // stride) + 1,)
    return (numerator / stride + 1,)


def _size_rounded(rounding):
    def wrong(size, kernel, stride, padding):
        return _size_from(size + _total_padding(size, kernel, stride, padding) - kernel, stride, rounding)
    return wrong


def _size_same_ignores_stride(size, kernel, stride, padding):
    if padding != "same":
        raise NotThisCase('only "same" is written as the input size')
    return (size,)


def _size_full_total(size, kernel, stride, padding):
    if padding != "full":
        raise NotThisCase('only "full" pads K − 1')
    return ((size + (kernel - 1) - kernel) // stride + 1,)


def _size_padding_once(size, kernel, stride, padding):
    if isinstance(padding, str):
        raise NotThisCase("a named padding")
    return ((size + padding - kernel) // stride + 1,)


def _with_remainder(rng, kernel, stride, padding_total, low=0):
    """An input size whose padded size minus the kernel is not a multiple of the stride (floor ≠ ceil)."""
    windows = int(rng.integers(low + 2, low + 8))
    return kernel - padding_total + windows * stride + int(rng.integers(1, stride))


def _size_cases(rng):
    odd = int(rng.choice([3, 5]))
    pad = int(rng.integers(1, 4))
    small = int(rng.choice([2, 3]))
    return [
        Case("typical", (int(rng.integers(odd + 3, 33)), odd, 1, "valid"),
             note("la fórmula de la clase: dim(x) − dim(Filtro) + 1",
                  "the lecture's formula: dim(x) − dim(Filter) + 1")),
        Case("typical", (int(rng.integers(odd + 1, 33)), odd, 1, pad),
             note("relleno entero: dim(x) − dim(Filtro) + 1 + 2·Padding",
                  "an integer padding: dim(x) − dim(Filter) + 1 + 2·Padding")),
        Case("typical", (int(rng.integers(odd, 33)), odd, 1, "same"),
             note('"same" con paso 1: la salida mide como la entrada', '"same" with stride 1: as large as the input')),
        Case("typical", (_with_remainder(rng, odd, 2, 0), odd, 2, "valid"),
             note("paso 2: la última ventana que no entra entera se descarta",
                  "stride 2: the last window that does not fit whole is dropped")),
        Case("edge", (_with_remainder(rng, 1, small, 0), odd, small, "same"),
             note(f'"same" con paso {small}: ceil(n / s) salidas', f'"same" with stride {small}: ceil(n / s) outputs')),
        Case("edge", (int(rng.integers(5, 33)), int(rng.choice([2, 4])), 1, "same"),
             note('"same" con núcleo par', '"same" with an even kernel')),
        Case("edge", (int(rng.integers(2, 33)), odd, 1, "full"),
             note('"full": K − 1 ceros de cada lado', '"full": K − 1 zeros on each side')),
        Case("edge", (_with_remainder(rng, odd, 2, 2 * (odd - 1)), odd, 2, "full"),
             note('"full" con paso 2', '"full" with stride 2')),
        Case("edge", (odd + 2, odd + 2, 1, "valid"),
             note("núcleo tan grande como la entrada: una sola salida",
                  "a kernel as large as the input: a single output")),
        Case("edge", (_with_remainder(rng, 2, 3, 2 * pad), 2, 3, pad),
             note("paso mayor que el núcleo, con relleno entero", "a stride larger than the kernel, integer padding")),
        Case("edge", (int(rng.integers(1, 3)), 3, 3, "same"),
             note('"same" en una entrada más chica que el paso: una salida',
                  '"same" on an input smaller than the stride: one output')),
        Case("random", _random_size_case(rng)),
    ]


def _random_size_case(rng):
    kernel, stride = int(rng.integers(1, 8)), int(rng.integers(1, 5))
    padding = [int(rng.integers(0, 4)), "valid", "same", "full"][int(rng.integers(0, 4))]
    low = kernel - (2 * padding if isinstance(padding, int) else 2 * (kernel - 1) if padding == "full" else 0)
    size = max(low, 1) + int(rng.integers(0, 25))
    if padding == "same":
        size = int(rng.integers(1, 33))
    return size, kernel, stride, padding


register(GradedFunction(
    name="conv_output_size", exercise_set="004_5", parameters=("size", "kernel", "stride", "padding"),
    outputs=("out",), extra={"integer_outputs": True},
    make_cases=_size_cases, reference=_size_reference,
    summary={"es": "tamaño de la salida a lo largo de un eje: floor((n + relleno total − K) / s) + 1; "
                   '"same": ceil(n / s); "full": K − 1 de cada lado',
             "en": "the output size along one axis: floor((n + total padding − K) / s) + 1; "
                   '"same": ceil(n / s); "full": K − 1 on each side'},
    detectors=mistakes(
        _size_reference,
        ("size_ceil_instead_of_floor",
         hint("Las ventanas que no entran enteras se descartan: la división por el paso se redondea hacia abajo, "
              "floor((n + relleno − K) / s) + 1 (con enteros, //), no hacia arriba.",
              "Windows that do not fit whole are dropped: the division by the stride rounds down, "
              "floor((n + padding − K) / s) + 1 (with integers, //), not up."),
         _size_rounded("ceil")),
        ("size_not_rounded",
         hint("El tamaño es un número entero de ventanas: usa la división entera, (n + relleno − K) // s + 1, "
              "no la división /.",
              "The size is a whole number of windows: use integer division, (n + padding − K) // s + 1, "
              "not /."),
         _size_rounded(None)),
        ("size_same_ignores_stride",
         hint('"same" da una salida del tamaño de la entrada sólo con paso 1: con paso s mide ceil(n / s).',
              '"same" gives an output as large as the input only with stride 1: with stride s it has ceil(n / s).'),
         _size_same_ignores_stride),
        ("size_full_total_not_each_side",
         hint('"full" pone K − 1 ceros de cada lado (2·(K − 1) en total), no K − 1 en total: '
              "la salida mide floor((n + 2·(K − 1) − K) / s) + 1.",
              '"full" puts K − 1 zeros on each side (2·(K − 1) in all), not K − 1 in all: '
              "the output has floor((n + 2·(K − 1) − K) / s) + 1."),
         _size_full_total),
        ("size_padding_counted_once",
         hint("Un relleno entero p agrega p ceros de cada lado: la fórmula de la clase suma 2·Padding.",
              "An integer padding p adds p zeros on each side: the lecture's formula adds 2·Padding."),
         _size_padding_once),
    ),
))


# -- the convolution's cases --------------------------------------------------------------------


def _conv_geometries(rng):
    """(kind, x, W, b, stride, padding, note) of every convolution case."""
    def draw(n, h, w, c, kh, kw, f, scale=1.0):
        return normal(rng, n, h, w, c, scale=scale), normal(rng, kh, kw, c, f), normal(rng, f)

    c, f = int(rng.integers(2, 4)), int(rng.integers(2, 5))
    h, w = int(rng.integers(5, 9)), int(rng.integers(5, 9))
    side = int(rng.integers(6, 10))
    x0, W0, b0 = draw(2, h, w, c, 3, 3, f)
    zeros = np.zeros((2, h, w, c))
    return [
        ("typical", *draw(2, h, w, c, 3, 3, f), 1, 0, None),
        ("typical", *draw(2, side, side, c, 3, 3, f), 2, 1, None),
        ("typical", *draw(2, 6, 7, c, 3, 3, f), 1, "same",
         note('padding "same": la salida mide como la entrada', 'padding "same": the output is as large as the input')),
        ("edge", *draw(1, h, w, c, 1, 1, f), 1, "valid",
         note("un solo ejemplo y núcleo 1×1", "one sample, a 1×1 kernel")),
        ("edge", *draw(2, 8, 8, c, 2, 2, f), 3, 0,
         note("paso mayor que el núcleo: hay píxeles que no se usan",
              "a stride larger than the kernel: some pixels are not used")),
        ("edge", *draw(2, 7, 5, c, 2, 4, f), 1, "same",
         note('"same" con núcleo par 2×4 en una imagen 7×5: el píxel impar de relleno va abajo y a la derecha',
              '"same" with an even 2×4 kernel on a 7×5 image: the odd padding pixel goes at the bottom and right')),
        ("edge", *draw(2, 9, 6, c, 3, 3, f), 3, "same",
         note('"same" con paso 3 en una imagen 9×6: ceil(H / s) salidas, y aquí no hace falta relleno',
              '"same" with stride 3 on a 9×6 image: ceil(H / s) outputs, and here no padding is needed')),
        ("edge", *draw(2, 5, 4, c, 3, 2, f), 1, "full",
         note('"full": K − 1 ceros a cada lado, núcleo 3×2', '"full": K − 1 zeros on each side, a 3×2 kernel')),
        ("edge", *draw(2, 6, 7, c, 2, 3, f), (1, 2), "valid",
         note("núcleo y paso distintos en filas y columnas", "kernel and stride differ between rows and columns")),
        ("edge", *draw(2, 5, 6, c, 3, 3, f), 1, (2, 1), note("relleno (filas, columnas) = (2, 1)",
                                                             "padding (rows, columns) = (2, 1)")),
        ("edge", zeros, W0, b0, 1, 1,
         note("imagen de ceros: la salida es el sesgo", "an all-zero image: the output is the bias")),
        ("edge", x0 * 1e6, W0, b0, 1, 1, note("valores muy grandes (1e6)", "very large values (1e6)")),
        ("random", *_random_geometry(rng), None),
    ]


def _random_geometry(rng):
    kh, kw = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    padding = [0, 1, (1, 0), "valid", "same", "full"][int(rng.integers(0, 6))]
    n, c, f = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    h, w = kh + int(rng.integers(0, 7)), kw + int(rng.integers(0, 7))
    return normal(rng, n, h, w, c), normal(rng, kh, kw, c, f), normal(rng, f), stride, padding


def _conv_cases(rng):
    return [Case(kind, (x, W, b, stride, padding), text)
            for kind, x, W, b, stride, padding, text in _conv_geometries(rng)]


def _conv_reference(x, W, b, stride, padding):
    return (F.conv2d_forward(x, W, b, stride, padding),)


def _conv_with_wrong_pads(make_pads):
    def wrong(x, W, b, stride, padding):
        return (_conv_with_pads(x, W, b, stride, make_pads(padding, x.shape, W.shape, stride)),)
    return wrong


_FLIPPED = hint("Espejaste el núcleo (convolución «de libro», W[::-1, ::-1]): la clase usa correlación cruzada, "
                "«la operación no espeja»: y[i, j] = Σ x[i·s + u, j·s + v] · W[u, v], sin invertir u ni v.",
                "You flipped the kernel (a textbook convolution, W[::-1, ::-1]): the lecture uses cross-correlation, "
                "the kernel is not flipped: y[i, j] = Σ x[i·s + u, j·s + v] · W[u, v].")
_ONE_SIDE_AFTER = hint('Pusiste todo el relleno de un solo lado (abajo y a la derecha). "same" reparte '
                       'max((OH − 1)·s + K − H, 0) entre arriba (la mitad, redondeando hacia abajo) y abajo '
                       '(el resto); "full" pone K − 1 de cada lado.',
                       'You put all the padding on one side (bottom and right). "same" splits '
                       'max((OH − 1)·s + K − H, 0) between the top (half, rounded down) and the bottom (the rest); '
                       '"full" puts K − 1 on each side.')
_ONE_SIDE_BEFORE = hint('Pusiste todo el relleno de un solo lado (arriba y a la izquierda). "same" reparte el relleno '
                        'entre ambos lados, con el píxel impar abajo/a la derecha; "full" pone K − 1 de cada lado.',
                        'You put all the padding on one side (top and left). "same" splits the padding between both '
                        'sides, the odd pixel at the bottom/right; "full" puts K − 1 on each side.')
_ODD_FIRST = hint('Con "same" y relleno total impar, el píxel que sobra va al final (abajo y a la derecha, como '
                  'Keras): arriba total // 2, abajo total − total // 2.',
                  'With "same" and an odd total padding, the extra pixel goes last (bottom and right, as Keras): '
                  'top total // 2, bottom total − total // 2.')
_SAME_STRIDE = hint('Con paso s, "same" no es (K − 1)/2 de cada lado: la salida mide ceil(H / s) y el relleno total es '
                    'max((ceil(H / s) − 1)·s + K − H, 0).',
                    'With stride s, "same" is not (K − 1)/2 on each side: the output has ceil(H / s) rows and the '
                    'total padding is max((ceil(H / s) − 1)·s + K − H, 0).')

register(GradedFunction(
    name="conv2d_forward", exercise_set="004_5", parameters=("x", "W", "b", "stride", "padding"), outputs=("y",),
    make_cases=_conv_cases, reference=_conv_reference,
    summary={"es": "convolución 2D (correlación cruzada) NHWC: y = b + Σ x_pad[i·s + u, j·s + v, c] · W[u, v, c, f]",
             "en": "2-D convolution (cross-correlation), NHWC: y = b + Σ x_pad[i·s + u, j·s + v, c] · W[u, v, c, f]"},
    detectors=mistakes(
        _conv_reference,
        ("flipped_kernel", _FLIPPED,
         lambda x, W, b, stride, padding: (F.conv2d_forward(x, _flipped(W), b, stride, padding),)),
        ("missing_bias", hint("Falta sumar el sesgo b[f] a cada salida del filtro f.",
                              "The bias b[f] is missing from every output of filter f."),
         lambda x, W, b, stride, padding: (F.conv2d_forward(x, W, np.zeros_like(b), stride, padding),)),
        ("padding_only_after", _ONE_SIDE_AFTER,
         _conv_with_wrong_pads(lambda *g: _one_side_pads(*g, after=True))),
        ("padding_only_before", _ONE_SIDE_BEFORE,
         _conv_with_wrong_pads(lambda *g: _one_side_pads(*g, after=False))),
        ("same_odd_pixel_first", _ODD_FIRST, _conv_with_wrong_pads(_odd_pixel_first_pads)),
        ("same_ignores_stride", _SAME_STRIDE, _conv_with_wrong_pads(_stride_one_same_pads)),
        ("stride_ignored",
         hint("La ventana avanza de a s píxeles: la salida (i, j) empieza en (i·s_h, j·s_w), y hay "
              "floor((H + relleno − K) / s) + 1 filas.",
              "The window moves s pixels at a time: output (i, j) starts at (i·s_h, j·s_w), and there are "
              "floor((H + padding − K) / s) + 1 rows."),
         lambda x, W, b, stride, padding: (F.conv2d_forward(x, W, b, 1, padding),)),
    ),
))


def _conv_backward_cases(rng):
    cases = []
    for kind, x, W, b, stride, padding, text in _conv_geometries(rng):
        y_shape = F.conv2d_forward(x, W, b, stride, padding).shape
        cases.append(Case(kind, (normal(rng, *y_shape), x, W, stride, padding), text))
    return cases


def _conv_backward_reference(dy, x, W, stride, padding):
    return tuple(F.conv2d_backward(dy, x, W, stride, padding))


def _conv_backward_with_wrong_pads(make_pads):
    def wrong(dy, x, W, stride, padding):
        dx, dW, _, _ = _conv_backward_with_pads(dy, x, W, stride, make_pads(padding, x.shape, W.shape, stride))
        return dx, dW, None
    return wrong


def _dx_still_padded(dy, x, W, stride, padding):
    pads = _pads(padding, x.shape, W.shape, stride)
    if pads == ((0, 0), (0, 0)):
        raise NotThisCase("no padding to remove")
    return _conv_backward_with_pads(dy, x, W, stride, pads)[3], None, None


def _last_sample_dW(dy, x, W, stride, padding):
    if x.shape[0] == 1:
        raise NotThisCase("a batch of one")
    return None, F.conv2d_backward(dy[-1:], x[-1:], W, stride, padding)[1], None


register(GradedFunction(
    name="conv2d_backward", exercise_set="004_5", parameters=("dy", "x", "W", "stride", "padding"),
    outputs=("dx", "dW", "db"),
    make_cases=_conv_backward_cases, reference=_conv_backward_reference,
    summary={"es": "gradientes de la convolución 2D: dx, dW = Σ_n,i,j x_pad · dy, db = Σ_n,i,j dy",
             "en": "2-D convolution gradients: dx, dW = Σ_n,i,j x_pad · dy, db = Σ_n,i,j dy"},
    detectors=mistakes(
        _conv_backward_reference,
        ("flipped_kernel",
         hint("dx no coincide: cada dy[n, i, j, f] vuelve a la ventana de x que lo produjo multiplicado por el mismo "
              "W[u, v, c, f] del forward (correlación cruzada, sin espejar). Si lo escribes como convolución «full» de "
              "dy, ahí sí el núcleo va espejado: espejaste una vez de más o de menos.",
              "dx is off: each dy[n, i, j, f] goes back to the window of x it came from, times the same "
              "W[u, v, c, f] as the forward (cross-correlation, no flip). Written as a 'full' convolution of dy, that "
              "one does flip the kernel: you flipped once too often or too few times."),
         lambda dy, x, W, stride, padding: (F.conv2d_backward(dy, x, _flipped(W), stride, padding)[0], None, None)),
        ("dW_flipped",
         hint("dW está espejado: dW[u, v, c, f] = Σ_n,i,j x_pad[n, i·s + u, j·s + v, c] · dy[n, i, j, f], con u, v "
              "en el mismo orden que el forward.",
              "dW is flipped: dW[u, v, c, f] = Σ_n,i,j x_pad[n, i·s + u, j·s + v, c] · dy[n, i, j, f], u and v in "
              "the forward's order."),
         lambda dy, x, W, stride, padding: (None, _flipped(F.conv2d_backward(dy, x, W, stride, padding)[1]), None)),
        ("dW_averaged_over_batch",
         hint("dW suma las contribuciones de todos los ejemplos del lote, no las promedia: el 1/N ya está en dy.",
              "dW sums the contributions of every sample of the batch, it does not average them: the 1/N is in dy."),
         lambda dy, x, W, stride, padding: (None, F.conv2d_backward(dy, x, W, stride, padding)[1] / x.shape[0], None)),
        ("dW_last_sample_only",
         hint("dW sólo tiene la contribución del último ejemplo: dentro del bucle sobre el lote hay que acumular "
              "(dW += ...), no asignar (dW = ...).",
              "dW only holds the last sample's contribution: inside the loop over the batch accumulate (dW += ...), "
              "do not assign (dW = ...)."),
         _last_sample_dW),
        ("db_averaged",
         hint("db es la suma de dy sobre el lote y las posiciones (ejes 0, 1 y 2), no su promedio.",
              "db is the sum of dy over the batch and the positions (axes 0, 1 and 2), not its mean."),
         lambda dy, x, W, stride, padding: (None, None, dy.mean(axis=(0, 1, 2)))),
        ("db_summed_over_batch_only",
         hint("Cada filtro comparte su sesgo en todas las posiciones (i, j): db = dy.sum(axis=(0, 1, 2)), no sólo "
              "sobre el lote.",
              "Each filter shares its bias across every position (i, j): db = dy.sum(axis=(0, 1, 2)), not over "
              "the batch only."),
         lambda dy, x, W, stride, padding: (None, None, dy.sum(axis=0))),
        ("dx_padding_not_removed",
         hint("dx tiene la forma de la entrada con relleno: al final recorta el relleno, "
              "dx = dx_pad[:, arriba:arriba + H, izquierda:izquierda + W, :].",
              "dx has the padded input's shape: crop the padding at the end, "
              "dx = dx_pad[:, top:top + H, left:left + W, :]."),
         _dx_still_padded),
        ("padding_only_after", _ONE_SIDE_AFTER,
         _conv_backward_with_wrong_pads(lambda *g: _one_side_pads(*g, after=True))),
        ("padding_only_before", _ONE_SIDE_BEFORE,
         _conv_backward_with_wrong_pads(lambda *g: _one_side_pads(*g, after=False))),
        ("same_odd_pixel_first", _ODD_FIRST, _conv_backward_with_wrong_pads(_odd_pixel_first_pads)),
        ("same_ignores_stride", _SAME_STRIDE, _conv_backward_with_wrong_pads(_stride_one_same_pads)),
    ),
    gradient_check=GradientCheck(
        forward="conv2d_forward",
        forward_args=lambda a: (a[1], a[2], np.zeros((a[2].shape[3],)), a[3], a[4]),
        upstream=0, inputs={0: 0, 1: 1, 2: 2}),
))

# -- pooling ------------------------------------------------------------------------------------


def _integers(rng, *shape, low=0, high=3):
    """Integer-valued float64 images: few distinct values, so pooling windows have ties."""
    return rng.integers(low, high, size=shape).astype(np.float64)


def _pool_geometries(rng):
    """(kind, x, size, stride, note) of every pooling case; the first has no ties (finite differences need none)."""
    c = int(rng.integers(2, 4))
    negative = -np.exp(normal(rng, 2, 6, 6, c)) - 0.5
    return [
        ("typical", normal(rng, 2, 6, 6, c), 2, 2, None),
        ("typical", normal(rng, 2, 7, 7, c), 3, 2, note("ventanas 3×3 con paso 2: se solapan",
                                                        "3×3 windows with stride 2: they overlap")),
        ("edge", normal(rng, 1, 5, 7, 1), (2, 3), (2, 3),
         note("un ejemplo, un canal, ventana 2×3 en una imagen 5×7: lo que no entra se descarta",
              "one sample, one channel, a 2×3 window on a 5×7 image: what does not fit is dropped")),
        ("edge", normal(rng, 2, 8, 8, c), 2, 3, note("paso mayor que la ventana", "a stride larger than the window")),
        ("edge", _integers(rng, 2, 6, 6, c), 2, 2,
         note("valores enteros: empates dentro de las ventanas", "integer values: ties inside the windows")),
        ("edge", _integers(rng, 2, 6, 5, c), 3, 1,
         note("valores enteros y ventanas solapadas (paso 1)", "integer values and overlapping windows (stride 1)")),
        ("edge", np.zeros((2, 4, 4, c)), 2, 2, note("todo ceros: todos empatan", "all zeros: everything ties")),
        ("edge", negative, 2, 2, note("todos los valores negativos", "every value negative")),
        ("edge", normal(rng, 2, 6, 6, c, scale=1e8), 3, 3,
         note("valores muy grandes (1e8)", "very large values (1e8)")),
        ("edge", normal(rng, 2, 3, 4, c), 1, 1, note("ventana 1×1: la identidad", "a 1×1 window: the identity")),
        ("random", *_random_pool(rng), None),
    ]


def _random_pool(rng):
    size = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    stride = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    shape = (int(rng.integers(1, 4)), size[0] + int(rng.integers(0, 6)), size[1] + int(rng.integers(0, 6)),
             int(rng.integers(1, 4)))
    x = _integers(rng, *shape, low=-2, high=3) if rng.random() < 0.5 else normal(rng, *shape)
    return x, size, stride


def _pool_cases(rng):
    return [Case(kind, (x, size, stride), text) for kind, x, size, stride, text in _pool_geometries(rng)]


def _pool_backward_cases(forward):
    def make(rng):
        cases = []
        for kind, x, size, stride, text in _pool_geometries(rng):
            y_shape = forward(x, size, stride).shape
            cases.append(Case(kind, (normal(rng, *y_shape), x, size, stride), text))
        return cases
    return make


def _windows(x_shape, size, stride):
    """(i, j, rows, columns) of every pooling window, in row-major order."""
    (kh, kw), (sh, sw) = _pair(size), _pair(stride)
    for i in range((x_shape[1] - kh) // sh + 1):
        for j in range((x_shape[2] - kw) // sw + 1):
            yield i, j, slice(i * sh, i * sh + kh), slice(j * sw, j * sw + kw)


def _first_max_mask(window):
    """(N, KH, KW, C) booleans: the first maximum of each window and channel, row-major."""
    n, kh, kw, c = window.shape
    flat = window.reshape(n, kh * kw, c)
    first = flat.argmax(axis=1)
    return (np.arange(kh * kw)[None, :, None] == first[:, None, :]).reshape(window.shape)


def _last_max_mask(window):
    return _first_max_mask(window[:, ::-1, ::-1, :])[:, ::-1, ::-1, :]


def _every_max_mask(window):
    return window == window.max(axis=(1, 2), keepdims=True)


def _max_backward_with(mask_of, accumulate=True):
    """dx of max pooling routing dy through ``mask_of(window)``; with ``accumulate=False`` each window's
    block of dx is assigned, so an overlapping later window wipes what an earlier one put there."""
    def wrong(dy, x, size, stride):
        dx = np.zeros_like(x)
        for i, j, rows, cols in _windows(x.shape, size, stride):
            share = mask_of(x[:, rows, cols, :]) * dy[:, i:i + 1, j:j + 1, :]
            if accumulate:
                dx[:, rows, cols, :] += share
            else:
                dx[:, rows, cols, :] = share
        return (dx,)
    return wrong


def _avg_backward_with(divisor, accumulate=True):
    def wrong(dy, x, size, stride):
        dx = np.zeros_like(x)
        for i, j, rows, cols in _windows(x.shape, size, stride):
            share = np.broadcast_to(dy[:, i:i + 1, j:j + 1, :] / divisor(size), dx[:, rows, cols, :].shape)
            if accumulate:
                dx[:, rows, cols, :] += share
            else:
                dx[:, rows, cols, :] = share
        return (dx,)
    return wrong


def _window_area(size):
    kh, kw = _pair(size)
    return kh * kw


def _window_side(size):
    if not isinstance(size, numbers.Integral):
        raise NotThisCase("a window given as a pair has no single side")
    return size


def _max_pool_reference(x, size, stride):
    return (F.max_pool2d_forward(x, size, stride),)


register(GradedFunction(
    name="max_pool2d_forward", exercise_set="004_5", parameters=("x", "size", "stride"), outputs=("y",),
    make_cases=_pool_cases, reference=_max_pool_reference,
    summary={"es": "max pooling NHWC: y[n, i, j, c] = máximo de la ventana que empieza en (i·s_h, j·s_w)",
             "en": "max pooling, NHWC: y[n, i, j, c] = the maximum of the window starting at (i·s_h, j·s_w)"},
    detectors=mistakes(
        _max_pool_reference,
        ("max_starts_at_zero",
         hint("Con todos los valores negativos el máximo es negativo: no empieces la búsqueda en 0, empieza en el "
              "primer elemento de la ventana (o en -inf), o usa np.max.",
              "With every value negative the maximum is negative: do not start the search at 0, start at the "
              "window's first element (or -inf), or use np.max."),
         lambda x, size, stride: (np.maximum(F.max_pool2d_forward(x, size, stride), 0.0),)),
        ("stride_taken_as_size",
         hint("El paso puede ser distinto del tamaño de la ventana: la ventana (i, j) empieza en (i·s_h, j·s_w).",
              "The stride may differ from the window size: window (i, j) starts at (i·s_h, j·s_w)."),
         lambda x, size, stride: (F.max_pool2d_forward(x, size, size),)),
    ),
))

_OVERLAP = hint("Con ventanas solapadas (paso menor que la ventana) un píxel recibe gradiente de varias ventanas: "
                "acumula con dx[...] += ..., no asignes con dx[...] = ....",
                "With overlapping windows (stride smaller than the window) a pixel gets gradient from several "
                "windows: accumulate with dx[...] += ..., do not assign with dx[...] = ....")


def _max_pool_backward_reference(dy, x, size, stride):
    return (F.max_pool2d_backward(dy, x, size, stride),)


register(GradedFunction(
    name="max_pool2d_backward", exercise_set="004_5", parameters=("dy", "x", "size", "stride"), outputs=("dx",),
    make_cases=_pool_backward_cases(F.max_pool2d_forward), reference=_max_pool_backward_reference,
    summary={"es": "gradiente del max pooling: cada dy va al primer máximo de su ventana (orden por filas)",
             "en": "max pooling gradient: each dy goes to the first maximum of its window (row-major order)"},
    detectors=mistakes(
        _max_pool_backward_reference,
        ("gradient_to_every_max",
         hint("Cuando hay empates, el gradiente va sólo al primer máximo de la ventana (recorriéndola por filas), "
              "no a todos los que valen el máximo: x == max marca todos los empatados.",
              "With ties the gradient goes only to the window's first maximum (row-major order), not to every "
              "element equal to the maximum: x == max marks all the tied ones."),
         _max_backward_with(_every_max_mask)),
        ("gradient_to_last_max",
         hint("Con empates el gradiente va al primer máximo en orden por filas (como np.argmax), no al último: "
              "compara con >, no con >=.",
              "With ties the gradient goes to the first maximum in row-major order (as np.argmax), not the last: "
              "compare with >, not >=."),
         _max_backward_with(_last_max_mask)),
        ("overlapping_windows_overwritten", _OVERLAP, _max_backward_with(_first_max_mask, accumulate=False)),
    ),
    gradient_check=GradientCheck(forward="max_pool2d_forward", forward_args=lambda a: (a[1], a[2], a[3]),
                                 upstream=0, inputs={0: 0}),
))


def _avg_pool_backward_reference(dy, x, size, stride):
    return (F.avg_pool2d_backward(dy, x, size, stride),)


register(GradedFunction(
    name="avg_pool2d_backward", exercise_set="004_5", parameters=("dy", "x", "size", "stride"), outputs=("dx",),
    make_cases=_pool_backward_cases(F.avg_pool2d_forward), reference=_avg_pool_backward_reference,
    summary={"es": "gradiente del average pooling: cada dy se reparte por igual, dy / (KH·KW), en su ventana",
             "en": "average pooling gradient: each dy is shared evenly, dy / (KH·KW), over its window"},
    detectors=mistakes(
        _avg_pool_backward_reference,
        ("average_not_divided",
         hint("El promedio divide por KH·KW, así que cada píxel de la ventana recibe dy / (KH·KW), no dy.",
              "The mean divides by KH·KW, so each pixel of the window gets dy / (KH·KW), not dy."),
         _avg_backward_with(lambda size: 1)),
        ("divided_by_window_side",
         hint("La ventana tiene KH·KW píxeles: divide dy por el área de la ventana (size²), no por su lado.",
              "The window has KH·KW pixels: divide dy by the window's area (size²), not its side."),
         _avg_backward_with(_window_side)),
        ("overlapping_windows_overwritten", _OVERLAP, _avg_backward_with(_window_area, accumulate=False)),
    ),
))

# -- global pooling -----------------------------------------------------------------------------


def _global_geometries(rng):
    """(kind, x, note) of every global pooling case; the first has no ties (finite differences need none)."""
    c = int(rng.integers(2, 5))
    h, w = int(rng.integers(3, 7)), int(rng.integers(3, 7))
    return [
        ("typical", normal(rng, 3, h, w, c), None),
        ("typical", normal(rng, 2, 5, 5, 5), note("imágenes 5×5 con 5 canales: H = W = C",
                                                  "5×5 images with 5 channels: H = W = C")),
        ("edge", normal(rng, 2, 1, 1, c), note("imágenes 1×1: la identidad", "1×1 images: the identity")),
        ("edge", normal(rng, 1, 4, 7, 1), note("un ejemplo, un canal, imagen 4×7", "one sample, one channel, 4×7")),
        ("edge", _integers(rng, 2, h, w, c), note("valores enteros: empates", "integer values: ties")),
        ("edge", np.zeros((2, h, w, c)), note("todo ceros: todos empatan", "all zeros: everything ties")),
        ("edge", -np.exp(normal(rng, 2, h, w, c)) - 0.5, note("todos los valores negativos", "every value negative")),
        ("edge", normal(rng, 2, h, w, c, scale=1e8), note("valores muy grandes (1e8)", "very large values (1e8)")),
        ("random", _integers(rng, *_random_global_shape(rng), low=-2, high=3) if rng.random() < 0.5
         else normal(rng, *_random_global_shape(rng)), None),
    ]


def _random_global_shape(rng):
    return tuple(int(v) for v in (rng.integers(1, 4), rng.integers(1, 8), rng.integers(1, 8), rng.integers(1, 6)))


def _global_cases(rng):
    return [Case(kind, (x,), text) for kind, x, text in _global_geometries(rng)]


def _global_backward_cases(rng):
    return [Case(kind, (normal(rng, x.shape[0], x.shape[3]), x), text) for kind, x, text in _global_geometries(rng)]


def _over_channels(reduce):
    return lambda x: (reduce(x, axis=3),)


def _over_nchw_axes(reduce):
    """The (N, C, H, W) habit of PyTorch: reducing axes 2 and 3 of an NHWC array (W and C)."""
    return lambda x: (reduce(x, axis=(2, 3)),)


def _global_avg_reference(x):
    return (F.global_avg_pool2d_forward(x),)


def _global_max_reference(x):
    return (F.global_max_pool2d_forward(x),)


_NCHW = hint("Las imágenes son NHWC (N, H, W, C): el pooling global reduce los ejes 1 y 2 (H y W), "
             "no los ejes 2 y 3 de la costumbre NCHW de PyTorch.",
             "Images are NHWC (N, H, W, C): global pooling reduces axes 1 and 2 (H and W), not axes 2 and 3 as "
             "in PyTorch's NCHW habit.")

register(GradedFunction(
    name="global_avg_pool2d_forward", exercise_set="004_5", parameters=("x",), outputs=("y",),
    make_cases=_global_cases, reference=_global_avg_reference,
    summary={"es": "average pooling global NHWC: y[n, c] = promedio de x[n, :, :, c] sobre H y W",
             "en": "global average pooling, NHWC: y[n, c] = the mean of x[n, :, :, c] over H and W"},
    detectors=mistakes(
        _global_avg_reference,
        ("global_avg_over_channels",
         hint("Promediaste sobre los canales: el pooling global resume cada canal (cada mapa de "
              "características) con un número, promediando sobre H y W: x.mean(axis=(1, 2)).",
              "You averaged over the channels: global pooling summarises each channel (each feature map) with "
              "one number, averaging over H and W: x.mean(axis=(1, 2))."),
         _over_channels(np.mean)),
        ("global_avg_nchw_axes", _NCHW, _over_nchw_axes(np.mean)),
        ("global_avg_keepdims",
         hint("La salida tiene forma (N, C), como la de Flatten lista para una capa densa: sin keepdims=True.",
              "The output has shape (N, C), like Flatten's, ready for a dense layer: no keepdims=True."),
         lambda x: (x.mean(axis=(1, 2), keepdims=True),)),
    ),
))

register(GradedFunction(
    name="global_max_pool2d_forward", exercise_set="004_5", parameters=("x",), outputs=("y",),
    make_cases=_global_cases, reference=_global_max_reference,
    summary={"es": "max pooling global NHWC: y[n, c] = máximo de x[n, :, :, c] sobre H y W",
             "en": "global max pooling, NHWC: y[n, c] = the maximum of x[n, :, :, c] over H and W"},
    detectors=mistakes(
        _global_max_reference,
        ("global_max_over_channels",
         hint("Tomaste el máximo sobre los canales: el pooling global resume cada canal con su máximo sobre H y "
              "W: x.max(axis=(1, 2)).",
              "You took the maximum over the channels: global pooling summarises each channel with its maximum "
              "over H and W: x.max(axis=(1, 2))."),
         _over_channels(np.max)),
        ("global_max_nchw_axes", _NCHW, _over_nchw_axes(np.max)),
        ("global_max_starts_at_zero",
         hint("Con todos los valores negativos el máximo es negativo: no empieces la búsqueda en 0.",
              "With every value negative the maximum is negative: do not start the search at 0."),
         lambda x: (np.maximum(F.global_max_pool2d_forward(x), 0.0),)),
    ),
))


def _global_avg_backward_reference(dy, x):
    return (F.global_avg_pool2d_backward(dy, x),)


def _global_max_backward_reference(dy, x):
    return (F.global_max_pool2d_backward(dy, x),)


def _global_max_backward_with(mask_of):
    def wrong(dy, x):
        return (mask_of(x) * dy[:, None, None, :],)
    return wrong


register(GradedFunction(
    name="global_avg_pool2d_backward", exercise_set="004_5", parameters=("dy", "x"), outputs=("dx",),
    make_cases=_global_backward_cases, reference=_global_avg_backward_reference,
    summary={"es": "gradiente del average pooling global: dx[n, h, w, c] = dy[n, c] / (H·W)",
             "en": "global average pooling gradient: dx[n, h, w, c] = dy[n, c] / (H·W)"},
    detectors=mistakes(
        _global_avg_backward_reference,
        ("global_avg_backward_not_divided",
         hint("y es un promedio de H·W píxeles: cada uno recibe dy[n, c] / (H·W), no dy[n, c].",
              "y is a mean of H·W pixels: each of them gets dy[n, c] / (H·W), not dy[n, c]."),
         lambda dy, x: (np.broadcast_to(dy[:, None, None, :], x.shape).copy(),)),
        ("global_avg_backward_divided_by_everything",
         hint("El promedio es por ejemplo y por canal, sobre H·W píxeles: divide dy por H·W, no por x.size.",
              "The mean is per sample and channel, over H·W pixels: divide dy by H·W, not by x.size."),
         lambda dy, x: (np.broadcast_to(dy[:, None, None, :] / x.size, x.shape).copy(),)),
    ),
    gradient_check=GradientCheck(forward="global_avg_pool2d_forward", forward_args=lambda a: (a[1],),
                                 upstream=0, inputs={0: 0}),
))

register(GradedFunction(
    name="global_max_pool2d_backward", exercise_set="004_5", parameters=("dy", "x"), outputs=("dx",),
    make_cases=_global_backward_cases, reference=_global_max_backward_reference,
    summary={"es": "gradiente del max pooling global: dy[n, c] va entero al primer máximo (orden por filas) del "
                   "canal c",
             "en": "global max pooling gradient: dy[n, c] goes whole to channel c's first maximum (row-major order)"},
    detectors=mistakes(
        _global_max_backward_reference,
        ("global_max_gradient_to_every_max",
         hint("Cuando hay empates, el gradiente va sólo al primer máximo del canal (recorriendo la imagen por "
              "filas), no a todos: x == max marca todos los empatados.",
              "With ties the gradient goes only to the channel's first maximum (row-major order), not to all of "
              "them: x == max marks every tied one."),
         _global_max_backward_with(_every_max_mask)),
        ("global_max_gradient_to_last_max",
         hint("Con empates el gradiente va al primer máximo en orden por filas (como np.argmax sobre la imagen "
              "aplanada), no al último.",
              "With ties the gradient goes to the first maximum in row-major order (as np.argmax over the "
              "flattened image), not the last."),
         _global_max_backward_with(_last_max_mask)),
    ),
    gradient_check=GradientCheck(forward="global_max_pool2d_forward", forward_args=lambda a: (a[1],),
                                 upstream=0, inputs={0: 0}),
))
