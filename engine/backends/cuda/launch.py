"""Launch configurations: how many blocks of how many threads cover an output.

Numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, how the tests run without a GPU)
runs every GPU thread as a Python thread, so its cost is per thread, not per element:
there the same kernels run with one-warp blocks and 8×8 tiles. They are written for
any power-of-two block size, and the compile check (tests/cuda/test_kernels_compile.py)
compiles them with the GPU's sizes.
"""

from __future__ import annotations

from ..cuda_device import simulated

WARP = 32
THREADS = WARP if simulated() else 256  # threads per block of 1-D kernels and reductions: 8 warps on a GPU
TILE = 8 if simulated() else 16  # side of the square tiles of the matrix products (16×16 = 256 threads on a GPU)


def blocks_for(n: int, threads: int = THREADS) -> int:
    """Blocks of ``threads`` needed to give each of n items a thread (at least one block)."""
    return max(1, -(-int(n) // threads))


def elementwise(n: int, threads: int = THREADS):
    """``kernel[elementwise(n)](...)``: a 1-D grid with one thread per element i = cuda.grid(1) < n.
    Fewer than ``threads`` elements get one block of just enough whole warps."""
    threads = min(threads, WARP * blocks_for(n, WARP))
    return blocks_for(n, threads), threads


def per_row(rows: int, threads: int = THREADS):
    """One block per row (reductions along a row: softmax, per-channel sums), ``threads`` threads each."""
    return max(1, int(rows)), threads
