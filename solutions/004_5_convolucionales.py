# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 004 §5 · Redes convolucionales
#
# Según la clase, las redes neuronales convolucionales combinan estos tipos de capas:
#
# - *Dense* o *Fully Connected*;
# - *Flatten* o *Global Pooling*;
# - convolucionales;
# - *pooling*;
# - accesorios, por ejemplo *Dropout*.
#
# En este cuaderno escribes, con numpy, las que faltan: la convolución (hacia adelante y hacia atrás, con relleno y
# paso), el tamaño de su salida, el pooling y el pooling global. Al final armas con el motor del curso la LeNet de la
# clase, compruebas su tabla de parámetros y la entrenas con dígitos escritos a mano.

# %%
# %matplotlib inline
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %% [markdown]
# ## Tensores
#
# La clase empieza por la pregunta «¿Qué es un tensor?»: un **escalar** no tiene ejes, un **vector** tiene uno, una
# **matriz** dos, y un **tensor** es la misma idea con tres ejes o más. Una imagen en color es un tensor de tres ejes
# (alto, ancho, canales) y un lote de imágenes, uno de cuatro. Como en el motor y en Keras (el de la clase), las
# imágenes son **NHWC**: un lote `x` tiene forma $(N, H, W, C)$ (ejemplos, filas, columnas, canales).

# %%
escalar = rng.normal()
vector = rng.normal(size=3)
matriz = rng.normal(size=(3, 3))
lote = rng.random((2, 6, 6, 3))          # 2 imágenes de 6×6 con 3 canales
for nombre, t in [("escalar", np.asarray(escalar)), ("vector", vector), ("matriz", matriz), ("lote", lote)]:
    print(f"{nombre:8s} ejes: {t.ndim}  forma: {t.shape}")

# %% [markdown]
# ## Capa densa y *Flatten*
#
# La capa densa de la clase es
#
# $$\mathbf{h}^{[l]} = \sigma^{[l]}(\mathbf{W}^{[l]}\mathbf{h}^{[l-1]} + \mathbf{b}^{[l]}).$$
#
# «Para generar cada neurona se necesita toda una fila de $\mathbf{W}^{[l]}$ (es decir una cantidad de parámetros
# igual a la dimensión de la entrada) y un solo elemento de $\mathbf{b}^{[l]}$»: una capa densa de $d_{in}$ entradas
# y $d_{out}$ neuronas tiene $(d_{in} + 1)\, d_{out}$ parámetros. (En el motor los ejemplos son filas, así que se
# escribe `x @ W + b` con `W` de forma $(d_{in}, d_{out})$: es la misma cuenta.)
#
# La capa densa necesita un vector. Para dársela una imagen, la capa *Flatten* la aplana recorriéndola por filas:
# $x_{1,1}, x_{1,2}, x_{1,3}, x_{2,1}, \dots$ Es lo que hace `reshape`, y «pierdo noción espacial»: en el vector,
# $x_{1,1}$ y $x_{2,1}$ (vecinos en la imagen) quedan a tres lugares de distancia.

# %%
imagen = rng.integers(0, 10, size=(3, 3))
print(imagen)
print("aplanada:", imagen.reshape(-1))   # fila por fila: x11, x12, x13, x21, ...
print("parámetros de una capa densa de 400 entradas y 120 neuronas:", (400 + 1) * 120)

# %% [markdown]
# ## La capa convolucional
#
# «Un convolutional layer básicamente reemplaza la reducción dimensional del dense layer (producido al multiplicar una
# matriz por un vector) de manera que no se necesite que la entrada sea un vector y que utilice menos parámetros para
# dimensionar cada neurona.» Cada neurona es ahora una matriz,
#
# $$\text{Neurona} \rightarrow \sigma(\mathbf{x} * \text{FILTRO} + b \cdot \mathbf{1}),$$
#
# que se obtiene deslizando un **filtro** pequeño sobre la imagen: cada salida mira sólo una ventana de la entrada y
# todas las ventanas comparten los mismos pesos. Así la capa no pierde noción espacial (no necesita *flatten*), y en
# el ejemplo de la clase bastan $3 \times 3 = 9$ parámetros para generar una neurona a partir de una entrada de
# $6 \times 6 = 36$; el sesgo es un solo escalar por neurona, como en la capa densa.
#
# Como en la clase, la operación es una **correlación cruzada**: «La operación no espeja, se suele pensar que el filtro
# aprendido ya flípeo» (el núcleo no se invierte). Con relleno (*padding*) y paso (*stride*) $s$, sobre un lote NHWC:
#
# $$y[n, i, j, f] = b[f] + \sum_{u, v, c} x_{pad}[n,\; i\,s_h + u,\; j\,s_w + v,\; c] \cdot W[u, v, c, f].$$
#
# El núcleo `W` tiene forma $(K_H, K_W, C, F)$ (alto, ancho, canales de entrada, filtros) y el sesgo `b`, $(F,)$:
# como dice la clase, las unidades ocultas «viven en $(n, 4, 4, d)$, donde d es la cantidad de filtros utilizados
# (cada uno con su bias)». `stride` es un entero o un par (filas, columnas); `size` (en pooling) también. Todas las
# funciones reciben y devuelven arrays `float64`.

# %%
def as_pair(value):
    """Un entero o un par (filas, columnas) como par de enteros: 2 -> (2, 2), (1, 3) -> (1, 3)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    return int(value[0]), int(value[1])


# %% [markdown]
# ## El tamaño de la salida: *padding* y *stride*
#
# Sin relleno, un filtro de lado $K$ sobre una entrada de lado $n$ cabe en $n - K + 1$ posiciones:
# $\dim(\text{Neurona}) = \dim(\mathbf{x}) - \dim(\text{Filtro}) + 1$. Eso tiene dos problemas, dice la clase: la
# dimensión va disminuyendo a lo largo de la red, y los números del borde se usan mucho menos que el resto. Por eso
# se rellena la entrada con ceros, y entonces
#
# $$\dim(\text{Neurona}) = \dim(\mathbf{x}) - \dim(\text{Filtro}) + 1 + 2 \cdot \text{Padding}.$$
#
# Los tipos de *padding* habituales:
#
# - *Valid*: $\text{Padding} = 0$.
# - *Same*: $\text{Padding} = \frac{\dim(\text{Filtro}) - 1}{2}$: «el objetivo de padding same es que la neurona
#   tenga la misma dimensión que la entrada».
# - *Full*: $\text{Padding} = \dim(\text{Filtro}) - 1$ (de cada lado): «el mayor padding que tiene sentido (sin
#   agregar ceros triviales)». Rara vez se usa.
#
# Con **paso** (*stride*) $s$ la ventana avanza $s$ posiciones por vez, «omitiendo las ubicaciones intermedias», y
# las ventanas que no entran enteras se descartan. Con $P$ ceros en total (los de ambos lados):
#
# $$O = \left\lfloor \frac{n + P - K}{s} \right\rfloor + 1 .$$
#
# Para *same* con paso $s$ se sigue a Keras (y al motor): la salida mide $\lceil n / s \rceil$, lo que con $s = 1$
# es $n$. Si $K$ es par, $(K - 1)/2$ no es entero: el relleno total es $K - 1$, repartido más abajo.
#
# Escribe `conv_output_size(size, kernel, stride, padding) -> int`: el tamaño de la salida a lo largo de **un** eje,
# para una entrada de lado `size`, un núcleo de lado `kernel`, un paso `stride` (enteros positivos) y `padding`
# entero (ceros de cada lado), `"valid"`, `"same"` o `"full"`. Devuelve un `int`. Si el núcleo no entra en la entrada
# rellena, lanza un `ValueError` que lo diga. La misma cuenta da el tamaño de un pooling, con `kernel` el tamaño de
# la ventana y `padding="valid"`.

# %%
def conv_output_size(size, kernel, stride, padding):
    """Tamaño de la salida a lo largo de un eje: floor((size + relleno total − kernel) / stride) + 1.

    size, kernel, stride: enteros positivos; padding: entero (ceros de cada lado), "valid", "same" o "full".
    Devuelve un int.
    """
    # Pista: "same" mide ceil(size / stride); "full" pone kernel − 1 ceros de CADA lado; usa la división entera //.
    ### BEGIN SOLUTION
    if padding == "same":
        return int(np.ceil(size / stride))
    if padding == "valid":
        total = 0
    elif padding == "full":
        total = 2 * (kernel - 1)
    else:
        total = 2 * padding
    if kernel > size + total:
        raise ValueError(f"el núcleo ({kernel}) no entra en la entrada rellena ({size} + {total} ceros)")
    return (size + total - kernel) // stride + 1
    ### END SOLUTION


# %%
from autograder.notebook import grade
grade("conv_output_size")

# %% [markdown]
# Los ejemplos de la clase, con la imagen de $6 \times 6$ y el filtro de $3 \times 3$: sin relleno la neurona mide
# $4 \times 4$; con *Padding* = 1 vuelve a medir 6 (es *same*); con *Padding* = 2 (*full*) mide 8; con paso 2
# (sin relleno) mide $2 \times 2$.

# %%
for padding, stride in [("valid", 1), (1, 1), ("same", 1), ("full", 1), ("valid", 2)]:
    print(f"padding={padding!r:8} stride={stride}: {conv_output_size(6, 3, stride, padding)}")

# %% [markdown]
# ## El relleno de cada lado
#
# `padding_amounts(padding, x_shape, kernel_shape, stride) -> ((arriba, abajo), (izquierda, derecha))` traduce
# `padding` a cantidades de ceros por lado. `padding` puede ser:
#
# - un entero $p$: $p$ ceros en los cuatro lados; un par $(p_h, p_w)$: $p_h$ arriba y abajo, $p_w$ a los lados;
# - `"valid"`: nada; `"full"`: $K - 1$ de cada lado;
# - `"same"`: con paso $s$ la salida mide $\lceil H / s \rceil$, así que el relleno total es
#   $\max\big((\lceil H / s \rceil - 1)\, s + K - H,\; 0\big)$. Con $s = 1$ eso es $K - 1$: los $(K - 1)/2$
#   de la clase a cada lado. Cuando el total es impar (un núcleo par, o un paso mayor que 1), el píxel que sobra va
#   **al final** (abajo y a la derecha, como Keras): arriba va `total // 2` y abajo `total - total // 2`.
#
# No se califica sola, pero la usan la convolución y su gradiente.

# %%
def padding_amounts(padding, x_shape, kernel_shape, stride):
    """Ceros por lado: ((arriba, abajo), (izquierda, derecha)).

    padding: entero, par (filas, columnas), "valid", "same" o "full"; x_shape: (N, H, W, C);
    kernel_shape: (KH, KW, C, F); stride: entero o par.
    """
    ### BEGIN SOLUTION
    kernel_h, kernel_w = kernel_shape[0], kernel_shape[1]
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "full":
            return (kernel_h - 1, kernel_h - 1), (kernel_w - 1, kernel_w - 1)
        if padding == "same":
            sides = []
            for size, kernel, step in zip(x_shape[1:3], (kernel_h, kernel_w), as_pair(stride)):
                out = int(np.ceil(size / step))
                total = max((out - 1) * step + kernel - size, 0)
                sides.append((total // 2, total - total // 2))
            return sides[0], sides[1]
        raise ValueError(f'padding debe ser un entero, un par, "valid", "same" o "full"; llegó {padding!r}')
    rows, cols = as_pair(padding)
    return (rows, rows), (cols, cols)
    ### END SOLUTION


# %% [markdown]
# ## Convolución 2D (forward)
#
# `conv2d_forward(x, W, b, stride, padding) -> y`, con `x` $(N, H, W, C)$, `W` $(K_H, K_W, C, F)$, `b` $(F,)$.
# Primero se rellena `x` con ceros (`np.pad`), después el filtro recorre la imagen avanzando `stride` píxeles:
# la salida $(i, j)$ mira la ventana que empieza en $(i\,s_h,\; j\,s_w)$. La salida tiene forma
# $(N, O_H, O_W, F)$ con
#
# $$O_H = \left\lfloor \frac{H + \text{relleno}_{arriba} + \text{relleno}_{abajo} - K_H}{s_h} \right\rfloor + 1$$
#
# (y lo mismo para $O_W$; es tu `conv_output_size`): las ventanas que no entran enteras se descartan. **No espejes
# el núcleo**: $W[u, v]$ multiplica al píxel $(i\,s_h + u,\; j\,s_w + v)$ de la ventana.
#
# Una idea para escribirla: cada ventana, aplanada a un vector de $K_H K_W C$ números, pasa por una capa densa
# con la matriz `W.reshape(-1, F)`.

# %%
def conv2d_forward(x, W, b, stride, padding):
    """Convolución 2D (correlación cruzada, sin espejar el núcleo) de un lote de imágenes NHWC.

    x: (N, H, W, C); W: (KH, KW, C, F); b: (F,); stride: entero o par; padding: entero, par,
    "valid", "same" o "full". Devuelve y de forma (N, OH, OW, F).
    """
    ### BEGIN SOLUTION
    stride_h, stride_w = as_pair(stride)
    (top, bottom), (left, right) = padding_amounts(padding, x.shape, W.shape, stride)
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    n, height, width, _ = x_pad.shape
    kernel_h, kernel_w, _, filters = W.shape
    out_h = (height - kernel_h) // stride_h + 1
    out_w = (width - kernel_w) // stride_w + 1
    weights = W.reshape(-1, filters)                      # (KH·KW·C, F)
    y = np.empty((n, out_h, out_w, filters), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * stride_h, i * stride_h + kernel_h)
            cols = slice(j * stride_w, j * stride_w + kernel_w)
            window = x_pad[:, rows, cols, :].reshape(n, -1)  # (N, KH·KW·C)
            y[:, i, j, :] = window @ weights + b
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("conv2d_forward")

# %% [markdown]
# El ejemplo de la clase: la imagen de $6 \times 6$ y el filtro de bordes verticales (columnas $1, 0, -1$). La clase
# llena la salida casilla por casilla: $2, -4, 0, 2$ en la primera fila, y con paso 2 queda
# $\begin{pmatrix} 2 & 0 \\ 0 & 3 \end{pmatrix}$. Tu función debe dar lo mismo (con `x` de forma
# $(1, 6, 6, 1)$ y `W` de forma $(3, 3, 1, 1)$).

# %%
imagen_clase = np.array([[3, 1, 0, 2, 1, 0],
                         [2, 0, 1, 3, 2, 1],
                         [0, 1, 2, 1, 0, 3],
                         [4, 0, 3, 2, 2, 1],
                         [1, 1, 0, 1, 0, 1],
                         [3, 2, 1, 0, 2, 1]], dtype=np.float64)
filtro_clase = np.array([[1, 0, -1]] * 3, dtype=np.float64)
salida_clase = np.array([[2, -4, 0, 2], [0, -5, 2, 1], [0, -2, 3, -1], [4, 0, 0, 0]], dtype=np.float64)
x_clase, W_clase, b_cero = imagen_clase[None, :, :, None], filtro_clase[:, :, None, None], np.zeros(1)
print(conv2d_forward(x_clase, W_clase, b_cero, 1, "valid")[0, :, :, 0])
assert np.array_equal(conv2d_forward(x_clase, W_clase, b_cero, 1, "valid")[0, :, :, 0], salida_clase)
assert np.array_equal(conv2d_forward(x_clase, W_clase, b_cero, 2, "valid")[0, :, :, 0], [[2, 0], [0, 3]])

# %% [markdown]
# ## Convolución 2D (backward)
#
# `conv2d_backward(dy, x, W, stride, padding) -> (dx, dW, db)` recibe $dy = \partial L / \partial y$ de forma
# $(N, O_H, O_W, F)$ y devuelve los gradientes con las formas de `x`, `W` y `b`. Cada salida $(n, i, j)$ es una
# capa densa aplicada a su ventana, así que, ventana por ventana, valen las fórmulas de la capa densa:
#
# - $dW = \sum_{n, i, j} \text{ventana}_{n,i,j}^\top \, dy[n, i, j]$: se **acumula** sobre todo el lote y todas
#   las posiciones (los pesos son compartidos);
# - $db = \sum_{n, i, j} dy[n, i, j, :]$;
# - cada $dy[n, i, j]$ vuelve a la ventana de $x_{pad}$ de la que salió, multiplicado por los mismos pesos
#   $W[u, v, c, f]$ del forward (sin espejar); las ventanas que se solapan **suman** sus contribuciones. Al
#   final se quita el relleno: `dx = dx_pad[:, arriba:arriba + H, izquierda:izquierda + W, :]`.

# %%
def conv2d_backward(dy, x, W, stride, padding):
    """Gradientes (dx, dW, db) de la convolución 2D dado dy = ∂L/∂y de forma (N, OH, OW, F).

    x, W, stride y padding como en conv2d_forward. Devuelve dx (N, H, W, C), dW (KH, KW, C, F) y db (F,).
    """
    ### BEGIN SOLUTION
    stride_h, stride_w = as_pair(stride)
    (top, bottom), (left, right) = padding_amounts(padding, x.shape, W.shape, stride)
    x_pad = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    n, out_h, out_w, filters = dy.shape
    kernel_h, kernel_w, channels, _ = W.shape
    weights = W.reshape(-1, filters)                                # (KH·KW·C, F)
    dx_pad = np.zeros_like(x_pad)
    dweights = np.zeros_like(weights)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * stride_h, i * stride_h + kernel_h)
            cols = slice(j * stride_w, j * stride_w + kernel_w)
            window = x_pad[:, rows, cols, :].reshape(n, -1)        # (N, KH·KW·C)
            dweights += window.T @ dy[:, i, j, :]
            dwindow = dy[:, i, j, :] @ weights.T                    # (N, KH·KW·C)
            dx_pad[:, rows, cols, :] += dwindow.reshape(n, kernel_h, kernel_w, channels)
    dx = dx_pad[:, top:top + x.shape[1], left:left + x.shape[2], :]
    dW = dweights.reshape(W.shape)
    db = dy.sum(axis=(0, 1, 2))
    ### END SOLUTION
    return dx, dW, db


# %%
from autograder.notebook import grade
grade("conv2d_backward")

# %% [markdown]
# ## Max pooling (forward)
#
# «El uso de Pooling puede entenderse como usar la información conocida de que la clasificación de imágenes no
# depende de rotaciones o traslaciones pequeñas»: resume cada ventana con un solo número.
# `max_pool2d_forward(x, size, stride) -> y`: la ventana $(i, j)$, de tamaño `size`
# $= (K_H, K_W)$, empieza en $(i\,s_h,\; j\,s_w)$, y $y[n, i, j, c]$ es su máximo, canal por canal. Las ventanas
# que no entran enteras se descartan: $O_H = \lfloor (H - K_H) / s_h \rfloor + 1$. Sin relleno.

# %%
def max_pool2d_forward(x, size, stride):
    """Max pooling de un lote NHWC.

    x: (N, H, W, C); size y stride: entero o par (filas, columnas). Devuelve y de forma (N, OH, OW, C).
    """
    ### BEGIN SOLUTION
    size_h, size_w = as_pair(size)
    stride_h, stride_w = as_pair(stride)
    n, height, width, channels = x.shape
    out_h = (height - size_h) // stride_h + 1
    out_w = (width - size_w) // stride_w + 1
    y = np.empty((n, out_h, out_w, channels), dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = x[:, i * stride_h:i * stride_h + size_h, j * stride_w:j * stride_w + size_w, :]
            y[:, i, j, :] = window.max(axis=(1, 2))
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("max_pool2d_forward")

# %% [markdown]
# ## Max pooling (backward)
#
# `max_pool2d_backward(dy, x, size, stride) -> dx`: el máximo sólo depende del elemento que lo alcanza, así que
# cada $dy[n, i, j, c]$ va entero a ese elemento de su ventana y los demás reciben 0. Si hay **empates**, el
# gradiente va sólo al **primer** máximo recorriendo la ventana por filas (el que devuelve `np.argmax` sobre la
# ventana aplanada), no a todos. Si las ventanas se solapan, un píxel puede recibir gradiente de varias: se suman.

# %%
def max_pool2d_backward(dy, x, size, stride):
    """Gradiente del max pooling: cada dy va al primer máximo (orden por filas) de su ventana.

    dy: (N, OH, OW, C); x: (N, H, W, C); size y stride como en max_pool2d_forward. Devuelve dx con la forma de x.
    """
    ### BEGIN SOLUTION
    size_h, size_w = as_pair(size)
    stride_h, stride_w = as_pair(stride)
    n, out_h, out_w, channels = dy.shape
    dx = np.zeros_like(x)
    positions = np.arange(size_h * size_w)[None, :, None]           # (1, KH·KW, 1)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * stride_h, i * stride_h + size_h)
            cols = slice(j * stride_w, j * stride_w + size_w)
            window = x[:, rows, cols, :].reshape(n, size_h * size_w, channels)
            first = window.argmax(axis=1)                            # (N, C): el primer máximo
            mask = (positions == first[:, None, :]).reshape(n, size_h, size_w, channels)
            dx[:, rows, cols, :] += mask * dy[:, i:i + 1, j:j + 1, :]
    ### END SOLUTION
    return dx


# %%
from autograder.notebook import grade
grade("max_pool2d_backward")

# %% [markdown]
# ## Average pooling (backward)
#
# El *average pooling* (el de la LeNet de la clase) promedia cada ventana:
# $y[n, i, j, c] = \frac{1}{K_H K_W} \sum_{u, v} x[n,\; i\,s_h + u,\; j\,s_w + v,\; c]$.
# `avg_pool2d_backward(dy, x, size, stride) -> dx`: cada píxel de la ventana recibe la misma parte,
# $dy[n, i, j, c] / (K_H K_W)$; con ventanas solapadas las partes se suman. (`x` sólo da la forma de `dx`.)

# %%
def avg_pool2d_backward(dy, x, size, stride):
    """Gradiente del average pooling: cada dy se reparte por igual entre los KH·KW píxeles de su ventana.

    dy: (N, OH, OW, C); x: (N, H, W, C); size y stride: entero o par. Devuelve dx con la forma de x.
    """
    ### BEGIN SOLUTION
    size_h, size_w = as_pair(size)
    stride_h, stride_w = as_pair(stride)
    _, out_h, out_w, _ = dy.shape
    dx = np.zeros_like(x)
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * stride_h, i * stride_h + size_h)
            cols = slice(j * stride_w, j * stride_w + size_w)
            dx[:, rows, cols, :] += dy[:, i:i + 1, j:j + 1, :] / (size_h * size_w)
    ### END SOLUTION
    return dx


# %%
from autograder.notebook import grade
grade("avg_pool2d_backward")

# %% [markdown]
# ## Pooling global
#
# El pooling global resume **cada canal** (cada mapa de características) con un solo número, sobre toda la imagen:
# el promedio (*global average pooling*) o el máximo (*global max pooling*) sobre $H$ y $W$,
#
# $$y[n, c] = \frac{1}{H W} \sum_{h, w} x[n, h, w, c] \qquad \text{o} \qquad y[n, c] = \max_{h, w}\, x[n, h, w, c].$$
#
# La salida tiene forma $(N, C)$, lista para una capa densa, como la de *Flatten*. Dice la clase: «Para una tarea de
# clasificación/regresión, finalizar el bloque convolucional con un global pooling puede ser superior a hacerlo con
# un *flatten*. El pooling nos permite que las muestras tengan diferentes largos.»
#
# Escribe `global_avg_pool2d_forward(x) -> y` y `global_max_pool2d_forward(x) -> y`, con `x` $(N, H, W, C)$ e
# `y` $(N, C)$. Ojo con los ejes: las imágenes son NHWC, no NCHW.

# %%
def global_avg_pool2d_forward(x):
    """Average pooling global de un lote NHWC: x (N, H, W, C) -> y (N, C), el promedio de cada canal."""
    ### BEGIN SOLUTION
    y = x.mean(axis=(1, 2))
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("global_avg_pool2d_forward")


# %%
def global_max_pool2d_forward(x):
    """Max pooling global de un lote NHWC: x (N, H, W, C) -> y (N, C), el máximo de cada canal."""
    ### BEGIN SOLUTION
    y = x.max(axis=(1, 2))
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("global_max_pool2d_forward")

# %% [markdown]
# Los gradientes siguen a los del pooling con una sola ventana del tamaño de la imagen:
#
# - `global_avg_pool2d_backward(dy, x) -> dx`: cada uno de los $H W$ píxeles del canal recibe la misma parte,
#   $dx[n, h, w, c] = dy[n, c] / (H W)$;
# - `global_max_pool2d_backward(dy, x) -> dx`: $dy[n, c]$ va entero al **primer** máximo del canal $c$ recorriendo la
#   imagen por filas (el de `np.argmax` sobre la imagen aplanada); los demás píxeles reciben 0.
#
# `dy` tiene forma $(N, C)$ y `dx` la de `x`.

# %%
def global_avg_pool2d_backward(dy, x):
    """Gradiente del average pooling global: dy (N, C), x (N, H, W, C) -> dx (N, H, W, C)."""
    ### BEGIN SOLUTION
    height, width = x.shape[1], x.shape[2]
    dx = np.broadcast_to(dy[:, None, None, :] / (height * width), x.shape).copy()
    ### END SOLUTION
    return dx


# %%
from autograder.notebook import grade
grade("global_avg_pool2d_backward")


# %%
def global_max_pool2d_backward(dy, x):
    """Gradiente del max pooling global: cada dy[n, c] va al primer máximo (orden por filas) del canal c."""
    ### BEGIN SOLUTION
    n, height, width, channels = x.shape
    flat = x.reshape(n, height * width, channels)
    first = flat.argmax(axis=1)                                        # (N, C): el primer máximo
    mask = np.arange(height * width)[None, :, None] == first[:, None, :]
    dx = (mask * dy[:, None, :]).reshape(x.shape)
    ### END SOLUTION
    return dx


# %%
from autograder.notebook import grade
grade("global_max_pool2d_backward")

# %% [markdown]
# «Diferentes largos»: el mismo pooling global resume imágenes de cualquier tamaño en un vector de $C$ números,
# mientras que *Flatten* da vectores de largos distintos (y una capa densa detrás sólo acepta uno).

# %%
for alto, ancho in [(5, 5), (8, 11)]:
    mapas = rng.normal(size=(2, alto, ancho, 16))
    print(f"mapas {mapas.shape}: global pooling -> {global_avg_pool2d_forward(mapas).shape}, "
          f"flatten -> {mapas.reshape(len(mapas), -1).shape}")

# %% [markdown]
# ## La LeNet de la clase
#
# «¿Cómo chequear si entendí CNN?» La clase propone armar la LeNet (LeCun et al., 1998) en Keras y predecir, antes de
# mirar `model.summary()`, la forma de la salida y la cantidad de parámetros de cada capa:
#
# ```python
# model = tf.keras.Sequential()
# model.add(tf.keras.layers.Conv2D(filters=6, kernel_size=3, activation='relu', input_shape=(28,28,1)))
# model.add(tf.keras.layers.AveragePooling2D())
# model.add(tf.keras.layers.Conv2D(filters=16, kernel_size=3, activation='relu'))
# model.add(tf.keras.layers.AveragePooling2D())
# model.add(tf.keras.layers.Flatten())
# model.add(tf.keras.layers.Dense(units=120, activation='relu'))
# model.add(tf.keras.layers.Dense(units=84, activation='relu'))
# model.add(tf.keras.layers.Dense(units=10, activation = 'softmax'))
# model.summary()
# ```
#
# (La primera tabla de la clase tiene errores a propósito, como $(None, 10, 10, 6)$ y 186 parámetros en la primera
# capa; la corregida es la de abajo.) Con lo que escribiste: cada convolución sin relleno mide
# `conv_output_size(n, 3, 1, "valid")`, cada `AveragePooling2D()` (ventana 2, paso 2) `conv_output_size(n, 2, 2,
# "valid")`; una convolución tiene $(K_H K_W C + 1) F$ parámetros (un núcleo de $K_H \times K_W \times C$ y un
# sesgo por filtro) y una capa densa $(d_{in} + 1) d_{out}$. Las cuentas de la clase: 60, 880, 48 120, 10 164 y 850.

# %%
tabla = []                                     # (capa, forma de la salida, parámetros)
lado, canales = 28, 1
for filtros in (6, 16):
    lado = conv_output_size(lado, 3, 1, "valid")
    tabla.append(("Conv2D", (lado, lado, filtros), (3 * 3 * canales + 1) * filtros))
    lado, canales = conv_output_size(lado, 2, 2, "valid"), filtros
    tabla.append(("AveragePooling2D", (lado, lado, canales), 0))
entradas = lado * lado * canales
tabla.append(("Flatten", (entradas,), 0))
for unidades in (120, 84, 10):
    tabla.append(("Dense", (unidades,), (entradas + 1) * unidades))
    entradas = unidades
for capa, forma, parametros in tabla:
    print(f"{capa:18s} {str((None,) + forma):20s} {parametros:>6d}")
print("total:", sum(p for _, _, p in tabla))
assert [p for _, _, p in tabla if p] == [60, 880, 48120, 10164, 850]

# %% [markdown]
# La misma red con el motor del curso (`engine`, con las mismas capas y nombres que Keras). Su `summary()` debe dar
# la tabla de la clase, y la de arriba:

# %%
import engine
from engine import plots
from engine.datasets import load_digits

lenet = engine.Sequential([
    engine.Conv2D(6, 3, activation="relu"),
    engine.AveragePooling2D(),
    engine.Conv2D(16, 3, activation="relu"),
    engine.AveragePooling2D(),
    engine.Flatten(),
    engine.Dense(120, activation="relu"),
    engine.Dense(84, activation="relu"),
    engine.Dense(10, activation="softmax"),
], input_shape=(28, 28, 1), seed=SEMILLA)
lenet.summary()
assert [(layer.output_shape, layer.parameter_count()) for layer in lenet.layers] == [(f, p) for _, f, p in tabla]

# %% [markdown]
# Con *global average pooling* en lugar de *Flatten*, la primera capa densa recibe 16 números (uno por filtro) en vez
# de 400: $(16 + 1) \cdot 120 = 2\,040$ parámetros en lugar de 48 120.
#
# ### Entrenarla con dígitos
#
# `load_digits` trae 5 000 dígitos MNIST de $28 \times 28$ (500 de cada clase), ya en NHWC y en $[0, 1]$; se separa
# una parte para validar y otra para medir al final. Se entrena con Adam y la entropía cruzada (en `MODO_RAPIDO`, el
# de las pruebas automáticas, con menos datos y épocas).

# %%
datos = load_digits(validation=0.1, test=0.2, seed=SEMILLA)
ejemplos = 500 if MODO_RAPIDO else len(datos.x_train)
epocas = 2 if MODO_RAPIDO else 12
historia = lenet.fit(datos.x_train[:ejemplos], datos.y_train[:ejemplos], "cross_entropy", engine.Adam(0.002),
                     epochs=epocas, batch_size=64, validation_data=(datos.x_val, datos.y_val), seed=SEMILLA,
                     verbose=False)
perdida, exactitud = lenet.evaluate(datos.x_test, datos.y_test, "cross_entropy")
print(f"{ejemplos} dígitos, {epocas} épocas: exactitud en los de prueba {exactitud:.3f}")
plots.plot_learning_curves(historia)

# %% [markdown]
# Los 6 filtros de $3 \times 3$ de la primera capa, y lo que cada capa hace con un dígito de prueba (sus mapas de
# características): cada filtro de la primera convolución responde a los trazos a su manera (unos marcan más un
# borde, otros el trazo entero), y cada pooling reduce la resolución a la mitad.

# %%
plots.plot_filters(lenet)

# %%
plots.plot_feature_maps(lenet, datos.x_test[0], max_maps=6)

# %% [markdown]
# Para ver qué confunde la red, los dígitos de prueba mal clasificados (con la clase que predijo):

# %%
predichas = lenet.predict(datos.x_test).argmax(axis=1)
errores = np.flatnonzero(predichas != datos.y_test)[:8]
fig, ejes = plt.subplots(1, 8, figsize=(10, 1.8))
for eje, i in zip(ejes, errores):
    eje.imshow(datos.x_test[i, :, :, 0], cmap="gray_r")
    eje.set_title(f"{datos.y_test[i]} → {predichas[i]}", fontsize=9)
for eje in ejes:
    eje.axis("off")
fig.suptitle("real → predicha")
plt.show()

# %% [markdown]
# Para leer más: Y. LeCun, L. Bottou, Y. Bengio y P. Haffner (1998), «Gradient-based learning applied to document
# recognition» (la LeNet); M. Lin, Q. Chen y S. Yan (2014), «Network In Network» (el *global average pooling*);
# V. Dumoulin y F. Visin (2016), «A guide to convolution arithmetic for deep learning» (los tamaños de salida con
# relleno y paso).
