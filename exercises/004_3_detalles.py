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
# # 004 §3 · Detalles de deep learning: inicialización
#
# La tercera parte de la clase de M. Vera empieza con el problema del *vanishing/exploding*:
#
# > Para redes muy profundas, la composición de layers puede generar magnitudes muy pequeñas o muy grandes que
# > estropee la precisión numérica. Este efecto puede ocurrir tanto en las magnitudes (forward) o en sus
# > gradientes (backward).
#
# En este cuaderno comparas la sigmoide con la ReLU, reproduces con números el argumento de la varianza que lleva
# a la inicialización de He, escribes las escalas de las inicializaciones de He, LeCun y Glorot y la normal
# truncada, y miras cómo se ven las activaciones de una red profunda con cada una.
#
# Referencias de la clase: K. He, X. Zhang, S. Ren y J. Sun, «Delving Deep into Rectifiers: Surpassing
# Human-Level Performance on ImageNet Classification» (2015); X. Glorot e Y. Bengio, «Understanding the
# difficulty of training deep feedforward neural networks» (2010).

# %%
# %matplotlib inline
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %%
import engine
from engine import experiments, init, plots
from engine.datasets import load_digits

# %% [markdown]
# ## 1. Sigmoide contra ReLU
#
# La clase compara las dos activaciones:
#
# - la sigmoide, $\sigma(z) = \frac{1}{1+e^{-z}}$: no explota, $\sigma(z) < 1$; no explota su gradiente,
#   $\sigma'(z) = \sigma(z) (1 - \sigma(z)) \leq \frac{1}{4}$; pero su gradiente se desvanece con mucha facilidad;
# - la ReLU, $\sigma(z) = \max\{0, z\}$: su gradiente no desvanece ni explota, $\sigma'(z) = \mathbb{1}\{z > 0\}$;
#   tiene tendencia a explotar, $\sigma(z) \geq z$; es más simple de computar; y puede matar neuronas,
#   $(\mathbf{h}^{[l]})_k = 0$ para todo $\mathbf{h}^{[l-1]}$ (la cura: cambiarla por Leaky-ReLU).
#
# Las dos y sus derivadas:

# %%
z = np.linspace(-6, 6, 601)
sig = 1 / (1 + np.exp(-z))
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
left.plot(z, sig, label=r"$\sigma(z)$")
left.plot(z, sig * (1 - sig), label=r"$\sigma'(z) = \sigma(z)(1 - \sigma(z)) \leq 1/4$")
left.axhline(0.25, color="gray", linestyle=":", linewidth=1)
left.set_title("sigmoide")
right.plot(z, np.maximum(z, 0), label=r"$\max\{0, z\}$")
right.plot(z, (z > 0).astype(float), label=r"$\mathbb{1}\{z > 0\}$")
right.plot(z, z, color="gray", linestyle=":", linewidth=1, label="$z$")
right.set_ylim(-1, 3)
right.set_title("ReLU")
for ax in (left, right):
    ax.set_xlabel("$z$")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 2. ¿Cómo evitar la explosión de la ReLU? El argumento de la varianza
#
# La clase: «una manera de atenuar una posible explosión es con una inicialización adecuada». Sea
# $\mathbf{b} = \mathbf{0}$ y $w_k \sim \mathcal{N}(0, v)$ i.i.d. Tomemos una neurona,
# $u = \sum_{k=1}^d w_k \sigma(z_k)$, y supongamos que todos los $z_k$ son idénticamente distribuidos, con una
# densidad simétrica en el origen, independiente de la inicialización $w_1, \dots, w_d$. Con $\sigma$ la ReLU:
#
# $$\begin{aligned}\text{var}(u) &= \mathbb{E}[u^2] \\
#   &= \sum_{i=1}^d \sum_{j=1}^d \mathbb{E}[w_i w_j] \mathbb{E}[\sigma(z_i) \sigma(z_j)] \\
#   &= \sum_{k=1}^d v \mathbb{E}[\sigma^2(z_k)] \\
#   &= dv \mathbb{E}[z_1^2 \mathbb{1}_{\{z_1 > 0\}}] \\
#   &= \frac{dv}{2} \mathbb{E}[z_1^2]\end{aligned}$$
#
# (los $w$ tienen media 0 y son independientes, así que sólo quedan los términos $i = j$; y como la densidad de
# $z$ es simétrica, la mitad de $\mathbb{E}[z^2]$ está en $z > 0$). Capa tras capa:
#
# $$\mathbb{E} \left[\left(z^{[l]} \right)^2 \right] = \frac{d^{[l-1]} v}{2}
#   \mathbb{E} \left[\left(z^{[l-1]} \right)^2 \right].$$
#
# Si $d^{[l-1]} v / 2 < 1$ la señal se apaga geométricamente con la profundidad, y si es $> 1$ explota. Para
# mantener la variabilidad se propone $(\mathbf{w}^{[l]})_{i,j} \sim \mathcal{N} \left(0, \frac{2}{d^{[l-1]}}
# \right)$ para matrices que multiplican salidas de ReLU: la **inicialización de He** (He Normal).
#
# ### Una neurona
#
# Primero la cuenta de la neurona, con números: $d$ entradas $z_k \sim \mathcal{N}(0, s^2)$ (simétricas),
# pesos $w_k \sim \mathcal{N}(0, v)$, y muchas repeticiones de $u = \sum_k w_k \max\{0, z_k\}$.

# %%
d, v, s = 64, 0.05, 1.7
repetitions = 2_000 if MODO_RAPIDO else 50_000
z_in = s * rng.standard_normal((repetitions, d))
w = np.sqrt(v) * rng.standard_normal((repetitions, d))
u = np.sum(w * np.maximum(z_in, 0), axis=1)
print(f"var(u) medida:           {u.var():.4f}")
print(f"d v E[z²] / 2 (teoría):  {d * v * s**2 / 2:.4f}")
print(f"d v E[z²] (sin el 1/2):  {d * v * s**2:.4f}")

# %% [markdown]
# ### Una red profunda
#
# Ahora la recursión: una red ReLU de 30 capas de ancho $d = 256$, sin sesgos, sobre un lote de entradas
# gaussianas. Medimos $\mathbb{E}[(z^{[l]})^2]$ en cada capa (el promedio sobre el lote y las neuronas) con pesos
# $\mathcal{N}(0, v)$ para tres varianzas: la de LeCun $v = 1/d$, la de He $v = 2/d$ y una mayor, $v = 3/d$. La
# teoría dice que $\mathbb{E}[(z^{[l]})^2]$ se multiplica por $d v / 2$ en cada capa: $0.5$, $1$ y $1.5$; las
# rectas punteadas son esa predicción.

# %%
def second_moments(x, weights):
    """E[(z^[l])²] de cada capa de la red ReLU z^[l] = max(0, z^[l−1]) W^[l] (z^[1] = x W^[1]), sin sesgos."""
    moments = []
    h = x
    for W in weights:
        z_layer = h @ W
        moments.append(np.mean(z_layer**2))
        h = np.maximum(z_layer, 0)
    return np.array(moments)


depth, width = 30, 256
x_deep = rng.standard_normal((128 if MODO_RAPIDO else 512, width))
variances = {"LeCun, v = 1/d": 1.0, "He, v = 2/d": 2.0, "v = 3/d": 3.0}
layers = np.arange(1, depth + 1)

fig, ax = plt.subplots(figsize=(7.5, 4.2))
for (label, numerator), colour in zip(variances.items(), ("C0", "C1", "C2")):
    weights = [np.sqrt(numerator / width) * rng.standard_normal((width, width)) for _ in range(depth)]
    moments = second_moments(x_deep, weights)
    ratio = width * (numerator / width) / 2
    ax.semilogy(layers, moments, "o", color=colour, markersize=4, label=f"{label}: d v / 2 = {ratio:g}")
    ax.semilogy(layers, moments[0] * ratio ** (layers - 1.0), ":", color=colour)
ax.set_xlabel("capa $l$")
ax.set_ylabel(r"$\mathbb{E}[(z^{[l]})^2]$")
ax.set_title("El segundo momento de las preactivaciones, capa a capa (puntos: medido; líneas: teoría)")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()

# %% [markdown]
# ## 3. Las inicializaciones
#
# Además de He, la clase da otras inicializaciones:
#
# - $(\mathbf{w}^{[l]})_{i,j} \sim \mathcal{N} \left(0, \frac{1}{d^{[l-1]}} \right)$ (Lecun Normal Initialization)
# - $(\mathbf{w}^{[l]})_{i,j} \sim \mathcal{N} \left(0, \frac{2}{d^{[l-1]} + d^{[l]}} \right)$ (Glorot Normal
#   Initialization)
# - $(\mathbf{w}^{[l]})_{i,j} \sim \mathcal{U} \left(-\sqrt{\frac{6}{d^{[l-1]} + d^{[l]}}},
#   \sqrt{\frac{6}{d^{[l-1]} + d^{[l]}}} \right)$ (Glorot Uniform Initialization)
# - Normales truncadas (si excede 2 desvíos va de nuevo)
#
# $d^{[l-1]}$ es el número de entradas de cada neurona de la capa, el *fan_in*, y $d^{[l]}$ el de salidas, el
# *fan_out*. Para una capa densa con $W$ de forma $(D_{in}, D_{out})$, fan_in $= D_{in}$ y fan_out $= D_{out}$.
# Para una convolución con núcleo $(K_H, K_W, C_{in}, C_{out})$ cada salida suma $K_H K_W C_{in}$ productos:
# fan_in $= K_H K_W C_{in}$ y fan_out $= K_H K_W C_{out}$.
#
# Una uniforme $\mathcal{U}(-a, a)$ tiene varianza $a^2/3$. Para que tenga la varianza $\sigma^2$ de su gemela
# normal, $a = \sqrt{3}\,\sigma$: así sale el $6 = 3 \cdot 2$ de Glorot uniforme. Keras define con la misma regla
# **He uniforme**, $a = \sqrt{6 / \text{fan\_in}}$, y **LeCun uniforme**, $a = \sqrt{3 / \text{fan\_in}}$.
#
# `init_scale(kind, shape) -> scale`: `kind` es uno de `"he_normal"`, `"he_uniform"`, `"lecun_normal"`,
# `"lecun_uniform"`, `"glorot_normal"`, `"glorot_uniform"`; `shape` es la forma del núcleo, $(D_{in}, D_{out})$ o
# $(K_H, K_W, C_{in}, C_{out})$. Devuelve un número: el **desvío** $\sigma$ (no la varianza) si la inicialización
# es normal, o el **límite** $a$ si es uniforme. Un `kind` desconocido es un `ValueError` que lo nombra.

# %%
def init_scale(kind, shape):
    """Desvío σ (inicialización normal) o límite a (uniforme U(−a, a)) de una inicialización.

    kind: "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "glorot_normal" o "glorot_uniform";
    shape: (D_in, D_out) o (KH, KW, C_in, C_out). Devuelve un float.
    """
    # Pista: primero fan_in y fan_out; después la varianza de la normal; la uniforme tiene a = √(3 · varianza).
    raise NotImplementedError("Te toca: completa «init_scale» (borra esta línea).")


# %%
from autograder.notebook import grade
grade("init_scale")

# %% [markdown]
# Comparemos con las inicializaciones del motor (`engine.init`): una matriz grande de cada una, su desvío
# medido (las normales) o el mayor $|w|$ (las uniformes), al lado de tu `init_scale`.

# %%
shape = (300, 200)
for kind in ("he_normal", "lecun_normal", "glorot_normal", "glorot_uniform"):
    weights = getattr(init, kind)(shape, rng=rng, dtype=np.float64)
    measured = np.abs(weights).max() if kind.endswith("uniform") else weights.std()
    what = "máx |w|" if kind.endswith("uniform") else "desvío "
    print(f"{kind:15s} {what} del motor: {measured:.4f}   init_scale: {init_scale(kind, shape):.4f}")

# %% [markdown]
# ## 4. La normal truncada
#
# «Normales truncadas (si excede 2 desvíos va de nuevo)»: se sortea cada peso de $\mathcal{N}(0, \sigma^2)$ y el
# que queda más allá de $2\sigma$ se vuelve a sortear. Así no hay pesos iniciales extremos.
#
# Para que el resultado no dependa de cómo se sortea, tu función recibe los números al azar ya sorteados:
# `truncated_normal(shape, std, draws) -> values`, con `draws` un vector de números normales estándar
# $z \sim \mathcal{N}(0, 1)$, más que suficientes. Se usan **en orden**, como en `engine.init.truncated_normal`:
#
# 1. los primeros $n = $ `prod(shape)` números llenan el array, `values = std * draws[:n]`, en el orden de las filas
#    (el de `reshape`);
# 2. las posiciones con $|\text{valor}| > 2 \cdot \text{std}$, **en orden**, toman los números siguientes de
#    `draws` (la primera de ellas el número $n$, la segunda el $n + 1$, …), cada uno multiplicado por `std`;
# 3. si alguno de esos vuelve a pasar de $2 \cdot \text{std}$, se repite el paso 2 con los números que siguen,
#    hasta que ninguno pase.
#
# Devuelve un array de forma `shape`.

# %%
def truncated_normal(shape, std, draws):
    """N(0, std²) truncada a ±2·std: cada valor que pasa de 2 desvíos se vuelve a sortear en su lugar.

    shape: tupla; std: el desvío σ; draws: vector de números N(0, 1) que se usan en orden.
    Devuelve un array de forma shape.
    """
    # Pista: una máscara outside = np.abs(values) > 2 * std y un while outside.any(): values[outside] toma los
    # siguientes outside.sum() números de draws.
    raise NotImplementedError("Te toca: completa «truncated_normal» (borra esta línea).")


# %%
from autograder.notebook import grade
grade("truncated_normal")

# %% [markdown]
# El motor sortea con un generador de numpy; `Generator.normal(0, σ)` da $\sigma$ veces los mismos números que
# `Generator.standard_normal()`. Con dos generadores de la misma semilla, uno para el motor y otro para sacar tus
# `draws`, los dos resultados son iguales número a número.

# %%
seed = int(rng.integers(2**31))
kernel_shape = (5, 5, 1, 6)
by_engine = init.truncated_normal(kernel_shape, rng=np.random.default_rng(seed), dtype=np.float64, stddev=0.05)
mine = truncated_normal(kernel_shape, 0.05, np.random.default_rng(seed).standard_normal(1_000))
print("iguales al motor:", np.array_equal(mine, by_engine))

# %% [markdown]
# Un histograma de muchos valores: la densidad es la de la normal cortada en $\pm 2\sigma$ y reescalada para que
# integre 1 (el corte se lleva el 4.55 % de la masa). Ojo: por eso el desvío de la normal truncada no es $\sigma$
# sino $\approx 0.88\,\sigma$.

# %%
std = 0.05
many = 20_000 if MODO_RAPIDO else 200_000
values = truncated_normal((many,), std, rng.standard_normal(2 * many))
grid = np.linspace(-2.2 * std, 2.2 * std, 400)
inside = np.abs(grid) <= 2 * std
density = np.exp(-grid**2 / (2 * std**2)) / (std * np.sqrt(2 * np.pi)) / 0.9545 * inside
fig, ax = plt.subplots(figsize=(7, 3.6))
ax.hist(values, bins=60, density=True, alpha=0.6, label="truncated_normal")
ax.plot(grid, density, color="C3", label=r"$\mathcal{N}(0, \sigma^2)$ cortada en $\pm 2\sigma$")
ax.set_title(f"Normal truncada, σ = {std}: desvío medido {values.std():.4f} ≈ 0.88 σ")
ax.set_xlabel("valor")
ax.legend()
plt.show()

# %% [markdown]
# ## 5. Las activaciones de una red profunda con cada inicialización
#
# Ahora una red ReLU de verdad: 20 capas de 128 neuronas sin sesgos, la entrada un lote de dígitos del curso
# (784 píxeles), y los pesos de cada inicialización del motor. Para cada una miramos las preactivaciones
# $z^{[l]}$ de cada capa: su histograma (como en la figura de Glorot y Bengio, 2010) y su desvío.

# %%
digits = load_digits(test=0.2, seed=SEMILLA)
batch = 64 if MODO_RAPIDO else 512
x_digits = digits.x_train[:batch].reshape(batch, -1).astype(np.float64)
initialisers = ["he_normal", "lecun_normal", "glorot_normal", "glorot_uniform", "truncated_normal"]
depth, width = 20, 128


def preactivations(x, kind, depth, width):
    """Las preactivaciones z^[l] (N, width) de cada capa de una red ReLU sin sesgos con pesos de engine.init."""
    make = getattr(init, kind)
    found, h = [], x
    for _ in range(depth):
        W = make((h.shape[1], width), rng=rng, dtype=np.float64)
        z_layer = h @ W
        found.append(z_layer)
        h = np.maximum(z_layer, 0)
    return found


runs = {kind: preactivations(x_digits, kind, depth, width) for kind in initialisers}
shown = [1, 5, 10, 20]
fig, axes = plt.subplots(2, 3, figsize=(13, 7), layout="constrained")
for ax, kind in zip(axes.ravel(), initialisers):
    layers_z = runs[kind]
    limit = 3 * max(np.std(layers_z[l - 1]) for l in shown)
    for l in shown:
        ax.hist(layers_z[l - 1].ravel(), bins=np.linspace(-limit, limit, 61), histtype="step", density=True,
                linewidth=1.4, label=f"capa {l}")
    ax.set_title(kind)
    ax.set_yscale("log")
    ax.set_xlabel("$z$")
    ax.legend(fontsize=7)
std_axis = axes[1, 2]
for kind in initialisers:
    std_axis.semilogy(range(1, depth + 1), [np.std(z_layer) for z_layer in runs[kind]], marker=".", label=kind)
std_axis.set_title("desvío de $z^{[l]}$ por capa")
std_axis.set_xlabel("capa $l$")
std_axis.grid(True, which="both", alpha=0.3)
std_axis.legend(fontsize=7)
fig.suptitle("Preactivaciones de una red ReLU de 20 capas con cada inicialización")
plt.show()

# %% [markdown]
# Con He el desvío se mantiene del mismo orden de la primera a la última capa. LeCun y Glorot (aquí iguales salvo
# en la primera capa, porque $d^{[l-1]} = d^{[l]}$) dan $dv/2 = 1/2$: el segundo momento se reduce a la mitad en
# cada capa. La normal truncada con $\sigma = 0.05$, la escala fija que usa el motor por defecto, no mira el
# ancho de la capa: aquí $128 \cdot 0.88^2 \cdot 0.05^2 / 2 \approx 0.12$, y la señal se apaga enseguida.
#
# ### El gradiente y el entrenamiento
#
# El mismo efecto hacia atrás: `engine.experiments.deep_net` arma una red densa de 20 capas ocultas de 64 ReLU
# (sobre los dígitos, con una softmax de 10 clases) con cada inicialización. Primero la norma del gradiente de los
# pesos de cada capa en el arranque (`engine.experiments.gradient_norms`), después las curvas de entrenamiento con
# Adam.

# %%
train = 200 if MODO_RAPIDO else 2000
epochs = 1 if MODO_RAPIDO else 4
x_train, y_train = digits.x_train[:train], digits.y_train[:train]
validation = (digits.x_test[:200], digits.y_test[:200]) if MODO_RAPIDO else (digits.x_test, digits.y_test)
nets = {kind: experiments.deep_net(20, 64, "relu", input_shape=(28, 28, 1), kernel_initializer=kind, seed=SEMILLA)
        for kind in ("he_normal", "lecun_normal", "glorot_uniform", "truncated_normal")}
fig, ax = plt.subplots(figsize=(8, 4))
for kind, net in nets.items():
    norms = experiments.gradient_norms(net, x_train[:128], y_train[:128])
    ax.semilogy(range(1, len(norms) + 1), list(norms.values()), marker="o", label=kind)
ax.set_xlabel("capa (1 = la más cercana a la entrada)")
ax.set_ylabel(r"$\Vert \partial L / \partial W \Vert$")
ax.set_title("Gradiente de los pesos por capa, antes de entrenar")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()

# %%
histories = {kind: net.fit(x_train, y_train, "cross_entropy", engine.Adam(1e-3), epochs=epochs, batch_size=64,
                           validation_data=validation, seed=SEMILLA, verbose=False)
             for kind, net in nets.items()}
for kind, history in histories.items():
    print(f"{kind:17s} exactitud de validación por época: {np.round(history['val_accuracy'], 3)}")
plots.plot_histories(histories, metric="loss")

# %% [markdown]
# La red que empieza con He aprende desde la primera época; con LeCun y Glorot la señal y el gradiente arrancan
# mucho más chicos y tarda más; con la normal truncada de escala fija $\sigma = 0.05$ la pérdida se queda en
# $\log 10 \approx 2.30$, la de adivinar al azar entre 10 clases: 20 capas que achican la señal no le dejan nada
# que aprender.
