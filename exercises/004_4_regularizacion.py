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
# # 004 §4 · Regularización
#
# La clase propone un algoritmo de trabajo: primero unas iteraciones para tener un modelo que aprenda, y después
# un refinamiento que **ataca el punto débil**. ¿Qué conviene corregir, el sesgo o la varianza? Para decidirlo se
# miran dos números en las curvas de aprendizaje: el **sesgo evitable** y la **brecha de generalización**, y
# «ambos problemas se atacan por separado».
#
# Para mejorar la capacidad de generalización, la clase enumera algunos tipos de regularización:
#
# - **Término de penalización** (o regularizador): incluir un término adicional en la función costo.
# - **Inyección de ruido**: incluir algún tipo de ruido en el proceso de aprendizaje.
# - **Early stopping** (parado temprano): detener el aprendizaje tempranamente con algún criterio razonable.
# - **Aumento de datos**: generar nuevas muestras a partir de las muestras con las que contamos.
# - **Autoencoders**: agregar una etapa no supervisada.
#
# Y advierte: **para la regularización es clave el conjunto de validación**. En este cuaderno mides sesgo y
# brecha, inyectas ruido, decides cuándo parar y combinas un clasificador con un autoencoder, siempre sobre los
# dígitos que trae el motor.

# %%
import os

import matplotlib.pyplot as plt
import numpy as np

SEMILLA = 2026  # la semilla del curso: cambia con el curso (python -m autograder generate --term ...)
MODO_RAPIDO = os.environ.get("MODO_RAPIDO") == "1"  # sólo para las pruebas automáticas: menos épocas y datos
rng = np.random.default_rng(SEMILLA)

# %% [markdown]
# Los experimentos usan pocos dígitos de entrenamiento (300), para que el sobreajuste aparezca pronto, y un
# conjunto de validación aparte. La red es `Flatten → Dense(ancho, relu) → Dense(10, softmax)`.

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


def red_densa(ancho):
    """Flatten → Dense(ancho, relu) → Dense(10, softmax) para imágenes de 28×28×1."""
    return engine.Sequential([engine.Flatten(), engine.Dense(ancho, activation="relu"),
                              engine.Dense(10, activation="softmax")], input_shape=(28, 28, 1), seed=SEMILLA)


def entrenar(modelo, epocas, **opciones):
    """Entrena con Adam(1e-3) en lotes de 32 y devuelve la historia (con las métricas de validación)."""
    return modelo.fit(x_train, y_train, "cross_entropy", engine.Adam(1e-3), epochs=epocas, batch_size=32,
                      validation_data=(x_val, y_val), seed=SEMILLA, verbose=False, **opciones)


x_train, y_train, x_val, y_val = digitos(n_entrenamiento, n_validacion)

# %% [markdown]
# ## ¿Sesgo o varianza?
#
# Con el error de una curva de aprendizaje (la proporción de ejemplos mal clasificados, $1 -$ exactitud):
#
# - **Avoidable bias** (sesgo evitable): Error de train $-$ Error bayesiano.
# - **Generalization gap** (brecha de generalización): Error de validación $-$ Error de train.
#
# El **error bayesiano** es el menor error que puede alcanzar cualquier clasificador (hay dígitos ambiguos hasta
# para una persona); en la práctica se estima con el error humano, del orden de 0.2 % en estos dígitos. Si el
# sesgo evitable es mayor que la brecha, conviene atacar el sesgo (más capacidad: más neuronas o capas, más
# épocas, un optimizador mejor); si la brecha es mayor, la varianza (regularizar, conseguir más datos).
#
# `bias_and_gap(train_error, val_error, bayes_error) -> (avoidable_bias, gap, bias_dominates)` recibe los errores
# de entrenamiento y de validación (dos números, o dos curvas: arrays con un valor por época) y el error
# bayesiano (un número), y devuelve el sesgo evitable, la brecha y `bias_dominates`, verdadero donde el sesgo
# evitable es **mayor** que la brecha (un booleano o un array de booleanos, uno por época).

# %%
def bias_and_gap(train_error, val_error, bayes_error):
    """Sesgo evitable y brecha de generalización.

    train_error, val_error: números o arrays (uno por época) de la misma forma; bayes_error: un número.
    Devuelve (avoidable_bias, gap, bias_dominates) con la forma de train_error.
    """
    raise NotImplementedError("Te toca: completa «bias_and_gap» (borra esta línea).")
    return avoidable_bias, gap, bias_dominates


# %%
from autograder.notebook import grade
grade("bias_and_gap")

# %% [markdown]
# Dos redes: una angosta (4 neuronas ocultas) y una ancha (256). Sombreamos el sesgo evitable (entre el error
# bayesiano y el de entrenamiento) y la brecha (entre el de entrenamiento y el de validación) a lo largo de las
# épocas.

# %%
ERROR_BAYES = 0.002
curvas = {ancho: entrenar(red_densa(ancho), epocas) for ancho in (4, 256)}

fig, ejes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for eje, (ancho, historia) in zip(ejes, curvas.items()):
    error_train = 1 - np.array(historia["accuracy"])
    error_val = 1 - np.array(historia["val_accuracy"])
    sesgo, brecha, domina_sesgo = bias_and_gap(error_train, error_val, ERROR_BAYES)
    epocas_vistas = np.arange(1, len(error_train) + 1)
    eje.plot(epocas_vistas, error_train, "o-", markersize=3, label="error de entrenamiento")
    eje.plot(epocas_vistas, error_val, "s--", markersize=3, label="error de validación")
    eje.axhline(ERROR_BAYES, color="k", linewidth=0.8, label="error bayesiano (estimado)")
    eje.fill_between(epocas_vistas, ERROR_BAYES, error_train, color="C0", alpha=0.15, label="sesgo evitable")
    eje.fill_between(epocas_vistas, error_train, error_val, color="C1", alpha=0.15, label="brecha")
    diagnostico = "atacar el sesgo" if domina_sesgo[-1] else "atacar la varianza"
    eje.set(title=f"ancho {ancho}: {diagnostico}\nsesgo evitable {sesgo[-1]:.3f}, brecha {brecha[-1]:.3f}",
            xlabel="época", ylabel="error")
    eje.grid(True, alpha=0.3)
ejes[0].legend(fontsize=8)
plt.show()

# %% [markdown]
# La red angosta se queda con un error de entrenamiento alto: domina el sesgo y regularizarla no ayudaría. La
# ancha lleva su error de entrenamiento casi a cero y deja una brecha grande: es ahí donde entran las técnicas
# que siguen.
#
# ## Penalización
#
# Un término de penalización perturba la optimización de la función costo:
#
# $$J(\theta) = \frac{1}{B} \sum_{i=1}^B L_i(\theta) + \lambda R(\theta) .$$
#
# La más usada es **weight decay** o regularización L2, con un $\lambda_l$ por capa:
#
# $$J(\theta) = \frac{1}{B} \sum_{i=1}^B L_i(\theta) + \sum_{l=1}^L \frac{\lambda_l}{2} \cdot
#   \|\mathbf{w}^{[l]}\|_F^2 \rightarrow \frac{1}{2} \frac{\partial \|\mathbf{w}^{[l]}\|_F^2}{\partial
#   \mathbf{w}^{[l]}} = \mathbf{w}^{[l]} .$$
#
# Ya la escribiste en el cuaderno 003 (`l2_penalty` y `decayed_update`); aquí la usas a través del motor,
# `fit(..., l2=λ)`, con el mismo $\lambda$ en todas las capas, y mides con tu `bias_and_gap` qué le hace al sesgo
# y a la brecha de la red ancha.

# %%
lambdas = (0.0, 0.01, 0.03, 0.1, 0.3)
sesgos, brechas = [], []
for lam in lambdas:
    historia = entrenar(red_densa(256), epocas, l2=lam)
    sesgo, brecha, _ = bias_and_gap(1 - historia["accuracy"][-1], 1 - historia["val_accuracy"][-1], ERROR_BAYES)
    sesgos.append(sesgo)
    brechas.append(brecha)

fig, eje = plt.subplots(figsize=(6, 4))
posiciones = np.arange(len(lambdas))
eje.bar(posiciones - 0.2, sesgos, width=0.4, label="sesgo evitable")
eje.bar(posiciones + 0.2, brechas, width=0.4, label="brecha de generalización")
eje.set_xticks(posiciones, [str(lam) for lam in lambdas])
eje.set(xlabel="λ", ylabel="error", title="L2: la brecha baja, el sesgo sube")
eje.grid(True, axis="y", alpha=0.3)
eje.legend()
plt.show()

# %% [markdown]
# Al crecer $\lambda$ la brecha se achica, pero el sesgo evitable crece: la penalización resta capacidad. El
# $\lambda$ se elige mirando el conjunto de validación.
#
# ## Inyección de ruido
#
# Se agrega ruido **ÚNICAMENTE** durante el entrenamiento. La clase distingue dónde:
#
# - en los parámetros (no tan habitual);
# - en las entradas (relacionado con *data augmentation*);
# - **en las unidades ocultas**.
#
# El ejemplo más conocido en las unidades ocultas es **dropout** (Srivastava et al., 2014, «Dropout: A simple
# way to prevent neural networks from overfitting»), que escribiste en el cuaderno 003 en su versión invertida:
#
# $$\mathbf{z}^{[l]} = \mathbf{W}^{[l]} \left(\mathbf{h}^{[l-1]} \odot \frac{1}{p_{\text{keep}}^{[l-1]}}
#   \boldsymbol{\eta}^{[l-1]} \right) + \mathbf{b}^{[l]}, \quad \text{con } \boldsymbol{\eta}^{[l-1]} \sim
#   \text{Ber} \left(p_{\text{keep}}^{[l-1]} \right) .$$
#
# Aquí el ruido es gaussiano y aditivo: `inject_noise(x, sigma, z, training) -> y` recibe las unidades `x` (de
# cualquier forma: unidades ocultas $(N, D)$ o imágenes NHWC), la desviación estándar $\sigma \ge 0$, unas
# muestras `z` de una normal estándar de la forma de `x` (el azar llega hecho, como `u` en dropout) y
# `training` (verdadero o falso):
#
# $$y = \begin{cases} x + \sigma z & \text{en entrenamiento} \\ x & \text{en evaluación} \end{cases}
#   \qquad z \sim \mathcal{N}(0, 1) .$$
#
# Devuelve un array nuevo también en evaluación (sin modificar `x`).

# %%
def inject_noise(x, sigma, z, training):
    """Ruido gaussiano aditivo sólo en entrenamiento.

    x, z: arrays de la misma forma (z ~ N(0, 1)); sigma: desviación estándar ≥ 0; training: bool.
    Devuelve y = x + sigma·z si training, y una copia de x si no.
    """
    raise NotImplementedError("Te toca: completa «inject_noise» (borra esta línea).")


# %%
from autograder.notebook import grade
grade("inject_noise")

# %% [markdown]
# El motor acepta en `fit(..., augment=f)` una función `f(x_lote, rng)` que transforma cada lote de
# entrenamiento (y nunca los de validación). Con tu `inject_noise` eso es ruido en las entradas, la forma más
# simple del **aumento de datos**, que según la clase consiste en «generar nuevas muestras inyectándole ruido a
# las que tenemos (noise injection a la entrada)»: se incrementa la cantidad de muestras, las nuevas son más
# robustas a perturbaciones y se pierde la independencia entre muestras. Las siete transformaciones de imágenes
# de la clase 003 son la versión que usa «información adicional sobre cómo pueden variar las muestras».

# %%
def con_ruido(sigma):
    """Una función augment(x_lote, rng) que agrega ruido N(0, σ²) a cada lote de entrenamiento."""
    def agregar(x_lote, generador):
        z = generador.standard_normal(x_lote.shape).astype(x_lote.dtype)
        return inject_noise(x_lote, sigma, z, True)
    return agregar


sigmas = (0.0, 0.3, 0.6)
ruidosas = {sigma: entrenar(red_densa(256), epocas, augment=con_ruido(sigma)) for sigma in sigmas}

fig, eje = plt.subplots(figsize=(6.5, 4))
for i, (sigma, historia) in enumerate(ruidosas.items()):
    epocas_vistas = range(1, len(historia["accuracy"]) + 1)
    eje.plot(epocas_vistas, historia["accuracy"], color=f"C{i}", label=f"σ = {sigma}: entrenamiento")
    eje.plot(epocas_vistas, historia["val_accuracy"], color=f"C{i}", linestyle="--", label=f"σ = {sigma}: validación")
eje.set(xlabel="época", ylabel="exactitud", title="Ruido en las entradas, sólo al entrenar")
eje.grid(True, alpha=0.3)
eje.legend(fontsize=8)
plt.show()

# %% [markdown]
# Con ruido, la exactitud de entrenamiento (medida sobre las entradas ruidosas) deja de llegar a 1 y se acerca a
# la de validación: la brecha se achica.
#
# ## Early stopping
#
# «¡Pará de entrenar antes!» Durante el entrenamiento el error de validación primero baja y después, cuando la
# red empieza a memorizar, sube. Parar en su mínimo tiene un **pro**: para en el punto óptimo para la
# validación; y un **contra**: impacta directamente en el sesgo (el entrenamiento queda sin terminar).
#
# El criterio razonable es el de Keras y el del motor (`engine.callbacks.EarlyStopping`), que vigila la pérdida
# de validación época por época (contadas desde 1):
#
# - una época **mejora** si su pérdida es menor que la mejor hasta entonces menos `min_delta`
#   (`pérdida < mejor − min_delta`); la primera época siempre mejora;
# - la **espera** cuenta las épocas seguidas sin mejorar y vuelve a 0 con cada mejora;
# - cuando la espera llega a `patience`, el entrenamiento se detiene después de esa época (con `patience = 0`,
#   en la primera que no mejora);
# - al final se restauran los pesos de la **mejor** época: la última que mejoró.
#
# `early_stopping_epoch(val_losses, patience, min_delta) -> (best_epoch, stop_epoch)` recibe las pérdidas de
# validación de un entrenamiento completo (un array, una por época), recorre las épocas como lo haría el
# callback y devuelve la mejor época y la época tras la cual se detiene el entrenamiento (la última, `len`, si
# nunca se detiene). Las dos, contadas desde 1.

# %%
def early_stopping_epoch(val_losses, patience, min_delta):
    """Parada temprana sobre una curva de pérdidas de validación.

    val_losses: array (épocas,); patience: entero ≥ 0; min_delta: número ≥ 0.
    Devuelve (best_epoch, stop_epoch), contadas desde 1.
    """
    # Pista: recorre las épocas con enumerate(val_losses, start=1).
    raise NotImplementedError("Te toca: completa «early_stopping_epoch» (borra esta línea).")


# %%
from autograder.notebook import grade
grade("early_stopping_epoch")

# %% [markdown]
# Entrenamos la red ancha todas las épocas, sin parar, y aplicamos tu función a su curva de validación. Después
# entrenamos la misma red (misma semilla) con el callback del motor: se detiene y restaura en las mismas épocas.

# %%
from engine.callbacks import EarlyStopping

paciencia = 5
epocas_largas = 2 * epocas
completa = entrenar(red_densa(256), epocas_largas)
mejor, parada = early_stopping_epoch(np.array(completa["val_loss"]), paciencia, 0.0)
callback = EarlyStopping(monitor="val_loss", patience=paciencia)
entrenar(red_densa(256), epocas_largas, callbacks=[callback])
print(f"tu función: mejor época {mejor}, se detiene tras la {parada}")
print(f"el motor:   mejor época {callback.best_epoch}, se detiene tras la {callback.stopped_epoch or epocas_largas}")

fig, eje = plt.subplots(figsize=(6.5, 4))
epocas_vistas = range(1, len(completa["loss"]) + 1)
eje.plot(epocas_vistas, completa["loss"], label="pérdida de entrenamiento")
eje.plot(epocas_vistas, completa["val_loss"], label="pérdida de validación")
eje.axvline(mejor, color="C2", linestyle="--", label=f"mejor época ({mejor})")
eje.axvline(parada, color="C3", linestyle=":", label=f"se detiene ({parada}, patience = {paciencia})")
eje.set(xlabel="época", ylabel="entropía cruzada", title="Early stopping")
eje.grid(True, alpha=0.3)
eje.legend()
plt.show()

# %% [markdown]
# ## Autoencoders como regularización
#
# Un **autoencoder** es un método de aprendizaje no supervisado que busca generar representaciones (típicamente
# de menor dimensión) al estilo PCA: un codificador lleva $\mathbf{x}$ a un código $\mathbf{u}$ y un
# decodificador reconstruye $\hat{\mathbf{x}}$ a partir de $\mathbf{u}$. La función costo más habitual es el
# error cuadrático medio $\mathbb{E} \left[\|\mathbf{X} - \hat{\mathbf{X}}\|_2^2 \right]$.
#
# La clase da tres maneras de usarlo para regularizar un clasificador:
#
# 1. *Preprocessing*: entrenar el autoencoder y luego usar los $\mathbf{u}$ para entrenar el clasificador.
# 2. *Preprocessing*: entrenar el autoencoder y luego usar los $\hat{\mathbf{x}}$ para entrenar el clasificador.
# 3. *Regularizador*: entrenar simultáneamente ponderando las funciones costo,
#
# $$J(\theta) = \beta J_{\text{clas}}(\theta) + (1 - \beta) J_{\text{ae}}(\theta) .$$
#
# En la opción 3 el clasificador lee el código $\mathbf{u}$, y el codificador aprende a la vez a clasificar y a
# conservar la información necesaria para reconstruir la entrada.
#
# `combined_cost(logits, labels, x, x_hat, beta) -> (J, dlogits, dx_hat)` calcula $J$ para un lote y sus
# gradientes respecto de los logits del clasificador y de la reconstrucción:
#
# - $J_{\text{clas}} = -\frac{1}{N}\sum_n \log \operatorname{softmax}(\mathbf{z}_n)[y_n]$, la entropía cruzada con
#   `logits` $(N, K)$ y `labels` $(N,)$ enteros; su gradiente es
#   $(\operatorname{softmax}(\mathbf{z}) - \operatorname{onehot}(y))/N$;
# - $J_{\text{ae}} = \frac{1}{N D}\sum (x - \hat{x})^2$, el error cuadrático medio **sobre todos los elementos**
#   de `x` y `x_hat` $(N, D)$, como el del motor y el `mse` de Keras (la $\mathbb{E}\|\mathbf{X} -
#   \hat{\mathbf{X}}\|^2$ de la clase suma sobre las $D$ componentes: es $D$ veces este valor); su gradiente es
#   $2(\hat{x} - x)/(N D)$;
# - `dlogits` $= \beta\,\partial J_{\text{clas}}/\partial \mathbf{z}$ y
#   `dx_hat` $= (1 - \beta)\,\partial J_{\text{ae}}/\partial \hat{x}$.
#
# Calcula el softmax de forma estable (restando el máximo de cada fila), porque los logits pueden ser grandes.

# %%
def combined_cost(logits, labels, x, x_hat, beta):
    """Costo combinado del autoencoder como regularizador y sus gradientes.

    logits: (N, K); labels: (N,) enteros en [0, K); x, x_hat: (N, D); beta en [0, 1].
    Devuelve (J, dlogits, dx_hat): J = β·J_clas + (1 − β)·J_ae (un número) y sus gradientes.
    """
    raise NotImplementedError("Te toca: completa «combined_cost» (borra esta línea).")
    return J, dlogits, dx_hat


# %%
from autograder.notebook import grade
grade("combined_cost")

# %% [markdown]
# Una comprobación por diferencias finitas: movemos un logit y un píxel reconstruido un poco y comparamos el
# cambio de $J$ con tus gradientes.

# %%
logits_prueba = rng.standard_normal((4, 10))
etiquetas_prueba = rng.integers(0, 10, size=4)
x_prueba = rng.random((4, 6))
x_hat_prueba = rng.random((4, 6))
beta_prueba = rng.uniform(0.2, 0.8)
_, dlogits, dx_hat = combined_cost(logits_prueba, etiquetas_prueba, x_prueba, x_hat_prueba, beta_prueba)
h = 1e-6
mas, menos = logits_prueba.copy(), logits_prueba.copy()
mas[1, 3] += h
menos[1, 3] -= h
numerico = (combined_cost(mas, etiquetas_prueba, x_prueba, x_hat_prueba, beta_prueba)[0]
            - combined_cost(menos, etiquetas_prueba, x_prueba, x_hat_prueba, beta_prueba)[0]) / (2 * h)
print(f"∂J/∂z[1, 3]: tuyo {dlogits[1, 3]:.8f}, diferencias finitas {numerico:.8f}")
mas, menos = x_hat_prueba.copy(), x_hat_prueba.copy()
mas[2, 5] += h
menos[2, 5] -= h
numerico = (combined_cost(logits_prueba, etiquetas_prueba, x_prueba, mas, beta_prueba)[0]
            - combined_cost(logits_prueba, etiquetas_prueba, x_prueba, menos, beta_prueba)[0]) / (2 * h)
print(f"∂J/∂x̂[2, 5]: tuyo {dx_hat[2, 5]:.8f}, diferencias finitas {numerico:.8f}")

# %% [markdown]
# Ahora la opción 3 con `engine.Autoencoder`: codificador `Dense(32, relu)`, decodificador `Dense(784, sigmoid)`
# y clasificador `Dense(10, softmax)` sobre el código, con los dígitos aplanados. Con $\beta = 1$ sólo cuenta
# el clasificador (el decodificador no aprende nada); con $\beta < 1$ el código también tiene que servir para
# reconstruir. Como $J_{\text{ae}}$ promedia sobre los 784 píxeles, es mucho más chico que $J_{\text{clas}}$:
# para que pese hace falta un $\beta$ pequeño.
#
# El motor entrena sobre el mismo $J$ que tu `combined_cost`. Para comprobarlo alcanza con las probabilidades
# del clasificador: como $\log \operatorname{softmax}(\log \mathbf{p}) = \log \mathbf{p}$, el logaritmo de las
# probabilidades sirve de logits.

# %%
def autoencoder_clasificador(beta):
    """Codificador Dense(32, relu), decodificador Dense(784, sigmoid) y clasificador Dense(10, softmax)."""
    return engine.Autoencoder(encoder=[engine.Dense(32, activation="relu")],
                              decoder=[engine.Dense(784, activation="sigmoid")],
                              classifier=[engine.Dense(10, activation="softmax")], beta=beta, input_shape=(784,),
                              seed=SEMILLA)


x_train_plano = x_train.reshape(len(x_train), -1)
x_val_plano = x_val.reshape(len(x_val), -1)
betas = (1.0, 0.1, 0.01)
autoencoders, historias_ae = {}, {}
for beta in betas:
    autoencoders[beta] = autoencoder_clasificador(beta)
    historias_ae[beta] = autoencoders[beta].fit(x_train_plano, y_train, "cross_entropy", engine.Adam(1e-3),
                                                epochs=2 * epocas, batch_size=32, seed=SEMILLA, verbose=False,
                                                validation_data=(x_val_plano, y_val))
    error_reconstruccion = np.mean((autoencoders[beta].reconstruct(x_val_plano) - x_val_plano) ** 2)
    print(f"β = {beta}: exactitud de validación {historias_ae[beta]['val_accuracy'][-1]:.3f}, "
          f"error de reconstrucción {error_reconstruccion:.4f}")

probabilidades = autoencoders[0.1].predict(x_val_plano[:64]).astype(np.float64)
reconstrucciones = autoencoders[0.1].reconstruct(x_val_plano[:64]).astype(np.float64)
tuyo = combined_cost(np.log(probabilidades), y_val[:64], x_val_plano[:64].astype(np.float64), reconstrucciones,
                     0.1)[0]
print(f"J con β = 0.1 en 64 dígitos de validación: tu combined_cost {tuyo:.5f}, "
      f"el motor {autoencoders[0.1].evaluate(x_val_plano[:64], y_val[:64], 'cross_entropy')[0]:.5f}")

# %%
fig = plt.figure(figsize=(11, 4.5))
curvas_ae = fig.add_subplot(1, 2, 1)
for i, (beta, historia) in enumerate(historias_ae.items()):
    epocas_vistas = range(1, len(historia["accuracy"]) + 1)
    curvas_ae.plot(epocas_vistas, historia["accuracy"], color=f"C{i}", label=f"β = {beta}: entrenamiento")
    curvas_ae.plot(epocas_vistas, historia["val_accuracy"], color=f"C{i}", linestyle="--",
                   label=f"β = {beta}: validación")
curvas_ae.set(xlabel="época", ylabel="exactitud", title="Clasificador sobre el código")
curvas_ae.grid(True, alpha=0.3)
curvas_ae.legend(fontsize=8)
filas = [("x", x_val_plano)] + [(f"$\\hat{{x}}$, β = {beta}", autoencoders[beta].reconstruct(x_val_plano[:4]))
                              for beta in betas]
for fila, (titulo, imagenes) in enumerate(filas):
    for k in range(4):
        eje = fig.add_subplot(len(filas), 8, 8 * fila + 5 + k)
        eje.imshow(imagenes[k].reshape(28, 28), cmap="gray", vmin=0, vmax=1)
        eje.set_title(titulo, fontsize=7)
        eje.axis("off")
plt.show()

# %% [markdown]
# $\beta$ reparte el trabajo del código. Con $\beta = 1$ el decodificador no aprende: el código sólo guarda lo
# que separa las clases. Al bajar $\beta$ el código tiene que conservar la imagen entera y las reconstrucciones
# mejoran; el término de reconstrucción le pone un límite a cuánto puede el codificador acomodarse a los 300
# ejemplos etiquetados, que es lo que hace un regularizador. No es gratis: con $\beta$ demasiado chico la red se
# dedica casi sólo a reconstruir y la exactitud baja. En este problema ninguna opción supera con claridad a
# $\beta = 1$; $\beta$ es, como $\lambda$, un hiperparámetro que se elige mirando el conjunto de validación.
