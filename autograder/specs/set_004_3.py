"""Lecture 004 §3, Detalles: the scale of the initial weights and the truncated normal.

- ``init_scale(kind, shape)``: the standard deviation of a normal initialiser, or the limit a of a
  uniform one U(−a, a), for a dense kernel (D_in, D_out) or a conv kernel (KH, KW, C_in, C_out),
  with fan_in = D_in or KH·KW·C_in and fan_out = D_out or KH·KW·C_out (conventions.md):

      he_normal      σ = √(2 / fan_in)                 he_uniform      a = √(6 / fan_in)
      lecun_normal   σ = √(1 / fan_in)                 lecun_uniform   a = √(3 / fan_in)
      glorot_normal  σ = √(2 / (fan_in + fan_out))     glorot_uniform  a = √(6 / (fan_in + fan_out))

  The uniform ones have the variance of their normal twin: Var U(−a, a) = a²/3, so a = √3 σ (the
  lecture lists He, LeCun and Glorot normal and Glorot uniform; He and LeCun uniform are Keras').
- ``truncated_normal(shape, std, draws)``: N(0, std²) with every value beyond 2·std redrawn, the
  draws taken from a given supply of standard normal numbers, in the order of engine.init:
  the first prod(shape) fill the array (row-major), then the values beyond 2σ, in index order, take
  the next draws, and again until none is left.

The cases are drawn so that each mistake shows: rectangular dense kernels (fan_in ≠ fan_out), conv
kernels (where fan_in is not C_in), std ≠ 1 (where a limit of 2 is not 2σ), draws planted beyond 2σ
at the start, and a redraw that falls beyond 2σ again.
"""

from __future__ import annotations

import numpy as np

import engine.init as init

from ..registry import Case, GradedFunction, register
from .common import NotThisCase, hint, mistakes, note

# -- the scale of each initialiser ----------------------------------------------------------------------

# kind -> (numerator of the variance, whether the denominator is fan_in + fan_out)
VARIANCES = {"he": (2.0, False), "lecun": (1.0, False), "glorot": (2.0, True)}
KINDS = tuple(f"{rule}_{law}" for rule in VARIANCES for law in ("normal", "uniform"))


def _variance(kind, fan_in, fan_out, numerator=None):
    rule = kind.rsplit("_", 1)[0]
    top, both = VARIANCES[rule]
    return (top if numerator is None else numerator) / (fan_in + fan_out if both else fan_in)


def _scale(kind, fan_in, fan_out, numerator=None, uniform_factor=3.0):
    """σ of a normal initialiser; a = √(uniform_factor · σ²) of a uniform one."""
    variance = _variance(kind, fan_in, fan_out, numerator)
    return float(np.sqrt(uniform_factor * variance if kind.endswith("_uniform") else variance))


def _init_scale_reference(kind, shape):
    fan_in, fan_out = init.fans(shape)
    return (np.float64(_scale(kind, fan_in, fan_out)),)


def _dense_shape(rng):
    fan_in = int(rng.integers(2, 300))
    fan_out = int(rng.integers(2, 300))
    return (fan_in, fan_out if fan_out != fan_in else fan_out + 1)


def _conv_shape(rng):
    side = int(rng.choice([3, 5]))
    return (side, side, int(rng.integers(1, 17)), int(rng.integers(2, 33)))


def _init_scale_cases(rng):
    cases = [Case("typical", (kind, _dense_shape(rng))) for kind in KINDS]
    random_kind = KINDS[int(rng.integers(0, len(KINDS)))]
    random_shape = _dense_shape(rng) if rng.random() < 0.5 else _conv_shape(rng)
    return cases + [
        Case("edge", ("he_normal", _conv_shape(rng)),
             note("núcleo convolucional (KH, KW, C_in, C_out): fan_in = KH·KW·C_in",
                  "a conv kernel (KH, KW, C_in, C_out): fan_in = KH·KW·C_in")),
        Case("edge", ("glorot_uniform", (5, 5, 1, 6)),
             note("la primera convolución de una LeNet: fan_in = 25, fan_out = 150",
                  "a LeNet's first convolution: fan_in = 25, fan_out = 150")),
        Case("edge", ("lecun_uniform", (1, int(rng.integers(2, 50)))),
             note("una sola entrada: fan_in = 1", "a single input: fan_in = 1")),
        Case("random", (random_kind, random_shape)),
    ]


def _with_fans(wrong):
    """A detector's function of (kind, fan_in, fan_out) as a function of the graded arguments."""
    def detector(kind, shape):
        fan_in, fan_out = init.fans(shape)
        return (np.float64(wrong(kind, fan_in, fan_out)),)
    return detector


def _fan_out_instead(kind, fan_in, fan_out):
    if kind.startswith("glorot"):
        raise NotThisCase("Glorot uses both fans")
    return _scale(kind, fan_out, fan_out)


def _variance_instead(kind, fan_in, fan_out):
    return _scale(kind, fan_in, fan_out) ** 2


def _numerator_one(kind, fan_in, fan_out):
    if kind.startswith("lecun"):
        raise NotThisCase("LeCun's numerator is 1")
    return _scale(kind, fan_in, fan_out, numerator=1.0)


def _limit_is_std(kind, fan_in, fan_out):
    if not kind.endswith("_uniform"):
        raise NotThisCase("a normal initialiser has no limit")
    return _scale(kind, fan_in, fan_out, uniform_factor=1.0)


def _channels_only(kind, shape):
    if len(shape) != 4:
        raise NotThisCase("a dense kernel")
    return (np.float64(_scale(kind, shape[2], shape[3])),)


register(GradedFunction(
    name="init_scale", exercise_set="004_3", parameters=("kind", "shape"), outputs=("scale",),
    make_cases=_init_scale_cases, reference=_init_scale_reference,
    summary={"es": "σ de una inicialización normal o límite a de una uniforme U(−a, a): He, LeCun, Glorot",
             "en": "σ of a normal initialiser or limit a of a uniform one U(−a, a): He, LeCun, Glorot"},
    detectors=mistakes(
        _init_scale_reference,
        ("fan_out_instead_of_fan_in",
         hint("He y LeCun dividen por fan_in, el número de entradas de cada neurona (d^[l−1] en la clase: "
              "la suma u = Σ_k w_k σ(z_k) tiene d^[l−1] términos), no por fan_out.",
              "He and LeCun divide by fan_in, the number of inputs of each unit (d^[l−1] in the lecture: the sum "
              "u = Σ_k w_k σ(z_k) has d^[l−1] terms), not by fan_out."),
         _with_fans(_fan_out_instead)),
        ("variance_instead_of_std",
         hint("Devolviste la varianza: N(0, 2/fan_in) tiene varianza 2/fan_in y desvío σ = √(2/fan_in). "
              "Para la uniforme, el límite es a = √(6/(fan_in + fan_out)), con raíz.",
              "You returned the variance: N(0, 2/fan_in) has variance 2/fan_in and standard deviation "
              "σ = √(2/fan_in). For the uniform, the limit is a = √(6/(fan_in + fan_out)), with the root."),
         _with_fans(_variance_instead)),
        ("numerator_one",
         hint("El numerador es 2, no 1: He es N(0, 2/d^[l−1]), porque la ReLU anula la mitad de las entradas "
              "(var(u) = d v E[z²]/2); Glorot es N(0, 2/(fan_in + fan_out)). 1/fan_in es LeCun.",
              "The numerator is 2, not 1: He is N(0, 2/d^[l−1]), because the ReLU zeros half of the inputs "
              "(var(u) = d v E[z²]/2); Glorot is N(0, 2/(fan_in + fan_out)). 1/fan_in is LeCun."),
         _with_fans(_numerator_one)),
        ("uniform_limit_is_std",
         hint("El límite de U(−a, a) no es el desvío σ: su varianza es a²/3, así que para tener la varianza de "
              "la normal hace falta a = √3·σ (Glorot: √(6/(fan_in + fan_out)) = √3·√(2/(fan_in + fan_out))).",
              "The limit of U(−a, a) is not the standard deviation σ: its variance is a²/3, so matching the "
              "normal's variance takes a = √3·σ (Glorot: √(6/(fan_in + fan_out)) = √3·√(2/(fan_in + fan_out)))."),
         _with_fans(_limit_is_std)),
        ("conv_fans_channels_only",
         hint("En un núcleo convolucional (KH, KW, C_in, C_out) cada salida suma KH·KW·C_in productos: "
              "fan_in = KH·KW·C_in y fan_out = KH·KW·C_out, no sólo los canales.",
              "In a conv kernel (KH, KW, C_in, C_out) each output sums KH·KW·C_in products: fan_in = KH·KW·C_in "
              "and fan_out = KH·KW·C_out, not only the channels."),
         _channels_only),
    ),
))

# -- the truncated normal --------------------------------------------------------------------------------


def _truncated(shape, std, draws, limit=2.0, rounds=None):
    """engine.init.truncated_normal with its standard normal draws taken from ``draws``, in order.

    ``limit`` (in σ) and ``rounds`` (how many times to redraw; None: until nothing is beyond) let a
    detector change one step. Raises ValueError if the supply runs out.
    """
    size = int(np.prod(shape))
    values = std * draws[:size]
    used = size
    outside = np.abs(values) > limit * std
    done = 0
    while outside.any() and (rounds is None or done < rounds):
        count = int(outside.sum())
        if used + count > draws.size:
            raise ValueError("the supply of draws ran out")
        values[outside] = std * draws[used:used + count]
        used += count
        done += 1
        outside = np.abs(values) > limit * std
    return values.reshape(shape)


def _truncated_reference(shape, std, draws):
    return (_truncated(tuple(shape), std, draws),)


def _supply(rng, shape, planted=(), redraw_beyond=False, within=False):
    """Standard normal draws for ``shape``: twice as many as needed plus 40.

    ``planted``: positions of the first block set beyond 2σ; ``redraw_beyond``: the first redraw is
    beyond 2σ too; ``within``: the first block has nothing beyond 2σ.
    """
    size = int(np.prod(shape))
    draws = rng.standard_normal(2 * size + 40)
    if within:
        draws[:size] = np.clip(draws[:size], -1.9, 1.9)
    for position in planted:
        draws[position] = rng.choice([-1.0, 1.0]) * rng.uniform(2.2, 3.5)
    if redraw_beyond:
        draws[size] = rng.choice([-1.0, 1.0]) * rng.uniform(2.2, 3.5)
    return draws


def _std(rng, low=0.01, high=0.2):
    return round(float(rng.uniform(low, high)), 4)


def _truncated_cases(rng):
    rows, cols = int(rng.integers(3, 7)), int(rng.integers(3, 7))
    random_shape = tuple(int(s) for s in rng.integers(1, 6, size=int(rng.integers(1, 4))))
    cases = [
        Case("typical", ((rows, cols), 0.05, _supply(rng, (rows, cols), planted=(1,))),
             note("σ = 0.05, el valor por defecto del motor", "σ = 0.05, the engine's default")),
        Case("typical", ((rows, cols), 1.0, _supply(rng, (rows, cols), planted=(0, rows * cols - 2)))),
        Case("edge", ((rows, cols), _std(rng), _supply(rng, (rows, cols), planted=(0,), redraw_beyond=True)),
             note("un valor vuelto a sortear cae otra vez más allá de 2σ: hay que sortearlo de nuevo",
                  "a redrawn value falls beyond 2σ again: it must be redrawn once more")),
        Case("edge", ((rows, cols), _std(rng), _supply(rng, (rows, cols), within=True)),
             note("ningún valor pasa de 2σ: no hay nada que volver a sortear",
                  "no value is beyond 2σ: nothing to redraw")),
        Case("edge", ((3, 3, 2, 4), _std(rng), _supply(rng, (3, 3, 2, 4), planted=(2, 5, 40))),
             note("forma de un núcleo convolucional (KH, KW, C_in, C_out), llenado por filas (orden C)",
                  "a conv kernel's shape (KH, KW, C_in, C_out), filled row-major (C order)")),
        Case("edge", ((12,), _std(rng, 1.0, 3.0), _supply(rng, (12,), planted=(0, 1, 2, 3, 4, 5))),
             note("la mitad de los primeros valores pasan de 2σ, con σ > 1",
                  "half of the first values are beyond 2σ, with σ > 1")),
        Case("random", (random_shape, _std(rng, 0.01, 2.0),
                        _supply(rng, random_shape, planted=(0,) if rng.random() < 0.5 else ()))),
    ]
    for case in cases:
        _truncated_reference(*case.args)        # every supply is long enough
    return cases


def _skipped(shape, std, draws):
    """The accepted draws in order: values beyond 2σ dropped instead of redrawn in their place."""
    kept = draws[np.abs(draws) <= 2.0]
    return (std * kept[: int(np.prod(shape))].reshape(shape),)


def _limit_not_scaled(shape, std, draws):
    """|value| > 2 instead of |value| > 2σ."""
    return (_truncated(tuple(shape), std, draws, limit=2.0 / std),)


register(GradedFunction(
    name="truncated_normal", exercise_set="004_3", parameters=("shape", "std", "draws"), outputs=("values",),
    make_cases=_truncated_cases, reference=_truncated_reference,
    summary={"es": "normal truncada N(0, std²): cada valor que pasa de 2 desvíos se vuelve a sortear (con los "
                   "siguientes de draws)",
             "en": "truncated normal N(0, std²): every value beyond 2 standard deviations is redrawn (from the next "
                   "draws)"},
    detectors=mistakes(
        _truncated_reference,
        ("clipped",
         hint("Recortaste a ±2σ (np.clip): así se apilan valores justo en el borde. La normal truncada vuelve a "
              "sortear el valor que excede 2 desvíos («va de nuevo»), con el siguiente número de draws.",
              "You clipped to ±2σ (np.clip), which piles values up at the edge. The truncated normal redraws a "
              "value beyond 2 standard deviations, with the next number of draws."),
         lambda shape, std, draws: (np.clip(std * draws[: int(np.prod(shape))], -2 * std, 2 * std).reshape(shape),)),
        ("limit_one_sigma",
         hint("El límite es de 2 desvíos: se vuelve a sortear sólo si |valor| > 2σ, no si pasa de σ.",
              "The limit is 2 standard deviations: redraw only when |value| > 2σ, not beyond σ."),
         lambda shape, std, draws: (_truncated(tuple(shape), std, draws, limit=1.0),)),
        ("limit_not_scaled",
         hint("El límite escala con el desvío: |valor| > 2σ = 2·std (o |z| > 2 sobre el número estándar), "
              "no |valor| > 2.",
              "The limit scales with the standard deviation: |value| > 2σ = 2·std (or |z| > 2 on the standard "
              "number), not |value| > 2."),
         _limit_not_scaled),
        ("skipped_not_redrawn",
         hint("Descartaste los valores fuera de ±2σ y corriste los siguientes un lugar. Aquí cada valor se vuelve "
              "a sortear en su lugar: primero se llenan las prod(shape) posiciones con los primeros números de "
              "draws; después las posiciones que exceden 2σ, en orden, toman los números siguientes.",
              "You dropped the values beyond ±2σ and moved the next ones up a place. Here each value is redrawn in "
              "its own place: the prod(shape) positions take the first numbers of draws; then the positions "
              "beyond 2σ, in order, take the next numbers."),
         _skipped),
        ("redrawn_only_once",
         hint("Un valor vuelto a sortear también puede pasar de 2σ: repite (while) hasta que ninguno exceda.",
              "A redrawn value may fall beyond 2σ too: repeat (while) until none does."),
         lambda shape, std, draws: (_truncated(tuple(shape), std, draws, rounds=1),)),
    ),
))
