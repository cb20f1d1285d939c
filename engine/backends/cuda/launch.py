"""Launch configurations: how many blocks of how many threads cover an output."""

from __future__ import annotations

THREADS = 256  # threads per block for one-thread-per-element kernels: 8 warps
TILE = 16  # side of the square tiles of the matrix product (16×16 = 256 threads)


def blocks_for(n: int, threads: int = THREADS) -> int:
    """Blocks of ``threads`` needed to give each of n items a thread (at least one block)."""
    return max(1, -(-int(n) // threads))


def elementwise(n: int, threads: int = THREADS):
    """``kernel[elementwise(n)](...)``: a 1-D grid with one thread per element i = cuda.grid(1) < n."""
    return blocks_for(n, threads), threads


def per_row(rows: int, threads: int = THREADS):
    """One block per row (reductions along a row: softmax, per-channel sums), ``threads`` threads each."""
    return max(1, int(rows)), threads
