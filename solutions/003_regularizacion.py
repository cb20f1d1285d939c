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
# La clase empieza por la receta para construir una red que funcione bien, «similar a los modelos de machine
# learning»:
#
# 1. Construir un primer modelo simple que logre aprender sobre los datos.
# 2. Este modelo probablemente, a pesar de haber aprendido, sea muy simple y tenga sesgo (*underfitting*).
# 3. Aumentar la capacidad del modelo hasta sobreajustar (*overfitting*).
# 4. Regularizar para encontrar el buen punto medio entre *underfitting* y *overfitting*.
#
# Para **aumentar la capacidad**: agregar capas, agregar neuronas por capa, entrenar más épocas, elegir un
# optimizador más complejo (adaptativo, con momentum). Para **disminuirla**: entrenar con más datos o usar técnicas
# de regularización. En este cuaderno recorres la receta con los dígitos que trae el motor y escribes en numpy las
# regularizaciones de la clase: la penalización **L2** (*weight decay*), **batch norm**, **dropout** y el **aumento
# de datos** (*data augmentation*). Las convenciones son las del motor (las de Keras): varianza sesgada y
# $\varepsilon = 10^{-3}$ dentro de la raíz en batch norm, dropout invertido con $p_{keep}$, imágenes NHWC.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %% [markdown]
# ## La receta, pasos 1 a 3: de poca capacidad a demasiada
#
# Entrenamos con pocos dígitos (300) para que el sobreajuste se vea pronto, y medimos la exactitud en un
# conjunto de validación aparte. La red es `Flatten → Dense(ancho, relu) → Dense(10, softmax)`: su capacidad
# crece con el **ancho** de la capa oculta y con las **épocas**. Con 2 neuronas ocultas la red aprende algo pero
# se queda corta también en entrenamiento (sesgo); con 256 llega al 100 % en entrenamiento mientras la
# validación se queda atrás (sobreajuste).

# %%
import engine
from engine.datasets import load_digits

n_entrenamiento, n_validacion, epocas = 300, 1500, 30
if MODO_RAPIDO:
    n_entrenamiento, n_validacion, epocas = 100, 200, 1


def digitos(n_entrenamiento, n_validacion):
    """(x_train, y_train, x_val, y_val): los primeros ejemplos de cada parte de los dígitos del motor."""
    datos = load_digits(validation=0.3, test=0.0, seed=SEMILLA)
    return (datos.x_train[:n_entrenamiento], datos.y_train[:n_entrenamiento],
            datos.x_val[:n_validacion], datos.y_val[:n_validacion])


x_train, y_train, x_val, y_val = digitos(n_entrenamiento, n_validacion)


def red_densa(ancho):
    """Flatten → Dense(ancho, relu) → Dense(10, softmax) para imágenes de 28×28×1."""
    return engine.Sequential([engine.Flatten(), engine.Dense(ancho, activation="relu"),
                              engine.Dense(10, activation="softmax")], input_shape=(28, 28, 1), seed=SEMILLA)


anchos = (2, 8, 32, 256)
historias = {}
for ancho in anchos:
    historias[ancho] = red_densa(ancho).fit(x_train, y_train, "cross_entropy", engine.Adam(1e-3), epochs=epocas,
                                            batch_size=32, validation_data=(x_val, y_val), seed=SEMILLA,
                                            verbose=False)
    print(f"ancho {ancho:3d}: exactitud de entrenamiento {historias[ancho]['accuracy'][-1]:.3f}, "
          f"de validación {historias[ancho]['val_accuracy'][-1]:.3f}")

# %%
fig, (izquierda, derecha) = plt.subplots(1, 2, figsize=(11, 4))
izquierda.plot(anchos, [historias[a]["accuracy"][-1] for a in anchos], "o-", label="entrenamiento")
izquierda.plot(anchos, [historias[a]["val_accuracy"][-1] for a in anchos], "s--", label="validación")
izquierda.set(xscale="log", xlabel="neuronas en la capa oculta", ylabel="exactitud al final",
              title="Capacidad: el ancho de la red")
izquierda.set_xticks(anchos, [str(a) for a in anchos])
for i, ancho in enumerate((anchos[0], anchos[-1])):
    epocas_vistas = range(1, len(historias[ancho]["accuracy"]) + 1)
    derecha.plot(epocas_vistas, historias[ancho]["accuracy"], color=f"C{i}", label=f"ancho {ancho}: entrenamiento")
    derecha.plot(epocas_vistas, historias[ancho]["val_accuracy"], color=f"C{i}", linestyle="--",
                 label=f"ancho {ancho}: validación")
derecha.set(xlabel="época", ylabel="exactitud", title="Capacidad: las épocas")
for eje in (izquierda, derecha):
    eje.grid(True, alpha=0.3)
    eje.legend(fontsize=8)
plt.show()

# %% [markdown]
# A la izquierda, la red estrecha tiene **sesgo**: ni siquiera aprende bien los ejemplos de entrenamiento. Al
# ensanchar, la exactitud de entrenamiento sube hasta 1 y la de validación deja de seguirla: la distancia entre
# las dos curvas es el sobreajuste. A la derecha, lo mismo a lo largo de las épocas. Queda el paso 4:
# regularizar. Al final del cuaderno vuelves a esta red ancha con las técnicas que escribes a continuación.
#
# ## L2 o *weight decay*
#
# La clase propone **penalizar los parámetros grandes** sumando a la pérdida un término con sus cuadrados,
#
# $$L_{reg} = L + \frac{\lambda}{2 \cdot N} \cdot \sum w_{li}^2 ,$$
#
# donde la suma recorre todos los pesos $w_{li}$ de todas las capas $l$. Como la derivada de
# $\frac{\lambda}{2}w^2$ es $\lambda w$, un paso de descenso por el gradiente sobre $L_{reg}$ es el de siempre
# con un **término adicional de decaimiento**:
#
# $$w_{reg} = \left(1 - \frac{l_r \cdot \lambda}{m}\right) \cdot w - l_r \cdot dw .$$
#
# Aquí seguimos la convención del motor (y de Keras): el factor $\frac{1}{N}$ (o $\frac{1}{m}$) queda dentro de
# $\lambda$, es decir, usamos $\lambda_{\text{aquí}} = \lambda_{\text{clase}}/N$, y las fórmulas quedan
#
# $$R(W) = \frac{\lambda}{2}\sum w^2 = \frac{\lambda}{2}\|W\|_F^2, \qquad \frac{\partial R}{\partial W} = \lambda W,
#   \qquad W \leftarrow (1 - l_r \cdot \lambda)\cdot W - l_r \cdot dW .$$
#
# Sólo se penalizan los **pesos** $W$: los sesgos $b$ (y los $\gamma$, $\beta$ de batch norm) no decaen.
#
# `l2_penalty(W, lam) -> (penalty, dW)` recibe los pesos de **una** capa (una matriz $(D_{in}, D_{out})$ o un
# núcleo de convolución $(K_H, K_W, C, F)$) y $\lambda \ge 0$, y devuelve $R(W)$ (un número) y su gradiente
# $\lambda W$ (de la forma de `W`).

# %%
def l2_penalty(W, lam):
    """Penalización L2 de los pesos de una capa.

    W: array de pesos de cualquier forma; lam: λ ≥ 0.
    Devuelve (penalty, dW): penalty = λ/2·Σ w² (un número) y dW = λ·W.
    """
    ### BEGIN SOLUTION
    penalty = lam / 2 * np.sum(W ** 2)
    dW = lam * W
    ### END SOLUTION
    return penalty, dW


# %%
from autograder.notebook import grade
grade("l2_penalty")

# %% [markdown]
# Para una red entera se suma la penalización de cada capa, y cada $W$ recibe su propio $\lambda W$. Con la red
# ancha de arriba (los nombres que terminan en `.W` son los pesos; los `.b`, los sesgos que no se penalizan):

# %%
import engine.functional as F

red = red_densa(256)
pesos = [p.value.astype(np.float64) for nombre, p in red.named_parameters().items() if nombre.endswith(".W")]
lam = 10 ** rng.uniform(-4, -2)
total = sum(l2_penalty(W, lam)[0] for W in pesos)
print(f"λ = {lam:.2e}: penalización de la red {total:.6f}, según el motor {F.l2_penalty(pesos, lam)[0]:.6f}")

# %% [markdown]
# `decayed_update(W, b, dW, db, lr, lam) -> (W, b)` da un paso de SGD sobre $L_{reg}$ para una capa: `dW` y
# `db` son los gradientes de la pérdida $L$ **sin** la penalización, `lr` es $l_r$ y `lam` es $\lambda$:
#
# $$W \leftarrow (1 - l_r \cdot \lambda)\cdot W - l_r \cdot dW, \qquad b \leftarrow b - l_r \cdot db .$$
#
# El decaimiento multiplica a los pesos **de antes** del paso. Devuelve los valores nuevos sin modificar los
# arrays que recibes. El autocorrector la llama también varias veces seguidas, como en un entrenamiento.

# %%
def decayed_update(W, b, dW, db, lr, lam):
    """Un paso de SGD con decaimiento de pesos (L2) para una capa.

    W, dW: pesos y su gradiente (misma forma); b, db: sesgo y su gradiente (forma (D_out,));
    lr: velocidad de aprendizaje; lam: λ ≥ 0. Devuelve (W, b) nuevos.
    """
    # Pista: el sesgo se actualiza como en SGD, sin decaimiento.
    ### BEGIN SOLUTION
    W = (1 - lr * lam) * W - lr * dW
    b = b - lr * db
    ### END SOLUTION
    return W, b


# %%
from autograder.notebook import grade
grade("decayed_update")

# %% [markdown]
# Con tu `decayed_update` entrenamos una regresión softmax (una sola capa densa, $784 \to 10$) por descenso por
# el gradiente, con varios $\lambda$. La norma $\|W\|_F$ crece durante el entrenamiento, y el decaimiento la
# frena: con $\lambda$ grande los pesos se quedan chicos y el modelo, más simple.

# %%
x_plano = x_train.reshape(len(x_train), -1).astype(np.float64)
x_val_plano = x_val.reshape(len(x_val), -1).astype(np.float64)
pasos = 200
if MODO_RAPIDO:
    pasos = 5
fig, eje = plt.subplots(figsize=(6, 4))
for lam in (0.0, 0.01, 0.1):
    W, b = np.zeros((784, 10)), np.zeros(10)
    normas = []
    for _ in range(pasos):
        logits = F.dense_forward(x_plano, W, b)
        _, dlogits = F.softmax_cross_entropy(logits, y_train)
        _, dW, db = F.dense_backward(dlogits, x_plano, W)
        W, b = decayed_update(W, b, dW, db, 0.5, lam)
        normas.append(np.linalg.norm(W))
    exactitud = np.mean(np.argmax(F.dense_forward(x_val_plano, W, b), axis=1) == y_val)
    eje.plot(range(1, pasos + 1), normas, label=f"λ = {lam}: validación {exactitud:.3f}")
eje.set(xlabel="paso", ylabel="‖W‖", title="Regresión softmax con decaimiento de pesos")
eje.grid(True, alpha=0.3)
eje.legend()
plt.show()


# %% [markdown]
# ## Batch norm (forward)
#
# La clase llama a batch norm una «innovación clave en el deep learning contemporáneo», «similar a normalizar los
# inputs (buena práctica), pero en capas intermedias»: para un batch de datos se calculan media y varianza, se
# resta la media, se divide por la raíz de la varianza más $\varepsilon$ y se transforma con
# $f(x) = \gamma \cdot x + \beta$ (Ioffe y Szegedy, 2015). ¿Por qué funciona? La clase da tres razones: alisa
# la función de pérdida (el trabajo del MIT de Santurkar et al.), lleva a mínimos planos, que se sabe que
# generalizan bien, y controla el *internal covariate shift*.
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
    ### BEGIN SOLUTION
    axes = tuple(range(x.ndim - 1))
    mean = x.mean(axis=axes)
    var = ((x - mean) ** 2).mean(axis=axes)
    x_hat = (x - mean) / np.sqrt(var + eps)
    y = gamma * x_hat + beta
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    axes = tuple(range(x.ndim - 1))
    m = x.size // x.shape[-1]
    mean = x.mean(axis=axes)
    var = ((x - mean) ** 2).mean(axis=axes)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    dbeta = dy.sum(axis=axes)
    dgamma = (dy * x_hat).sum(axis=axes)
    dx = gamma * inv_std * (dy - dbeta / m - x_hat * dgamma / m)
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    running_mean = momentum * running_mean + (1 - momentum) * batch_mean
    running_var = momentum * running_var + (1 - momentum) * batch_var
    ### END SOLUTION
    return running_mean, running_var


# %%
from autograder.notebook import grade
grade("update_running_statistics")

# %% [markdown]
# ## Dropout invertido (forward)
#
# La clase 003 lo describe así: «con cierta probabilidad $p$ desactivaremos ciertas neuronas ($= 0$)»; «en cada
# iteración la capa recalculará si desactiva una neurona»; «durante la fase de entrenamiento dropout actúa,
# durante la fase de evaluación las capas de dropout no tienen efecto» (Srivastava et al., 2014).
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
    ### BEGIN SOLUTION
    mask = u < p_keep
    y = x * mask / p_keep
    ### END SOLUTION
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
    ### BEGIN SOLUTION
    dx = dy * mask / p_keep
    ### END SOLUTION
    return dx


# %%
from autograder.notebook import grade
grade("dropout_backward")


# %% [markdown]
# ## Aumento de datos (*data augmentation*)
#
# La última regularización de la clase no toca la red sino los datos: se generan imágenes nuevas transformando
# las que tenemos, de maneras que no cambian lo que muestran. La clase enumera siete (en la figura de abajo,
# cada una aplicada a un dígito con `engine.augment`):
#
# | transformación | qué hace | en `engine.augment` |
# | --- | --- | --- |
# | *Flip* | refleja la imagen respecto de un eje que preserva su significado | `flip_horizontal` |
# | *Rotation* | la gira un ángulo pequeño; simula un horizonte mal calibrado | `rotate` |
# | *Random crop* | enfoca al azar una parte de la imagen; se pueden hacer varios recortes seguidos | `random_crop` |
# | *Color shift* | cambia levemente los matices RGB; imita el ruido de la exposición a la luz | `color_shift` |
# | *Noise addition* | agrega ruido; da más tolerancia a la calidad variable de las entradas | `gaussian_noise` |
# | *Information loss* | ignora partes de la imagen; imita la pérdida de partes de la imagen | `erase` |
# | *Contrast change* | cambia la luminosidad; controla la diferencia de exposición según la hora del día | `contrast` |
#
# Ojo con el primer renglón: el eje tiene que **preservar el significado**. Un gato reflejado sigue siendo un
# gato, pero un 2 reflejado ya no es un 2: con dígitos no se usa el volteo.

# %%
from engine import augment

digito = x_train[:1].copy()
transformadas = {
    "original": digito,
    "flip": augment.flip_horizontal(digito, rng, p=1.0),
    "rotation": augment.rotate(digito, rng, max_degrees=(20, 30)),
    "random crop": augment.random_crop(digito, rng, padding=5),
    "color shift": augment.color_shift(digito, rng, max_shift=0.3),
    "noise": augment.gaussian_noise(digito, rng, std=0.2),
    "information loss": augment.erase(digito, rng, p=1.0, size=0.4),
    "contrast": augment.contrast(digito, rng, low=0.3, high=0.5),
}
fig, ejes = plt.subplots(2, 4, figsize=(10, 5.4))
for eje, (nombre, imagen) in zip(ejes.flat, transformadas.items()):
    eje.imshow(imagen[0, :, :, 0], cmap="gray", vmin=0, vmax=1)
    eje.set_title(nombre)
    eje.axis("off")
fig.suptitle("Las siete transformaciones de la clase sobre un dígito")
plt.show()

# %% [markdown]
# Las transformaciones del motor sortean sus parámetros (el ángulo, el desplazamiento, el factor) para cada
# imagen. Las que escribes reciben esos números ya sorteados, como `u` en dropout: así todos obtienen el mismo
# resultado y el motor y tú pueden compararse. Todas reciben un lote NHWC `x` de forma $(N, H, W, C)$ y devuelven
# uno nuevo de la misma forma, sin modificar `x`.
#
# ### Volteo horizontal
#
# `flip_horizontal(x) -> y` refleja **cada** imagen de izquierda a derecha: $y[n, i, j, c] = x[n, i, W-1-j, c]$.
# Las filas, los canales y el orden de las imágenes no cambian.

# %%
def flip_horizontal(x):
    """Refleja cada imagen de un lote NHWC de izquierda a derecha: y[n, i, j] = x[n, i, W − 1 − j]."""
    # Pista: en NHWC las columnas son el eje 2.
    ### BEGIN SOLUTION
    y = x[:, :, ::-1, :].copy()
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("flip_horizontal")

# %%
lote = rng.random((3, 5, 6, 2))
print("igual al motor:", np.array_equal(flip_horizontal(lote), augment.flip_horizontal(lote, 0, p=1.0)))

# %% [markdown]
# ### Recorte al azar
#
# El motor implementa *random crop* como un desplazamiento: rellena cada imagen con `padding` ceros por lado
# (queda de $(H + 2p) \times (W + 2p)$) y recorta una ventana de $H \times W$ que empieza en la fila
# `top[n]` y la columna `left[n]`, sorteados entre $0$ y $2p$:
#
# $$y[n, i, j, c] = x_{pad}[n,\; top_n + i,\; left_n + j,\; c] .$$
#
# Con $top_n = left_n = p$ la imagen no se mueve; con $top_n = 0$ se ve el borde de ceros de arriba y la imagen
# baja $p$ píxeles. `random_crop(x, padding, top, left) -> y` recibe `padding` (un entero $p \ge 0$) y los
# desplazamientos `top`, `left` (arrays de enteros de forma $(N,)$).

# %%
def random_crop(x, padding, top, left):
    """Recorte de cada imagen de un lote NHWC rellenado con `padding` ceros por lado.

    x: (N, H, W, C); padding: entero ≥ 0; top, left: enteros (N,) entre 0 y 2·padding.
    Devuelve y (N, H, W, C): la ventana H × W de la imagen n rellenada que empieza en (top[n], left[n]).
    """
    ### BEGIN SOLUTION
    n, height, width, _ = x.shape
    x_pad = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
    y = np.empty_like(x)
    for k in range(n):
        y[k] = x_pad[k, top[k]:top[k] + height, left[k]:left[k] + width, :]
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("random_crop")

# %% [markdown]
# El motor sortea `top` y `left` con `rng.integers(0, 2·padding + 1)`; con la misma semilla, tu función y la
# suya recortan igual:

# %%
semilla_recorte = int(rng.integers(1000))
desplazamientos = np.random.default_rng(semilla_recorte).integers(0, 2 * 4 + 1, size=(8, 2))
mios = random_crop(x_train[:8], 4, desplazamientos[:, 0], desplazamientos[:, 1])
print("igual al motor:", np.array_equal(mios, augment.random_crop(x_train[:8], semilla_recorte, padding=4)))
fig, ejes = plt.subplots(1, 8, figsize=(12, 1.8))
for eje, imagen, (arriba, izquierda) in zip(ejes, mios, desplazamientos):
    eje.imshow(imagen[:, :, 0], cmap="gray", vmin=0, vmax=1)
    eje.set_title(f"({arriba}, {izquierda})", fontsize=9)
    eje.axis("off")
plt.show()

# %% [markdown]
# ### Cambio de contraste
#
# `adjust_contrast(x, factor) -> y` aleja (o acerca) cada píxel de la media de su imagen: con $\mu_{n,c}$ la
# media de la imagen $n$ en el canal $c$ (sobre $H$ y $W$) y un factor $f_n$ por imagen,
#
# $$y[n, i, j, c] = (x[n, i, j, c] - \mu_{n,c})\cdot f_n + \mu_{n,c} .$$
#
# Con $f < 1$ la imagen se ve más gris, con $f > 1$ más contrastada; la media de cada canal no cambia. `factor`
# tiene forma $(N,)$. Como en el motor (la capa `RandomContrast` de Keras sin su recorte), el resultado **no** se
# recorta a $[0, 1]$.

# %%
def adjust_contrast(x, factor):
    """Cambio de contraste de un lote NHWC: y = (x − μ)·f + μ por imagen y canal.

    x: (N, H, W, C); factor: (N,), un factor por imagen. Devuelve y de la forma de x.
    """
    # Pista: x.mean(axis=(1, 2), keepdims=True) tiene forma (N, 1, 1, C).
    ### BEGIN SOLUTION
    mean = x.mean(axis=(1, 2), keepdims=True)
    y = (x - mean) * factor[:, None, None, None] + mean
    ### END SOLUTION
    return y


# %%
from autograder.notebook import grade
grade("adjust_contrast")

# %%
factores = rng.uniform(0.5, 1.5, size=3)
lote = rng.random((3, 5, 6, 2))
motor = np.concatenate([augment.contrast(lote[n:n + 1], 0, low=f, high=f) for n, f in enumerate(factores)])
print("igual al motor:", np.allclose(adjust_contrast(lote, factores), motor))

# %% [markdown]
# ## La receta, paso 4: regularizar
#
# `engine.experiments.overfit_then_regularise` vuelve a entrenar la red ancha (256 neuronas) con pocos dígitos:
# sin regularizar, con la penalización L2 ($\lambda = 0.1$), con dropout ($p_{keep} = 0.3$ después de la capa
# oculta) y con aumento de datos (rotaciones de hasta 10°, recortes con `padding = 2` y ruido: sin volteo). La
# figura muestra la exactitud de entrenamiento (trazo continuo) y de validación (trazo cortado) de cada una.

# %%
from engine import experiments

regularizadas = experiments.overfit_then_regularise(train_size=n_entrenamiento, epochs=epocas, seed=SEMILLA)
fig, (curvas, brechas) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [2, 1]})
for i, (nombre, historia) in enumerate(regularizadas.items()):
    epocas_vistas = range(1, len(historia["accuracy"]) + 1)
    curvas.plot(epocas_vistas, historia["accuracy"], color=f"C{i}", label=f"{nombre}: entrenamiento")
    curvas.plot(epocas_vistas, historia["val_accuracy"], color=f"C{i}", linestyle="--", label=f"{nombre}: validación")
curvas.set(xlabel="época", ylabel="exactitud", title="Regularizar la red ancha")
curvas.grid(True, alpha=0.3)
curvas.legend(fontsize=7)
nombres = list(regularizadas)
brechas.bar(nombres, [regularizadas[n]["accuracy"][-1] - regularizadas[n]["val_accuracy"][-1] for n in nombres],
            color=[f"C{i}" for i in range(len(nombres))])
brechas.set(ylabel="entrenamiento − validación", title="La brecha al final")
brechas.tick_params(axis="x", labelrotation=30)
plt.show()

# %% [markdown]
# La red sin regularizar (*baseline*) memoriza los ejemplos de entrenamiento; las tres regularizaciones achican la
# brecha entre entrenamiento y validación. El aumento de datos es la que más la cierra: con dropout y aumento de
# datos la exactitud de entrenamiento se mide sobre ejemplos perturbados, así que puede quedar incluso por debajo
# de la de validación. Con un $\lambda$ grande la L2 paga la brecha menor con un poco de exactitud de validación:
# la fuerza de la regularización es el punto medio del paso 4, y se elige mirando el conjunto de validación.
