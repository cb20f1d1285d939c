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
# # 001 · Ciclo de trabajo
#
# Un algoritmo de aprendizaje junta un espacio de modelos $H$, una función de pérdida $L$ y un optimizador. El
# optimizador minimiza la **pérdida total**, el promedio de la pérdida sobre los $N$ datos:
#
# $$L(m, D) = \frac{1}{N} \sum_{x \in D} L(m(x), y), \qquad \hat{m} = \min_{m \in H} L(m, D).$$
#
# Aquí escribes las piezas de ese ciclo con numpy: una capa densa (el modelo $m$), su gradiente, y dos
# pérdidas, el error cuadrático medio y la entropía cruzada con softmax. Cada pérdida devuelve su valor
# **promediado** y el gradiente de ese promedio: el $1/N$ de la fórmula va dentro.
#
# Todas las funciones reciben arrays `float64` y devuelven arrays `float64` (no cambies el tipo).

# %%
import numpy as np

# %% [markdown]
# ## Capa densa (forward)
#
# `dense_forward(x, W, b) -> y` con `x` de forma $(N, D_{in})$ (una fila por ejemplo), `W` de forma
# $(D_{in}, D_{out})$ y `b` de forma $(D_{out},)$:
#
# $$y = x\,W + b, \qquad y \in \mathbb{R}^{N \times D_{out}}.$$
#
# El sesgo $b$ se suma a cada fila (numpy lo repite solo: *broadcasting*).

# %%
def dense_forward(x, W, b):
    """Capa densa: y = x W + b.

    x: (N, D_in); W: (D_in, D_out); b: (D_out,). Devuelve y de forma (N, D_out).
    """
    raise NotImplementedError("Te toca: completa «dense_forward» (borra esta línea).")
    return y


# %%
from autograder.notebook import grade
grade("dense_forward")

# %% [markdown]
# ## Capa densa (backward)
#
# `dense_backward(dy, x, W) -> (dx, dW, db)` recibe $dy = \partial L / \partial y$, de forma $(N, D_{out})$, y
# devuelve los gradientes respecto de la entrada, los pesos y el sesgo, con las formas de `x`, `W` y `b`:
#
# $$dx = dy\,W^\top, \qquad dW = x^\top dy, \qquad db = \sum_{n=1}^{N} dy_n .$$
#
# $dW$ y $db$ **suman** sobre el lote, no promedian: si la pérdida promedia, el $1/N$ ya viene dentro de $dy$.
# Comprueba las formas: $dy\,W^\top$ es $(N, D_{out}) \cdot (D_{out}, D_{in})$.

# %%
def dense_backward(dy, x, W):
    """Gradientes de y = x W + b dado dy = ∂L/∂y.

    dy: (N, D_out); x: (N, D_in); W: (D_in, D_out).
    Devuelve (dx, dW, db) con las formas de x, W y b.
    """
    raise NotImplementedError("Te toca: completa «dense_backward» (borra esta línea).")
    return dx, dW, db


# %%
from autograder.notebook import grade
grade("dense_backward")

# %% [markdown]
# ## Error cuadrático medio
#
# `mse_loss(prediction, target) -> (loss, grad)`: `prediction` y `target` tienen la misma forma, cualquiera
# (un vector, una matriz $(N, K)$, …), con $M$ elementos en total. El promedio es sobre **todos** los elementos:
#
# $$L = \frac{1}{M} \sum_{i=1}^{M} (p_i - t_i)^2, \qquad \frac{\partial L}{\partial p} = \frac{2\,(p - t)}{M}.$$
#
# `loss` es un número (un `float` o un array de forma `()`); `grad` tiene la forma de `prediction`.

# %%
def mse_loss(prediction, target):
    """Error cuadrático medio y su gradiente respecto de la predicción.

    prediction, target: arrays de la misma forma con M elementos.
    Devuelve (loss, grad): loss = (1/M) Σ (p − t)², grad = 2 (p − t) / M.
    """
    raise NotImplementedError("Te toca: completa «mse_loss» (borra esta línea).")
    return loss, grad


# %%
from autograder.notebook import grade
grade("mse_loss")

# %% [markdown]
# ## Entropía cruzada con softmax
#
# `softmax_cross_entropy(logits, labels) -> (loss, dlogits)`: `logits` $z$ es $(N, K)$, una fila por ejemplo y una
# columna por clase; `labels` $y$ es un vector de $N$ enteros en $[0, K)$, la clase correcta de cada ejemplo.
#
# $$\mathrm{softmax}(z_n)_k = \frac{e^{z_{nk}}}{\sum_j e^{z_{nj}}}, \qquad
#   L = -\frac{1}{N} \sum_{n=1}^{N} \log \mathrm{softmax}(z_n)_{y_n}, \qquad
#   \frac{\partial L}{\partial z} = \frac{\mathrm{softmax}(z) - \mathrm{onehot}(y)}{N}.$$
#
# Dos cuidados numéricos:
#
# - $e^{1000}$ desborda a `inf` en `float64` e `inf / inf` da `NaN`. La softmax no cambia si a cada fila se le resta
#   una constante, así que se resta el máximo de la fila: $\mathrm{softmax}(z) = \mathrm{softmax}(z - \max_j z_j)$.
# - Si los logits están muy separados, alguna probabilidad vale exactamente 0 en `float64` y $\log 0 = -\infty$.
#   Calcula el logaritmo directamente: $\log \mathrm{softmax}(z)_k = (z_k - \max z) - \log \sum_j e^{z_j - \max z}$.

# %%
def softmax_cross_entropy(logits, labels):
    """Entropía cruzada promedio de la softmax de los logits y su gradiente.

    logits: (N, K); labels: (N,) enteros en [0, K).
    Devuelve (loss, dlogits): loss = −(1/N) Σ log softmax(z_n)[y_n], dlogits = (softmax(z) − onehot(y)) / N.
    """
    raise NotImplementedError("Te toca: completa «softmax_cross_entropy» (borra esta línea).")
    return loss, dlogits


# %%
from autograder.notebook import grade
grade("softmax_cross_entropy")
