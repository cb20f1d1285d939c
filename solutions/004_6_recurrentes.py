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
# «Las redes convolucionales poseen una memoria relacionada con el tamaño del kernel. Para lograr capturar la
# dependencia de largo alcance es necesario algún tipo de memoria dinámica.» Las redes recurrentes capturan la
# dependencia local como una convolucional, pero con acceso a memoria lejana: procesan una secuencia paso a paso con
# un *estado oculto que se actualiza en el tiempo*,
#
# $$h_t = \sigma(W_{xh}x_t + W_{hh}h_{t-1} + b_h), \qquad y_t = W_{hy}h_t + b_y .$$
#
# En este cuaderno escribes un paso de la RNN hacia adelante y hacia atrás, el gradiente a lo largo de toda la
# secuencia (*backpropagation through time*), la inicialización ortogonal de $W_{hh}$ y un paso de la LSTM; con el
# motor del curso entrenas una red bidireccional que clasifica los latidos de un electrocardiograma sintético.
#
# Como en el motor (y en Keras), los vectores son filas: un lote de $N$ ejemplos $x_t$ tiene forma `(N, D)` y el
# estado `(N, H)`, así que los productos se escriben $x_t W$ en lugar de $W x_t$; una secuencia entera es
# `(N, T, D)`.

# %%
# %matplotlib inline
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %% [markdown]
# ## RNN simple (un paso hacia adelante)
#
# `rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b) -> h_t`, con `x_t` `(N, D)`, `h_prev` `(N, H)`, `W_xh` `(D, H)`,
# `W_hh` `(H, H)` y `b` `(H,)`:
#
# $$h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b).$$
#
# La clase escribe una activación genérica $\sigma$: «En estas arquitecturas no se descartan activaciones populares
# como la ReLU, pero el estándar es la tanh ya que se necesita un rango de valores acotados para evitar explosiones y
# tener la capacidad de representar valores positivos y negativos.» El autocorrector prueba también una secuencia entera: llama a tu función paso a paso,
# dándole en cada paso el $h_{t-1}$ correcto.

# %%
def rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b):
    """Un paso de la RNN simple: x_t (N, D), h_prev (N, H), W_xh (D, H), W_hh (H, H), b (H,).
    Devuelve h_t (N, H)."""
    ### BEGIN SOLUTION
    h_t = np.tanh(x_t @ W_xh + h_prev @ W_hh + b)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    delta = dh * (1 - h_t**2)
    dx_t = delta @ W_xh.T
    dh_prev = delta @ W_hh.T
    dW_xh = x_t.T @ delta
    dW_hh = h_prev.T @ delta
    db = delta.sum(axis=0)
    ### END SOLUTION
    return dx_t, dh_prev, dW_xh, dW_hh, db


# %%
from autograder.notebook import grade
grade("rnn_cell_backward")

# %% [markdown]
# ## Backpropagation through time
#
# Hacia adelante, la misma celda se aplica $T$ veces, $h_0, h_1, \dots, h_{T-1}$ a partir del estado inicial
# $h_{-1}$ (en el código, `h0`). Hacia atrás, el estado $h_t$ influye en la pérdida por dos caminos: directamente
# ($dh_t = \partial L / \partial h_t$, por ejemplo si hay una salida $y_t$ en cada paso) y a través del paso
# siguiente. Recorriendo el tiempo **hacia atrás**, el gradiente total que llega a $h_t$ es
#
# $$g_t = dh_t + \underbrace{\delta_{t+1} W_{hh}^\top}_{dh_{prev}\ \text{del paso}\ t+1}, \qquad
#   \delta_t = g_t \odot (1 - h_t^2), \qquad g_{T-1} = dh_{T-1},$$
#
# y los pesos, compartidos por todos los pasos, suman sus gradientes: $dW_{xh} = \sum_t x_t^\top \delta_t$,
# $dW_{hh} = \sum_t h_{t-1}^\top \delta_t$, $db = \sum_t \sum_n \delta_t$. Es exactamente tu `rnn_cell_backward`
# aplicado de $t = T - 1$ a $t = 0$, sumándole a `dh[:, t]` el `dh_prev` que devolvió el paso anterior del recorrido.
#
# `rnn_backward_through_time(dh, x, h, W_xh, W_hh, h0) -> (dx, dW_xh, dW_hh, db, dh0)`, con `x` `(N, T, D)`, `h`
# `(N, T, H)` los estados del forward (`h[:, t]` es $h_t$, el estado después de leer $x_t$), `dh` `(N, T, H)`,
# `h0` `(N, H)` el estado inicial que usó el forward, y `dh0` $= \partial L / \partial h_{-1}$. Usa tu
# `rnn_cell_backward`.

# %%
def rnn_backward_through_time(dh, x, h, W_xh, W_hh, h0):
    """Backpropagation through time de la RNN simple. dh, h: (N, T, H); x: (N, T, D); W_xh (D, H); W_hh (H, H);
    h0 (N, H). Devuelve (dx (N, T, D), dW_xh, dW_hh, db (H,), dh0 (N, H))."""
    # Pista: recorre t = T − 1, ..., 0 (reversed(range(T))); en t = 0 el estado anterior es h0.
    ### BEGIN SOLUTION
    steps = x.shape[1]
    dx = np.zeros_like(x)
    dW_xh, dW_hh, db = np.zeros_like(W_xh), np.zeros_like(W_hh), np.zeros(W_hh.shape[0])
    dh_next = np.zeros_like(h0)          # lo que llega a h_t desde el paso t + 1
    for t in reversed(range(steps)):
        h_prev = h[:, t - 1] if t > 0 else h0
        dx[:, t], dh_next, dW_xh_t, dW_hh_t, db_t = rnn_cell_backward(dh[:, t] + dh_next, x[:, t], h_prev,
                                                                       h[:, t], W_xh, W_hh)
        dW_xh += dW_xh_t
        dW_hh += dW_hh_t
        db += db_t
    dh0 = dh_next
    ### END SOLUTION
    return dx, dW_xh, dW_hh, db, dh0


# %%
from autograder.notebook import grade
grade("rnn_backward_through_time")

# %% [markdown]
# Una comprobación contra el motor: el forward de una secuencia es tu celda en un bucle, y el motor tiene las dos
# funciones, `engine.functional.rnn_forward` y `rnn_backward`.

# %%
import engine
import engine.functional as F


def rnn_forward_sequence(x, h0, W_xh, W_hh, b):
    """Todos los estados (N, T, H) de la RNN sobre x (N, T, D), con tu rnn_cell_forward."""
    states, h_t = [], h0
    for t in range(x.shape[1]):
        h_t = rnn_cell_forward(x[:, t], h_t, W_xh, W_hh, b)
        states.append(h_t)
    return np.stack(states, axis=1)


n, pasos, d, unidades = 3, 6, 2, 4
x = rng.normal(size=(n, pasos, d))
h0 = rng.normal(size=(n, unidades))
W_xh, W_hh, b = rng.normal(size=(d, unidades)), rng.normal(size=(unidades, unidades)) / 2, rng.normal(size=unidades)
h = rnn_forward_sequence(x, h0, W_xh, W_hh, b)
dh = rng.normal(size=h.shape)
print("forward, diferencia máxima con el motor:", np.abs(h - F.rnn_forward(x, W_xh, W_hh, b, h0)).max())
for nombre, mio, motor in zip(["dx", "dW_xh", "dW_hh", "db", "dh0"], rnn_backward_through_time(dh, x, h, W_xh, W_hh, h0),
                              F.rnn_backward(dh, x, h, W_xh, W_hh, h0)):
    print(f"{nombre:6s} diferencia máxima con el motor: {np.abs(mio - motor).max():.1e}")

# %% [markdown]
# ## Inicialización ortogonal
#
# «La matriz $W_{hh}$ debe ser inicializada con cuidado para que el gradiente no termine desvaneciéndose o
# explotando, ya que este se computa pasando una vez por cada instante de tiempo por esa matriz. La estabilidad puede
# lograrse utilizando inicializaciones ortogonales.» Si $W$ es cuadrada y $W^T \cdot W = I$, la transformación
# $W \cdot h$ preserva la norma:
#
# $$\|W \cdot h\|^2 = h^T \cdot W^T \cdot W \cdot h = \|h\|^2 .$$
#
# Una matriz ortogonal al azar se obtiene de una gaussiana $G$ (entradas $\mathcal{N}(0, 1)$) con la descomposición
# QR, $G = QR$: $Q$ tiene columnas ortonormales y $R$ es triangular superior. La descomposición no es única (cambiar
# el signo de la columna $j$ de $Q$ y de la fila $j$ de $R$ da otra), y `np.linalg.qr` elige los signos a su manera;
# para que $Q$ quede distribuida de manera uniforme entre las matrices ortogonales (Mezzadri, 2007) se fijan: la
# columna $j$ de $Q$ se multiplica por el signo de $R_{jj}$. Así lo hacen el motor (`engine.init.orthogonal`) y
# Keras.
#
# `orthogonal(gaussian) -> Q`, con `gaussian` de forma $(M, K)$, $M \ge K$ (cuadrada para $W_{hh}$), y `Q` de la
# misma forma, con columnas ortonormales ($Q^T Q = I$).

# %%
def orthogonal(gaussian):
    """Inicialización ortogonal: la Q de la QR de gaussian (M, K), M ≥ K, con la columna j multiplicada por el
    signo de R[j, j]. Devuelve Q (M, K)."""
    # Pista: np.linalg.qr(gaussian) devuelve (q, r); np.diag(r) es la diagonal de R.
    ### BEGIN SOLUTION
    q, r = np.linalg.qr(gaussian)
    Q = q * np.sign(np.diag(r))          # columna j por el signo de R[j, j]
    ### END SOLUTION
    return Q


# %%
from autograder.notebook import grade
grade("orthogonal")

# %% [markdown]
# Con la misma gaussiana, tu `Q` es la del motor, y preserva la norma:

# %%
unidades = 32
Q = orthogonal(np.random.default_rng(SEMILLA).normal(size=(unidades, unidades)))
Q_motor = engine.init.orthogonal((unidades, unidades), rng=np.random.default_rng(SEMILLA), dtype=np.float64)
h_prueba = rng.normal(size=unidades)
print("diferencia máxima con engine.init.orthogonal:", np.abs(Q - Q_motor).max())
print("máx |QᵀQ − I|:", np.abs(Q.T @ Q - np.eye(unidades)).max())
print("‖h‖ =", np.linalg.norm(h_prueba), "  ‖Q·h‖ =", np.linalg.norm(Q @ h_prueba))

# %% [markdown]
# **Muchos pasos.** A la izquierda, la parte lineal de la recurrencia, $h_t = h_{t-1} W_{hh}$ (sin entradas ni
# tanh), desde un $h$ de norma 1: con $W_{hh}$ ortogonal la norma es 1 en cada paso; con una gaussiana de varianza
# $1/H$ (la escala «correcta» en promedio, $\mathbb{E}\,\|h W\|^2 = \|h\|^2$) la norma se va alejando de 1, hacia
# arriba o hacia abajo según la matriz, porque el radio espectral de cada una es un poco mayor o menor que 1.
#
# A la derecha, lo que preocupa a la clase: el gradiente. Una RNN con tanh lee entradas pequeñas al azar durante
# $T$ pasos y la pérdida mira sólo el último estado; tu `rnn_backward_through_time` da $\|\partial L / \partial x_t\|$
# para cada $t$ (con $W_{xh} = I$, es la norma de $\delta_t$). También con $W_{hh}$ ortogonal el gradiente se apaga
# hacia atrás, porque cada paso lo multiplica por $1 - h_t^2 \le 1$: como dice la clase, «esta técnica solo afecta al
# paso inicial, y con las iteraciones puede ser un problema la estabilidad del gradiente». Es la debilidad que
# resuelve la LSTM, más abajo.

# %%
pasos = 100 if MODO_RAPIDO else 300
h_inicial = rng.normal(size=(1, unidades))
h_inicial /= np.linalg.norm(h_inicial)
matrices = {f"ortogonal {k + 1}": orthogonal(rng.normal(size=(unidades, unidades))) for k in range(3)}
matrices.update({f"gaussiana {k + 1}": rng.normal(size=(unidades, unidades)) / np.sqrt(unidades) for k in range(3)})

fig, (izquierda, derecha) = plt.subplots(1, 2, figsize=(11, 4))
for k, (nombre, W) in enumerate(matrices.items()):
    estilo = dict(color="C0" if nombre.startswith("orto") else f"C{k - 2}", alpha=0.8)
    normas, h_t = [], h_inicial
    for t in range(pasos):
        h_t = h_t @ W
        normas.append(np.linalg.norm(h_t))
    izquierda.semilogy(normas, label=nombre, **estilo)

    x_seq = 0.1 * rng.normal(size=(1, pasos, unidades))
    cero = np.zeros((1, unidades))
    estados = rnn_forward_sequence(x_seq, cero, np.eye(unidades), W, np.zeros(unidades))
    dh = np.zeros_like(estados)
    dh[:, -1] = h_inicial                       # la pérdida sólo mira el último estado
    dx = rnn_backward_through_time(dh, x_seq, estados, np.eye(unidades), W, cero)[0]
    derecha.semilogy(np.linalg.norm(dx[0], axis=1)[::-1], label=nombre, **estilo)
izquierda.set(title="‖h_t‖ con h_t = h_{t−1} W_hh", xlabel="paso t")
derecha.set(title="‖∂L/∂x_t‖ de una RNN con tanh", xlabel="pasos hacia atrás desde el último")
izquierda.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Redes bidireccionales: los latidos de un ECG
#
# «En aplicaciones no *forecasting*, puede que tengamos acceso al futuro de la señal (no solo al pasado). En esos casos
# se recomienda usar redes bidireccionales. Basta con plantear una red recurrente causal y otra anticausal para
# finalmente concatenar las salidas.» El ejemplo de la clase es el ECG, «donde se desea clasificar cada latido. Dicha
# clasificación no es online, por lo que uno tiene acceso a toda la señal (o a un tramo largo de ella).»
#
# `engine.synthetic.ecg_beats` genera electrocardiogramas sintéticos con una etiqueta por paso de tiempo: 0 (sin
# latido), 1 (latido normal: onda P, complejo QRS agudo hacia arriba, onda T) y 2 (latido anormal, como una
# extrasístole ventricular: sin onda P, un QRS ancho e invertido, y adelantado). Cada latido ocupa una ventana de
# pasos que empieza un poco antes de su QRS, y todos los pasos de la ventana llevan su etiqueta.

# %%
from engine import plots, synthetic

NOMBRES = ["sin latido", "normal", "anormal"]
COLORES = ["white", "tab:green", "tab:red"]


def pintar_etiquetas(eje, etiquetas, abajo, arriba):
    """Bandas de color entre abajo y arriba: verde donde la etiqueta es 1, rojo donde es 2."""
    pasos = np.arange(len(etiquetas))
    for clase in (1, 2):
        eje.fill_between(pasos, abajo, arriba, where=etiquetas == clase, step="mid", color=COLORES[clase],
                         alpha=0.35, linewidth=0, label=NOMBRES[clase])


largo = 200 if MODO_RAPIDO else 300
x_ecg, etiquetas_ecg = synthetic.ecg_beats(64 if MODO_RAPIDO else 512, length=largo, rng=SEMILLA)
x_val, etiquetas_val = synthetic.ecg_beats(32 if MODO_RAPIDO else 128, length=largo, rng=SEMILLA + 1)
print("x:", x_ecg.shape, "etiquetas:", etiquetas_ecg.shape,
      "fracción de cada clase:", np.bincount(etiquetas_ecg.ravel(), minlength=3) / etiquetas_ecg.size)

fig, eje = plt.subplots(figsize=(11, 2.8))
pintar_etiquetas(eje, etiquetas_ecg[0], -1.3, 1.3)
eje.plot(x_ecg[0, :, 0], color="black", linewidth=1)
eje.set(xlabel="paso t", ylim=(-1.3, 1.3), title="un ECG sintético y sus etiquetas")
eje.legend(loc="upper right", fontsize=8)
plt.show()

# %% [markdown]
# ¿Por qué bidireccional? Los primeros pasos de la ventana de un latido anormal son planos (no tiene onda P), igual
# que «sin latido»: sólo lo que viene **después** (su QRS) permite distinguirlos. Una red causal tiene que etiquetar
# esos pasos antes de ver el QRS; la bidireccional ve los dos lados.
#
# Las dos redes, con la misma cantidad de estados: una `SimpleRNN` causal de 32 unidades y una bidireccional de
# 16 + 16 (`engine.Bidirectional` concatena la causal y la anticausal, primero la causal), seguidas de una capa densa
# con softmax en cada paso (`TimeDistributedDense`, la $y_t = W_{hy}h_t + b_y$ de la clase). El motor inicializa
# $W_{hh}$ ortogonal, como Keras.

# %%
def etiquetador(primera_capa):
    return engine.Sequential([primera_capa, engine.TimeDistributedDense(3, activation="softmax")],
                             input_shape=x_ecg.shape[1:], seed=SEMILLA)


redes = {"bidireccional": etiquetador(engine.Bidirectional(engine.SimpleRNN(16, return_sequences=True))),
         "causal": etiquetador(engine.SimpleRNN(32, return_sequences=True))}
historias = {}
for nombre, red in redes.items():
    historias[nombre] = red.fit(x_ecg, etiquetas_ecg, "cross_entropy", engine.Adam(1e-2),
                                epochs=2 if MODO_RAPIDO else 30, batch_size=32,
                                validation_data=(x_val, etiquetas_val), seed=SEMILLA, verbose=False)
predicciones = {nombre: red.predict(x_val).argmax(axis=-1) for nombre, red in redes.items()}
for nombre, predichas in predicciones.items():
    por_clase = [np.mean(predichas[etiquetas_val == c] == c) for c in range(3)]
    print(f"{nombre:13s} exactitud por paso: {np.mean(predichas == etiquetas_val):.3f}   por clase: "
          + ", ".join(f"{NOMBRES[c]} {por_clase[c]:.2f}" for c in range(3)))
plots.plot_histories(historias, metric="accuracy")

# %% [markdown]
# Un ECG de validación con latidos anormales: arriba las etiquetas verdaderas, abajo las que predice cada red. Mira
# el comienzo de las ventanas rojas: la red causal llega tarde.

# %%
con_anormal = np.flatnonzero((etiquetas_val == 2).any(axis=1))
i = con_anormal[0] if len(con_anormal) else 0
filas = [("verdaderas", etiquetas_val[i])] + [(nombre, predicciones[nombre][i]) for nombre in redes]
fig, ejes = plt.subplots(len(filas), 1, figsize=(11, 5), sharex=True)
for eje, (titulo, etiquetas) in zip(ejes, filas):
    pintar_etiquetas(eje, etiquetas, -1.3, 1.3)
    eje.plot(x_val[i, :, 0], color="black", linewidth=1)
    eje.set(ylim=(-1.3, 1.3), ylabel=titulo, yticks=[])
ejes[0].legend(loc="upper right", fontsize=8)
ejes[-1].set_xlabel("paso t")
plt.tight_layout()
plt.show()

# %% [markdown]
# La capa bidireccional no es más que tu celda dos veces: una pasada causal sobre $x_0, \dots, x_{T-1}$ y una
# anticausal sobre $x_{T-1}, \dots, x_0$ (con sus propios pesos), cuyos estados se vuelven a poner en orden y se
# concatenan. Con los pesos entrenados (parámetros `forward.*` y `backward.*` del motor):

# %%
capa = redes["bidireccional"].layers[0]
pesos = {nombre: p.value.astype(np.float64) for nombre, p in capa.params.items()}
x_uno = x_val[:2].astype(np.float64)
cero = np.zeros((len(x_uno), 16))
causal = rnn_forward_sequence(x_uno, cero, pesos["forward.W_xh"], pesos["forward.W_hh"], pesos["forward.b"])
anticausal = rnn_forward_sequence(x_uno[:, ::-1], cero, pesos["backward.W_xh"], pesos["backward.W_hh"],
                                  pesos["backward.b"])[:, ::-1]
mia = np.concatenate([causal, anticausal], axis=-1)
print("diferencia máxima con la capa del motor:", np.abs(mia - capa.forward(x_val[:2])).max())

# %% [markdown]
# ## LSTM (un paso hacia adelante)
#
# Las debilidades de la RNN, según la clase: «Cuando la secuencia es larga, los gradientes pueden desaparecer o
# explotar» (lo viste en la figura de la inicialización ortogonal) y «las RNN tienden a olvidar información
# importante de pasos previos». Las LSTM (Hochreiter y Schmidhuber, 1997) «proponen incorporar variables asociadas a
# celdas de memoria, las cuales serán controladas mediante compuertas», y una compuerta es «un limitador de caudal»:
# una sigmoide, donde 0 bloquea la información y 1 la deja pasar entera. Las tres compuertas, $f_t$ (*forget* u
# olvido), $i_t$ (*input* o novedad) y $o_t$ (*output* o estado actual), y la celda de memoria:
#
# - $f_t = \sigma(W_f x_t + U_f h_{t-1} + b_f)$ (forget gate)
# - $i_t = \sigma(W_i x_t + U_i h_{t-1} + b_i)$ (input gate)
# - $\tilde{c}_t = \tanh(W_c x_t + U_c h_{t-1} + b_c)$ (candidate cell state)
# - $c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t$ (new cell state)
# - $o_t = \sigma(W_o x_t + U_o h_{t-1} + b_o)$ (output gate)
# - $h_t = o_t \odot \tanh(c_t)$ (hidden state)
#
# Las mismas ecuaciones con vectores fila:
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
    ### BEGIN SOLUTION
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, c_tilde, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    c_t = f * c_prev + i * c_tilde
    h_t = o * np.tanh(c_t)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=1)
    i, f, c_tilde, o = sigmoid(z_i), sigmoid(z_f), np.tanh(z_c), sigmoid(z_o)
    tanh_c = np.tanh(f * c_prev + i * c_tilde)
    delta_c = dc + dh * o * (1 - tanh_c**2)
    dz = np.concatenate([delta_c * c_tilde * i * (1 - i),
                         delta_c * c_prev * f * (1 - f),
                         delta_c * i * (1 - c_tilde**2),
                         dh * tanh_c * o * (1 - o)], axis=1)
    dx_t = dz @ kernel.T
    dh_prev = dz @ recurrent_kernel.T
    dc_prev = delta_c * f
    dkernel = x_t.T @ dz
    drecurrent_kernel = h_prev.T @ dz
    dbias = dz.sum(axis=0)
    ### END SOLUTION
    return dx_t, dh_prev, dc_prev, dkernel, drecurrent_kernel, dbias


# %%
from autograder.notebook import grade
grade("lstm_cell_backward")

# %% [markdown]
# La celda $c_t$ se actualiza sumando, no multiplicando por una matriz: mientras $f_t \approx 1$, el gradiente
# $dc_{prev} = \delta c \odot f_t$ pasa de un paso al anterior casi intacto. Para probarlo en el ECG, cambia
# `engine.SimpleRNN` por `engine.LSTM` en el etiquetador de arriba.
#
# Para leer más: P. Werbos (1990), «Backpropagation through time: what it does and how to do it»; Y. Bengio,
# P. Simard y P. Frasconi (1994), «Learning long-term dependencies with gradient descent is difficult»; A. Saxe,
# J. McClelland y S. Ganguli (2014), «Exact solutions to the nonlinear dynamics of learning in deep linear neural
# networks» (la inicialización ortogonal); F. Mezzadri (2007), «How to generate random matrices from the classical
# compact groups» (los signos de la QR); M. Schuster y K. Paliwal (1997), «Bidirectional recurrent neural
# networks»; S. Hochreiter y J. Schmidhuber (1997), «Long short-term memory».
