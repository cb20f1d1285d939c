"""Lecture 004 §6, Redes recurrentes: one step of the simple RNN and of the LSTM, forward and backward;
backpropagation through time over a sequence; the orthogonal initialisation.

Row vectors, as the engine: h_t = tanh(x_t W_xh + h_{t−1} W_hh + b). The LSTM's
gates are stacked in Keras' order [i, f, c̃, o] in kernel (D, 4H),
recurrent_kernel (H, 4H) and bias (4H,). The forward steps are also graded over
a whole sequence: a stateful case feeds each step the next x_t and the
reference's state, so a mistake that only shows once the state is non-zero
(h_{t−1} ≠ 0, c_{t−1} ≠ 0) is caught at the step where it shows.

Backpropagation through time is graded as engine.functional.rnn_backward: (dx, dW_xh, dW_hh, db, dh0)
from dh (N, T, H), the states h and the initial state h0. The orthogonal initialisation is graded on a
given Gaussian (M, K), M ≥ K: Q of its QR with column j times sign(R[j, j]), which is what
engine.init.orthogonal does with the Gaussian it draws.
"""

from __future__ import annotations

import numpy as np

import engine.functional as F
import engine.init as engine_init

from ..registry import Case, GradedFunction, GradientCheck, register
from .common import NotThisCase, hint, mistakes, normal, note
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


# -- backpropagation through time ---------------------------------------------------------------------
def _bptt_case(rng, kind, n, steps, d, h, zero_h0=False, scale=1.0, last_only=False, text=None):
    W_xh, W_hh, b = _rnn_weights(rng, d, h, scale=scale)
    x = normal(rng, n, steps, d)
    h0 = np.zeros((n, h)) if zero_h0 else normal(rng, n, h, scale=0.5)
    states = F.rnn_forward(x, W_xh, W_hh, b, h0)
    dh = normal(rng, n, steps, h)
    if last_only:
        dh[:, :-1] = 0.0
    return Case(kind, (dh, x, states, W_xh, W_hh, h0), text)


def _bptt_cases(rng):
    n, d, h = int(rng.integers(2, 5)), int(rng.integers(1, 5)), int(rng.integers(2, 6))
    steps = int(rng.integers(4, 8))
    return [
        _bptt_case(rng, "typical", n, steps, d, h, zero_h0=True,
                   text=note("una secuencia desde h₀ = 0", "a sequence from h₀ = 0")),
        _bptt_case(rng, "typical", n, steps, d, h),
        _bptt_case(rng, "edge", n, 1, d, h, text=note("un solo paso: T = 1", "a single step: T = 1")),
        _bptt_case(rng, "edge", n, steps, d, h, last_only=True,
                   text=note("la pérdida sólo mira el último estado: dh = 0 salvo en t = T − 1",
                             "the loss only sees the last state: dh = 0 except at t = T − 1")),
        _bptt_case(rng, "edge", 1, steps, d, 1, text=note("un ejemplo y una unidad oculta",
                                                           "one example and one hidden unit")),
        _bptt_case(rng, "edge", n, steps, d, h, scale=20.0, text=note("pesos grandes: tanh saturada",
                                                                       "large weights: a saturated tanh")),
        _bptt_case(rng, "random", int(rng.integers(1, 5)), int(rng.integers(2, 9)), int(rng.integers(1, 5)),
                   int(rng.integers(1, 6))),
    ]


def _bptt_reference(dh, x, h, W_xh, W_hh, h0):
    return tuple(F.rnn_backward(dh, x, h, W_xh, W_hh, h0))


def _bptt_with(carry=True, previous_state=lambda h, h0, t: h[:, t - 1] if t > 0 else h0):
    """BPTT step by step with the engine's cell backward; ``carry=False`` drops the gradient flowing back from
    step t + 1, and ``previous_state`` chooses the h_{t−1} each step's weight gradient uses."""
    def wrong(dh, x, h, W_xh, W_hh, h0):
        dx, dW_xh, dW_hh = np.zeros_like(x), np.zeros_like(W_xh), np.zeros_like(W_hh)
        db, carried = np.zeros(W_hh.shape[0]), np.zeros_like(h0)
        for t in reversed(range(x.shape[1])):
            upstream = dh[:, t] + (carried if carry else 0.0)
            dx[:, t], carried, dw_xh, dw_hh, db_t = F.rnn_cell_backward(
                upstream, x[:, t], previous_state(h, h0, t), h[:, t], W_xh, W_hh)
            dW_xh, dW_hh, db = dW_xh + dw_xh, dW_hh + dw_hh, db + db_t
        return dx, dW_xh, dW_hh, db, carried
    return wrong


def _bptt_last_step_only(dh, x, h, W_xh, W_hh, h0):
    last = np.zeros_like(dh)
    last[:, -1] = dh[:, -1]
    return _bptt_reference(last, x, h, W_xh, W_hh, h0)


register(GradedFunction(
    name="rnn_backward_through_time", exercise_set="004_6", parameters=("dh", "x", "h", "W_xh", "W_hh", "h0"),
    outputs=("dx", "dW_xh", "dW_hh", "db", "dh0"),
    make_cases=_bptt_cases, reference=_bptt_reference,
    summary={"es": "backpropagation through time de la RNN: de t = T − 1 a 0, el paso recibe dh_t más el dh_prev del "
                   "paso t + 1; los gradientes de los pesos se suman sobre t",
             "en": "backpropagation through time of the RNN: from t = T − 1 down to 0, a step gets dh_t plus step "
                   "t + 1's dh_prev; the weights' gradients are summed over t"},
    detectors=mistakes(
        _bptt_reference,
        ("bptt_gradient_not_carried",
         hint("El estado h_t también influye en la pérdida a través de los pasos siguientes: cada paso recibe "
              "dh[:, t] más el dh_prev que devolvió el paso t + 1 (recorriendo el tiempo hacia atrás).",
              "The state h_t also reaches the loss through the later steps: each step gets dh[:, t] plus the "
              "dh_prev that step t + 1 returned (going backwards in time)."),
         _bptt_with(carry=False)),
        ("bptt_last_step_only",
         hint("dh trae ∂L/∂h_t para todos los pasos (por ejemplo, una salida por paso): súmalo en cada paso, no "
              "sólo en el último.",
              "dh holds ∂L/∂h_t for every step (an output per step, say): add it at every step, not only the "
              "last."),
         _bptt_last_step_only),
        ("bptt_h0_ignored",
         hint("En el primer paso el estado anterior es h0 (el que recibes), no ceros: dW_hh suma h0ᵀ δ_0.",
              "At the first step the previous state is h0 (the one you are given), not zeros: dW_hh adds "
              "h0ᵀ δ_0."),
         _bptt_with(previous_state=lambda h, h0, t: h[:, t - 1] if t > 0 else np.zeros_like(h0))),
        ("bptt_state_off_by_one",
         hint("h[:, t] es el estado después de leer x_t: el h_prev del paso t es h[:, t − 1] (y h0 en t = 0), "
              "no h[:, t].",
              "h[:, t] is the state after reading x_t: step t's h_prev is h[:, t − 1] (and h0 at t = 0), "
              "not h[:, t]."),
         _bptt_with(previous_state=lambda h, h0, t: h[:, t])),
    ),
))


# -- orthogonal initialisation ---------------------------------------------------------------------------
class _GivenGaussian(np.random.Generator):
    """A generator whose normal() returns one given matrix: engine.init.orthogonal then uses that Gaussian."""

    def __init__(self, gaussian):
        super().__init__(np.random.PCG64(0))
        self.gaussian = gaussian

    def normal(self, loc=0.0, scale=1.0, size=None):
        if tuple(size) != self.gaussian.shape:
            raise ValueError(f"orthogonal drew a {tuple(size)} Gaussian, the case holds {self.gaussian.shape}")
        return self.gaussian.copy()


def _orthogonal_reference(gaussian):
    return (engine_init.orthogonal(gaussian.shape, rng=_GivenGaussian(gaussian), dtype=np.float64),)


def _orthogonal_cases(rng):
    side = int(rng.integers(3, 9))
    rows = int(rng.integers(4, 9))
    columns = int(rng.integers(2, rows))
    return [
        Case("typical", (normal(rng, side, side),),
             note(f"una matriz recurrente W_hh de {side}×{side}", f"a {side}×{side} recurrent matrix W_hh")),
        Case("typical", (normal(rng, 16, 16),)),
        Case("edge", (normal(rng, 1, 1),), note("una matriz 1×1: Q = signo de la gaussiana",
                                                 "a 1×1 matrix: Q = the Gaussian's sign")),
        Case("edge", (normal(rng, rows, columns),),
             note(f"una matriz alta {rows}×{columns}: columnas ortonormales",
                  f"a tall {rows}×{columns} matrix: orthonormal columns")),
        Case("edge", (normal(rng, rows, 1),), note("una sola columna: Q = g / ‖g‖", "a single column: Q = g / ‖g‖")),
        Case("edge", (normal(rng, side, side, scale=1e3),),
             note("gaussiana de escala 1000: Q no depende de la escala", "a Gaussian of scale 1000: Q does not "
                                                                          "depend on the scale")),
        Case("random", (normal(rng, *sorted((int(rng.integers(1, 10)), int(rng.integers(1, 10))), reverse=True)),)),
    ]


def _qr_without_signs(gaussian):
    return (np.linalg.qr(gaussian)[0],)


def _signs_on_rows(gaussian):
    if gaussian.shape[0] != gaussian.shape[1]:
        raise NotThisCase("the rows' signs only broadcast on a square matrix")
    q, r = np.linalg.qr(gaussian)
    return (np.sign(np.diag(r))[:, None] * q,)


register(GradedFunction(
    name="orthogonal", exercise_set="004_6", parameters=("gaussian",), outputs=("Q",),
    make_cases=_orthogonal_cases, reference=_orthogonal_reference, atol=1e-8,
    summary={"es": "inicialización ortogonal: Q de la descomposición QR de la gaussiana, con la columna j "
                   "multiplicada por el signo de R[j, j]",
             "en": "orthogonal initialisation: Q of the Gaussian's QR decomposition, column j multiplied by the "
                   "sign of R[j, j]"},
    detectors=mistakes(
        _orthogonal_reference,
        ("orthogonal_signs_not_fixed",
         hint("La QR no es única: cambiar el signo de una columna de Q y de la fila de R correspondiente da otra. "
              "Fija los signos multiplicando la columna j de Q por el signo de R[j, j] (así Q queda distribuida "
              "uniformemente entre las matrices ortogonales).",
              "QR is not unique: flipping a column of Q and the matching row of R gives another one. Fix the "
              "signs by multiplying column j of Q by the sign of R[j, j] (then Q is uniformly distributed over "
              "the orthogonal matrices)."),
         _qr_without_signs),
        ("orthogonal_signs_on_rows",
         hint("El signo de R[j, j] multiplica la columna j de Q (Q · diag(signos), o q * signos con numpy), no la "
              "fila j (diag(signos) · Q).",
              "The sign of R[j, j] multiplies column j of Q (Q · diag(signs), or q * signs in numpy), not row j "
              "(diag(signs) · Q)."),
         _signs_on_rows),
        ("orthogonal_columns_normalised_only",
         hint("Normalizar las columnas (‖columna‖ = 1) no las vuelve ortogonales entre sí: hace falta la "
              "descomposición QR (o Gram–Schmidt), para que QᵀQ = I.",
              "Normalising the columns (‖column‖ = 1) does not make them orthogonal to each other: you need the "
              "QR decomposition (or Gram–Schmidt), so that QᵀQ = I."),
         lambda gaussian: (gaussian / np.linalg.norm(gaussian, axis=0),)),
    ),
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
