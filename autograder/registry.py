"""The registry of graded functions: what each exercise asks a student to write
and how the autograder decides whether it is right.

A :class:`GradedFunction` names the function the student defines, the exercise
set it belongs to, how to draw its cases from a seed, the engine operation that
gives the expected outputs, the tolerances, and the detectors of the mistakes
students really make. The specifications live in ``autograder/specs/``, one
module per exercise set; importing :mod:`autograder.specs` registers them all.

Everything here runs in the grader's process only: a submission never sees a
case before it is asked to compute it, nor any expected output.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

KINDS = ("typical", "edge", "random")


@dataclass(frozen=True)
class Case:
    """One graded call (or several consecutive calls, for stateful steps).

    ``args`` are the positional arguments of the student's function: float64
    arrays, numbers, strings, tuples. ``kind`` is ``"typical"``, ``"edge"`` or
    ``"random"``; ``note`` says in a few words what makes an edge case special,
    as ``{"es": ..., "en": ...}``. A stateful case runs ``steps`` calls; the
    arguments of call k + 1 are ``spec.next_args(args_k, reference_outputs_k)``,
    so every call gets the same inputs in the student's process and in the
    reference, and each step is judged on its own.
    """

    kind: str
    args: tuple
    note: dict | None = None
    steps: int = 1
    points: float = 1.0

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Case.kind must be one of {KINDS}, got {self.kind!r}")
        if self.steps < 1:
            raise ValueError(f"Case.steps must be >= 1, got {self.steps}")


@dataclass(frozen=True)
class Detector:
    """A mistake students make, recognised by its output.

    ``wrong(*args)`` computes what the mistaken version returns (a tuple, one
    entry per output of the graded function, ``None`` for an output the mistake
    does not determine). When a failed case's outputs match it, the feedback
    shows ``hint`` (``{"es": ..., "en": ...}``).
    """

    key: str
    hint: dict
    wrong: Callable[..., tuple]


@dataclass(frozen=True)
class GradientCheck:
    """For a backward function: check it against finite differences of the
    student's own forward function, when the submission defines one.

    ``forward`` is the name of the student's forward function;
    ``forward_args(args)`` builds its arguments from the backward case's
    arguments; ``upstream`` is the index in ``args`` of the upstream gradient
    dL/dy; ``inputs`` maps each gradient output's index to the index of the
    forward argument it differentiates (e.g. {0: 0, 1: 1} for dx, dW);
    ``forward_output`` is which output of the forward function y is.
    """

    forward: str
    forward_args: Callable[[tuple], tuple]
    upstream: int
    inputs: dict
    forward_output: int = 0


@dataclass(frozen=True)
class GradedFunction:
    """A function students write, and everything needed to grade it."""

    name: str                                   # the name the student's function must have
    exercise_set: str                           # e.g. "004_5" (see autograder.sets)
    parameters: tuple[str, ...]                 # the student's parameters, in order
    outputs: tuple[str, ...]                    # what it returns, in order (one name: a single array)
    make_cases: Callable[[np.random.Generator], Sequence[Case]]
    reference: Callable[..., tuple]             # the engine's answer, a tuple in the order of outputs
    summary: dict                               # {"es": ..., "en": ...}: what it computes, one line
    rtol: float = 1e-6
    atol: float = 1e-9
    detectors: tuple[Detector, ...] = ()
    forbidden: tuple[str, ...] = ()             # dotted names a solution may not use, beyond DEFAULT_FORBIDDEN
    next_args: Callable[[tuple, tuple], tuple] | None = None
    gradient_check: GradientCheck | None = None
    timeout: float = 10.0                       # seconds per call, compilation of @njit code included
    extra: dict = field(default_factory=dict)

    @property
    def signature(self) -> str:
        returns = self.outputs[0] if len(self.outputs) == 1 else "(" + ", ".join(self.outputs) + ")"
        return f"{self.name}({', '.join(self.parameters)}) -> {returns}"

    def cases(self, rng: np.random.Generator) -> list[Case]:
        cases = list(self.make_cases(rng))
        if not cases:
            raise ValueError(f"{self.name}: make_cases returned no case")
        for case in cases:
            if len(case.args) != len(self.parameters):
                raise ValueError(f"{self.name}: a case has {len(case.args)} arguments, the function takes "
                                 f"{len(self.parameters)} {self.parameters}")
            if case.steps > 1 and self.next_args is None:
                raise ValueError(f"{self.name}: a case of {case.steps} steps needs next_args")
        return cases


# Modules whose use inside a graded function hands in the reference instead of an implementation.
DEFAULT_FORBIDDEN = ("engine", "torch", "tensorflow", "keras", "jax", "scipy.signal", "scipy.ndimage")

_REGISTRY: dict[str, GradedFunction] = {}


def register(spec: GradedFunction) -> GradedFunction:
    """Add a graded function; its name must be new."""
    if spec.name in _REGISTRY:
        raise ValueError(f"a graded function named {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def _load_specs() -> None:
    from . import specs  # noqa: F401  (registers every exercise set)


def graded_functions(exercise_set: str | None = None) -> list[GradedFunction]:
    """Every registered function (of one exercise set), in the order of the sets and of registration."""
    _load_specs()
    from .sets import SETS
    order = {key: i for i, key in enumerate(SETS)}
    chosen = [s for s in _REGISTRY.values() if exercise_set is None or s.exercise_set == exercise_set]
    return sorted(chosen, key=lambda s: order.get(s.exercise_set, len(order)))


def graded_function(name: str) -> GradedFunction:
    _load_specs()
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY))
        raise KeyError(f"no graded function named {name!r}; the registered ones are: {known}") from None
