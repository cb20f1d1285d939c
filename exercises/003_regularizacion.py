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
# # 003 · Regularización
#
# La clase presenta dos regularizadores que viven dentro de la red: **batch norm** («para un batch de datos
# calcular media y varianza; actualizar datos restando media y dividiendo por varianza más epsilon; transformar
# con $f(x) = \gamma \cdot x + \beta$») y **dropout** («con cierta probabilidad desactivaremos ciertas neuronas»;
# «durante la fase de entrenamiento dropout actúa, durante la fase de evaluación las capas de dropout no tienen
# efecto»). Aquí escribes las dos capas en numpy, hacia adelante y hacia atrás, con las convenciones del motor
# (las de Keras): varianza sesgada, $\varepsilon = 10^{-3}$ dentro de la raíz y dropout invertido con $p_{keep}$.

# %%
import numpy as np

# %% [markdown]
# ## Batch norm (forward)
#
# `batchnorm_forward(x, gamma, beta, eps) -> (y, mean, var)`.
#
# `x` tiene los canales en el último eje: `(N, D)` para una capa densa o `(N, H, W, C)` para imágenes (NHWC).
# Cada canal $c$ se normaliza con los $M$ valores que toma en el lote (sobre $N$, o sobre $N$, $H$ y $W$):
#
# $$\mu_c = \frac{1}{M}\sum x, \qquad \sigma^2_c = \frac{1}{M}\sum (x - \mu_c)^2, \qquad
#   \hat{x} = \frac{x - \mu_c}{\sqrt{\sigma^2_c + \varepsilon}}, \qquad y = \gamma_c\,\hat{x} + \beta_c .$$
#
# - La varianza es la **sesgada** (se divide por $M$, no por $M - 1$).
# - «Dividir por varianza más epsilon» quiere decir dividir por la desviación estándar
#   $\sqrt{\sigma^2 + \varepsilon}$: $\varepsilon$ va **dentro** de la raíz.
# - `gamma` y `beta` tienen forma `(C,)`; `mean` y `var` (las estadísticas del lote, que luego se acumulan) también.

# %%
def batchnorm_forward(x, gamma, beta, eps):
    """Batch norm en entrenamiento.

    x: (N, D) o (N, H, W, C); gamma, beta: (C,); eps: número > 0.
    Devuelve (y, mean, var): y de la forma de x, mean y var (C,) con la varianza sesgada.
    """
    # Pista: los ejes a promediar son todos menos el último: tuple(range(x.ndim - 1)).
    raise NotImplementedError("Te toca: completa «batchnorm_forward» (borra esta línea).")
    return y, mean, var


# %%
from autograder.notebook import grade
grade("batchnorm_forward")

# %% [markdown]
# ## Batch norm (backward)
#
# `batchnorm_backward(dy, x, gamma, eps) -> (dx, dgamma, dbeta)`, con `dy` $= \partial L/\partial y$ de la forma
# de `x`. Recalcula $\mu$, $\sigma^2$ y $\hat{x}$ a partir de `x` (como en el forward). Con las sumas por canal
# sobre las $M$ filas:
#
# $$\frac{\partial L}{\partial \beta} = \sum dy, \qquad \frac{\partial L}{\partial \gamma} = \sum dy\,\hat{x},
#   \qquad \frac{\partial L}{\partial x} = \frac{\gamma}{\sqrt{\sigma^2 + \varepsilon}}
#   \left(dy - \frac{1}{M}\sum dy - \hat{x}\,\frac{1}{M}\sum dy\,\hat{x}\right).$$
#
# Los dos términos que se restan aparecen porque $\mu$ y $\sigma^2$ **dependen de x**: si los tratas como
# constantes obtienes solo $dy\,\gamma/\sqrt{\sigma^2 + \varepsilon}$, que es el gradiente de la capa en evaluación,
# no en entrenamiento. El autocorrector compara además tu backward con diferencias finitas de tu
# `batchnorm_forward`.

# %%
def batchnorm_backward(dy, x, gamma, eps):
    """Gradientes de batch norm en entrenamiento.

    dy, x: (N, D) o (N, H, W, C); gamma: (C,); eps: número > 0.
    Devuelve (dx, dgamma, dbeta): dx de la forma de x, dgamma y dbeta (C,).
    """
    raise NotImplementedError("Te toca: completa «batchnorm_backward» (borra esta línea).")
    return dx, dgamma, dbeta


# %%
from autograder.notebook import grade
grade("batchnorm_backward")

# %% [markdown]
# ## Estadísticas acumuladas
#
# En evaluación batch norm no usa las estadísticas del lote sino unas acumuladas durante el entrenamiento, un
# promedio exponencial de las de cada lote (la convención de Keras, `momentum = 0.99`):
#
# $$r_\mu \leftarrow \text{momentum}\cdot r_\mu + (1 - \text{momentum})\cdot\mu_B, \qquad
#   r_{\sigma^2} \leftarrow \text{momentum}\cdot r_{\sigma^2} + (1 - \text{momentum})\cdot\sigma^2_B .$$
#
# `update_running_statistics(running_mean, running_var, batch_mean, batch_var, momentum) -> (running_mean,
# running_var)` devuelve los valores nuevos (todas las formas `(C,)`). El autocorrector la llama varias veces
# seguidas, como en varios lotes de entrenamiento: cada llamada recibe lo acumulado hasta entonces.

# %%
def update_running_statistics(running_mean, running_var, batch_mean, batch_var, momentum):
    """Un paso del promedio exponencial de las estadísticas de batch norm.

    Todos los arrays tienen forma (C,); momentum en [0, 1]. Devuelve (running_mean, running_var) nuevos.
    """
    raise NotImplementedError("Te toca: completa «update_running_statistics» (borra esta línea).")
    return running_mean, running_var


# %%
from autograder.notebook import grade
grade("update_running_statistics")

# %% [markdown]
# ## Dropout invertido (forward)
#
# La clase 004 (§4) lo escribe con la probabilidad de **conservar** una unidad, $p_{keep}$:
#
# $$\mathbf{h} \odot \frac{1}{p_{keep}}\,\boldsymbol{\eta}, \qquad \boldsymbol{\eta} \sim \text{Ber}(p_{keep}).$$
#
# (Ojo: la clase 003 habla de la probabilidad $p$ de *desactivar*; aquí el parámetro es $p_{keep}$.)
#
# `dropout_forward(x, p_keep, u) -> (y, mask)`. Para que todos obtengan la misma máscara, el azar te llega
# hecho: `u` tiene la forma de `x` y valores uniformes en $[0, 1)$. Una unidad se conserva cuando su `u` es
# **estrictamente** menor que `p_keep`:
#
# $$\eta = (u < p_{keep}), \qquad y = x \odot \eta / p_{keep}.$$
#
# `mask` es $\eta$ (booleana, o de ceros y unos). Dividir por $p_{keep}$ mantiene $E[y] = x$, y por eso en
# evaluación dropout es la identidad.

# %%
def dropout_forward(x, p_keep, u):
    """Dropout invertido en entrenamiento.

    x: array de cualquier forma; p_keep en (0, 1]; u: uniformes en [0, 1) de la forma de x.
    Devuelve (y, mask): y = x·η/p_keep y la máscara η = (u < p_keep).
    """
    raise NotImplementedError("Te toca: completa «dropout_forward» (borra esta línea).")
    return y, mask


# %%
from autograder.notebook import grade
grade("dropout_forward")

# %% [markdown]
# ## Dropout invertido (backward)
#
# `dropout_backward(dy, mask, p_keep) -> dx`: como $y = x \odot \eta / p_{keep}$ es lineal en $x$,
# $\partial L/\partial x = dy \odot \eta / p_{keep}$, con la máscara `mask` del forward (de ceros y unos).

# %%
def dropout_backward(dy, mask, p_keep):
    """Gradiente del dropout invertido: dy, mask de la misma forma; p_keep en (0, 1]. Devuelve dx."""
    raise NotImplementedError("Te toca: completa «dropout_backward» (borra esta línea).")
    return dx


# %%
from autograder.notebook import grade
grade("dropout_backward")
