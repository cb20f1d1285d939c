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
# Entrenar una red es minimizar el riesgo empírico $J(\theta) = \frac{1}{n_{\text{tr}}} \sum_{i=1}^{n_{\text{tr}}}
# \ell(y_i, \mathbf{h}_i^{[L]})$: el forward calcula la pérdida, el backward su gradiente, y un optimizador mueve
# los parámetros. En este cuaderno programas lo que la clase recorre:
#
# 1. el **descenso por gradiente**, su versión **estocástica** (SGD) y la de **minibatch**;
# 2. la **bola de ruido** de SGD y cómo depende de la velocidad de aprendizaje $\alpha$ y del tamaño de lote $B$;
# 3. los reemplazos del gradiente del minibatch: **momentum** con corrección de sesgo, **Nesterov**, **Adagrad**,
#    **RMSProp** y **Adam**;
# 4. el **decaimiento de la velocidad de aprendizaje** por épocas;
# 5. y, para terminar, las trayectorias de todos los optimizadores sobre una superficie de pérdida de dos
#    parámetros, con tus propias funciones.
#
# Cada optimizador hace **un paso** y devuelve los valores nuevos (sin modificar los arrays que recibe). El paso
# $t$ se cuenta desde $t = 1$ en la primera actualización. El autocorrector llama a tu función varias veces
# seguidas, $t = 1, 2, 3, \dots$, pasándole en cada llamada el estado correcto del paso anterior y un gradiente
# nuevo.

# %%
# %matplotlib inline
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %% [markdown]
# ## 1. Descenso por gradiente, SGD y minibatch
#
# El **descenso por gradiente** busca el punto donde el gradiente del riesgo se anula,
#
# $$\frac{\partial J(\theta)}{\partial \theta} = \frac{1}{n_{\text{tr}}} \sum_{i=1}^{n_{\text{tr}}}
#   \frac{\partial \ell(y_i, \mathbf{h}_i^{[L]})}{\partial \theta} = \mathbf{0},
#   \qquad \theta_{t+1} = \theta_t - \alpha \frac{\partial J(\theta_t)}{\partial \theta},$$
#
# pero con muchos datos y muchos parámetros cada paso es muy pesado: hay que calcular $n_{\text{tr}}$ gradientes.
# El **gradiente descendente estocástico** usa un solo ejemplo $(X_t, Y_t)$, sorteado en cada paso,
#
# $$W_{t+1} = W_t - \alpha \left. \frac{\partial L(X_t, Y_t; w)}{\partial w} \right|_{w=W_t},$$
#
# y el de **minibatch** promedia $B$ ejemplos:
#
# $$W_{t+1} = W_t - \alpha \frac{1}{B} \sum_{i=1}^B \frac{\partial L(X_t^{(i)}, Y_t^{(i)}; w)}{\partial w}
#   \Bigg|_{w=W_t}.$$
#
# En la práctica se usan datos distintos hasta que se acaban (en principio $n_{\text{tr}}/B$ pasos); después los
# datos se mezclan y se vuelven a usar. Cada pasada por todos los datos es una **época**.
#
# Lo programas sobre el problema más simple: **mínimos cuadrados**, un modelo lineal $\hat{y} = \mathbf{x} \cdot
# \mathbf{w}$ con la pérdida $L(\mathbf{x}, y; \mathbf{w}) = (\mathbf{x} \cdot \mathbf{w} - y)^2$, cuyo gradiente es
# $2(\mathbf{x} \cdot \mathbf{w} - y)\,\mathbf{x}$. Escribe
# `minibatch_sgd(w, X, y, lr, batch_size, order) -> path`:
#
# - `w` $(D,)$ son los parámetros iniciales, `X` $(n, D)$ y `y` $(n,)$ los datos, `lr` $= \alpha$,
#   `batch_size` $= B$;
# - `order` $(E, n)$ es el orden en que se recorren los ejemplos: la fila `order[e]` es una permutación de
#   $0, \dots, n-1$ para la época `e` (así tu resultado no depende del azar y se puede corregir);
# - en cada época, los minibatches son tramos consecutivos de `order[e]`: `order[e][0:B]`, `order[e][B:2B]`, …; si
#   $B$ no divide a $n$, el último es más chico y se usa igual (como en el motor);
# - devuelve el camino entero: un array $(\text{pasos} + 1, D)$ cuya primera fila es el `w` inicial y cada fila
#   siguiente el $\mathbf{w}$ después de un paso.
#
# Con $B = 1$ es SGD; con $B = n$, el descenso por gradiente.

# %%
def minibatch_sgd(w, X, y, lr, batch_size, order):
    """SGD por minibatch sobre mínimos cuadrados, L = (x·w − y)².

    w: (D,) parámetros iniciales; X: (n, D); y: (n,); lr: α; batch_size: B; order: (E, n), una permutación de
    los ejemplos por época. Devuelve el camino (pasos + 1, D), empezando por w.
    """
    # Pista: para cada época, para cada inicio en range(0, n, B): el gradiente del minibatch es el promedio de
    # 2(x·w − y)x sobre sus ejemplos.
    ### BEGIN SOLUTION
    path = [w.copy()]
    for permutation in order:
        for start in range(0, len(permutation), batch_size):
            batch = permutation[start:start + batch_size]
            residual = X[batch] @ w - y[batch]
            gradient = 2 * X[batch].T @ residual / len(batch)
            w = w - lr * gradient
            path.append(w)
    path = np.array(path)
    ### END SOLUTION
    return path


# %%
from autograder.notebook import grade
grade("minibatch_sgd")

# %% [markdown]
# ### Un problema de dos parámetros
#
# Para poder dibujar la superficie de pérdida, los datos tienen $D = 2$ variables, correlacionadas y de escalas
# distintas: las curvas de nivel de $J(\mathbf{w}) = \frac{1}{n}\|X\mathbf{w} - \mathbf{y}\|^2$ son elipses
# alargadas y giradas, un valle. El mínimo $\mathbf{w}^*$ se calcula con `np.linalg.lstsq`. El mismo problema vuelve
# al final del cuaderno para comparar los optimizadores.
#
# A igual cantidad de **épocas** (de ejemplos vistos), SGD da muchos pasos baratos y ruidosos, y el descenso por
# gradiente pocos pasos caros y exactos. Fíjate también en que todos bajan rápido por las paredes del valle y
# avanzan muy despacio por su fondo, donde la pendiente es chica: de eso se ocupan los optimizadores de la
# sección 3.

# %%
n_datos = 256
giro = np.array([[np.cos(0.5), -np.sin(0.5)], [np.sin(0.5), np.cos(0.5)]])
X_valle = rng.standard_normal((n_datos, 2)) * np.array([1.0, 0.1]) @ giro
w_verdadero = rng.uniform(-1, 1, 2)
y_valle = X_valle @ w_verdadero + 0.3 * rng.standard_normal(n_datos)
w_optimo = np.linalg.lstsq(X_valle, y_valle, rcond=None)[0]
w_inicial = w_optimo + giro @ np.array([0.3, 3.0])  # lejos, a lo largo del valle


def riesgo(w):
    """J(w) = (1/n) ‖X w − y‖², para un w (2,) o una grilla de w (..., 2)."""
    return np.mean((w @ X_valle.T - y_valle) ** 2, axis=-1)


w1, w2 = np.meshgrid(np.linspace(w_optimo[0] - 4, w_optimo[0] + 4, 200),
                     np.linspace(w_optimo[1] - 4, w_optimo[1] + 4, 200))
superficie = riesgo(np.stack([w1, w2], axis=-1))


def curvas_de_nivel(ax):
    minimo = riesgo(w_optimo)
    niveles = minimo + (riesgo(w_inicial) - minimo) * np.geomspace(1e-3, 3, 14)  # más juntas cerca del fondo
    ax.contour(w1, w2, superficie, levels=niveles, colors="gray", linewidths=0.6)
    ax.plot(*w_optimo, "k*", markersize=12)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_aspect("equal", adjustable="datalim")


epocas = 3
orden = np.stack([rng.permutation(n_datos) for _ in range(epocas)])
fig, (ax_camino, ax_riesgo) = plt.subplots(1, 2, figsize=(11, 4.5))
curvas_de_nivel(ax_camino)
for B, alfa in ((1, 0.02), (16, 0.2), (n_datos, 0.9)):
    camino = minibatch_sgd(w_inicial, X_valle, y_valle, alfa, B, orden)
    nombre = {1: "SGD (B = 1)", n_datos: f"descenso por gradiente (B = {n_datos})"}.get(B, f"minibatch (B = {B})")
    ax_camino.plot(camino[:, 0], camino[:, 1], ".-", markersize=3, linewidth=0.8, label=f"{nombre}, α = {alfa}")
    epoca = np.arange(len(camino)) * min(B, n_datos) / n_datos  # ejemplos vistos / n
    ax_riesgo.plot(epoca, riesgo(camino), label=f"{nombre}: {len(camino) - 1} pasos")
ax_camino.set_title(f"{epocas} épocas, desde el mismo $\\mathbf{{w}}_0$")
ax_camino.legend(fontsize=8)
ax_riesgo.set_yscale("log")
ax_riesgo.set_xlabel("épocas (ejemplos vistos / $n$)")
ax_riesgo.set_ylabel("$J(\\mathbf{w})$")
ax_riesgo.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 2. La bola de ruido
#
# La clase analiza SGD bajo cuatro supuestos (G. Turinici, 2021: *«The convergence of the Stochastic Gradient
# Descent (SGD): a self-contained proof»*): los pares $(X_i, Y_i)$ son i.i.d., los gradientes tienen varianza
# acotada, $\text{var}\left(\frac{\partial L(X, Y; w)}{\partial w}\right) \leq \sigma^2$, el gradiente de
# $\mathcal{L}(w) = \mathbb{E}[L(X, Y; w)]$ está acotado, $\|\nabla \mathcal{L}(w)\|^2 \leq \mu^2$, y
# $\mathcal{L}$ es fuertemente convexa con constante $c$. Con eso,
#
# $$\mathbb{E} [\|W_{t+1} - w^*\|^2] \leq (1 - 2\alpha c)\, \mathbb{E} [\|W_t - w^*\|^2] + \alpha^2(\sigma^2 + \mu^2),$$
#
# y SGD no converge a $w^*$ sino a una **bola de ruido**:
#
# $$\limsup_{t \rightarrow \infty} \mathbb{E} [\|W_t - w^*\|^2] \leq \alpha \cdot \frac{\sigma^2 + \mu^2}{2c}.$$
#
# Tradeoff entre bola de ruido y velocidad de convergencia: un $\alpha$ grande converge rápido, pero a una bola
# grande. Con minibatches la función $\mathcal{L}(w)$ es la misma y sólo cambia la varianza del gradiente,
# $\sigma^2 \to \sigma^2 / B$:
#
# $$\limsup_{t \rightarrow \infty} \mathbb{E} [\|W_t - w^*\|^2] \leq \alpha \cdot \frac{\frac{\sigma^2}{B} + \mu^2}{2c}.$$
#
# `engine.experiments.sgd_noise_ball` lo mide: arranca SGD **en** el óptimo de un problema de mínimos cuadrados de
# dos parámetros y mide $\mathbb{E}\|W_t - w^*\|^2$ en la segunda mitad de los pasos, para cada $\alpha$ y cada
# $B$. A la izquierda, los iterados con $B = 1$; a la derecha, el tamaño de la bola: crece con $\alpha$ y se achica
# con $B$ (para pasos chicos, proporcional a $\alpha / B$).

# %%
from engine import experiments, plots

bola = experiments.sgd_noise_ball(learning_rates=(0.01, 0.03, 0.1), batch_sizes=(1, 4, 16),
                                  steps=100 if MODO_RAPIDO else 1000, seed=SEMILLA)
for i, alfa in enumerate(bola.learning_rates):
    radios = ", ".join(f"B = {B}: {bola.spread[i, j]:.4f}" for j, B in enumerate(bola.batch_sizes))
    print(f"α = {alfa}: E‖W − w*‖² ≈ {radios}")
plots.plot_noise_ball(bola)

# %% [markdown]
# El lote también tiene costos (Goodfellow, Bengio y Courville, *Deep Learning*, cap. 8): un lote grande estima
# mejor el gradiente pero cada paso es más pesado, la memoria escala con $B$, y las GPU suelen ir más rápido con
# potencias de 2. Los lotes chicos, por su ruido, regularizan (la generalización suele ser mejor con $B = 1$), pero
# piden $\alpha$ chicos y el aprendizaje se demora. Batch size y número de épocas son hiperparámetros.
#
# ## 3. Mejores reemplazos del gradiente
#
# **Objetivo:** bajar la bola de ruido con alta velocidad de aprendizaje ($\alpha$ grande) sin aumentar la carga
# computacional (batch size moderado). Es decir, buscar reemplazos para
# $\mathbf{g}_t = \frac{1}{B} \sum_{i=1}^B \frac{\partial L_i(\theta_{t-1})}{\partial \theta}$.

# %% [markdown]
# ### Momentum con corrección de sesgo
#
# Momentum («no le creas tanto» al gradiente de un solo minibatch) promedia exponencialmente los gradientes:
# $\mathbf{m}_t = \beta_1 \mathbf{m}_{t-1} + (1 - \beta_1) \mathbf{g}_t$ con $\beta_1 \in [0, 1)$ (típico
# $\beta_1 = 0.9$), es decir $\mathbf{m}_t = (1 - \beta_1) \sum_{k=0}^{t-1} \beta_1^k \mathbf{g}_{t-k}$, y el paso
# es $\theta_t = \theta_{t-1} - \alpha \mathbf{m}_t$. Como $\mathbf{m}_0 = \mathbf{0}$, momentum subestima mucho los
# gradientes en las primeras iteraciones ($\mathbf{m}_1 = 0.1\,\mathbf{g}_1$ con $\beta_1 = 0.9$); la **corrección
# de sesgo** divide por la suma de los pesos, para que sea una combinación convexa de gradientes:
#
# $$\hat{\mathbf{m}}_t = \frac{(1 - \beta_1) \sum_{k=0}^{t-1} \beta_1^k \mathbf{g}_{t-k}}{(1 - \beta_1)
#   \sum_{k=0}^{t-1} \beta_1^k} = \frac{\mathbf{m}_t}{1 - \beta_1^t}.$$
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
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * dw
    m_hat = m / (1 - beta1**t)
    w = w - lr * m_hat
    ### END SOLUTION
    return w, m


# %%
from autograder.notebook import grade
grade("momentum_step")

# %% [markdown]
# ### Nesterov
#
# Sin corrección, el paso de momentum se puede escribir con el promedio anterior (Sutskever et al., 2013: *«On the
# importance of initialization and momentum in deep learning»*):
#
# - momentum clásico: $\theta_t = \theta_{t-1} - \alpha\beta_1\mathbf{m}_{t-1} - \alpha(1 - \beta_1)\frac{\partial
#   L(\theta_{t-1})}{\partial \theta}$;
# - momentum de Nesterov: $\theta_t = \theta_{t-1} - \alpha\beta_1\mathbf{m}_{t-1} - \alpha(1 - \beta_1)\frac{\partial
#   L(\theta_{t-1} - \alpha\beta_1\mathbf{m}_{t-1})}{\partial \theta}$.
#
# La idea del gradiente es que me diga cuánto y hacia dónde me tengo que mover; Nesterov usa toda la información
# que tengo antes de elegir: ya sé que me voy a mover $-\alpha\beta_1\mathbf{m}_{t-1}$, así que evalúa el gradiente
# en ese punto adelantado.
#
# Evaluar el gradiente en otro punto que los parámetros es incómodo (el backward calcula el gradiente en los
# parámetros que tiene la red). Por eso los frameworks guardan **el punto adelantado**:
# $\phi_{t} = \theta_{t} - \alpha\beta_1\mathbf{m}_{t}$. Con $\mathbf{g}_t = \partial L(\phi_{t-1})/\partial\theta$ y
# $\mathbf{m}_t = \beta_1\mathbf{m}_{t-1} + (1 - \beta_1)\mathbf{g}_t$, la fórmula de la clase es
# $\theta_t = \phi_{t-1} - \alpha(1 - \beta_1)\mathbf{g}_t$, y entonces
#
# $$\phi_t = \theta_t - \alpha\beta_1\mathbf{m}_t = \phi_{t-1} - \alpha\bigl(\beta_1 \mathbf{m}_t + (1 - \beta_1)
#   \mathbf{g}_t\bigr).$$
#
# Es la misma sucesión de puntos, corrida medio paso, y ahora el gradiente se evalúa en los parámetros
# guardados. Esa es la forma que usa el motor y la que programas:
# `nesterov_step(w, dw, m, lr, beta1) -> (w, m)`, con `dw` el gradiente en `w`,
#
# $$\mathbf{m}_t = \beta_1 \mathbf{m}_{t-1} + (1 - \beta_1)\,\mathbf{g}_t, \qquad
#   \theta_t = \theta_{t-1} - \alpha\bigl(\beta_1 \mathbf{m}_t + (1 - \beta_1)\,\mathbf{g}_t\bigr)$$
#
# (sin corrección de sesgo, como en la clase).

# %%
def nesterov_step(w, dw, m, lr, beta1):
    """Un paso de Nesterov en la forma que guarda el punto adelantado.

    w, dw, m: arrays de la misma forma (dw es el gradiente en w); lr: α; beta1: β₁. Devuelve (w, m) nuevos.
    """
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * dw
    w = w - lr * (beta1 * m + (1 - beta1) * dw)
    ### END SOLUTION
    return w, m


# %%
from autograder.notebook import grade
grade("nesterov_step")

# %% [markdown]
# Compruébalo: sobre una función cuadrática con gradiente exacto, la fórmula de la clase (que evalúa el gradiente en
# $\theta_{t-1} - \alpha\beta_1\mathbf{m}_{t-1}$) y tu `nesterov_step` dan puntos que difieren exactamente en
# $\alpha\beta_1\mathbf{m}_t$.

# %%
A = np.diag(rng.uniform(0.5, 3, 2))


def gradiente(theta):
    """El gradiente de L(θ) = θᵀAθ/2."""
    return A @ theta


alfa, beta1 = 0.1, 0.9
theta, m_clase = rng.standard_normal(2), np.zeros(2)
phi, m = theta.copy(), np.zeros(2)
for _ in range(20):
    g = gradiente(theta - alfa * beta1 * m_clase)
    theta = theta - alfa * beta1 * m_clase - alfa * (1 - beta1) * g
    m_clase = beta1 * m_clase + (1 - beta1) * g
    phi, m = nesterov_step(phi, gradiente(phi), m, alfa, beta1)
print("máx |φ_t − (θ_t − αβ₁m_t)| =", np.max(np.abs(phi - (theta - alfa * beta1 * m_clase))))

# %% [markdown]
# ### Adagrad
#
# Adaptive Gradient (Duchi et al., 2011: *«Adaptive subgradient methods for online learning and stochastic
# optimization»*) usa la historia del gradiente para escalarlo, componente a componente: las direcciones con
# gradientes grandes dan pasos más cortos. Con un parámetro que evite errores numéricos, $\epsilon \sim 10^{-8}$:
#
# $$\theta_t = \theta_{t-1} - \alpha \frac{\mathbf{g}_t}{\sqrt{\sum_{\tau=1}^t \mathbf{g}_\tau^2 + \epsilon}}.$$
#
# La learning rate efectiva se adapta a cada componente. Escribe `adagrad_step(w, dw, s, lr, eps) -> (w, s)`, donde
# `s` guarda la suma $\mathbf{s}_{t-1} = \sum_{\tau=1}^{t-1} \mathbf{g}_\tau^2$ (cero al empezar) y se devuelve
# $\mathbf{s}_t$. La suma incluye el gradiente de este paso, y $\epsilon$ va **dentro** de la raíz.

# %%
def adagrad_step(w, dw, s, lr, eps):
    """Un paso de Adagrad (ε dentro de la raíz).

    w, dw, s: arrays de la misma forma (s: la suma de los gradientes al cuadrado hasta el paso anterior);
    lr: α; eps: ε. Devuelve (w, s) nuevos.
    """
    ### BEGIN SOLUTION
    s = s + dw**2
    w = w - lr * dw / np.sqrt(s + eps)
    ### END SOLUTION
    return w, s


# %%
from autograder.notebook import grade
grade("adagrad_step")

# %% [markdown]
# La suma sólo crece: con Adagrad la learning rate efectiva baja siempre, aunque el gradiente ya no sea grande.
# RMSProp cambia la suma por un promedio exponencial, que olvida.
#
# ### RMSProp con corrección de sesgo
#
# Root Mean Square Propagation: exponentially weighted averages para los cuadrados,
# `rmsprop_step(w, dw, v, t, lr, beta2, eps) -> (w, v)`:
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
    ### BEGIN SOLUTION
    v = beta2 * v + (1 - beta2) * dw**2
    v_hat = v / (1 - beta2**t)
    w = w - lr * dw / np.sqrt(v_hat + eps)
    ### END SOLUTION
    return w, v


# %%
from autograder.notebook import grade
grade("rmsprop_step")

# %% [markdown]
# ### Adam
#
# «Combinar RMSProp con momentum (ambos con bias correction)» (Kingma y Ba, 2015: *«ADAM: A method for stochastic
# optimization»*): `adam_step(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w, m, v)`,
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
    ### BEGIN SOLUTION
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    w = w - lr * m_hat / np.sqrt(v_hat + eps)
    ### END SOLUTION
    return w, m, v


# %%
from autograder.notebook import grade
grade("adam_step")

# %% [markdown]
# Tus pasos contra los del motor (`engine.functional`, que actualizan en el lugar), varios pasos seguidos con
# gradientes al azar:

# %%
import engine.functional as F

forma = (3, 4)
w0 = rng.standard_normal(forma)
gradientes = rng.standard_normal((5, *forma))


def diferencia_con_el_motor(mio, del_motor, n_estados):
    """Cinco pasos con tu función y con la del motor (en el lugar), desde el mismo w y estados en cero."""
    w, estado = w0.copy(), [np.zeros(forma) for _ in range(n_estados)]
    w_motor, estado_motor = w0.copy(), [np.zeros(forma) for _ in range(n_estados)]
    for t, g in enumerate(gradientes, start=1):
        w, *estado = mio(w, g, *estado, t)
        del_motor(w_motor, g, *estado_motor, t)
    return np.max(np.abs(w - w_motor))


comparaciones = {
    "momentum": (lambda w, g, m, t: momentum_step(w, g, m, t, 0.1, 0.9),
                 lambda w, g, m, t: F.momentum_update(w, g, m, t, 0.1, 0.9, bias_correction=True), 1),
    "Nesterov": (lambda w, g, m, t: nesterov_step(w, g, m, 0.1, 0.9),
                 lambda w, g, m, t: F.nesterov_update(w, g, m, 0.1, 0.9), 1),
    "Adagrad": (lambda w, g, s, t: adagrad_step(w, g, s, 0.1, 1e-8),
                lambda w, g, s, t: F.adagrad_update(w, g, s, 0.1, 1e-8), 1),
    "RMSProp": (lambda w, g, v, t: rmsprop_step(w, g, v, t, 0.01, 0.9, 1e-8),
                lambda w, g, v, t: F.rmsprop_update(w, g, v, t, 0.01, 0.9, 1e-8, bias_correction=True), 1),
    "Adam": (lambda w, g, m, v, t: adam_step(w, g, m, v, t, 0.01, 0.9, 0.999, 1e-8),
             lambda w, g, m, v, t: F.adam_update(w, g, m, v, t, 0.01, 0.9, 0.999, 1e-8), 2),
}
for nombre, (mio, del_motor, n_estados) in comparaciones.items():
    print(f"{nombre:>9}: diferencia máxima con el motor {diferencia_con_el_motor(mio, del_motor, n_estados):.1e}")

# %% [markdown]
# ## 4. Decaimiento de la velocidad de aprendizaje
#
# Puedo ir reduciendo la bola de ruido a medida que voy aprendiendo. Sea
#
# $$e_t = 1 + \left\lfloor \frac{tB}{n_{tr}} \right\rfloor$$
#
# el número de época en que estoy en la iteración $t$; aquí $t$ cuenta las actualizaciones **ya hechas**: $t = 0$
# en la primera, que es de la época 1 (ojo: no es el $t$ de los optimizadores, que empieza en 1). La fórmula
# cuenta ejemplos vistos, $tB$: si $B$ no divide a $n_{tr}$, no coincide exactamente con contar pasos por época.
# Escribe `epoch_of_step(t, batch_size, n_train) -> e_t`, un entero.

# %%
def epoch_of_step(t, batch_size, n_train):
    """La época e_t = 1 + ⌊tB/n_tr⌋ de la actualización t (t = 0 es la primera). Devuelve un entero."""
    ### BEGIN SOLUTION
    return 1 + (t * batch_size) // n_train
    ### END SOLUTION


# %%
from autograder.notebook import grade
grade("epoch_of_step")

# %% [markdown]
# Algunas de las expresiones más utilizadas para $\alpha$ en función de $e_t$ son:
#
# - $\alpha = \alpha_0 \frac{1+\delta}{1+\delta e_t}$: `inverse_time_decay(alpha0, delta, t, batch_size, n_train)`;
# - $\alpha = \alpha_0 \gamma^{e_t-1}$: `exponential_decay(alpha0, gamma, t, batch_size, n_train)`;
# - $\alpha = \frac{\alpha_0}{\sqrt{e_t}}$: `inverse_sqrt_decay(alpha0, t, batch_size, n_train)`;
# - definir $\alpha$ constante por intervalos de $e_t$ (de forma decreciente):
#   `piecewise_constant_decay(boundaries, values, t, batch_size, n_train)`, con `boundaries` una tupla de épocas
#   crecientes y `values` una tupla con un valor más: `values[0]` mientras $e_t \le$ `boundaries[0]`, `values[i]`
#   mientras `boundaries[i-1]` $< e_t \le$ `boundaries[i]`, y `values[-1]` después del último borde.
#
# En las tres primeras, $\alpha = \alpha_0$ en la primera época. Cada función devuelve un número (`float`); usa tu
# `epoch_of_step`.

# %%
def inverse_time_decay(alpha0, delta, t, batch_size, n_train):
    """α = α₀(1 + δ)/(1 + δ e_t) en la actualización t."""
    ### BEGIN SOLUTION
    epoch = epoch_of_step(t, batch_size, n_train)
    return alpha0 * (1 + delta) / (1 + delta * epoch)
    ### END SOLUTION


# %%
from autograder.notebook import grade
grade("inverse_time_decay")

# %%
def exponential_decay(alpha0, gamma, t, batch_size, n_train):
    """α = α₀ γ^(e_t − 1) en la actualización t."""
    ### BEGIN SOLUTION
    epoch = epoch_of_step(t, batch_size, n_train)
    return alpha0 * gamma ** (epoch - 1)
    ### END SOLUTION


# %%
from autograder.notebook import grade
grade("exponential_decay")

# %%
def inverse_sqrt_decay(alpha0, t, batch_size, n_train):
    """α = α₀/√e_t en la actualización t."""
    ### BEGIN SOLUTION
    epoch = epoch_of_step(t, batch_size, n_train)
    return alpha0 / np.sqrt(epoch)
    ### END SOLUTION


# %%
from autograder.notebook import grade
grade("inverse_sqrt_decay")

# %%
def piecewise_constant_decay(boundaries, values, t, batch_size, n_train):
    """α = values[i] en el primer intervalo e_t ≤ boundaries[i]; values[-1] después del último borde."""
    ### BEGIN SOLUTION
    epoch = epoch_of_step(t, batch_size, n_train)
    for boundary, value in zip(boundaries, values):
        if epoch <= boundary:
            return value
    return values[-1]
    ### END SOLUTION


# %%
from autograder.notebook import grade
grade("piecewise_constant_decay")

# %% [markdown]
# Las cuatro, paso a paso, con $n_{tr} = 1000$ y $B = 64$ (16 pasos por época; el último minibatch de cada época es
# más chico, y por eso los escalones no caen siempre cada 16 pasos), comparadas con `engine.schedules`:

# %%
from engine import schedules

n_tr, B = 1000, 64
alfa0 = round(float(rng.uniform(0.05, 0.2)), 3)
delta, gamma = round(float(rng.uniform(0.3, 1.0)), 2), round(float(rng.uniform(0.6, 0.9)), 2)
bordes, valores = (3, 6), (alfa0, alfa0 / 4, alfa0 / 20)
pasos = np.arange(10 * n_tr // B)
decaimientos = {
    f"α₀(1 + δ)/(1 + δe), δ = {delta}": (lambda t: inverse_time_decay(alfa0, delta, t, B, n_tr),
                                         schedules.InverseTimeDecay(alfa0, delta)),
    f"α₀γ^(e − 1), γ = {gamma}": (lambda t: exponential_decay(alfa0, gamma, t, B, n_tr),
                                  schedules.ExponentialDecay(alfa0, gamma)),
    "α₀/√e": (lambda t: inverse_sqrt_decay(alfa0, t, B, n_tr), schedules.InverseSqrtDecay(alfa0)),
    f"por intervalos, bordes {bordes}": (lambda t: piecewise_constant_decay(bordes, valores, t, B, n_tr),
                                         schedules.PiecewiseConstant(bordes, valores)),
}
fig, ax = plt.subplots(figsize=(7, 4))
for nombre, (mio, del_motor) in decaimientos.items():
    alfas = np.array([mio(int(t)) for t in pasos])
    referencia = np.array([del_motor(schedules.epoch_at_step(int(t), B, n_tr)) for t in pasos])
    assert np.allclose(alfas, referencia), nombre
    ax.step(pasos, alfas, where="post", label=nombre)
ax.set_xlabel("actualización $t$")
ax.set_ylabel("α")
ax.set_title(f"decaimiento por épocas: α₀ = {alfa0}, $n_{{tr}}$ = {n_tr}, B = {B}")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## 5. Los optimizadores sobre la superficie de pérdida
#
# Vuelve el valle de la sección 1. Cada optimizador arranca en el mismo $\mathbf{w}_0$ y da los mismos pasos, con
# tus funciones: a la izquierda con el gradiente exacto ($B = n$), a la derecha con minibatches de $B = 8$ (el
# mismo orden de ejemplos para todos); abajo, lo que le falta a cada uno para llegar al mínimo. Fíjate en:
#
# - SGD, con el $\alpha$ más grande que tolera la pared empinada del valle, rebota de pared a pared y avanza
#   despacio por el fondo;
# - momentum promedia los rebotes y avanza más rápido por el fondo, pero se pasa y oscila; Nesterov, que mira
#   adelante, frena antes y oscila menos;
# - Adagrad, RMSProp y Adam normalizan cada componente del gradiente: arrancan en diagonal ($\pm\alpha$ en cada
#   coordenada), sin importar cuán empinada sea cada dirección. La learning rate efectiva de Adagrad se apaga
#   porque la suma sólo crece;
# - con minibatches ninguno converge: todos terminan en su bola de ruido.
#
# Prueba otros $\alpha$ y otros $\beta$: el mejor optimizador depende de ellos y del problema.

# %%
def recorrido(paso, n_estados, alfa, B, pasos_totales, orden):
    """Los iterados de ``paso(w, g, estado, t, alfa) -> (w, *estado)`` con gradientes de minibatches de B."""
    w, estado, camino = w_inicial.copy(), [np.zeros(2) for _ in range(n_estados)], [w_inicial.copy()]
    lotes = [permutacion[i:i + B] for permutacion in orden for i in range(0, n_datos, B)]
    for t in range(1, pasos_totales + 1):
        lote = lotes[(t - 1) % len(lotes)]
        g = 2 * X_valle[lote].T @ (X_valle[lote] @ w - y_valle[lote]) / len(lote)
        w, *estado = paso(w, g, estado, t, alfa)
        camino.append(w)
    return np.array(camino)


# nombre: (α, cuántos arrays de estado, el paso con tu función)
optimizadores = {
    "SGD": (0.9, 0, lambda w, g, e, t, a: (w - a * g,)),
    "momentum": (1.0, 1, lambda w, g, e, t, a: momentum_step(w, g, *e, t, a, 0.9)),
    "Nesterov": (1.0, 1, lambda w, g, e, t, a: nesterov_step(w, g, *e, a, 0.9)),
    "Adagrad": (1.0, 1, lambda w, g, e, t, a: adagrad_step(w, g, *e, a, 1e-8)),
    "RMSProp": (0.1, 1, lambda w, g, e, t, a: rmsprop_step(w, g, *e, t, a, 0.9, 1e-8)),
    "Adam": (0.2, 2, lambda w, g, e, t, a: adam_step(w, g, *e, t, a, 0.9, 0.999, 1e-8)),
}
pasos_totales = 30 if MODO_RAPIDO else 60
orden = np.stack([rng.permutation(n_datos) for _ in range(pasos_totales * 8 // n_datos + 1)])
riesgo_optimo = riesgo(w_optimo)
fig, axes = plt.subplots(2, 2, figsize=(12, 10), height_ratios=(3, 2))
for columna, B in enumerate((n_datos, 8)):
    ax_camino, ax_riesgo = axes[0, columna], axes[1, columna]
    curvas_de_nivel(ax_camino)
    extremos = []
    for nombre, (alfa, n_estados, paso) in optimizadores.items():
        camino = recorrido(paso, n_estados, alfa, B, pasos_totales, orden)
        ax_camino.plot(camino[:, 0], camino[:, 1], ".-", markersize=2, linewidth=0.9, label=f"{nombre} (α = {alfa})")
        ax_riesgo.plot(riesgo(camino) - riesgo_optimo, label=nombre)
        extremos.append(camino)
    extremos = np.concatenate(extremos + [w_optimo[None]])
    margen = 0.3
    ax_camino.set_aspect("equal", adjustable="box")
    ax_camino.set_xlim(extremos[:, 0].min() - margen, extremos[:, 0].max() + margen)
    ax_camino.set_ylim(extremos[:, 1].min() - margen, extremos[:, 1].max() + margen)
    ax_camino.set_title(f"{pasos_totales} pasos, B = {B}" + (" (gradiente exacto)" if B == n_datos else ""))
    ax_camino.legend(fontsize=8, loc="upper right")
    ax_riesgo.set_yscale("log")
    ax_riesgo.set_xlabel("paso $t$")
    ax_riesgo.set_ylabel("$J(\\mathbf{w}_t) - J(\\mathbf{w}^*)$")
    ax_riesgo.grid(True, alpha=0.3)
plt.show()
