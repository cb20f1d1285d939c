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
# # 000 · Profundidad
#
# *Going deeper: más capas.* La clase pregunta: ¿hay razones por las cuáles con más capas obtenemos mayor
# performance? Y da tres respuestas, que recorres aquí con numpy y con el motor del curso:
#
# 1. **Aproximación universal** (Hornik et al. 1991): toda función continua en $[0,1]^d$ es aproximable por una red
#    de una capa suficientemente grande. Las redes de una capa son igual de «expresivas» que las profundas…
# 2. **Profundidad y costo en parámetros** (Telgarsky 2016): …pero existen funciones que una red de $k^3$ capas
#    aproxima y que una red de $k$ capas sólo aproxima con al menos $2^k$ neuronas. A mismo presupuesto en
#    parámetros, las redes profundas son mucho más expresivas: cada capa adicional duplica las oscilaciones.
# 3. **Los modelos profundos son más difíciles de optimizar**, y las **redes residuales** (He et al. 2016),
#    $m(x) + x$, son una de las innovaciones que hacen posibles redes cada vez más profundas.
#
# Las funciones que escribes reciben arrays `float64` y devuelven arrays `float64` (salvo `count_pieces`, que
# devuelve un entero). La ReLU es $\mathrm{ReLU}(z) = \max(z, 0)$, con $\mathrm{ReLU}'(0) = 0$.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %%
import engine
import engine.functional as F
from engine import experiments, synthetic
from engine.datasets import load_digits

# %% [markdown]
# ## 1. Aproximación universal (Hornik et al. 1991)
#
# > Toda función continua en $[0,1]^d$ es aproximable por una red de una capa suficientemente grande.
#
# Una red de una capa oculta con $H$ neuronas ReLU y una salida calcula
#
# $$m(x) = \sum_{j=1}^{H} w_{2,j}\, \mathrm{ReLU}\big(x\, W_{1,j} + b_{1,j}\big) + b_2,
#   \qquad\text{en forma matricial}\qquad y = \mathrm{ReLU}(x\, W_1 + b_1)\, w_2 + b_2 .$$
#
# `one_hidden_layer(x, W1, b1, w2, b2) -> y` con `x` de forma $(N, D)$ (una fila por punto; en este cuaderno
# $D = 1$), `W1` $(D, H)$, `b1` $(H,)$, `w2` $(H, 1)$ y `b2` $(1,)$. Devuelve `y` de forma $(N, 1)$. La ReLU va
# sólo en la capa oculta: la salida es lineal.

# %%
def one_hidden_layer(x, W1, b1, w2, b2):
    """Red de una capa oculta: y = ReLU(x W1 + b1) w2 + b2.

    x: (N, D); W1: (D, H); b1: (H,); w2: (H, 1); b2: (1,). Devuelve y de forma (N, 1).
    """
    ### BEGIN SOLUTION
    hidden = np.maximum(x @ W1 + b1, 0.0)
    y = hidden @ w2 + b2
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("one_hidden_layer")

# %% [markdown]
# La misma red con las funciones del motor (`engine.functional`): capa densa, ReLU, capa densa.

# %%
x_prueba = rng.uniform(0, 1, (5, 1))
W1_prueba, b1_prueba = rng.normal(size=(1, 4)), rng.normal(size=4)
w2_prueba, b2_prueba = rng.normal(size=(4, 1)), rng.normal(size=1)
del_motor = F.dense_forward(F.relu_forward(F.dense_forward(x_prueba, W1_prueba, b1_prueba)), w2_prueba, b2_prueba)
print("igual que el motor:", np.allclose(one_hidden_layer(x_prueba, W1_prueba, b1_prueba, w2_prueba, b2_prueba),
                                         del_motor))

# %% [markdown]
# ### Una demostración en una dimensión
#
# En una dimensión el teorema tiene una prueba que cabe en una línea. Cada neurona $\mathrm{ReLU}(x - x_i)$ vale 0
# a la izquierda de $x_i$ y crece con pendiente 1 a su derecha: es un **quiebre** en $x_i$. Sumando quiebres se
# arma cualquier función lineal a tramos. Dados nudos $x_0 < x_1 < \dots < x_K$ y valores $v_0, \dots, v_K$, el
# interpolante lineal a tramos tiene pendientes $s_i = \frac{v_{i+1} - v_i}{x_{i+1} - x_i}$ y, en $[x_0, x_K]$,
#
# $$f(x) = v_0 + \sum_{i=0}^{K-1} (s_i - s_{i-1})\, \mathrm{ReLU}(x - x_i), \qquad s_{-1} = 0 .$$
#
# La neurona $i$ se enciende en $x_i$ y **cambia** la pendiente en $s_i - s_{i-1}$: a la derecha de $x_i$ la
# pendiente es la suma de los cambios, $s_i$. Es una red de una capa con $K$ neuronas:
#
# $$W_1 = (1, \dots, 1), \qquad b_1 = (-x_0, \dots, -x_{K-1}), \qquad w_2 = (s_i - s_{i-1})_{i=0}^{K-1},
#   \qquad b_2 = v_0 .$$
#
# `interpolant_weights(knots, values) -> (W1, b1, w2, b2)`: `knots` y `values` son vectores de $K + 1$ números
# (los nudos crecientes). Devuelve `W1` de forma $(1, K)$, `b1` $(K,)$, `w2` $(K, 1)$ y `b2` $(1,)$, listos para
# `one_hidden_layer`. Si la función es continua y los nudos están cerca, el interpolante está cerca: ésa es la
# aproximación universal en $[0, 1]$.

# %%
def interpolant_weights(knots, values):
    """Pesos de la red de una capa oculta que interpola los puntos (knots[i], values[i]).

    knots: (K + 1,) crecientes; values: (K + 1,). Devuelve (W1, b1, w2, b2) con formas (1, K), (K,), (K, 1), (1,).
    """
    # Pista: np.diff da las diferencias consecutivas; np.diff(s, prepend=0.0) da s_i − s_{i−1} con s_{−1} = 0.
    ### BEGIN SOLUTION
    slopes = np.diff(values) / np.diff(knots)
    W1 = np.ones((1, knots.size - 1))
    b1 = -knots[:-1]
    w2 = np.diff(slopes, prepend=0.0)[:, None]
    b2 = values[:1].copy()
    ### END SOLUTION
    return W1, b1, w2, b2


# %%
from autograder.notebook import grade
grade("interpolant_weights")

# %% [markdown]
# Comprueba que la red reproduce el interpolante de numpy (`np.interp`) en puntos al azar de $[x_0, x_K]$:

# %%
nudos = np.sort(rng.uniform(0, 1, 6))
valores = rng.normal(size=6)
puntos = rng.uniform(nudos[0], nudos[-1], (200, 1))
red = one_hidden_layer(puntos, *interpolant_weights(nudos, valores))
print("diferencia máxima con np.interp:", np.abs(red[:, 0] - np.interp(puntos[:, 0], nudos, valores)).max())

# %% [markdown]
# ### Capacidad y cantidad de neuronas
#
# Con más neuronas hay más quiebres y el interpolante se pega más a la función. Para una función con derivada
# segunda acotada, el error máximo del interpolante con $H$ tramos iguales decrece como $1/H^2$. La figura lo
# muestra para $f(x) = \sin(2\pi x)$: a la izquierda las redes con 3, 6 y 12 neuronas, a la derecha el error
# máximo en función de $H$ (en escala logarítmica, una recta de pendiente $-2$).

# %%
def seno(x):
    return np.sin(2 * np.pi * x)


x_fino = np.linspace(0, 1, 1001)[:, None]
fig, (ax_redes, ax_error) = plt.subplots(1, 2, figsize=(11, 4))
ax_redes.plot(x_fino, seno(x_fino), color="black", linewidth=3, alpha=0.3, label="sin(2πx)")
for neuronas in (3, 6, 12):
    nudos = np.linspace(0, 1, neuronas + 1)
    ax_redes.plot(x_fino, one_hidden_layer(x_fino, *interpolant_weights(nudos, seno(nudos))), label=f"H = {neuronas}")
ax_redes.set_xlabel("x")
ax_redes.set_title("Una capa oculta con H neuronas ReLU")
ax_redes.legend(fontsize=8)

anchos = 2 ** np.arange(1, 9)
errores = []
for neuronas in anchos:
    nudos = np.linspace(0, 1, neuronas + 1)
    errores.append(np.abs(one_hidden_layer(x_fino, *interpolant_weights(nudos, seno(nudos))) - seno(x_fino)).max())
ax_error.loglog(anchos, errores, "o-", label="error máximo")
ax_error.loglog(anchos, errores[0] * (anchos[0] / anchos) ** 2, "--", color="gray", label="∝ 1/H²")
ax_error.set_xlabel("neuronas ocultas H")
ax_error.set_ylabel("max |red − f|")
ax_error.set_title("Más neuronas, menos error")
ax_error.legend()
plt.show()

# %% [markdown]
# ### La misma red, entrenada
#
# El teorema dice que los pesos **existen**; no dice que el entrenamiento los encuentre. Entrena con el motor
# redes de una capa oculta de 1, 3 y 16 neuronas sobre muestras ruidosas de $\sin(2\pi x)$
# (`engine.synthetic.regression_1d`), con el error cuadrático medio y Adam. Una red del motor
# `Sequential([Dense(H, activation="relu"), Dense(1)])` es exactamente tu `one_hidden_layer`: la celda lo comprueba
# con los pesos aprendidos.
#
# Un detalle que importa: los sesgos empiezan en 0, así que al principio **todos los quiebres están en $x = 0$**,
# en el borde de los datos, y el entrenamiento tarda en repartirlos. Por eso la red recibe la entrada centrada,
# $u = 2x - 1 \in [-1, 1]$: los quiebres arrancan en el medio de los datos. (Prueba a entrenar con $x$ sin centrar.)
# Con $H$ neuronas la red tiene a lo sumo $H + 1$ tramos: con una sola neurona, dos tramos no alcanzan para un
# período del seno; con más neuronas hay más tramos y el ajuste mejora.

# %%
muestras = 32 if MODO_RAPIDO else 256
epocas = 2 if MODO_RAPIDO else 200
x_entrenamiento, y_entrenamiento = synthetic.regression_1d(muestras, "sine", noise=0.05, rng=rng)  # float32
u_entrenamiento = 2 * x_entrenamiento - 1
u_curva = (2 * x_fino - 1).astype(np.float32)

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(x_entrenamiento, y_entrenamiento, ".", color="gray", alpha=0.5, label="datos")
for neuronas in (1, 3, 16):
    modelo = engine.Sequential([engine.Dense(neuronas, activation="relu", kernel_initializer="he_normal"),
                                engine.Dense(1)], input_shape=(1,), seed=SEMILLA)
    historia = modelo.fit(u_entrenamiento, y_entrenamiento, "mse", engine.Adam(0.02), epochs=epocas, batch_size=32,
                          seed=SEMILLA, verbose=False)
    pesos = [p.value for p in modelo.parameters()]           # W1, b1, w2, b2
    assert np.allclose(one_hidden_layer(u_curva, *pesos), modelo.predict(u_curva), atol=1e-5)
    ax.plot(x_fino, modelo.predict(u_curva), label=f"H = {neuronas}: ECM {historia['loss'][-1]:.3f}")
ax.set_xlabel("x")
ax.set_title(f"Redes de una capa entrenadas {epocas} épocas")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 2. Profundidad y costo en parámetros (Telgarsky 2016)
#
# > Existen funciones que pueden ser aproximadas por una red de $k^3$ capas que para ser aproximadas por redes de
# > $k$ capas necesitan al menos $2^k$ [neuronas]. A mismo presupuesto en parámetros (¡optimización!) las redes
# > profundas son altamente más expresivas.
#
# El ejemplo de Telgarsky es la **tienda** (*tent map*), una capa de sólo dos neuronas ReLU:
#
# $$t(x) = 2\,\mathrm{ReLU}(x) - 4\,\mathrm{ReLU}(x - 1/2).$$
#
# En $[0, 1]$ sube con pendiente 2 hasta $t(1/2) = 1$ y baja con pendiente $-2$ hasta $t(1) = 0$: la segunda ReLU
# anula la pendiente $+2$ de la primera y resta otros 2. Manda $[0, 1]$ sobre $[0, 1]$ **dos veces**. Fuera de
# $[0, 1]$ vale lo que diga la fórmula: 0 para $x < 0$ y $2 - 2x$ para $x > 1$.
#
# `tent(x) -> y`, con `x` un array de cualquier forma. Escríbela con ReLU, `np.maximum(z, 0)`, no por tramos.

# %%
def tent(x):
    """La tienda como capa de dos ReLU: t(x) = 2 ReLU(x) − 4 ReLU(x − 1/2). x: array de cualquier forma."""
    ### BEGIN SOLUTION
    y = 2 * np.maximum(x, 0.0) - 4 * np.maximum(x - 0.5, 0.0)
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("tent")

# %% [markdown]
# ### Oscilaciones exponenciales
#
# Componer la tienda consigo misma $k$ veces, $t^{(k)}(x) = t(t(\cdots t(x)\cdots))$, es apilar $k$ capas de dos
# neuronas. Como cada tienda recorre $[0, 1]$ dos veces, cada composición **duplica** las oscilaciones:
# $t^{(k)}$ tiene $2^k$ tramos lineales de pendiente $\pm 2^k$ y $2^{k-1}$ dientes. «1 capa adicional = 2x
# oscilaciones».
#
# `sawtooth(x, k) -> y`: la tienda compuesta `k` veces (un entero $k \ge 0$; con $k = 0$ no se aplica ninguna:
# la identidad). Usa tu `tent`.

# %%
def sawtooth(x, k):
    """La tienda compuesta k veces: t(t(…t(x)…)). x: array de cualquier forma; k: entero ≥ 0."""
    ### BEGIN SOLUTION
    y = x.copy()
    for _ in range(k):
        y = tent(y)
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("sawtooth")

# %% [markdown]
# ### Contar los tramos
#
# Para comprobar los $2^k$ tramos, cuéntalos en una muestra. `count_pieces(x, y) -> pieces`: `x` es una grilla
# creciente de $n$ puntos, `y` los valores de una función continua lineal a tramos en ellos, con sus quiebres
# **sobre puntos de la grilla**. Las pendientes entre muestras consecutivas son
# $s_i = \frac{y_{i+1} - y_i}{x_{i+1} - x_i}$; un tramo nuevo empieza donde la pendiente cambia:
#
# $$\text{tramos} = 1 + \#\big\{i : |s_{i+1} - s_i| > 10^{-6} \cdot \max(1, \max_j |s_j|)\big\}.$$
#
# La tolerancia importa: en `float64` las pendientes de una recta calculadas con `np.diff` difieren en el último
# decimal, y compararlas con `!=` inventa tramos. Devuelve un entero.

# %%
def count_pieces(x, y):
    """Número de tramos lineales de una función lineal a tramos muestreada en la grilla creciente x.

    x, y: vectores de n ≥ 2 números. Devuelve un entero: 1 + los cambios de pendiente mayores que la tolerancia.
    """
    ### BEGIN SOLUTION
    slopes = np.diff(y) / np.diff(x)
    tolerance = 1e-6 * max(1.0, np.abs(slopes).max())
    pieces = 1 + int(np.count_nonzero(np.abs(np.diff(slopes)) > tolerance))
    ### END SOLUTION
    return pieces


# %%
from autograder.notebook import grade
grade("count_pieces")

# %% [markdown]
# La figura de la clase, «Profundidad 1 vs Profundidad 2» y siguientes: la tienda compuesta 1, 2, 3 y 4 veces, con
# los tramos que cuenta tu función. La grilla es diádica (paso $2^{-10}$), así que los quiebres, en los múltiplos
# de $2^{-k}$, caen sobre sus puntos.

# %%
grilla = np.linspace(0, 1, 2**10 + 1)
fig, axes = plt.subplots(1, 4, figsize=(13, 3), sharey=True)
for k, ax in enumerate(axes, start=1):
    ax.plot(grilla, sawtooth(grilla, k))
    ax.set_title(f"k = {k} capas: {count_pieces(grilla, sawtooth(grilla, k))} tramos")
    ax.set_xlabel("x")
plt.show()

# %% [markdown]
# ### ¿Cuántas neuronas necesita una red de una capa?
#
# Una red de una capa oculta con $H$ neuronas ReLU, vista sobre una recta, tiene a lo sumo un quiebre por neurona:
# a lo sumo $H + 1$ tramos. Para los $2^k$ tramos de $t^{(k)}$ necesita al menos $2^k - 1$ neuronas; el
# interpolante de la sección 1 usa $2^k$, con $3 \cdot 2^k + 1$ parámetros. La red profunda de $k$ capas de dos
# neuronas (`engine.synthetic.sawtooth_network(k)` da sus pesos: cada capa oculta es una tienda) usa
# $6k + 1$ parámetros. La celda arma las dos redes con tus funciones, comprueba que las dos dan $t^{(k)}$ y
# cuenta sus tramos.

# %%
def red_profunda(x, capas):
    """Las capas ocultas con ReLU, la última lineal: los pesos de engine.synthetic.sawtooth_network."""
    h = x
    for W, b in capas[:-1]:
        h = np.maximum(h @ W + b, 0.0)
    W, b = capas[-1]
    return h @ W + b


profundidades = np.arange(1, 11)
parametros_profunda, parametros_una_capa = [], []
for k in profundidades:
    x_k = np.linspace(0, 1, 2 ** (k + 2) + 1)[:, None]
    capas = synthetic.sawtooth_network(int(k), dtype=np.float64)
    nudos = np.linspace(0, 1, 2**k + 1)
    una_capa = interpolant_weights(nudos, sawtooth(nudos, int(k)))
    y_profunda, y_una_capa = red_profunda(x_k, capas), one_hidden_layer(x_k, *una_capa)
    assert np.allclose(y_profunda, sawtooth(x_k, int(k))) and np.allclose(y_una_capa, sawtooth(x_k, int(k)))
    assert count_pieces(x_k[:, 0], y_profunda[:, 0]) == count_pieces(x_k[:, 0], y_una_capa[:, 0]) == 2**k
    parametros_profunda.append(sum(W.size + b.size for W, b in capas))
    parametros_una_capa.append(sum(p.size for p in una_capa))

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.semilogy(profundidades, parametros_una_capa, "o-", label="una capa oculta (2^k neuronas)")
ax.semilogy(profundidades, parametros_profunda, "s-", label="k capas de 2 neuronas")
ax.set_xlabel("k (composiciones de la tienda)")
ax.set_ylabel("parámetros para 2^k tramos")
ax.set_title("Mismos 2^k tramos: parámetros de cada red")
ax.legend()
plt.show()
print("k = 10:", parametros_profunda[-1], "parámetros en profundidad,", parametros_una_capa[-1], "en una capa")

# %% [markdown]
# ### A mismo presupuesto en parámetros
#
# Con los $6k + 1$ parámetros de la red profunda, una red de una capa tiene $2k$ neuronas y a lo sumo $2k + 1$
# tramos, lejos de $2^k$. La celda entrena con el motor una red de una capa de $2k$ neuronas sobre $t^{(4)}$
# (16 tramos; la red tiene 25 parámetros, como la profunda) y la compara con la profunda de 4 capas armada a mano.
# Ningún entrenamiento la salva: le faltan tramos. (Entrenar la profunda desde pesos al azar tampoco es fácil:
# es la siguiente sección).

# %%
k = 4
x_tienda = np.linspace(0, 1, 2**8 + 1, dtype=np.float32)[:, None]
y_tienda = sawtooth(x_tienda, k)
una_capa = engine.Sequential([engine.Dense(2 * k, activation="relu", kernel_initializer="he_normal"),
                              engine.Dense(1)], input_shape=(1,), seed=SEMILLA)
una_capa.fit(2 * x_tienda - 1, y_tienda, "mse", engine.Adam(0.01), epochs=2 if MODO_RAPIDO else 1000, batch_size=257,
             seed=SEMILLA, verbose=False)
y_una_capa = una_capa.predict(2 * x_tienda - 1)           # la entrada centrada, como en la sección 1

fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(x_tienda, y_tienda, color="black", linewidth=3, alpha=0.3, label=f"t^({k}): {2**k} tramos")
ax.plot(x_tienda, red_profunda(x_tienda, synthetic.sawtooth_network(k)), "--",
        label=f"{k} capas de 2 neuronas: {6 * k + 1} parámetros")
ax.plot(x_tienda, y_una_capa, label=f"1 capa de {2 * k} neuronas entrenada: {una_capa.parameter_count()} parámetros")
ax.set_xlabel("x")
ax.legend(fontsize=8, loc="upper right")
plt.show()

# %% [markdown]
# ## 3. Los modelos profundos son más difíciles de optimizar: redes residuales (He et al. 2016)
#
# Más capas no son gratis: en una red «plana» profunda la señal y el gradiente atraviesan muchas capas y se apagan
# (*deeper models are harder to optimize*). La red residual cambia cada bloque $m(x)$ por
#
# $$m(x) + x .$$
#
# El bloque sólo tiene que aprender una **corrección** de la identidad, y el atajo $+\,x$ lleva la señal hacia
# adelante y el gradiente hacia atrás sin pasar por los pesos. Aquí $m$ son dos capas densas con una ReLU en medio:
#
# $$y = m(x) + x, \qquad m(x) = \mathrm{ReLU}(x\, W_1 + b_1)\, W_2 + b_2 .$$
#
# `residual_forward(x, W1, b1, W2, b2) -> y` con `x` $(N, D)$, `W1` $(D, H)$, `b1` $(H,)$, `W2` $(H, D)$ y `b2`
# $(D,)$: la salida de $m$ tiene la forma de $x$, así que se pueden sumar. Nada va después de la suma.

# %%
def residual_forward(x, W1, b1, W2, b2):
    """Bloque residual: y = ReLU(x W1 + b1) W2 + b2 + x.

    x: (N, D); W1: (D, H); b1: (H,); W2: (H, D); b2: (D,). Devuelve y de forma (N, D).
    """
    ### BEGIN SOLUTION
    hidden = np.maximum(x @ W1 + b1, 0.0)
    y = hidden @ W2 + b2 + x
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("residual_forward")

# %% [markdown]
# ### El gradiente del bloque
#
# `residual_backward(dy, x, W1, b1, W2) -> (dx, dW1, db1, dW2, db2)` recibe $dy = \partial L / \partial y$, de
# forma $(N, D)$, y devuelve los gradientes con las formas de `x`, `W1`, `b1`, `W2` y `b2`. Con
# $z = x W_1 + b_1$ y $h = \mathrm{ReLU}(z)$, hacia atrás capa por capa (como en la capa densa del cuaderno 001):
#
# $$dW_2 = h^\top dy, \quad db_2 = \sum_n dy_n, \quad dh = dy\, W_2^\top, \quad dz = dh \odot [z > 0], \quad
#   dW_1 = x^\top dz, \quad db_1 = \sum_n dz_n,$$
#
# y la regla de la suma para $x$, que llega a $y$ por dos caminos, $m$ y el atajo:
#
# $$dx = dz\, W_1^\top + dy .$$
#
# Ese $+\,dy$ es la clave: aunque el gradiente que vuelve por $m$ sea diminuto, el atajo entrega $dy$ entero a la
# capa anterior. `b2` no hace falta: no cambia ningún gradiente.

# %%
def residual_backward(dy, x, W1, b1, W2):
    """Gradientes del bloque residual y = ReLU(x W1 + b1) W2 + b2 + x dado dy = ∂L/∂y.

    dy, x: (N, D); W1: (D, H); b1: (H,); W2: (H, D). Devuelve (dx, dW1, db1, dW2, db2).
    """
    # Pista: recalcula z = x W1 + b1 y h = ReLU(z); la máscara de la ReLU es (z > 0).
    ### BEGIN SOLUTION
    z = x @ W1 + b1
    hidden = np.maximum(z, 0.0)
    dW2 = hidden.T @ dy
    db2 = dy.sum(axis=0)
    dz = (dy @ W2.T) * (z > 0)
    dW1 = x.T @ dz
    db1 = dz.sum(axis=0)
    dx = dz @ W1.T + dy
    ### END SOLUTION
    return dx, dW1, db1, dW2, db2


# %%
from autograder.notebook import grade
grade("residual_backward")

# %% [markdown]
# Una comprobación con diferencias finitas: para la pérdida $L = \sum y \odot dy$, la derivada de $L$ en una
# dirección al azar $v$ de $x$ es $\big(L(x + \varepsilon v) - L(x - \varepsilon v)\big) / 2\varepsilon$, y debe
# coincidir con $\sum dx \odot v$.

# %%
x_bloque = rng.normal(size=(4, 3))
W1, b1 = rng.normal(size=(3, 5)), rng.normal(size=5)
W2, b2 = rng.normal(size=(5, 3)), rng.normal(size=3)
dy_bloque, direccion, epsilon = rng.normal(size=(4, 3)), rng.normal(size=(4, 3)), 1e-6
dx_bloque = residual_backward(dy_bloque, x_bloque, W1, b1, W2)[0]
numerica = np.sum(dy_bloque * (residual_forward(x_bloque + epsilon * direccion, W1, b1, W2, b2)
                               - residual_forward(x_bloque - epsilon * direccion, W1, b1, W2, b2))) / (2 * epsilon)
print(f"diferencias finitas {numerica:.6f}   tu dx {np.sum(dx_bloque * direccion):.6f}")

# %% [markdown]
# ### Plana contra residual
#
# `engine.experiments.plain_versus_residual` entrena la misma red profunda (capas densas ReLU de 32 neuronas,
# pesos iniciales chicos, Adam) dos veces sobre los dígitos del curso: plana, y con cada capa oculta convertida en
# un bloque residual $h \leftarrow h + \mathrm{ReLU}(h W + b)$. Misma semilla, mismos datos, mismo optimizador.
# La red plana no aprende: su pérdida se queda en $\log 10 \approx 2.30$, la de adivinar entre 10 clases. La
# residual entrena.

# %%
digitos = load_digits(validation=0.2, test=0.0, seed=SEMILLA)
n_digitos, n_validacion = (128, 128) if MODO_RAPIDO else (1000, 500)
x_digitos = digitos.x_train[:n_digitos].reshape(n_digitos, -1)
y_digitos = digitos.y_train[:n_digitos]
x_validacion = digitos.x_val[:n_validacion].reshape(n_validacion, -1)
y_validacion = digitos.y_val[:n_validacion]
profundidad = 5 if MODO_RAPIDO else 20
historias = experiments.plain_versus_residual(x_digitos, y_digitos, depth=profundidad,
                                              epochs=2 if MODO_RAPIDO else 10, batch_size=64, seed=SEMILLA,
                                              validation_data=(x_validacion, y_validacion))

fig, ax = plt.subplots(figsize=(6.5, 4))
for color, (tipo, historia) in zip(("C0", "C1"), historias.items()):
    epocas_vistas = np.arange(1, len(historia["loss"]) + 1)
    nombre = {"plain": "plana", "residual": "residual"}[tipo]
    ax.plot(epocas_vistas, historia["loss"], "o-", color=color, label=f"{nombre}: entrenamiento")
    ax.plot(epocas_vistas, historia["val_loss"], "--", color=color, label=f"{nombre}: validación")
ax.axhline(np.log(10), color="gray", linestyle=":", label="log 10")
ax.set_xlabel("época")
ax.set_ylabel("entropía cruzada")
ax.set_title(f"{profundidad} capas ocultas: plana contra residual")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Resumen
#
# - Una capa oculta basta para aproximar cualquier función continua (Hornik et al. 1991): en una dimensión, cada
#   neurona ReLU es un quiebre y el interpolante es una red de una capa.
# - Pero la profundidad es mucho más barata (Telgarsky 2016): $k$ capas de dos neuronas dan $2^k$ tramos con
#   $6k + 1$ parámetros; una sola capa necesita al menos $2^k - 1$ neuronas.
# - Las redes profundas son más difíciles de optimizar; el atajo $m(x) + x$ de las redes residuales (He et al. 2016)
#   lleva el gradiente entero hacia atrás, $dx = \dots + dy$, y las hace entrenables.
