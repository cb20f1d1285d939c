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
# No hay un algoritmo de aprendizaje que sea una bala de plata (los teoremas *no free lunch*) ni una API mágica que
# haga todo el trabajo por nosotros (las *leaky abstractions* de A. Karpathy): hay que entender cómo aprende una
# red. Un **algoritmo de aprendizaje** junta tres cosas:
#
# - un espacio de modelos $H$ (aquí, capas densas y sus pesos);
# - una función de pérdida $L(m(x), y)$, que compara la predicción del modelo $m(x)$ con la respuesta $y$;
# - un método de optimización.
#
# El entrenamiento de la red corresponde a encontrar el modelo dentro de $H$ cuya pérdida es mínima sobre el
# dataset. El optimizador minimiza la **pérdida total**, el promedio de la pérdida sobre los $N$ datos:
#
# $$L(m, D) = \frac{1}{N} \sum_{x \in D} L(m(x), y), \qquad \hat{m} = \min_{m \in H} L(m, D).$$
#
# Aquí escribes las piezas de ese ciclo con numpy: una capa densa (el modelo $m$), su gradiente, dos pérdidas
# (el error cuadrático medio y la entropía cruzada con softmax), una época de entrenamiento por minilotes, y el
# sorteo de una búsqueda aleatoria de hiperparámetros. Después miras adentro de una red profunda: los histogramas
# de los gradientes de cada capa (Glorot y Bengio 2010). Cada pérdida devuelve su valor **promediado** y el
# gradiente de ese promedio: el $1/N$ de la fórmula va dentro.
#
# Todas las funciones reciben arrays `float64` y devuelven arrays `float64` (no cambies el tipo).

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %%
import engine
from engine import experiments
from engine.datasets import load_digits

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

# %% [markdown]
# ## El optimizador: minilotes, épocas y barajado
#
# Con las piezas anteriores se arma el método de optimización más usado, el descenso por gradiente estocástico por
# **minilotes**. En lugar del gradiente de la pérdida total sobre los $N$ datos, cada paso usa el de un lote
# $B$ de pocos ejemplos, $L(m, B) = \frac{1}{|B|} \sum_{x \in B} L(m(x), y)$, un estimador ruidoso pero barato, y
# actualiza los parámetros $\theta \leftarrow \theta - \alpha\, \nabla_\theta L(m, B)$. Una **época** recorre todos
# los datos una vez: se **baraja** el orden (una permutación nueva en cada época) y se corta en lotes
# consecutivos de `batch_size` ejemplos; si $N$ no es múltiplo del tamaño, el último lote es más chico, y no se
# descarta.
#
# `train_epoch(W, b, x, y, lr, batch_size, permutation) -> (W, b, losses)` entrena una época el modelo lineal
# $m(x) = x W + b$ con el error cuadrático medio. `x` es $(N, D)$, `y` $(N, K)$, `W` $(D, K)$, `b` $(K,)$, `lr` la
# tasa de aprendizaje $\alpha$ y `permutation` un vector con los índices $0, \dots, N - 1$ en el orden de la
# época. Para $j = 0, 1, \dots$ el lote $j$ son los ejemplos `permutation[j * batch_size:(j + 1) * batch_size]`;
# con él:
#
# 1. la predicción $p = x_B W + b$ y la pérdida del lote con su gradiente, `mse_loss(p, y_B)`;
# 2. los gradientes de los pesos con `dense_backward`;
# 3. el paso $W \leftarrow W - \alpha\, dW$, $b \leftarrow b - \alpha\, db$.
#
# Devuelve los pesos al final de la época y `losses`, el vector con la pérdida de cada lote (calculada antes de su
# paso), un número por lote. Usa tus funciones `dense_forward`, `mse_loss` y `dense_backward`, y no modifiques los
# arrays que recibes (trabaja sobre copias o crea arrays nuevos).

# %%
def train_epoch(W, b, x, y, lr, batch_size, permutation):
    """Una época de SGD por minilotes sobre el modelo lineal y = x W + b con el error cuadrático medio.

    W: (D, K); b: (K,); x: (N, D); y: (N, K); lr: tasa de aprendizaje; batch_size: ejemplos por lote;
    permutation: (N,) enteros, el orden de la época. Devuelve (W, b, losses), losses con una pérdida por lote.
    """
    # Pista: range(0, N, batch_size) da el comienzo de cada lote; el último puede ser más corto.
    raise NotImplementedError("Te toca: completa «train_epoch» (borra esta línea).")
    return W, b, losses


# %%
from autograder.notebook import grade
grade("train_epoch")

# %% [markdown]
# ### Épocas, tamaño del lote y barajado
#
# El ciclo completo repite épocas, cada una con su permutación: `rng.permutation(N)`. La celda entrena el modelo
# lineal sobre datos sintéticos, $y = x W^\ast + b^\ast + \text{ruido}$, y dibuja la pérdida total $L(m, D)$ al
# final de cada época. La línea punteada es el mínimo, la solución de mínimos cuadrados.
#
# - A la izquierda, tres tamaños de lote con la misma tasa: con lotes de 1 ejemplo cada paso es barato pero
#   ruidoso y la pérdida queda oscilando por encima del mínimo; con todo el dataset (descenso por gradiente) cada
#   paso es exacto pero hay uno solo por época.
# - A la derecha, lo que pasa si **no** se baraja. Los datos vienen ordenados por $y$ (como un archivo ordenado por
#   clase o por fecha): sin barajar, cada época termina con los ejemplos de $y$ más grande, que empujan los pesos
#   siempre hacia el mismo lado, y la pérdida se estanca lejos del mínimo.

# %%
n_datos, entradas = 200, 3
x_lineal = rng.normal(size=(n_datos, entradas))
y_lineal = x_lineal @ rng.normal(size=(entradas, 1)) + rng.normal() + 0.3 * rng.normal(size=(n_datos, 1))
orden = np.argsort(y_lineal[:, 0])                       # los datos llegan ordenados por y
x_lineal, y_lineal = x_lineal[orden], y_lineal[orden]

con_unos = np.hstack([x_lineal, np.ones((n_datos, 1))])
optimo = np.linalg.lstsq(con_unos, y_lineal, rcond=None)[0]
riesgo_minimo = mse_loss(con_unos @ optimo, y_lineal)[0]


def entrenar(batch_size, barajar, epocas, lr=0.05):
    """La pérdida total L(m, D) al final de cada época, desde pesos nulos."""
    W, b = np.zeros((entradas, 1)), np.zeros(1)
    generador = np.random.default_rng(SEMILLA)
    riesgos = []
    for _ in range(epocas):
        permutacion = generador.permutation(n_datos) if barajar else np.arange(n_datos)
        W, b, _ = train_epoch(W, b, x_lineal, y_lineal, lr, batch_size, permutacion)
        riesgos.append(mse_loss(dense_forward(x_lineal, W, b), y_lineal)[0])
    return riesgos


epocas_lineal = 5 if MODO_RAPIDO else 40
fig, (ax_lotes, ax_orden) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for batch_size in (1, 10, n_datos):
    ax_lotes.plot(range(1, epocas_lineal + 1), entrenar(batch_size, True, epocas_lineal), label=f"lotes de {batch_size}")
ax_lotes.set_title("Barajando en cada época")
for barajar, estilo in ((True, "-"), (False, "--")):
    ax_orden.plot(range(1, epocas_lineal + 1), entrenar(1, barajar, epocas_lineal), estilo,
                  label="lotes de 1, barajando" if barajar else "lotes de 1, sin barajar")
ax_orden.set_title("Datos ordenados por y")
for ax in (ax_lotes, ax_orden):
    ax.axhline(riesgo_minimo, color="gray", linestyle=":", label="mínimo (mínimos cuadrados)")
    ax.set_yscale("log")
    ax.set_xlabel("época")
    ax.legend(fontsize=8)
ax_lotes.set_ylabel("pérdida total L(m, D)")
plt.show()

# %% [markdown]
# ## Diferencias con el ML tradicional: el algoritmo de aprendizaje
#
# En el ML tradicional las *features* se diseñan a mano; una red profunda las aprende, capa por capa: bordes en
# las primeras capas, después texturas, patrones, partes y objetos (las figuras de la clase; en los cuadernos 002 y
# 004 §5 dibujas los mapas de una red convolucional). El precio es que el algoritmo de aprendizaje se vuelve
# delicado: el gradiente tiene que atravesar todas las capas.
#
# La clase muestra los **histogramas normalizados de los gradientes retropropagados** de Glorot y Bengio (2010):
# *los gradientes de las capas lejos de la salida se desvanecen a cero*. La celda los reproduce con el motor sobre
# los dígitos del curso: dos redes de 5 capas ocultas densas de 64 neuronas, idénticas salvo la activación
# (sigmoide y ReLU, pesos iniciales Glorot uniforme), una pasada hacia adelante y hacia atrás sobre un lote, y el
# histograma de $\partial L / \partial W$ de cada capa, de la entrada (`dense_1`) a la salida. En la red
# sigmoide, como $\sigma' \le 1/4$, cada capa hacia atrás achica el gradiente: las primeras capas casi no reciben
# señal. En la ReLU todas las capas reciben gradientes del mismo orden. (`engine.plots.plot_gradient_histograms`
# dibuja la misma figura para cualquier modelo.)

# %%
digitos = load_digits(validation=0.2, test=0.0, seed=SEMILLA)
lote = 64 if MODO_RAPIDO else 256
x_lote = digitos.x_train[:lote].reshape(lote, -1)
y_lote = digitos.y_train[:lote]

fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, activacion in zip(axes, ("sigmoid", "relu")):
    red = experiments.deep_net(5, 64, activacion, input_shape=(784,), seed=SEMILLA)
    red.loss_and_backward(x_lote, y_lote, "cross_entropy")
    gradientes = {nombre[:-2]: p.grad.ravel() for nombre, p in red.named_parameters().items()
                  if nombre.endswith(".W")}
    limite = max(np.abs(g).max() for g in gradientes.values())
    bordes = np.linspace(-limite, limite, 52)
    for nombre, g in gradientes.items():
        ax.hist(g, bins=bordes, weights=np.full(g.size, 1 / g.size), histtype="step", linewidth=1.5,
                label=f"{nombre}: desvío {g.std():.1e}")
    ax.set_yscale("log")
    ax.set_title(f"red {activacion}: ∂L/∂W por capa")
    ax.set_xlabel("valor del gradiente")
    ax.legend(fontsize=7)
axes[0].set_ylabel("fracción de los pesos de la capa")
plt.show()

# %% [markdown]
# ## Tuning: búsqueda de hiperparámetros
#
# El algoritmo de aprendizaje fija los **parámetros** (los *settings* internos: pesos y sesgos); los
# **hiperparámetros** (los *settings* externos: la tasa de aprendizaje, el ancho de las capas, el tamaño del
# lote…) se eligen por fuera, comparando modelos en datos de **validación** que el entrenamiento no ve (la clase
# lo ilustra con una tira de xkcd de 2007 y su versión de 2017). Una **búsqueda aleatoria** (Bergstra y Bengio 2012) sortea cada configuración en
# lugar de recorrer una grilla: con el mismo número de entrenamientos prueba más valores distintos de cada
# hiperparámetro.
#
# La tasa de aprendizaje importa por su orden de magnitud: entre $10^{-3}$ y $1$ hay tres décadas, y un sorteo
# uniforme pondría el 90 % de los valores en la última. Se sortea **log-uniforme**: uniforme en el logaritmo,
#
# $$\log v = \log(\text{low}) + u\,\big(\log(\text{high}) - \log(\text{low})\big), \qquad u \sim U(0, 1),
#   \qquad\text{es decir}\qquad v = \text{low} \cdot (\text{high} / \text{low})^u .$$
#
# `log_uniform(u, low, high) -> values`: `u` es un array de números en $[0, 1]$ (de cualquier forma), `low` y
# `high` dos números positivos; devuelve un array de la forma de `u`. Con $u = 0$ da `low`, con $u = 1$ da `high`,
# y con $u = 1/2$ el punto medio geométrico $\sqrt{\text{low} \cdot \text{high}}$.

# %%
def log_uniform(u, low, high):
    """Transforma u ~ U(0, 1) en valores log-uniformes entre low y high: low · (high / low)^u.

    u: array de números en [0, 1]; low, high: números positivos. Devuelve un array de la forma de u.
    """
    raise NotImplementedError("Te toca: completa «log_uniform» (borra esta línea).")
    return values


# %%
from autograder.notebook import grade
grade("log_uniform")

# %% [markdown]
# ### La búsqueda
#
# La celda sortea configuraciones de una red `Flatten → Dense(ancho, relu) → Dense(10, softmax)` para los dígitos:
# la tasa de aprendizaje de SGD log-uniforme entre $10^{-3}$ y $3$, y el ancho log-uniforme entre 8 y 256
# neuronas (redondeado). Entrena cada una unas pocas épocas y mide la exactitud en validación. A la izquierda, la
# exactitud final contra la tasa de aprendizaje (el color es el ancho): con tasas chicas la red apenas avanza en
# pocas épocas, con tasas grandes diverge, y en el medio hay una meseta ancha. A la derecha, las curvas de
# validación época por época; la mejor configuración va en trazo grueso.

# %%
configuraciones = 2 if MODO_RAPIDO else 16
epocas_busqueda = 1 if MODO_RAPIDO else 8
n_busqueda = 256 if MODO_RAPIDO else 3000
x_busqueda, y_busqueda = digitos.x_train[:n_busqueda], digitos.y_train[:n_busqueda]
x_val, y_val = digitos.x_val[:n_busqueda // 3], digitos.y_val[:n_busqueda // 3]

tasas = log_uniform(rng.uniform(size=configuraciones), 1e-3, 3.0)
anchos = np.round(log_uniform(rng.uniform(size=configuraciones), 8.0, 256.0)).astype(int)
resultados = []
for tasa, ancho in zip(tasas, anchos):
    red = engine.Sequential([engine.Flatten(), engine.Dense(int(ancho), activation="relu"),
                             engine.Dense(10, activation="softmax")], input_shape=(28, 28, 1), seed=SEMILLA)
    historia = red.fit(x_busqueda, y_busqueda, "cross_entropy", engine.SGD(float(tasa)), epochs=epocas_busqueda,
                       batch_size=32, validation_data=(x_val, y_val), seed=SEMILLA, verbose=False)
    resultados.append((tasa, ancho, historia["val_accuracy"]))
mejor = max(resultados, key=lambda r: r[2][-1])

fig, (ax_tasa, ax_curvas) = plt.subplots(1, 2, figsize=(11, 4))
puntos = ax_tasa.scatter(tasas, [r[2][-1] for r in resultados], c=np.log2(anchos), cmap="viridis")
fig.colorbar(puntos, ax=ax_tasa, label="log₂(ancho)")
ax_tasa.set_xscale("log")
ax_tasa.set_xlabel("tasa de aprendizaje")
ax_tasa.set_ylabel("exactitud en validación")
ax_tasa.set_title(f"{configuraciones} configuraciones al azar")
for tasa, ancho, curva in resultados:
    es_mejor = tasa == mejor[0] and ancho == mejor[1]
    ax_curvas.plot(range(1, len(curva) + 1), curva, linewidth=3 if es_mejor else 1, alpha=1 if es_mejor else 0.5,
                   label=f"la mejor: α = {tasa:.3g}, ancho {ancho}" if es_mejor else None)
ax_curvas.set_xlabel("época")
ax_curvas.set_ylabel("exactitud en validación")
ax_curvas.set_title("Curvas de validación")
ax_curvas.legend(fontsize=8)
plt.show()
print(f"la mejor: tasa {mejor[0]:.3g}, ancho {mejor[1]}, exactitud en validación {mejor[2][-1]:.3f}")

# %% [markdown]
# ## El flujo del deep learning
#
# 1. **Definición del problema**: qué es $X$, qué es $Y$ y con qué error se mide ($X \to Y$, la pérdida $L$).
# 2. **Preparación de los datos**: separar entrenamiento y validación, y barajar.
# 3. **Diseño del algoritmo de aprendizaje**: el espacio de modelos $H$, la pérdida y el optimizador (aquí: capas
#    densas, ECM o entropía cruzada, SGD por minilotes), mirando que los gradientes lleguen a todas las capas.
# 4. **Tuning**: la búsqueda de hiperparámetros, juzgada en validación.
