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
# # 004 §2 · Optimización
#
# SGD usa el gradiente del minibatch $\mathbf{g}_t = \frac{1}{B}\sum_{i=1}^B \partial L_i(\theta_{t-1})/\partial\theta$
# tal cual, y con una velocidad de aprendizaje grande se queda rebotando en una «bola de ruido». La clase propone
# reemplazarlo por promedios exponenciales: del gradiente (**momentum**), de su cuadrado (**RMSProp**) o de los dos
# (**Adam**), con la **corrección de sesgo** que compensa que los promedios empiezan en cero.
#
# Cada función hace **un paso** y devuelve los valores nuevos (sin modificar los arrays que recibe). El paso $t$
# se cuenta desde $t = 1$ en la primera actualización. El autocorrector llama a tu función varias veces seguidas,
# $t = 1, 2, 3, \dots$, pasándole en cada llamada el estado correcto del paso anterior y un gradiente nuevo.

# %%
import numpy as np

# %% [markdown]
# ## Momentum con corrección de sesgo
#
# `momentum_step(w, dw, m, t, lr, beta1) -> (w, m)`, con `dw` $= \mathbf{g}_t$, `lr` $= \alpha$ y `beta1`
# $= \beta_1 \in [0, 1)$:
#
# $$\mathbf{m}_t = \beta_1 \mathbf{m}_{t-1} + (1 - \beta_1)\,\mathbf{g}_t, \qquad
#   \hat{\mathbf{m}}_t = \frac{\mathbf{m}_t}{1 - \beta_1^t}, \qquad
#   \theta_t = \theta_{t-1} - \alpha\,\hat{\mathbf{m}}_t .$$
#
# Se guarda $\mathbf{m}_t$ (sin corregir): la corrección solo entra en el paso. Ojo: PyTorch usa otra forma,
# $\mathbf{m} = \beta\mathbf{m} + \mathbf{g}$; aquí va la de la clase.

# %%
def momentum_step(w, dw, m, t, lr, beta1):
    """Un paso de momentum con corrección de sesgo.

    w, dw, m: arrays de la misma forma (parámetros, gradiente, promedio del paso anterior);
    t: número de paso (entero ≥ 1); lr: α; beta1: β₁. Devuelve (w, m) nuevos.
    """
    raise NotImplementedError("Te toca: completa «momentum_step» (borra esta línea).")
    return w, m


# %%
from autograder.notebook import grade
grade("momentum_step")

# %% [markdown]
# ## RMSProp con corrección de sesgo
#
# `rmsprop_step(w, dw, v, t, lr, beta2, eps) -> (w, v)`: el promedio exponencial de los cuadrados escala cada
# componente del gradiente,
#
# $$\mathbf{v}_t = \beta_2 \mathbf{v}_{t-1} + (1 - \beta_2)\,\mathbf{g}_t^2, \qquad
#   \hat{\mathbf{v}}_t = \frac{\mathbf{v}_t}{1 - \beta_2^t}, \qquad
#   \theta_t = \theta_{t-1} - \alpha\,\frac{\mathbf{g}_t}{\sqrt{\hat{\mathbf{v}}_t + \epsilon}} .$$
#
# $\epsilon$ va **dentro** de la raíz, como en la clase.

# %%
def rmsprop_step(w, dw, v, t, lr, beta2, eps):
    """Un paso de RMSProp con corrección de sesgo.

    w, dw, v: arrays de la misma forma; t: entero ≥ 1; lr: α; beta2: β₂; eps: ε.
    Devuelve (w, v) nuevos.
    """
    raise NotImplementedError("Te toca: completa «rmsprop_step» (borra esta línea).")
    return w, v


# %%
from autograder.notebook import grade
grade("rmsprop_step")

# %% [markdown]
# ## Adam
#
# «Combinar RMSProp con momentum (ambos con bias correction)»:
# `adam_step(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w, m, v)`,
#
# $$\mathbf{m}_t = \beta_1 \mathbf{m}_{t-1} + (1 - \beta_1)\,\mathbf{g}_t, \qquad
#   \mathbf{v}_t = \beta_2 \mathbf{v}_{t-1} + (1 - \beta_2)\,\mathbf{g}_t^2,$$
#
# $$\theta_t = \theta_{t-1} - \alpha\,\frac{\hat{\mathbf{m}}_t}{\sqrt{\hat{\mathbf{v}}_t + \epsilon}}, \qquad
#   \hat{\mathbf{m}}_t = \frac{\mathbf{m}_t}{1 - \beta_1^t}, \quad
#   \hat{\mathbf{v}}_t = \frac{\mathbf{v}_t}{1 - \beta_2^t}.$$
#
# $\epsilon$ va **dentro** de la raíz (la forma de la clase; el artículo de Kingma y Ba lo pone fuera,
# $\sqrt{\hat{\mathbf{v}}_t} + \epsilon$). Con gradientes grandes da casi igual, pero con gradientes del orden de
# $\sqrt{\epsilon}$ o con un $\epsilon$ grande la diferencia se nota, y el autocorrector prueba esos casos.

# %%
def adam_step(w, dw, m, v, t, lr, beta1, beta2, eps):
    """Un paso de Adam (ε dentro de la raíz).

    w, dw, m, v: arrays de la misma forma; t: entero ≥ 1; lr: α; beta1, beta2: β₁, β₂; eps: ε.
    Devuelve (w, m, v) nuevos.
    """
    raise NotImplementedError("Te toca: completa «adam_step» (borra esta línea).")
    return w, m, v


# %%
from autograder.notebook import grade
grade("adam_step")
