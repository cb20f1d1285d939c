"""Matrix products on the GPU: C = op(A) op(B) (+ b) through 16×16 tiles in shared memory.

The dense and recurrent layers spend their time in matrix products (lecture 004 §5:
y = x W + b; its gradients ∂L/∂x = ∂L/∂y Wᵀ, ∂L/∂W = xᵀ ∂L/∂y, ∂L/∂b = Σ_n ∂L/∂y_n).
``matmul`` computes

    C = [C +] op(A) op(B) [+ b],  then max(C, 0) with ``relu``,

with op(A) = A or Aᵀ and op(B) = B or Bᵀ, so that dy Wᵀ and xᵀ dy are formed
without transposed copies. op(A) is (M, K), op(B) is (K, N), C is (M, N).

Launch plan: one block of TILE × TILE = 16 × 16 threads per 16 × 16 tile of C,
each thread one element of C. The block walks the inner dimension K one tile at a
time: its threads load a tile of op(A) and a tile of op(B) into shared memory
(each thread one element of each, consecutive threads reading consecutive
addresses of the stored matrix, transposed or not), wait for each other
(``syncthreads``), and each thread adds the 16 products of its row of the first
tile with its column of the second. Every element of A and B is thus read from
global memory M/16 or N/16 times instead of M or N times.

``column_sums`` (∂L/∂b = Σ_n ∂L/∂z_n) gives each chunk of 32 columns a block of
32 × 8 threads: the 8 rows of threads stride down the rows of the matrix, then
add their 8 partial sums in shared memory.
"""

from numba import cuda

from .launch import THREADS, TILE, blocks_for
from .memory import work_buffer

PADDED = TILE + 1  # row length of a shared tile: a column of it then lies in 16 different memory banks
SUM_COLUMNS = 32  # columns of a column_sums block: one warp reads 32 consecutive values of a row
SUM_ROWS = THREADS // SUM_COLUMNS  # rows of threads of a column_sums block (32 × 8 = 256 threads on a GPU)


# Thread (i, j) of the 2-D grid computes out[i, j] (i = row from threadIdx.y, j = column from threadIdx.x);
# block = one 16×16 output tile.
@cuda.jit(cache=True)
def _matmul_tiles(a, b, out, transpose_a, transpose_b, bias, relu, accumulate):
    rows, columns = out.shape[0], out.shape[1]
    inner = a.shape[0] if transpose_a else a.shape[1]
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    row0, column0 = cuda.blockIdx.y * TILE, cuda.blockIdx.x * TILE
    i, j = row0 + ty, column0 + tx
    tile_a = cuda.shared.array((TILE, PADDED), a.dtype)  # tile_a[r, k] = op(A)[row0 + r, k0 + k]
    tile_b = cuda.shared.array((TILE, PADDED), a.dtype)  # tile_b[k, c] = op(B)[k0 + k, column0 + c]
    zero = a.dtype.type(0)  # (in the arrays' own precision)
    total = zero
    for k0 in range(0, inner, TILE):
        # op(A) stored as A (M, K) or as Aᵀ (K, M): thread (ty, tx) reads the stored row ty, column tx.
        if transpose_a:
            r, k = row0 + tx, k0 + ty
            tile_a[tx, ty] = a[k, r] if (r < rows and k < inner) else zero
        else:
            r, k = row0 + ty, k0 + tx
            tile_a[ty, tx] = a[r, k] if (r < rows and k < inner) else zero
        if transpose_b:
            c, k = column0 + ty, k0 + tx
            tile_b[tx, ty] = b[c, k] if (c < columns and k < inner) else zero
        else:
            c, k = column0 + tx, k0 + ty
            tile_b[ty, tx] = b[k, c] if (c < columns and k < inner) else zero
        cuda.syncthreads()
        for k in range(TILE):
            total += tile_a[ty, k] * tile_b[k, tx]
        cuda.syncthreads()  # everyone is done with these tiles before the next ones overwrite them
    if i < rows and j < columns:
        if accumulate:
            total += out[i, j]
        if bias.size > 0:
            total += bias[j]
        if relu and total < zero:
            total = zero
        out[i, j] = total


def matmul(a, b, out, transpose_a=False, transpose_b=False, bias=None, relu=False, accumulate=False):
    """out = [out +] op(a) op(b) [+ bias] [then ReLU]; op(a) = aᵀ with ``transpose_a``, likewise b.

    All arrays are C-contiguous device arrays of one dtype: a (M, K) or (K, M), b (K, N) or (N, K),
    out (M, N), bias (N,) or None. Nothing is checked: the callers are the backend's own functions.
    """
    if bias is None:
        bias = work_buffer("matmul.no_bias", (0,), out.dtype)
    grid = (blocks_for(out.shape[1], TILE), blocks_for(out.shape[0], TILE))
    _matmul_tiles[grid, (TILE, TILE)](a, b, out, bool(transpose_a), bool(transpose_b), bias, bool(relu),
                                      bool(accumulate))


# Block (column chunk) x sums columns 32x … 32x + 31 of ``a``; thread (tx, ty) adds rows ty, ty + 8, … of column
# 32x + tx, then the block adds its 8 partial sums per column in shared memory and row ty = 0 writes out.
@cuda.jit(cache=True)
def _column_sums(a, out, accumulate):
    rows, columns = a.shape[0], a.shape[1]
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    j = cuda.blockIdx.x * SUM_COLUMNS + tx
    partial = cuda.shared.array((SUM_ROWS, SUM_COLUMNS), a.dtype)
    total = a.dtype.type(0)
    if j < columns:
        for i in range(ty, rows, SUM_ROWS):
            total += a[i, j]
    partial[ty, tx] = total
    cuda.syncthreads()
    half = SUM_ROWS // 2
    while half > 0:  # tree reduction: rows [half, 2·half) are added onto rows [0, half)
        if ty < half:
            partial[ty, tx] += partial[ty + half, tx]
        cuda.syncthreads()
        half //= 2
    if ty == 0 and j < columns:
        if accumulate:
            out[j] += partial[0, tx]
        else:
            out[j] = partial[0, tx]


def column_sums(a, out, accumulate=False):
    """out[j] = [out[j] +] Σ_i a[i, j] for a C-contiguous (M, K) device array a and out (K,)."""
    _column_sums[blocks_for(a.shape[1], SUM_COLUMNS), (SUM_COLUMNS, SUM_ROWS)](a, out, bool(accumulate))
