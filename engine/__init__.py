"""A deep-learning engine for teaching, with Numba kernels on the CPU.

Layers of the package, from the bottom up:

- ``engine.backends``: the compiled kernels (``cpu``: Numba; ``cuda`` later);
- ``engine.functional``: validated, stateless forward/backward pairs;
- ``engine.layers`` and ``engine.model``: stateful layers and ``Sequential``;
- ``engine.optimizers``, ``engine.schedules``, ``engine.training``: learning;
- ``engine.init``, ``engine.gradcheck``, ``engine.datasets``, ``engine.plots``.
"""

from . import functional

__version__ = "0.1.0"
__all__ = ["functional"]
