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
# # 002 · Redes profundas y CNN
#
# Una **red neuronal profunda** es una red con múltiples capas ocultas; entrenarlas es lo que llamamos *deep
# learning*. La clase (F. Sobrino) resume por qué son una buena idea (cada capa añade un grado de abstracción:
# una reconoce esquinas, otra figuras) y cuál es su problema: son **difíciles de entrenar**. Con SGD y
# backpropagation cada capa aprende a una velocidad distinta, algunas «se atoran», y los **gradientes son
# inestables: pueden desaparecer o explotar**. La saturación de la sigmoide vuelve lento el aprendizaje, y
# «buenos pesos iniciales suelen hacer la diferencia».
#
# Las redes convolucionales (CNN), buenas para clasificar imágenes, se apoyan en tres ideas básicas:
# **campos receptivos locales**, **pesos compartidos** y **pooling**. Una capa convolucional calcula
#
# $$a^1 = \sigma(b + w * a^0),$$
#
# donde $*$ es la operación de convolución.
#
# En este cuaderno:
#
# 1. mides cómo cambia el gradiente de capa en capa en una red profunda (sigmoide contra ReLU, pesos iniciales
#    chicos y grandes);
# 2. escribes un mapa de características a partir de campos receptivos locales y pesos compartidos;
# 3. escribes el max pooling 2×2;
# 4. entrenas una pequeña red convolucional con los dígitos del curso y miras lo que ve por dentro.
#
# Las ideas y la notación de la clase son las del libro de M. Nielsen, *Neural Networks and Deep Learning*
# (2015), capítulos 5 («Why are deep neural networks hard to train?») y 6; ver también X. Glorot e Y. Bengio,
# «Understanding the difficulty of training deep feedforward neural networks» (2010), e Y. LeCun et al.,
# «Gradient-based learning applied to document recognition» (1998).

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
import engine.functional as F
from engine import experiments, plots
from engine.datasets import load_digits


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), sin desbordes: e^(−|z|) nunca pasa de 1."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


# %% [markdown]
# ## 1. Gradientes inestables
#
# Tomemos una red densa de $L$ capas, todas con la misma activación $g$ (sigmoide o ReLU):
#
# $$z^l = h^{l-1} W^l + b^l, \qquad h^l = g(z^l), \qquad h^0 = x.$$
#
# Backpropagation recorre las capas de la salida a la entrada. Si $\partial L / \partial h^l$ es el gradiente que
# llega a la salida de la capa $l$:
#
# $$\delta^l = \frac{\partial L}{\partial h^l} \odot g'(z^l), \qquad
#   \frac{\partial L}{\partial W^l} = (h^{l-1})^\top \delta^l, \qquad
#   \frac{\partial L}{\partial h^{l-1}} = \delta^l \, (W^l)^\top.$$
#
# Así, $\delta^l$ es un **producto** de factores $g'(z)\,W$, uno por cada capa que separa a la capa $l$ de la
# salida. Con la sigmoide, $\sigma'(z) = \sigma(z)(1 - \sigma(z)) \le \frac14$: si los pesos son chicos cada
# factor achica el gradiente, que **desaparece** geométricamente hacia la entrada; si son grandes, las neuronas se
# **saturan** ($\sigma'(z) \approx 0$ para $|z|$ grande) y el resultado es el mismo. Con la ReLU,
# $g'(z) = \mathbb{1}\{z > 0\}$ vale 0 o 1, así que lo que decide es la escala de los pesos: pesos un poco
# chicos hacen desaparecer el gradiente y pesos un poco grandes lo hacen **explotar**.
#
# Como en el capítulo 5 de Nielsen, medimos la **velocidad de aprendizaje** de cada capa con la norma del
# gradiente de sus sesgos, $\partial L / \partial b^l = \sum_n \delta^l_n$ (la suma de las filas de $\delta^l$
# sobre el lote). `gradient_norm_per_layer(x, weights, biases, dh, activation) -> norms`:
#
# - `x`: $(N, d)$, el lote de entrada; `weights`: $(L, d, d)$, `weights[l]` es la matriz $W$ de la capa $l + 1$;
#   `biases`: $(L, d)$; `dh`: $(N, d)$, el gradiente $\partial L / \partial h^L$ que llega a la salida de la
#   última capa; `activation`: `"sigmoid"` o `"relu"` (con $\text{ReLU}'(0) = 0$);
# - devuelve un array `norms` de forma $(L,)$ con
#   $\lVert \partial L / \partial b^l \rVert = \sqrt{\sum_i (\partial L / \partial b^l_i)^2}$ de cada capa,
#   **de la entrada a la salida**: `norms[0]` es la primera capa.
#
# La función `sigmoid` de arriba ya está escrita.

# %%
def gradient_norm_per_layer(x, weights, biases, dh, activation):
    """Norma de ∂L/∂b de cada capa de una red densa profunda, de la entrada a la salida.

    x: (N, d); weights: (L, d, d); biases: (L, d); dh: (N, d) = ∂L/∂h^L; activation: "sigmoid" o "relu".
    Devuelve un array (L,).
    """
    # Pista: guarda en el forward la preactivación z^l de cada capa; después recorre las capas al revés:
    # δ = dh ⊙ g'(z), ∂L/∂b = δ sumado sobre el lote, y el dh de la capa de abajo es δ Wᵀ.
    raise NotImplementedError("Te toca: completa «gradient_norm_per_layer» (borra esta línea).")
    return norms


# %%
from autograder.notebook import grade
grade("gradient_norm_per_layer")

# %% [markdown]
# Una comprobación a la vista: la misma red armada con capas `engine.Dense` (en float64, con tus pesos), un forward,
# un backward desde `dh`, y las normas de los gradientes de los sesgos que guarda cada capa.

# %%
def engine_gradient_norms(x, weights, biases, dh, activation):
    """Las normas de ∂L/∂b que calcula el motor para la misma red."""
    depth, width, _ = weights.shape
    model = engine.Sequential([engine.Dense(width, activation=activation) for _ in range(depth)],
                              input_shape=(width,), dtype=np.float64)
    for layer, W, b in zip(model.layers, weights, biases):
        layer.params["W"].value[...] = W
        layer.params["b"].value[...] = b
    model.forward(x)
    model.backward(dh)
    return np.array([np.linalg.norm(layer.params["b"].grad) for layer in model.layers])


example = (rng.standard_normal((4, 5)), rng.standard_normal((6, 5, 5)) / np.sqrt(5),
           0.1 * rng.standard_normal((6, 5)), rng.standard_normal((4, 5)))
for activation in ("sigmoid", "relu"):
    mine = gradient_norm_per_layer(*example, activation)
    print(f"{activation:8s}", np.round(mine, 5), "coincide con el motor:",
          np.allclose(mine, engine_gradient_norms(*example, activation)))

# %% [markdown]
# ### La profundidad, la activación y la escala de los pesos
#
# Ahora una red de 30 capas de ancho 64 sobre un lote de entradas gaussianas, sin sesgos. A la izquierda, la
# sigmoide contra la ReLU con pesos $\mathcal{N}(0, 1/d)$. A la derecha, la ReLU con pesos de desvío
# $c \sqrt{2/d}$ para tres valores de $c$: el gradiente se multiplica, aproximadamente, por $c$ en cada capa que
# atraviesa hacia la entrada (con $c = 1$ es la inicialización de He, que verás en 004 §3).

# %%
depth, width, batch = 30, 64, 32
x_deep = rng.standard_normal((batch, width))
dh_deep = rng.standard_normal((batch, width))
gaussian = rng.standard_normal((depth, width, width))
no_biases = np.zeros((depth, width))
layers = np.arange(1, depth + 1)

fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for activation in ("sigmoid", "relu"):
    norms = gradient_norm_per_layer(x_deep, gaussian / np.sqrt(width), no_biases, dh_deep, activation)
    left.semilogy(layers, norms, marker=".", label=activation)
left.set_title(r"pesos $\mathcal{N}(0, 1/d)$")
for c in (0.8, 1.0, 1.25):
    weights_c = gaussian * c * np.sqrt(2 / width)
    right.semilogy(layers, gradient_norm_per_layer(x_deep, weights_c, no_biases, dh_deep, "relu"), marker=".",
                   label=f"ReLU, c = {c}")
right.set_title(r"ReLU con pesos de desvío $c\sqrt{2/d}$")
for ax in (left, right):
    ax.set_xlabel("capa (1 = la más cercana a la entrada)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
left.set_ylabel(r"$\Vert \partial L / \partial b^l \Vert$")
fig.suptitle("Gradiente por capa en una red de 30 capas")
plt.show()

# %% [markdown]
# Con la sigmoide, el gradiente de la primera capa es muchos órdenes de magnitud menor que el de la última: las
# primeras capas casi no aprenden. Con la ReLU la curva es una recta en escala logarítmica cuya pendiente fija
# la escala de los pesos: con $\mathcal{N}(0, 1/d)$ ($c = 1/\sqrt{2}$) y con $c = 0.8$ el gradiente desaparece
# hacia la entrada, aunque mucho más despacio que con la sigmoide; con $c = 1.25$ explota; con $c = 1$ se
# mantiene.
#
# ### Lo mismo con el motor, sobre dígitos
#
# `engine.experiments.compare_gradient_norms` arma redes densas profundas (una capa de entrada, `depth` capas
# ocultas y una softmax de 10 clases), hace un forward y un backward con la entropía cruzada sobre un lote de
# dígitos y devuelve la norma del gradiente de los **pesos**, $\lVert \partial L / \partial W^l \rVert$, de cada
# capa. Por defecto los pesos empiezan con Glorot uniforme; la tercera curva usa la inicialización de He.

# %%
digits = load_digits(test=0.2, seed=SEMILLA)
samples = 64 if MODO_RAPIDO else 512
x_digits = digits.x_train[:samples].reshape(samples, -1)
y_digits = digits.y_train[:samples]
runs = experiments.compare_gradient_norms(x_digits, y_digits, depth=15, width=32, seed=SEMILLA)
runs["relu, He normal"] = experiments.compare_gradient_norms(
    x_digits, y_digits, depth=15, width=32, activations=("relu",), seed=SEMILLA,
    kernel_initializer="he_normal")["relu"]

fig, ax = plt.subplots(figsize=(8, 4))
for label, norms in runs.items():
    ax.semilogy(range(1, len(norms) + 1), list(norms.values()), marker="o", label=label)
ax.set_xlabel("capa (1 = la más cercana a la entrada)")
ax.set_ylabel(r"$\Vert \partial L / \partial W \Vert$")
ax.set_title("Red densa de 15 capas ocultas sobre dígitos (Glorot uniforme salvo indicación)")
ax.grid(True, which="both", alpha=0.3)
ax.legend()
plt.show()
for label, norms in runs.items():
    values = list(norms.values())
    print(f"{label:18s} primera capa / última capa = {values[0] / values[-1]:.1e}")

# %% [markdown]
# La sigmoide vuelve a hundir el gradiente de las primeras capas. Las dos redes ReLU, en cambio, dan curvas casi
# planas: $\partial L / \partial W^l = (h^{l-1})^\top \delta^l$ multiplica $\delta^l$ por la entrada de la capa,
# $h^{l-1}$, que en la pasada hacia adelante se achica (o crece) capa a capa justo al revés que $\delta^l$ hacia
# atrás. Lo que sí cambia con los pesos iniciales es el nivel: con Glorot uniforme, en una red de ReLU, la señal se
# apaga hacia adelante y todos los gradientes son chicos. Por qué la inicialización de He lo corrige es el tema
# de 004 §3.

# %% [markdown]
# ## 2. Campos receptivos locales y pesos compartidos
#
# En vez de conectar cada píxel de la imagen con cada neurona de la capa intermedia, cada neurona mira sólo una
# región de píxeles, su **campo receptivo local**: una ventana que se desliza por toda la imagen. Con una imagen
# de $28 \times 28$ y ventanas de $5 \times 5$ hay $24 \times 24$ posiciones, una neurona por posición. Todas
# usan **los mismos pesos** $w$ (de $5 \times 5$) y el mismo sesgo $b$, así que todas detectan la misma
# característica en distintos lugares de la imagen: la capa es un **mapa de características** (*feature map*).
# La neurona $(j, k)$ vale
#
# $$a^1_{j,k} = \sigma\Big(b + \sum_{l=0}^{4} \sum_{m=0}^{4} w_{l,m}\, a^0_{j+l,\, k+m}\Big),$$
#
# que es lo que la clase escribe $a^1 = \sigma(b + w * a^0)$. Fíjate en los índices: $w_{l,m}$ multiplica al
# píxel $(j + l, k + m)$, sin espejar el filtro. En matemática, la convolución invierte el núcleo
# ($w_{-l,-m}$); lo que calculan las redes convolucionales (y el motor, y Keras) es la *correlación cruzada*,
# pero se la sigue llamando convolución: como $w$ se aprende, da lo mismo para aprender, no para comparar números.
#
# `local_receptive_field_conv(a, w, b) -> a1`: `a` es un mapa $(H, W)$, `w` un filtro $(K_H, K_W)$ y `b` un
# número; paso 1 y sin relleno, así que `a1` mide $(H - K_H + 1,\; W - K_W + 1)$. Usa la función `sigmoid`.

# %%
def local_receptive_field_conv(a, w, b):
    """Un mapa de características: a1[j, k] = σ(b + Σ_l Σ_m w[l, m] · a[j + l, k + m]).

    a: (H, W); w: (KH, KW); b: un número. Devuelve a1 de forma (H − KH + 1, W − KW + 1).
    """
    # Pista: recorre las posiciones (j, k) de la salida; la ventana es a[j:j + KH, k:k + KW]. Guarda
    # b + Σ w · ventana en un array z: la última línea, return sigmoid(z), aplica la activación.
    raise NotImplementedError("Te toca: completa «local_receptive_field_conv» (borra esta línea).")
    return sigmoid(z)


# %%
from autograder.notebook import grade
grade("local_receptive_field_conv")

# %% [markdown]
# La misma cuenta con la convolución del motor, que trabaja con lotes de imágenes NHWC y núcleos
# $(K_H, K_W, C_{in}, C_{out})$: un solo ejemplo, un canal y un filtro.

# %%
a0 = rng.standard_normal((8, 9))
w0 = rng.standard_normal((3, 3)) / 3
b0 = float(rng.normal())
by_engine = F.sigmoid_forward(F.conv2d_forward(a0[None, :, :, None], w0[:, :, None, None], np.array([b0]), 1,
                                               "valid"))[0, :, :, 0]
print("forma:", local_receptive_field_conv(a0, w0, b0).shape,
      " coincide con el motor:", np.allclose(local_receptive_field_conv(a0, w0, b0), by_engine))

# %% [markdown]
# Compartir pesos reduce muchísimo los parámetros: un mapa de $24 \times 24$ neuronas con campos de $5 \times 5$
# tiene $5 \cdot 5 + 1 = 26$ parámetros; una capa densa con esas mismas $576$ neuronas conectadas a los $784$
# píxeles tendría $784 \cdot 576 + 576$.

# %%
print("mapa de características:", 5 * 5 + 1, "parámetros; capa densa:", 784 * 576 + 576, "parámetros")

# %% [markdown]
# En la práctica una capa tiene varios mapas, cada uno con su filtro. Tres filtros de $5 \times 5$ hechos a mano
# sobre un dígito: uno responde a los bordes verticales, otro a los horizontales y otro a los diagonales (el
# sesgo $b = -1$ deja en gris oscuro lo que no responde).

# %%
digit = digits.x_train[int(rng.integers(len(digits.x_train)))][:, :, 0].astype(np.float64)
steps = np.array([-1.0, -1.0, 0.0, 1.0, 1.0])
filters = {
    "bordes verticales": np.tile(steps, (5, 1)),
    "bordes horizontales": np.tile(steps, (5, 1)).T,
    "diagonales": np.sign(np.subtract.outer(np.arange(5), np.arange(5))).astype(np.float64),
}
maps = {name: local_receptive_field_conv(digit, w, -1.0) for name, w in filters.items()}

fig, axes = plt.subplots(2, 4, figsize=(11, 5.5))
axes[0, 0].imshow(digit, cmap="gray")
axes[0, 0].set_title("entrada 28×28")
axes[1, 0].axis("off")
for column, (name, w) in enumerate(filters.items(), start=1):
    axes[0, column].imshow(w, cmap="RdBu_r", vmin=-1, vmax=1)
    axes[0, column].set_title(f"filtro: {name}")
    axes[1, column].imshow(maps[name], cmap="gray", vmin=0, vmax=1)
    axes[1, column].set_title(f"mapa {maps[name].shape[0]}×{maps[name].shape[1]}")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("Tres mapas de características: a¹ = σ(b + w * a⁰)")
plt.show()

# %% [markdown]
# ## 3. Pooling
#
# Las capas de pooling van inmediatamente después de las convoluciones y condensan cada mapa de características:
# se preguntan si cierta característica aparece o no en una zona de la imagen. La intuición: si encontramos una
# característica, dónde está exactamente no importa mucho. El **max pooling 2×2** parte el mapa en bloques de
# $2 \times 2$ que no se solapan y se queda con el máximo de cada uno: un mapa de $24 \times 24$ pasa a
# $12 \times 12$.
#
# `max_pooling_2x2(a) -> pooled`: `a` es un mapa $(H, W)$ y `pooled` mide $(H // 2,\; W // 2)$,
# $\text{pooled}[i, j] = \max\{a[2i, 2j],\, a[2i, 2j + 1],\, a[2i + 1, 2j],\, a[2i + 1, 2j + 1]\}$. Si un lado
# es impar, la última fila (o columna) no completa una ventana y se descarta.

# %%
def max_pooling_2x2(a):
    """Max pooling 2×2 (paso 2) de un mapa (H, W); devuelve (H // 2, W // 2).

    Las filas o columnas que no completan una ventana 2×2 (un lado impar) se descartan.
    """
    # Pista: la ventana (i, j) es a[2i:2i + 2, 2j:2j + 2], con i < H // 2 y j < W // 2. Dos bucles bastan; sin
    # bucles, recorta a un número par de filas y columnas y busca un reshape que deje cada bloque 2×2 en sus
    # propios dos ejes.
    raise NotImplementedError("Te toca: completa «max_pooling_2x2» (borra esta línea).")
    return pooled


# %%
from autograder.notebook import grade
grade("max_pooling_2x2")

# %%
a_odd = rng.standard_normal((7, 6))
by_engine = F.max_pool2d_forward(a_odd[None, :, :, None], 2, 2)[0, :, :, 0]
print("7×6 ->", max_pooling_2x2(a_odd).shape, " coincide con el motor:", np.allclose(max_pooling_2x2(a_odd), by_engine))

# %% [markdown]
# Los tres mapas de arriba después del pooling, y la intuición de la clase puesta a prueba: corremos el dígito
# un píxel a la derecha y medimos cuánto cambia cada mapa, antes y después del pooling (el cambio relativo
# $\lVert m' - m \rVert / \lVert m \rVert$).

# %%
shifted = np.roll(digit, 1, axis=1)
fig, axes = plt.subplots(1, 3, figsize=(9, 3.4))
for ax, (name, w) in zip(axes, filters.items()):
    pooled = max_pooling_2x2(maps[name])
    ax.imshow(pooled, cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{name}\n{pooled.shape[0]}×{pooled.shape[1]}")
    ax.set_xticks([])
    ax.set_yticks([])
    moved = local_receptive_field_conv(shifted, w, -1.0)
    change_map = np.linalg.norm(moved - maps[name]) / np.linalg.norm(maps[name])
    change_pooled = np.linalg.norm(max_pooling_2x2(moved) - pooled) / np.linalg.norm(pooled)
    print(f"{name:20s} cambio del mapa: {change_map:.2f}   después del pooling: {change_pooled:.2f}")
fig.suptitle("Los mapas después del max pooling 2×2")
plt.show()

# %% [markdown]
# ## 4. Los mapas de características de una red entrenada
#
# Ahora los filtros no los elegimos nosotros: los aprende una pequeña red convolucional, con las capas de la clase.
# Una convolución de 8 filtros de $5 \times 5$ con la sigmoide ($a^1 = \sigma(b + w * a^0)$, 8 mapas de
# $24 \times 24$), un max pooling 2×2 ($12 \times 12$) y una capa softmax de 10 clases, entrenada con Adam sobre
# los dígitos del curso.

# %%
train = 300 if MODO_RAPIDO else len(digits.x_train)
epochs = 1 if MODO_RAPIDO else 4
net = engine.Sequential([
    engine.Conv2D(8, 5, activation="sigmoid"),
    engine.MaxPool2D(2),
    engine.Flatten(),
    engine.Dense(10, activation="softmax"),
], input_shape=(28, 28, 1), seed=SEMILLA)
net.summary()
history = net.fit(digits.x_train[:train], digits.y_train[:train], "cross_entropy", engine.Adam(0.005),
                  epochs=epochs, batch_size=32, seed=SEMILLA, verbose=False)
test_loss, test_accuracy = net.evaluate(digits.x_test, digits.y_test, "cross_entropy")
print(f"exactitud en prueba: {test_accuracy:.3f} ({len(digits.x_test)} dígitos)")

# %% [markdown]
# Los 8 filtros aprendidos (`engine.plots.plot_filters`):

# %%
plots.plot_filters(net)

# %% [markdown]
# Y lo que un dígito de prueba se vuelve dentro de la red (`engine.plots.plot_feature_maps`): la entrada, los 8
# mapas de la convolución y los 8 mapas después del pooling.

# %%
test_digit = digits.x_test[int(rng.integers(len(digits.x_test)))]
plots.plot_feature_maps(net, test_digit)

# %% [markdown]
# Tus dos funciones reproducen esas dos capas: cada mapa es `local_receptive_field_conv` con uno de los filtros
# aprendidos y su sesgo, y después `max_pooling_2x2` (la red trabaja en float32, de ahí la tolerancia).

# %%
kernel = net.layers[0].params["W"].value.astype(np.float64)       # (5, 5, 1, 8)
bias = net.layers[0].params["b"].value.astype(np.float64)         # (8,)
image = test_digit[:, :, 0].astype(np.float64)
mine = np.stack([max_pooling_2x2(local_receptive_field_conv(image, kernel[:, :, 0, f], bias[f]))
                 for f in range(kernel.shape[3])], axis=-1)
by_net = net.layers[1].forward(net.layers[0].forward(test_digit[None]))[0]
print("forma:", mine.shape, " coincide con la red:", np.allclose(mine, by_net, atol=1e-5))
