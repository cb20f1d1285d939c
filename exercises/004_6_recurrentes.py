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
# # 004 §6 · Redes recurrentes
#
# Una red recurrente procesa una secuencia paso a paso con un *estado oculto que se actualiza en el tiempo*:
#
# $$h_t = \sigma(W_{xh}x_t + W_{hh}h_{t-1} + b_h).$$
#
# La LSTM agrega una celda de memoria $c_t$ controlada por compuertas (olvido $f_t$, entrada $i_t$, salida $o_t$).
# Aquí escribes **un paso** de cada red, hacia adelante y hacia atrás. Como en el motor (y en Keras), los
# vectores son filas: un lote de $N$ ejemplos $x_t$ tiene forma `(N, D)` y el estado `(N, H)`, así que los
# productos se escriben $x_t W$ en lugar de $W x_t$.

# %%
import numpy as np

# %% [markdown]
# ## RNN simple (un paso hacia adelante)
#
# `rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b) -> h_t`, con `x_t` `(N, D)`, `h_prev` `(N, H)`, `W_xh` `(D, H)`,
# `W_hh` `(H, H)` y `b` `(H,)`:
#
# $$h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b).$$
#
# La clase escribe una activación genérica $\sigma$; la estándar en una RNN es la **tanh** (acotada, con valores
# positivos y negativos). El autocorrector prueba también una secuencia entera: llama a tu función paso a paso,
# dándole en cada paso el $h_{t-1}$ correcto.

# %%
def rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b):
    """Un paso de la RNN simple: x_t (N, D), h_prev (N, H), W_xh (D, H), W_hh (H, H), b (H,).
    Devuelve h_t (N, H)."""
    raise NotImplementedError("Te toca: completa «rnn_cell_forward» (borra esta línea).")
    return h_t


# %%
from autograder.notebook import grade
grade("rnn_cell_forward")

# %% [markdown]
# ## RNN simple (un paso hacia atrás)
#
# `rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh) -> (dx_t, dh_prev, dW_xh, dW_hh, db)`, con
# `dh` $= \partial L/\partial h_t$ `(N, H)` y `h_t` la salida del forward. Como $\tanh'(z) = 1 - \tanh^2(z)$
# y $h_t = \tanh(z)$:
#
# $$\delta = dh \odot (1 - h_t^2), \qquad dx_t = \delta W_{xh}^\top, \quad dh_{prev} = \delta W_{hh}^\top, \quad
#   dW_{xh} = x_t^\top \delta, \quad dW_{hh} = h_{prev}^\top \delta, \quad db = \textstyle\sum_n \delta .$$
#
# Este paso es el que se repite hacia atrás en el tiempo (*backpropagation through time*): `dh_prev` se suma al
# gradiente que llega a $h_{t-1}$. El autocorrector compara tu backward con diferencias finitas de tu
# `rnn_cell_forward`.

# %%
def rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh):
    """Gradientes de un paso de la RNN. dh, h_prev, h_t: (N, H); x_t: (N, D); W_xh (D, H), W_hh (H, H).
    Devuelve (dx_t, dh_prev, dW_xh, dW_hh, db)."""
    raise NotImplementedError("Te toca: completa «rnn_cell_backward» (borra esta línea).")
    return dx_t, dh_prev, dW_xh, dW_hh, db


# %%
from autograder.notebook import grade
grade("rnn_cell_backward")

# %% [markdown]
# ## LSTM (un paso hacia adelante)
#
# Las ecuaciones de la clase, con vectores fila:
#
# $$f_t = \sigma(x_t W_f + h_{t-1} U_f + b_f), \quad i_t = \sigma(x_t W_i + h_{t-1} U_i + b_i), \quad
#   \tilde{c}_t = \tanh(x_t W_c + h_{t-1} U_c + b_c), \quad o_t = \sigma(x_t W_o + h_{t-1} U_o + b_o),$$
#
# $$c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t, \qquad h_t = o_t \odot \tanh(c_t).$$
#
# Las cuatro matrices van **apiladas** en una sola, en el orden de Keras $[i, f, \tilde{c}, o]$ (no en el orden en
# que las escribe la clase): `kernel` $= [W_i \,|\, W_f \,|\, W_c \,|\, W_o]$ de forma `(D, 4H)`,
# `recurrent_kernel` $= [U_i \,|\, \dots \,|\, U_o]$ `(H, 4H)` y `bias` `(4H,)`. Así
# $z = x_t\,\text{kernel} + h_{t-1}\,\text{recurrent\_kernel} + \text{bias}$ tiene forma `(N, 4H)`: sus primeras
# $H$ columnas son las de $i$, las siguientes las de $f$, luego $\tilde{c}$ y por último $o$.
#
# `lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (h_t, c_t)`. Como en la RNN, el
# autocorrector prueba además una secuencia entera, paso a paso.

# %%
def sigmoid(z):
    """σ(z) = 1/(1 + e^(−z)), escrita con tanh para que no desborde con |z| grande."""
    return 0.5 * (1 + np.tanh(0.5 * z))


def lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """Un paso de la LSTM. x_t (N, D); h_prev, c_prev (N, H); kernel (D, 4H); recurrent_kernel (H, 4H);
    bias (4H,), compuertas apiladas [i, f, c̃, o]. Devuelve (h_t, c_t), ambos (N, H)."""
    # Pista: np.split(z, 4, axis=1) separa los cuatro bloques de H columnas.
    raise NotImplementedError("Te toca: completa «lstm_cell_forward» (borra esta línea).")
    return h_t, c_t


# %%
from autograder.notebook import grade
grade("lstm_cell_forward")

# %% [markdown]
# ## LSTM (un paso hacia atrás)
#
# `lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) -> (dx_t, dh_prev, dc_prev,
# dkernel, drecurrent_kernel, dbias)`. Recibe `dh` $= \partial L/\partial h_t$ y `dc` $= \partial L/\partial c_t$
# (lo que llega a $c_t$ desde el paso siguiente; en el último paso de la secuencia es 0) y recalcula las
# compuertas a partir de las entradas. El gradiente total sobre $c_t$ suma el que llega directo y el que pasa por
# $h_t = o_t \odot \tanh(c_t)$:
#
# $$\delta c = dc + dh \odot o_t \odot (1 - \tanh^2 c_t).$$
#
# Los gradientes respecto de las preactivaciones $z$ de cada compuerta (con $\sigma' = \sigma(1 - \sigma)$ y
# $\tanh' = 1 - \tanh^2$):
#
# $$\delta z_i = \delta c \odot \tilde{c}_t \odot i_t(1 - i_t), \quad
#   \delta z_f = \delta c \odot c_{t-1} \odot f_t(1 - f_t), \quad
#   \delta z_c = \delta c \odot i_t \odot (1 - \tilde{c}_t^2), \quad
#   \delta z_o = dh \odot \tanh(c_t) \odot o_t(1 - o_t),$$
#
# apilados en el mismo orden $\delta z = [\delta z_i \,|\, \delta z_f \,|\, \delta z_c \,|\, \delta z_o]$
# `(N, 4H)`. Entonces
#
# $$dx_t = \delta z\,\text{kernel}^\top, \quad dh_{prev} = \delta z\,\text{recurrent\_kernel}^\top, \quad
#   dc_{prev} = \delta c \odot f_t,$$
#
# $$d\text{kernel} = x_t^\top \delta z, \quad d\text{recurrent\_kernel} = h_{prev}^\top \delta z, \quad
#   d\text{bias} = \textstyle\sum_n \delta z .$$

# %%
def lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """Gradientes de un paso de la LSTM. dh, dc, h_prev, c_prev: (N, H); x_t: (N, D); kernel (D, 4H);
    recurrent_kernel (H, 4H); bias (4H,). Devuelve (dx_t, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias)."""
    raise NotImplementedError("Te toca: completa «lstm_cell_backward» (borra esta línea).")
    return dx_t, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias


# %%
from autograder.notebook import grade
grade("lstm_cell_backward")
