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
# # 004 §1 · Activaciones y aproximación
#
# Las soluciones lineales pueden ser insuficientes: ¿cómo reducir el riesgo empírico? La clase responde con el
# teorema de **aproximación universal**. Sea $\mathcal{A} \subset \mathbb{R}^m$ un conjunto cerrado y acotado y sea
# $g : \mathbb{R} \rightarrow \mathbb{R}$. Para cada función continua $f : \mathcal{A} \rightarrow \mathbb{R}$ y
# $\epsilon > 0$ existe un $n \in \mathbb{N}$ y $\{\mathbf{w}_i, b_i, \alpha_i\}_{i=1}^n$ tales que
#
# $$\left| f(\mathbf{x}) - \sum_{i=1}^n \alpha_i g(\mathbf{w}_i^T \mathbf{x} + b_i) \right| < \epsilon
#   \quad \forall \mathbf{x} \in \mathcal{A}$$
#
# **si y sólo si $g$ no es un polinomio** (Leshno y Schocken, 1993: *«Multilayer feedforward networks with a
# nonpolynomial activation function can approximate any function»*). Necesitas funciones no lineales.
#
# En este cuaderno:
#
# 1. programas las activaciones de la clase (sigmoide, tangente hiperbólica, ReLU, α-ELU y la leaky ReLU que la
#    sección 3 propone contra las neuronas muertas) junto con sus derivadas, que son lo que usa el backward;
# 2. ves el teorema en acción con las tres tareas de la clase: **regresión**, **clasificación** y un
#    **autoencoder**, sobre datos de juguete;
# 3. reproduces el **compromiso sesgo/varianza**: la curva en U del aprendizaje clásico y el «doble descenso» de
#    las redes sobreparametrizadas.

# %%
# %matplotlib inline
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %% [markdown]
# ## 1. Funciones de activación $g$
#
# Cada función recibe la preactivación `z` (un array de cualquier forma) y devuelve el par `(y, dy_dz)`: la
# activación $g(z)$ y su derivada $g'(z)$, elemento a elemento, las dos con la forma de `z`. En una red, el backward
# de la activación es `dL_dz = dL_dy * dy_dz`.
#
# Convenciones (las del motor, que es la referencia del autocorrector):
#
# - en los puntos donde la derivada no existe ($z = 0$ en ReLU y leaky ReLU) se toma la del lado negativo:
#   $\text{ReLU}'(0) = 0$;
# - nada de `NaN` ni `inf` para ningún `z` finito, tampoco con $|z| \approx 1000$ (el autocorrector lo prueba);
# - en la leaky ReLU, $\alpha = 0.01$ por defecto (ojo: la capa `LeakyReLU` de Keras usa 0.3); en la ELU,
#   $\alpha = 1$.

# %% [markdown]
# ### Sigmoide
#
# $$g(z) = \frac{1}{1+e^{-z}}, \qquad g'(z) = g(z)\,\bigl(1 - g(z)\bigr) \le \frac{1}{4}.$$
#
# Escrita así, con $z = -1000$ el término $e^{-z} = e^{1000}$ desborda a `inf`. La fórmula todavía da $1/\infty = 0$,
# pero cualquier variante que divida dos exponenciales (por ejemplo $e^z / (1 + e^z)$ con $z = 1000$, o la
# derivada $e^{-z}/(1 + e^{-z})^2$ con $z = -1000$) da $\infty/\infty$ = `NaN`. La forma segura usa sólo
# $e^{-|z|} \le 1$:
#
# $$g(z) = \begin{cases} \dfrac{1}{1 + e^{-|z|}} & z \ge 0 \\[2mm] \dfrac{e^{-|z|}}{1 + e^{-|z|}} & z < 0 \end{cases}$$
#
# Escribe `sigmoid_and_derivative(z) -> (y, dy_dz)`.

# %%
def sigmoid_and_derivative(z):
    """Sigmoide σ(z) = 1/(1 + e^(−z)) y su derivada σ(z)(1 − σ(z)), elemento a elemento y sin desbordes.

    z: array de cualquier forma. Devuelve (y, dy_dz), dos arrays de la forma de z.
    """
    # Pista: e = np.exp(-np.abs(z)) nunca desborda; np.where(z >= 0, ..., ...) elige la fórmula de cada lado.
    raise NotImplementedError("Te toca: completa «sigmoid_and_derivative» (borra esta línea).")
    return y, dy_dz


# %%
from autograder.notebook import grade
grade("sigmoid_and_derivative")

# %% [markdown]
# ### Tangente hiperbólica
#
# $$g(z) = \frac{e^z - e^{-z}}{e^z + e^{-z}}, \qquad g'(z) = 1 - g(z)^2 .$$
#
# La fórmula de la clase, tal cual, da $\infty/\infty$ con $|z| > 710$. Dividiendo arriba y abajo por $e^{|z|}$
# queda una forma que no desborda: $\tanh(z) = \operatorname{signo}(z)\,\dfrac{1 - e^{-2|z|}}{1 + e^{-2|z|}}$
# (es lo que hace `np.tanh`). Escribe `tanh_and_derivative(z) -> (y, dy_dz)`.

# %%
def tanh_and_derivative(z):
    """Tangente hiperbólica y su derivada 1 − tanh²(z), elemento a elemento y sin desbordes.

    z: array de cualquier forma. Devuelve (y, dy_dz), dos arrays de la forma de z.
    """
    # Pista: la derivada se escribe con la salida y; fíjate en el exponente.
    raise NotImplementedError("Te toca: completa «tanh_and_derivative» (borra esta línea).")
    return y, dy_dz


# %%
from autograder.notebook import grade
grade("tanh_and_derivative")

# %% [markdown]
# ### ReLU
#
# $$g(z) = \max\{z, 0\}, \qquad g'(z) = \mathbb{1}\{z > 0\}.$$
#
# La derivada en $z = 0$ no existe; la convención (la de la clase en la sección 3, y la del motor) es
# $g'(0) = 0$: fíjate en el $>$ estricto. Escribe `relu_and_derivative(z) -> (y, dy_dz)`, con `dy_dz` de tipo
# `float64` (no booleano).

# %%
def relu_and_derivative(z):
    """ReLU max{z, 0} y su derivada 1{z > 0} (0 en z = 0).

    z: array de cualquier forma. Devuelve (y, dy_dz), dos arrays float de la forma de z.
    """
    raise NotImplementedError("Te toca: completa «relu_and_derivative» (borra esta línea).")
    return y, dy_dz


# %%
from autograder.notebook import grade
grade("relu_and_derivative")

# %% [markdown]
# ### Leaky ReLU
#
# La ReLU «puede matar neuronas»: si una unidad recibe $z < 0$ para todos los ejemplos, su gradiente es cero y no
# vuelve a aprender. La sección 3 de la clase propone cambiarla por la **leaky ReLU**, que deja pasar una pendiente
# pequeña del lado negativo:
#
# $$g(z) = \begin{cases} z & z > 0 \\ \alpha z & z \le 0 \end{cases}, \qquad
#   g'(z) = \begin{cases} 1 & z > 0 \\ \alpha & z \le 0 \end{cases}$$
#
# con $\alpha = 0.01$ por defecto. Escribe `leaky_relu_and_derivative(z, alpha) -> (y, dy_dz)`; usa el `alpha` que
# recibe (el autocorrector prueba también otros valores).

# %%
def leaky_relu_and_derivative(z, alpha=0.01):
    """Leaky ReLU (z si z > 0, αz si no) y su derivada (1 si z > 0, α si no).

    z: array de cualquier forma; alpha: la pendiente del lado negativo. Devuelve (y, dy_dz).
    """
    raise NotImplementedError("Te toca: completa «leaky_relu_and_derivative» (borra esta línea).")
    return y, dy_dz


# %%
from autograder.notebook import grade
grade("leaky_relu_and_derivative")

# %% [markdown]
# ### α-ELU
#
# $$g(z) = \begin{cases} z & z \geq 0 \\ \alpha(e^z - 1) & z < 0 \end{cases}$$
#
# Del lado negativo la derivada es $\alpha e^z = g(z) + \alpha$: como en la sigmoide, se puede escribir con la
# salida. En $z = 0$ las dos ramas valen 0, y con $\alpha = 1$ también las dos derivadas valen 1; el motor usa
# $z > 0$ para la primera rama. Calcula $e^z$ sólo donde $z \le 0$ (por ejemplo con `np.minimum(z, 0)`), así
# $z = 1000$ no desborda. Escribe `elu_and_derivative(z, alpha) -> (y, dy_dz)`.

# %%
def elu_and_derivative(z, alpha=1.0):
    """α-ELU (z si z > 0, α(e^z − 1) si no) y su derivada (1 si z > 0, αe^z = y + α si no).

    z: array de cualquier forma; alpha: α > 0. Devuelve (y, dy_dz).
    """
    raise NotImplementedError("Te toca: completa «elu_and_derivative» (borra esta línea).")
    return y, dy_dz


# %%
from autograder.notebook import grade
grade("elu_and_derivative")

# %% [markdown]
# ### Comprobaciones
#
# Dos controles que puedes hacer tú mismo: la derivada contra diferencias finitas centradas
# $\bigl(g(z + h) - g(z - h)\bigr)/2h$ (lejos de $z = 0$, donde ReLU y leaky ReLU tienen un quiebre), y los
# valores contra las funciones del motor (`engine.functional`), que son la referencia del autocorrector.

# %%
import engine.functional as F

z = rng.uniform(-6, 6, 200)
z = z[np.abs(z) > 1e-3]
h = 1e-6
mias = {
    "sigmoide": sigmoid_and_derivative,
    "tanh": tanh_and_derivative,
    "ReLU": relu_and_derivative,
    "leaky ReLU": leaky_relu_and_derivative,
    "ELU": elu_and_derivative,
}
del_motor = {
    "sigmoide": F.sigmoid_forward(z),
    "tanh": F.tanh_forward(z),
    "ReLU": F.relu_forward(z),
    "leaky ReLU": F.leaky_relu_forward(z),
    "ELU": F.elu_forward(z),
}
for nombre, activacion in mias.items():
    y, dy_dz = activacion(z)
    numerica = (activacion(z + h)[0] - activacion(z - h)[0]) / (2 * h)
    print(f"{nombre:>10}: |g − motor| ≤ {np.max(np.abs(y - del_motor[nombre])):.1e}, "
          f"|g' − diferencias finitas| ≤ {np.max(np.abs(dy_dz - numerica)):.1e}")

enormes = np.concatenate([-rng.uniform(700, 1000, 2), [0.0], rng.uniform(700, 1000, 2)])
for nombre, activacion in mias.items():
    y, dy_dz = activacion(enormes)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(dy_dz)), nombre
print("con |z| entre 700 y 1000: ni NaN ni inf")

# %% [markdown]
# Las cinco activaciones y sus derivadas. Fíjate en lo que la sección 3 de la clase dirá sobre ellas: la derivada
# de la sigmoide nunca pasa de $1/4$ (el gradiente se desvanece capa tras capa), la de ReLU vale 0 o 1, y la de la
# leaky ReLU y la ELU no se anulan del lado negativo.

# %%
zz = np.linspace(-4, 4, 801)
fig, (ax_g, ax_dg) = plt.subplots(1, 2, figsize=(11, 4))
for nombre, activacion in mias.items():
    kwargs = {"alpha": 0.1} if nombre == "leaky ReLU" else {}  # un α grande para que se vea la pendiente
    y, dy_dz = activacion(zz, **kwargs)
    etiqueta = nombre + (" (α = 0.1)" if kwargs else "")
    ax_g.plot(zz, y, label=etiqueta)
    ax_dg.plot(zz, dy_dz, label=etiqueta)
ax_g.set_title("activación $g(z)$")
ax_dg.set_title("derivada $g'(z)$")
for ax in (ax_g, ax_dg):
    ax.axhline(0, color="k", linewidth=0.5)
    ax.axvline(0, color="k", linewidth=0.5)
    ax.set_xlabel("$z$")
    ax.grid(True, alpha=0.3)
ax_g.set_ylim(-1.5, 4)
ax_g.legend()
plt.show()

# %% [markdown]
# ## 2. Aproximación universal
#
# ### ¿Por qué $g$ no puede ser un polinomio?
#
# Si $g(z) = z^2$, la suma $\sum_i \alpha_i (w_i x + b_i)^2$ es un polinomio de grado 2 en $x$, tenga los $n$
# términos que tenga: nunca va a aproximar una función con un quiebre. Con cualquier activación que no sea un
# polinomio, en cambio, más unidades dan una aproximación mejor.
#
# Para verlo sin entrenar, sortea al azar los $w_i$ y $b_i$ de $n$ unidades ocultas y calcula los $\alpha_i$ por
# mínimos cuadrados (`np.linalg.lstsq`): la salida de la red es lineal en los $\alpha_i$. La función objetivo es
# $f(x) = |2x - 1|$ en $[0, 1]$.

# %%
from engine import synthetic

x_grilla = np.linspace(0, 1, 400)
f_objetivo = synthetic.REGRESSION_FUNCTIONS["abs"]
unidades = 10 if MODO_RAPIDO else 40
w = rng.normal(0, 8, unidades)
b = -w * rng.uniform(0, 1, unidades)  # el quiebre o el centro de cada unidad cae dentro de [0, 1]
activaciones = {
    "$z^2$ (un polinomio)": lambda z: (z**2, 2 * z),
    "tanh": tanh_and_derivative,
    "ReLU": relu_and_derivative,
}

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(x_grilla, f_objetivo(x_grilla), "k", linewidth=3, alpha=0.3, label="$f(x) = |2x - 1|$")
for nombre, activacion in activaciones.items():
    H = activacion(np.outer(x_grilla, w) + b)[0]  # (puntos, unidades): g(w_i x + b_i)
    alfas = np.linalg.lstsq(H, f_objetivo(x_grilla), rcond=None)[0]
    error = np.max(np.abs(H @ alfas - f_objetivo(x_grilla)))
    ax.plot(x_grilla, H @ alfas, label=f"{nombre}: error máximo {error:.3f}")
ax.set_title(f"$\\sum_i \\alpha_i\\, g(w_i x + b_i)$ con {unidades} unidades")
ax.set_xlabel("$x$")
ax.legend()
plt.show()

# %% [markdown]
# ### Regresión
#
# Ahora una red de verdad, entrenada con el motor: una capa oculta de $n$ unidades tanh y una salida lineal,
# $\hat{y} = \sum_{i=1}^n \alpha_i \tanh(w_i x + b_i) + c$, ajustada por descenso por gradiente (Adam) sobre
# muestras ruidosas de $\sin(2\pi x)$ (`engine.synthetic.regression_1d`). Con una sola unidad la red no alcanza a
# dar la vuelta completa del seno; con tres ya lo sigue, y el error queda en el del ruido ($0.1^2 = 0.01$). El
# teorema dice que existen parámetros que aproximan tan bien como se quiera con $n$ suficientemente grande; no dice
# cuántas unidades hacen falta ni cómo encontrarlos: el descenso por gradiente puede quedarse en el camino (prueba
# con `"chirp"`, una función que oscila cada vez más rápido, y verás que hace falta mucho más que ancho).

# %%
import engine

x_reg, y_reg = synthetic.regression_1d(200, "sine", noise=0.1, rng=rng, dtype=np.float64)
epocas_reg = 20 if MODO_RAPIDO else 400
anchos = (1, 3, 16)

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(x_reg, y_reg, ".", color="gray", markersize=3, label="datos")
ax.plot(x_grilla, synthetic.REGRESSION_FUNCTIONS["sine"](x_grilla), "k", alpha=0.4, label="$f(x) = \\sin(2\\pi x)$")
for ancho in anchos:
    red = engine.Sequential([engine.Dense(ancho, activation="tanh"), engine.Dense(1)], input_shape=(1,),
                            seed=SEMILLA, dtype=np.float64)
    historia = red.fit(x_reg, y_reg, "mse", engine.Adam(0.02), epochs=epocas_reg, batch_size=16, verbose=False)
    ax.plot(x_grilla, red.predict(x_grilla[:, None])[:, 0],
            label=f"{ancho} unidad{'es' if ancho > 1 else ''}: ECM {historia['loss'][-1]:.4f}")
ax.set_title("regresión con una capa oculta tanh")
ax.set_xlabel("$x$")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### Clasificación
#
# Dos espirales entrelazadas en el plano: ninguna recta las separa. Una red con dos capas ocultas ReLU y una
# salida softmax, entrenada con entropía cruzada, aprende una frontera que sí lo hace. El gráfico pinta la clase que
# la red predice en cada punto del plano.

# %%
def espirales(n, rng, ruido=0.03):
    """n puntos de dos espirales entrelazadas en el plano, con su clase (0 o 1)."""
    t = np.sqrt(rng.uniform(0, 1, n)) * 3 * np.pi  # el ángulo recorrido: vueltas y media
    clase = rng.integers(0, 2, n)
    radio = t / (3 * np.pi)
    angulo = t + np.pi * clase
    puntos = np.stack([radio * np.cos(angulo), radio * np.sin(angulo)], axis=1)
    return puntos + ruido * rng.standard_normal((n, 2)), clase


x_cls, y_cls = espirales(400, rng)
clasificador = engine.Sequential([
    engine.Dense(32, activation="relu"),
    engine.Dense(32, activation="relu"),
    engine.Dense(2, activation="softmax"),
], input_shape=(2,), seed=SEMILLA, dtype=np.float64)
historia = clasificador.fit(x_cls, y_cls, "cross_entropy", engine.Adam(0.01), epochs=15 if MODO_RAPIDO else 200,
                            batch_size=32, verbose=False)
print(f"exactitud en entrenamiento: {historia['accuracy'][-1]:.3f}")

u1, u2 = np.meshgrid(np.linspace(-1.2, 1.2, 200), np.linspace(-1.2, 1.2, 200))
clase_predicha = clasificador.predict(np.stack([u1.ravel(), u2.ravel()], axis=1)).argmax(axis=1)
fig, ax = plt.subplots(figsize=(5, 5))
ax.contourf(u1, u2, clase_predicha.reshape(u1.shape), levels=[-0.5, 0.5, 1.5], colors=["C0", "C1"], alpha=0.25)
ax.scatter(x_cls[:, 0], x_cls[:, 1], c=np.where(y_cls == 0, "C0", "C1"), s=8)
ax.set_title("clasificación: la frontera que aprende la red")
ax.set_aspect("equal")
plt.show()

# %% [markdown]
# ### Autoencoder
#
# Un autoencoder aprende la identidad a través de un cuello de botella: un codificador lleva $\mathbf{x}$ a un
# código $\mathbf{u}$ más chico y un decodificador lo devuelve a $\hat{\mathbf{x}}$, minimizando el error de
# reconstrucción $\|\mathbf{x} - \hat{\mathbf{x}}\|^2$. Con puntos del plano que caen (con ruido) cerca de una curva,
# un código de **una** dimensión alcanza: el autoencoder aprende a recorrer la curva, y sus reconstrucciones caen
# sobre ella (sin el ruido). Codificador y decodificador son redes ReLU de dos capas ocultas
# (`engine.Autoencoder`).

# %%
t_curva = rng.uniform(-1, 1, 300)
curva = np.stack([t_curva, np.sin(3 * t_curva)], axis=1)
x_ae = curva + 0.08 * rng.standard_normal(curva.shape)
autoencoder = engine.Autoencoder(
    encoder=[engine.Dense(32, activation="relu"), engine.Dense(32, activation="relu"), engine.Dense(1)],
    decoder=[engine.Dense(32, activation="relu"), engine.Dense(32, activation="relu"), engine.Dense(2)],
    input_shape=(2,), seed=SEMILLA, dtype=np.float64)
historia = autoencoder.fit(x_ae, x_ae, "mse", engine.Adam(0.005), epochs=20 if MODO_RAPIDO else 300, batch_size=32,
                           verbose=False)
x_hat = autoencoder.reconstruct(x_ae)
codigo = autoencoder.encode(x_ae)[:, 0]
print(f"error de reconstrucción: {historia['loss'][-1]:.4f} (la varianza del ruido es {0.08**2:.4f})")

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.scatter(x_ae[:, 0], x_ae[:, 1], s=6, color="gray", alpha=0.5, label="entrada $\\mathbf{x}$")
puntos = ax.scatter(x_hat[:, 0], x_hat[:, 1], s=8, c=codigo, cmap="viridis",
                    label="reconstrucción $\\hat{\\mathbf{x}}$ (color: el código $u$)")
fig.colorbar(puntos, ax=ax, label="código $u$")
ax.set_title("autoencoder 2 → 1 → 2")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 3. Compromiso sesgo/varianza
#
# ### Aprendizaje clásico
#
# Con pocos parámetros el modelo no alcanza a representar los datos (sesgo: el error de entrenamiento es alto);
# con demasiados, se ajusta al ruido de la muestra (varianza: el error de entrenamiento baja, pero el de validación
# sube). Entre los dos, un punto óptimo: la curva en U de la clase.
#
# Para verlo, ajusta polinomios de grado 0 a 15 por mínimos cuadrados a 20 muestras ruidosas de $\sin(2\pi x)$ y
# mide el error cuadrático medio en entrenamiento y en 500 muestras de validación. Se repite con varias muestras
# y se toma la mediana (con muestras de 20 puntos los polinomios de grado alto a veces explotan en los bordes).
# Se usa la base de Legendre (`np.polynomial.legendre`), mejor condicionada que $1, x, x^2, \dots$

# %%
def muestras_seno(n, rng, ruido=0.2):
    x = rng.uniform(0, 1, n)
    return x, np.sin(2 * np.pi * x) + ruido * rng.standard_normal(n)


def error_polinomio(grado, x, y, x_val, y_val):
    """(ECM de entrenamiento, ECM de validación) del polinomio de ese grado ajustado a (x, y)."""
    coeficientes = np.polynomial.legendre.legfit(2 * x - 1, y, grado)
    ecm = [np.mean((np.polynomial.legendre.legval(2 * u - 1, coeficientes) - v) ** 2)
           for u, v in ((x, y), (x_val, y_val))]
    return ecm[0], ecm[1]


grados = np.arange(16)
repeticiones = 5 if MODO_RAPIDO else 50
errores = np.zeros((repeticiones, len(grados), 2))
for r in range(repeticiones):
    x_tr, y_tr = muestras_seno(20, rng)
    x_val, y_val = muestras_seno(500, rng)
    for i, grado in enumerate(grados):
        errores[r, i] = error_polinomio(grado, x_tr, y_tr, x_val, y_val)
mediana = np.median(errores, axis=0)

x_tr, y_tr = muestras_seno(20, rng)
fig, (ax_curva, ax_ajustes) = plt.subplots(1, 2, figsize=(11, 4))
ax_curva.plot(grados, mediana[:, 0], "o-", label="entrenamiento")
ax_curva.plot(grados, mediana[:, 1], "o-", label="validación")
ax_curva.set_yscale("log")
ax_curva.set_xlabel("grado del polinomio (capacidad)")
ax_curva.set_ylabel("error cuadrático medio (mediana)")
ax_curva.set_title("aprendizaje clásico: la curva en U")
ax_curva.legend()
ax_ajustes.plot(x_tr, y_tr, "ko", markersize=4, label="20 muestras")
for grado, nombre in ((1, "sesgo"), (int(grados[np.argmin(mediana[:, 1])]), "óptimo"), (15, "varianza")):
    coeficientes = np.polynomial.legendre.legfit(2 * x_tr - 1, y_tr, grado)
    ax_ajustes.plot(x_grilla, np.polynomial.legendre.legval(2 * x_grilla - 1, coeficientes),
                    label=f"grado {grado} ({nombre})")
ax_ajustes.set_ylim(-2, 2)
ax_ajustes.set_xlabel("$x$")
ax_ajustes.legend(fontsize=8)
plt.show()

# %% [markdown]
# ### Deep Learning: el doble descenso
#
# Las redes profundas viven en otro régimen: tienen más parámetros que muestras («sobreparametrización»), y aun así
# generalizan. Más allá del punto en que el modelo interpola los datos de entrenamiento (error de entrenamiento
# nulo), el error de validación vuelve a bajar: el **doble descenso** (Nakkiran et al., 2019: *«Deep Double
# Descent: Where bigger models and more data hurt»*; Neyshabur et al., 2017: *«Geometry of optimization and
# implicit regularization in deep learning»*).
#
# Lo reproduces barriendo el ancho de una red de una capa oculta ReLU (tu `relu_and_derivative`) cuyos pesos
# ocultos se sortean y quedan fijos; sólo la capa de salida se ajusta, por mínimos cuadrados. Cuando hay más
# unidades que muestras hay infinitas soluciones que interpolan, y `np.linalg.lstsq` elige la de norma mínima: esa
# preferencia implícita por soluciones «chicas» es lo que hace bajar de nuevo el error. El pico está donde el
# ancho iguala la cantidad de muestras de entrenamiento: allí hay una sola solución que interpola, y tiene que
# retorcerse para pasar por todos los puntos ruidosos.

# %%
dimension, n_entrenamiento = 3, 80
direcciones = rng.standard_normal((dimension, 3)) / np.sqrt(dimension)


def muestras_suaves(n, rng, ruido=0.05):
    """n puntos x ~ N(0, I) de R³ y y = Σ_k sin(2 x·d_k) + ruido."""
    x = rng.standard_normal((n, dimension))
    return x, np.sum(np.sin(2 * x @ direcciones), axis=1) + ruido * rng.standard_normal(n)


anchos = np.unique(np.round(np.geomspace(2, 3000, 12 if MODO_RAPIDO else 25)).astype(int))
repeticiones = 2 if MODO_RAPIDO else 10
errores = np.zeros((repeticiones, len(anchos), 2))
for r in range(repeticiones):
    x_tr, y_tr = muestras_suaves(n_entrenamiento, rng)
    x_val, y_val = muestras_suaves(1000, rng)
    for i, ancho in enumerate(anchos):
        W = rng.standard_normal((dimension, ancho)) / np.sqrt(dimension)
        b = rng.standard_normal(ancho)
        H_tr, H_val = relu_and_derivative(x_tr @ W + b)[0], relu_and_derivative(x_val @ W + b)[0]
        alfas = np.linalg.lstsq(H_tr, y_tr, rcond=None)[0]  # con más unidades que muestras: la de norma mínima
        errores[r, i] = np.mean((H_tr @ alfas - y_tr) ** 2), np.mean((H_val @ alfas - y_val) ** 2)
mediana = np.median(errores, axis=0)

fig, ax = plt.subplots(figsize=(6.5, 4))
ax.plot(anchos, mediana[:, 0], "o-", label="entrenamiento")
ax.plot(anchos, mediana[:, 1], "o-", label="validación")
ax.axvline(n_entrenamiento, color="k", linestyle="--", label=f"ancho = {n_entrenamiento} muestras")
ax.set_xscale("log")
ax.set_yscale("log")
ax.set_ylim(1e-3, 2 * mediana.max())  # pasado el pico el error de entrenamiento es 0 (interpola): queda fuera
ax.set_xlabel("unidades ocultas (capacidad)")
ax.set_ylabel("error cuadrático medio (mediana)")
ax.set_title("sobreparametrización: doble descenso")
ax.legend()
plt.show()

# %% [markdown]
# La sobreparametrización tiene otros efectos que la clase menciona: muchos puntos de ensilladura, una cantidad de
# mínimos locales exponencial en la dimensión (Auer et al., 1995: *«Exponentially many local minima for single
# neurons»*), y mínimos globales que no son todos igual de buenos para generalizar. De cómo encontrarlos se ocupa
# la sección 2: la optimización.
