"""Lecture 004 §6, Redes recurrentes: one step of the simple RNN and of the LSTM, forward and backward.

Row vectors, as the engine: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b). The LSTM's
gates are stacked in Keras' order [i, f, c̃, o] in kernel (D, 4H),
recurrent_kernel (H, 4H) and bias (4H,). The forward steps are also graded over
a whole sequence: a stateful case feeds each step the next x_t and the
reference's state, so a mistake that only shows once the state is non-zero
(h_{t−1} ≠ 0, c_{t−1} ≠ 0) is caught at the step where it shows.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import hint, mistakes, normal, note
from .stateful import like, next_rng


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


# -- simple RNN ---------------------------------------------------------------------------------------
def _rnn_weights(rng, d, h, scale=1.0):
    return (normal(rng, d, h, scale=scale / np.sqrt(d)), normal(rng, h, h, scale=scale / np.sqrt(h)),
            normal(rng, h, scale=0.1 * scale))


def _rnn_cases(rng):
    n, d, h = int(rng.integers(2, 7)), int(rng.integers(1, 6)), int(rng.integers(2, 6))
    steps = int(rng.integers(4, 7))
    return [
        Case("typical", (normal(rng, n, d), normal(rng, n, h, scale=0.5), *_rnn_weights(rng, d, h))),
        Case("typical", (normal(rng, n, d), np.zeros((n, h)), *_rnn_weights(rng, d, h)), steps=steps,
             note=note(f"una secuencia de {steps} pasos desde h = 0: cada paso recibe el h_t correcto del anterior",
                       f"a sequence of {steps} steps from h = 0: each step gets the previous step's right h_t")),
        Case("edge", (normal(rng, 1, d), normal(rng, 1, 1, scale=0.5), *_rnn_weights(rng, d, 1)),
             note("un ejemplo y una unidad oculta", "one example and one hidden unit")),
        Case("edge", (normal(rng, n, d), normal(rng, n, h, scale=0.5), *_rnn_weights(rng, d, h, scale=20.0)),
             note("pesos grandes: tanh saturada", "large weights: a saturated tanh")),
        Case("random", (normal(rng, n + 3, d), normal(rng, n + 3, h), *_rnn_weights(rng, d, h)),
             steps=int(rng.integers(1, 6))),
    ]


def _rnn_reference(x_t, h_prev, W_xh, W_hh, b):
    return (F.rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b),)


def _next_rnn_input(args, outputs):
    x_t, _, W_xh, W_hh, b = args
    return like(next_rng(*args), x_t), outputs[0], W_xh, W_hh, b


def _rnn_with(activation):
    return lambda x_t, h_prev, W_xh, W_hh, b: (activation(x_t @ W_xh + h_prev @ W_hh + b),)


register(GradedFunction(
    name="rnn_cell_forward", exercise_set="004_6", parameters=("x_t", "h_prev", "W_xh", "W_hh", "b"),
    outputs=("h_t",),
    make_cases=_rnn_cases, reference=_rnn_reference, next_args=_next_rnn_input,
    summary={"es": "un paso de la RNN simple: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b)",
             "en": "one step of the simple RNN: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b)"},
    detectors=mistakes(
        _rnn_reference,
        ("rnn_sigmoid_instead_of_tanh",
         hint("La clase escribe σ(·) para la activación, pero la estándar en una RNN es tanh: acotada en "
              "(−1, 1), con valores positivos y negativos.",
              "The lecture writes σ(·) for the activation, but the standard one in an RNN is tanh: bounded "
              "in (−1, 1), positive and negative."),
         _rnn_with(_sigmoid)),
        ("rnn_missing_tanh",
         hint("Falta la activación: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b).",
              "The activation is missing: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b)."),
         _rnn_with(lambda z: z)),
    ),
))


def _rnn_backward_cases(rng):
    cases = []
    for case in _rnn_cases(rng):
        x_t, h_prev, W_xh, W_hh, b = case.args
        if case.steps > 1:      # a step in the middle of a sequence: a state that is not zero
            h_prev = normal(rng, *h_prev.shape, scale=0.5)
        h_t = F.rnn_cell_forward(x_t, h_prev, W_xh, W_hh, b)
        cases.append(Case(case.kind, (normal(rng, *h_t.shape), x_t, h_prev, h_t, W_xh, W_hh),
                          case.note if case.steps == 1 else None))
    return cases


def _rnn_backward_reference(dh, x_t, h_prev, h_t, W_xh, W_hh):
    return tuple(F.rnn_cell_backward(dh, x_t, h_prev, h_t, W_xh, W_hh))


def _rnn_backward_with(derivative):
    def wrong(dh, x_t, h_prev, h_t, W_xh, W_hh):
        delta = dh * derivative(h_t)
        return delta @ W_xh.T, delta @ W_hh.T, x_t.T @ delta, h_prev.T @ delta, delta.sum(axis=0)
    return wrong


def _rnn_forward_args(args):
    """The forward's arguments of a backward case; the bias, which the backward does not take, is recovered
    from the first row of h_t = tanh(x_t W_xh + h_prev W_hh + b) (every row used the same b)."""
    _, x_t, h_prev, h_t, W_xh, W_hh = args
    b = np.arctanh(h_t[0]) - x_t[0] @ W_xh - h_prev[0] @ W_hh
    return x_t, h_prev, W_xh, W_hh, b


register(GradedFunction(
    name="rnn_cell_backward", exercise_set="004_6", parameters=("dh", "x_t", "h_prev", "h_t", "W_xh", "W_hh"),
    outputs=("dx_t", "dh_prev", "dW_xh", "dW_hh", "db"),
    make_cases=_rnn_backward_cases, reference=_rnn_backward_reference,
    summary={"es": "gradientes de un paso de la RNN: δ = dh ⊙ (1 − h_t²), dx_t = δ W_xhᵀ, dh_prev = δ W_hhᵀ, "
                   "dW_xh = x_tᵀ δ, dW_hh = h_prevᵀ δ, db = Σ δ",
             "en": "gradients of one RNN step: δ = dh ⊙ (1 − h_t²), dx_t = δ W_xhᵀ, dh_prev = δ W_hhᵀ, "
                   "dW_xh = x_tᵀ δ, dW_hh = h_prevᵀ δ, db = Σ δ"},
    detectors=mistakes(
        _rnn_backward_reference,
        ("rnn_backward_missing_tanh_derivative",
         hint("Falta la derivada de tanh: antes de multiplicar por las matrices, δ = dh ⊙ (1 − h_t²).",
              "The derivative of tanh is missing: before multiplying by the matrices, δ = dh ⊙ (1 − h_t²)."),
         _rnn_backward_with(lambda h_t: 1.0)),
        ("rnn_backward_tanh_applied_again",
         hint("h_t ya es tanh(z): la derivada es 1 − h_t², no 1 − tanh(h_t)².",
              "h_t already is tanh(z): the derivative is 1 − h_t², not 1 − tanh(h_t)²."),
         _rnn_backward_with(lambda h_t: 1 - np.tanh(h_t) ** 2)),
    ),
    gradient_check=GradientCheck(forward="rnn_cell_forward", forward_args=_rnn_forward_args, upstream=0,
                                 inputs={0: 0, 1: 1, 2: 2, 3: 3, 4: 4}),
))


# -- LSTM ----------------------------------------------------------------------------------------------
KERAS_ORDER = "ifco"     # the blocks of the stacked kernel: i, f, c̃ (written c), o


def lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, order=KERAS_ORDER, h_activation=np.tanh):
    """One LSTM step in numpy, reading the stacked blocks in ``order``: (h_t, c_t, {gate: activation})."""
    z = x_t @ kernel + h_prev @ recurrent_kernel + bias
    blocks = dict(zip(order, np.split(z, 4, axis=1)))
    gates = {name: np.tanh(blocks[name]) if name == "c" else _sigmoid(blocks[name]) for name in "ifco"}
    c_t = gates["f"] * c_prev + gates["i"] * gates["c"]
    return gates["o"] * h_activation(c_t), c_t, gates


def _lstm_weights(rng, d, h, scale=1.0):
    return (normal(rng, d, 4 * h, scale=scale / np.sqrt(d)), normal(rng, h, 4 * h, scale=scale / np.sqrt(h)),
            normal(rng, 4 * h, scale=0.5))


def _lstm_cases(rng):
    n, d, h = int(rng.integers(2, 6)), int(rng.integers(1, 6)), int(rng.integers(2, 5))
    steps = int(rng.integers(4, 7))
    return [
        Case("typical", (normal(rng, n, d), normal(rng, n, h, scale=0.5), normal(rng, n, h),
                         *_lstm_weights(rng, d, h))),
        Case("typical", (normal(rng, n, d), np.zeros((n, h)), np.zeros((n, h)), *_lstm_weights(rng, d, h)),
             steps=steps,
             note=note(f"una secuencia de {steps} pasos desde h = c = 0: cada paso recibe el (h_t, c_t) correcto "
                       "del anterior",
                       f"a sequence of {steps} steps from h = c = 0: each step gets the previous step's right "
                       "(h_t, c_t)")),
        Case("edge", (normal(rng, 1, d), normal(rng, 1, 1, scale=0.5), normal(rng, 1, 1), *_lstm_weights(rng, d, 1)),
             note("un ejemplo y una unidad (H = 1)", "one example and one unit (H = 1)")),
        Case("edge", (normal(rng, n, d), normal(rng, n, h, scale=0.5), normal(rng, n, h),
                      *_lstm_weights(rng, d, h, scale=20.0)),
             note("pesos grandes: compuertas saturadas en 0 o 1", "large weights: gates saturated at 0 or 1")),
        Case("random", (normal(rng, n + 2, d), normal(rng, n + 2, h, scale=0.5), normal(rng, n + 2, h),
                        *_lstm_weights(rng, d, h)), steps=int(rng.integers(1, 6))),
    ]


def _lstm_reference(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    return F.lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)[:2]


def _next_lstm_input(args, outputs):
    x_t, _, _, kernel, recurrent_kernel, bias = args
    return like(next_rng(*args), x_t), outputs[0], outputs[1], kernel, recurrent_kernel, bias


def _lstm_with(**mistake):
    return lambda *args: lstm_step(*args, **mistake)[:2]


register(GradedFunction(
    name="lstm_cell_forward", exercise_set="004_6",
    parameters=("x_t", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias"), outputs=("h_t", "c_t"),
    make_cases=_lstm_cases, reference=_lstm_reference, next_args=_next_lstm_input,
    summary={"es": "un paso de la LSTM, compuertas apiladas [i, f, c̃, o]: c_t = f ⊙ c_{t−1} + i ⊙ c̃, "
                   "h_t = o ⊙ tanh(c_t)",
             "en": "one LSTM step, gates stacked [i, f, c̃, o]: c_t = f ⊙ c_{t−1} + i ⊙ c̃, h_t = o ⊙ tanh(c_t)"},
    detectors=mistakes(
        _lstm_reference,
        ("lstm_gates_lecture_order",
         hint("Las compuertas están apiladas en el orden de Keras [i, f, c̃, o]: el primer bloque de H "
              "columnas es la de entrada i y el segundo la de olvido f (la clase las escribe en otro orden).",
              "The gates are stacked in Keras' order [i, f, c̃, o]: the first block of H columns is the "
              "input gate i and the second the forget gate f (the lecture writes them in another order)."),
         _lstm_with(order="fico")),
        ("lstm_gates_output_before_candidate",
         hint("El orden de los bloques es [i, f, c̃, o]: el tercero es el candidato c̃ (con tanh) y el "
              "cuarto la compuerta de salida o (con sigmoide).",
              "The blocks are in the order [i, f, c̃, o]: the third is the candidate c̃ (with tanh) and the "
              "fourth the output gate o (with a sigmoid)."),
         _lstm_with(order="ifoc")),
        ("lstm_h_without_tanh",
         hint("h_t = o ⊙ tanh(c_t): falta la tanh sobre el estado de la celda.",
              "h_t = o ⊙ tanh(c_t): the tanh of the cell state is missing."),
         _lstm_with(h_activation=lambda c: c)),
    ),
))


def _lstm_backward_cases(rng):
    cases = []
    for number, case in enumerate(_lstm_cases(rng)):
        x_t, h_prev, c_prev, kernel, recurrent_kernel, bias = case.args
        if case.steps > 1:      # a step in the middle of a sequence: a state that is not zero
            h_prev, c_prev = normal(rng, *h_prev.shape, scale=0.5), normal(rng, *c_prev.shape)
        shape = h_prev.shape
        # the first case is the last step of a sequence (nothing reaches c_t from later steps), so that the
        # student's backward can be checked against finite differences of h_t alone
        dc = np.zeros(shape) if number == 0 else normal(rng, *shape)
        case_note = note("último paso de una secuencia: dc = 0", "the last step of a sequence: dc = 0") \
            if number == 0 else case.note if case.steps == 1 else None
        cases.append(Case(case.kind, (normal(rng, *shape), dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias),
                          case_note))
    return cases


def _lstm_backward_reference(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    _, c_t, gates = F.lstm_cell_forward(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    return tuple(F.lstm_cell_backward(dh, dc, x_t, h_prev, c_prev, c_t, gates, kernel, recurrent_kernel))


def lstm_step_backward(dh, dc, x_t, h_prev, c_prev, kernel, recurrent_kernel, bias, use_dc=True,
                       tanh_derivative=True):
    """The gradients of one LSTM step in numpy, with the chosen mistakes."""
    _, c_t, g = lstm_step(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias)
    tanh_c = np.tanh(c_t)
    delta_c = (dc if use_dc else 0.0) + dh * g["o"] * ((1 - tanh_c**2) if tanh_derivative else 1.0)
    dz = np.concatenate([delta_c * g["c"] * g["i"] * (1 - g["i"]),
                         delta_c * c_prev * g["f"] * (1 - g["f"]),
                         delta_c * g["i"] * (1 - g["c"] ** 2),
                         dh * tanh_c * g["o"] * (1 - g["o"])], axis=1)
    return (dz @ kernel.T, dz @ recurrent_kernel.T, delta_c * g["f"], x_t.T @ dz, h_prev.T @ dz, dz.sum(axis=0))


register(GradedFunction(
    name="lstm_cell_backward", exercise_set="004_6",
    parameters=("dh", "dc", "x_t", "h_prev", "c_prev", "kernel", "recurrent_kernel", "bias"),
    outputs=("dx_t", "dh_prev", "dc_prev", "dkernel", "drecurrent_kernel", "dbias"),
    make_cases=_lstm_backward_cases, reference=_lstm_backward_reference,
    summary={"es": "gradientes de un paso de la LSTM: δc = dc + dh ⊙ o ⊙ (1 − tanh² c_t), δz por compuerta, "
                   "dx_t = δz kernelᵀ, dh_prev = δz recurrent_kernelᵀ, dc_prev = δc ⊙ f",
             "en": "gradients of one LSTM step: δc = dc + dh ⊙ o ⊙ (1 − tanh² c_t), δz per gate, "
                   "dx_t = δz kernelᵀ, dh_prev = δz recurrent_kernelᵀ, dc_prev = δc ⊙ f"},
    detectors=mistakes(
        _lstm_backward_reference,
        ("lstm_backward_ignores_dc",
         hint("El gradiente que llega a c_t tiene dos partes: el dc que viene del paso siguiente y el que "
              "pasa por h_t; δc = dc + dh ⊙ o ⊙ (1 − tanh² c_t).",
              "The gradient reaching c_t has two parts: the dc coming from the next step and the one "
              "through h_t; δc = dc + dh ⊙ o ⊙ (1 − tanh² c_t)."),
         lambda *args: lstm_step_backward(*args, use_dc=False)),
        ("lstm_backward_missing_tanh_derivative",
         hint("Al pasar de h_t = o ⊙ tanh(c_t) a c_t falta la derivada de tanh: dh ⊙ o ⊙ (1 − tanh² c_t).",
              "Going from h_t = o ⊙ tanh(c_t) to c_t the derivative of tanh is missing: "
              "dh ⊙ o ⊙ (1 − tanh² c_t)."),
         lambda *args: lstm_step_backward(*args, tanh_derivative=False)),
    ),
    gradient_check=GradientCheck(forward="lstm_cell_forward", forward_args=lambda a: a[2:8], upstream=0,
                                 inputs={0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 5: 5}),
))
