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
# Una capa convolucional reemplaza la multiplicación por una matriz de la capa densa por un **filtro** pequeño
# que recorre la imagen: cada salida mira sólo una ventana de la entrada y todas las ventanas comparten los mismos
# pesos. Como en la clase, la operación es una **correlación cruzada**: «la operación no espeja» (el núcleo no se
# invierte; se suele pensar que el filtro aprendido ya viene invertido). Para una imagen $x$ con relleno
# (padding) y paso (stride) $s$:
#
# $$y[n, i, j, f] = b[f] + \sum_{u, v, c} x_{pad}[n,\; i\,s_h + u,\; j\,s_w + v,\; c] \cdot W[u, v, c, f].$$
#
# Convenciones (las del motor y las de Keras, que usa la clase):
#
# - las imágenes son **NHWC**: `x` tiene forma $(N, H, W, C)$ (ejemplos, filas, columnas, canales);
# - el núcleo `W` tiene forma $(K_H, K_W, C, F)$: alto, ancho, canales de entrada, filtros; el sesgo `b`, $(F,)$;
# - `stride` es un entero o un par (filas, columnas); `size` (en pooling) también.
#
# Todas las funciones reciben y devuelven arrays `float64`.

# %%
import numpy as np


def as_pair(value):
    """Un entero o un par (filas, columnas) como par de enteros: 2 -> (2, 2), (1, 3) -> (1, 3)."""
    if isinstance(value, (int, np.integer)):
        return int(value), int(value)
    return int(value[0]), int(value[1])


# %% [markdown]
# ## Relleno (padding)
#
# La clase deriva el tamaño de la salida con paso 1,
# $\dim(\text{Neurona}) = \dim(\mathbf{x}) - \dim(\text{Filtro}) + 1 + 2 \cdot \text{Padding}$,
# y nombra tres rellenos habituales:
#
# - *Valid*: $\text{Padding} = 0$;
# - *Same*: $\text{Padding} = \frac{\dim(\text{Filtro}) - 1}{2}$, para que la salida mida lo mismo que la entrada;
# - *Full*: $\text{Padding} = \dim(\text{Filtro}) - 1$ de cada lado, el mayor relleno que tiene sentido.
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
    raise NotImplementedError("Te toca: completa «padding_amounts» (borra esta línea).")


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
# (y lo mismo para $O_W$): las ventanas que no entran enteras se descartan. **No espejes el núcleo**: $W[u, v]$
# multiplica al píxel $(i\,s_h + u,\; j\,s_w + v)$ de la ventana.
#
# Una idea para escribirla: cada ventana, aplanada a un vector de $K_H K_W C$ números, pasa por una capa densa
# con la matriz `W.reshape(-1, F)`.

# %%
def conv2d_forward(x, W, b, stride, padding):
    """Convolución 2D (correlación cruzada, sin espejar el núcleo) de un lote de imágenes NHWC.

    x: (N, H, W, C); W: (KH, KW, C, F); b: (F,); stride: entero o par; padding: entero, par,
    "valid", "same" o "full". Devuelve y de forma (N, OH, OW, F).
    """
    raise NotImplementedError("Te toca: completa «conv2d_forward» (borra esta línea).")
    return y


# %%
from autograder.notebook import grade
grade("conv2d_forward")

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
    raise NotImplementedError("Te toca: completa «conv2d_backward» (borra esta línea).")
    return dx, dW, db


# %%
from autograder.notebook import grade
grade("conv2d_backward")

# %% [markdown]
# ## Max pooling (forward)
#
# El pooling usa que la clasificación de imágenes no depende de traslaciones pequeñas: resume cada ventana con
# un solo número. `max_pool2d_forward(x, size, stride) -> y`: la ventana $(i, j)$, de tamaño `size`
# $= (K_H, K_W)$, empieza en $(i\,s_h,\; j\,s_w)$, y $y[n, i, j, c]$ es su máximo, canal por canal. Las ventanas
# que no entran enteras se descartan: $O_H = \lfloor (H - K_H) / s_h \rfloor + 1$. Sin relleno.

# %%
def max_pool2d_forward(x, size, stride):
    """Max pooling de un lote NHWC.

    x: (N, H, W, C); size y stride: entero o par (filas, columnas). Devuelve y de forma (N, OH, OW, C).
    """
    raise NotImplementedError("Te toca: completa «max_pool2d_forward» (borra esta línea).")
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
    raise NotImplementedError("Te toca: completa «max_pool2d_backward» (borra esta línea).")
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
    raise NotImplementedError("Te toca: completa «avg_pool2d_backward» (borra esta línea).")
    return dx


# %%
from autograder.notebook import grade
grade("avg_pool2d_backward")
