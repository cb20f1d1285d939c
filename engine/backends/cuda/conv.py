"""2-D convolution kernels on NHWC images for the GPU (lecture 004 §5, lecture 002).

The lecture's convolution is a cross-correlation (the kernel is not flipped):

    y[n, i, j, f] = b[f] + Σ_{u, v, c} x[n, i·s_h + u − p_top, j·s_w + v − p_left, c] · W[u, v, c, f]

with zeros outside the image. Read with the K = KH·KW·C taps (u, v, c) of every
output pixel p = (n, i, j) as the rows of a matrix cols (pixels, K), it is one
matrix product, and so are its gradients, with g = ∂L/∂y (pixels, F):

    y = cols · W₂ + b,   ∂L/∂W₂ = colsᵀ · g,   ∂L/∂b = Σ_p g[p],   ∂L/∂x = col2im(g · W₂ᵀ),

W₂ = W reshaped to (K, F). Unlike the CPU, the GPU never stores cols: every
kernel reads the value of tap (u, v, c) of pixel p straight from x when it needs
it (an "implicit" im2col), and ∂L/∂x is gathered, input pixel by input pixel:

    ∂L/∂x[n, h, w, c] = Σ_{u, v, f} g[n, i, j, f] · W[u, v, c, f]   over h = i·s_h + u − p_top, w = j·s_w + v − p_left.

The CPU's scratch arguments (``workspace``, ``staged``, ``group``, ``tap_major``,
``kept``, ``partial``, ``transposed``, ``masked``) are accepted and ignored; the
GPU's own scratch comes from ``memory.work_buffer``.

With a ReLU, y = max(conv(x, W) + b, 0) and ∂L/∂z = ∂L/∂y · [y > 0]. With an
average pooling after it, (size_h, size_w, stride_h, stride_w), the forward pass
also writes the pooled y, and the backward pass receives ∂L/∂pooled, which is
first spread back: each pixel gets ∂L/∂pooled / (size_h·size_w) from every window
that contains it (``pooling.covering``), 0 from none.

Launch plan. Two ways for each product, chosen by its output's shape:

- few filters (or channels, for ∂L/∂x), as in LeNet (6 and 16 filters): one
  thread per output element, consecutive threads on the last axis (filters,
  or channels), so that they read one x value (broadcast) and consecutive W
  values, and write consecutive addresses;
- both output sides of at least ``TILED_FROM`` (32): implicit GEMM in shared
  memory. A block of 16 × 16 threads computes a 64 × 64 tile of the output,
  each thread 4 × 4 values held in registers; stage by stage it copies 16 steps
  of the inner dimension of both operands into shared memory (gathered from x
  or g on the fly) and multiplies them out there (``multiply_stage``).

∂L/∂W₂ and ∂L/∂b, whose inner dimension is the whole batch of pixels, are
summed in two steps without atomics: the pixels are cut into ``splits`` runs,
each run gives a partial sum of every weight (the bias is the tap K, whose
value is always 1: the CPU's "bias trick"), and ``_sum_splits`` then adds the
partial sums of each weight in shared memory. ``splits`` is chosen so that the
first step keeps every multiprocessor of an H100 busy.
"""

from __future__ import annotations

from numba import cuda, int64

from . import pooling
from .launch import THREADS, TILE, blocks_for, elementwise
from .memory import work_buffer
from .pooling import covering, unflatten

TILED_FROM = 32  # the tiled kernels compute outputs with both sides at least this long
PER = 4  # each thread of a tiled kernel computes PER × PER outputs
SIDE = TILE * PER  # 64: a tiled block computes a SIDE × SIDE output tile with TILE × TILE threads
STEP = 16  # inner-dimension entries per shared-memory stage
ROW = SIDE + 1  # row length of a stage in shared memory (one more than SIDE: column-wise stores hit distinct banks)
LOADS = STEP * SIDE // (TILE * TILE)  # 4: entries of each operand's stage that each thread copies
COLUMNS_PER_PASS = TILE * TILE // STEP  # 16: one entry per thread copies all STEP rows of 16 stage columns
ROWS_PER_PASS = TILE * TILE // SIDE  # 4: ... or 4 whole stage rows; each thread makes LOADS such passes
MULTIPROCESSORS = 132  # an H100 SXM
FILL_THREADS = MULTIPROCESSORS * 2048  # resident threads of a full H100: the direct weight-gradient kernel's target
FILL_BLOCKS = MULTIPROCESSORS * 4  # tiled weight-gradient blocks to aim for
MIN_SPLIT_PIXELS = 32  # fewest pixels a run of the weight gradient adds (direct kernel)
MIN_TILED_SPLIT_PIXELS = 256  # the same for the tiled kernel (16 stages)


def tiled(rows, columns):
    """Whether a product with a (rows, columns) output goes to the tiled kernels."""
    return min(rows, columns) >= TILED_FROM


# -- device helpers ---------------------------------------------------------------------------------
@cuda.jit(device=True, cache=True)
def pixel_origin(p, out_h, out_w, stride_h, stride_w, pad_top, pad_left):
    """(n, top, left) of output pixel p = (n·OH + i)·OW + j: its tap (u, v) reads x[n, top + u, left + v],
    top = i·s_h − p_top, left = j·s_w − p_left."""
    j = p % out_w
    rest = p // out_w
    return rest // out_h, (rest % out_h) * stride_h - pad_top, j * stride_w - pad_left


@cuda.jit(device=True, cache=True)
def tap_offset(k, kw, channels):
    """(u, v, c) of tap k = (u·KW + v)·C + c."""
    c = k % channels
    rest = k // channels
    return rest // kw, rest % kw, c


@cuda.jit(device=True, cache=True)
def input_at(x, n, r, q, c):
    """x[n, r, q, c], 0 outside the image (the zero padding)."""
    if 0 <= r < x.shape[1] and 0 <= q < x.shape[2]:
        return x[n, r, q, c]
    return x.dtype.type(0)


@cuda.jit(device=True, cache=True)
def output_index(offset, stride, count):
    """The i in [0, count) with i·stride = offset, or −1 if there is none."""
    if offset < 0:
        return -1
    i = offset
    if stride > 1:
        i = offset // stride
        if i * stride != offset:
            return -1
    return i if i < count else -1


@cuda.jit(device=True, cache=True)
def multiply_stage(left, right, total):
    """total[a, b] += Σ_s left[s, ty + TILE·a] · right[s, tx + TILE·b]: this thread's PER × PER products of a stage."""
    tx, ty = cuda.threadIdx.x, cuda.threadIdx.y
    rows = cuda.local.array(PER, left.dtype)
    columns = cuda.local.array(PER, left.dtype)
    for s in range(STEP):
        for a in range(PER):
            rows[a] = left[s, ty + TILE * a]
            columns[a] = right[s, tx + TILE * a]
        for a in range(PER):
            for b in range(PER):
                total[a, b] += rows[a] * columns[b]


# -- forward ----------------------------------------------------------------------------------------
# Thread t computes y[n, i, j, f], t its flat index (consecutive threads: consecutive filters of one pixel,
# so they share each x value and read consecutive W values).
@cuda.jit(cache=True)
def _convolve(x, W, b, stride_h, stride_w, pad_top, pad_left, relu, y):
    t = cuda.grid(1)
    if t >= y.size:
        return
    n, i, j, f = unflatten(t, y.shape[1], y.shape[2], y.shape[3])
    kh, kw, channels = W.shape[0], W.shape[1], W.shape[2]
    top, left = i * stride_h - pad_top, j * stride_w - pad_left  # the input pixel under tap (0, 0)
    u0, u1 = max(-top, 0), min(x.shape[1] - top, kh)  # the taps that fall inside the image
    v0, v1 = max(-left, 0), min(x.shape[2] - left, kw)
    total = b[f]
    for u in range(u0, u1):
        for v in range(v0, v1):
            for c in range(channels):
                total += x[n, top + u, left + v, c] * W[u, v, c, f]
    if relu and total <= 0:
        total = y.dtype.type(0)
    y[n, i, j, f] = total


# Block (bx, by) computes the 64 × 64 tile y₂[64·bx :, 64·by :] of y₂ = y as (pixels, F); thread (tx, ty) the
# 4 × 4 values at rows ty + 16a, columns tx + 16b. A stage holds 16 taps k: cols[p, k] gathered from x, each
# thread copying tap k0 + t % 16 of four pixels (consecutive threads: consecutive taps, i.e. channels), and
# W₂[k, f] (consecutive threads: consecutive filters).
@cuda.jit(cache=True)
def _convolve_tiled(x, weights, b, kw, stride_h, stride_w, pad_top, pad_left, relu, out_h, out_w, y):
    columns = cuda.shared.array((STEP, ROW), x.dtype)  # columns[s, a] = cols[row0 + a, k0 + s]
    kernel = cuda.shared.array((STEP, ROW), x.dtype)  # kernel[s, a] = W₂[k0 + s, col0 + a]
    total = cuda.local.array((PER, PER), x.dtype)
    image = cuda.local.array(LOADS, int64)  # n, top, left of the pixels this thread copies (n = −1: none)
    top = cuda.local.array(LOADS, int64)
    left = cuda.local.array(LOADS, int64)
    zero = x.dtype.type(0)
    for a in range(PER):
        for c in range(PER):
            total[a, c] = zero
    thread = cuda.threadIdx.y * TILE + cuda.threadIdx.x
    row0, col0 = cuda.blockIdx.x * SIDE, cuda.blockIdx.y * SIDE
    pixels, filters, taps = y.shape[0], y.shape[1], weights.shape[0]
    mine = thread % STEP  # the stage row (tap) this thread copies from x
    for r in range(LOADS):
        p = row0 + thread // STEP + COLUMNS_PER_PASS * r
        image[r], top[r], left[r] = pixel_origin(p, out_h, out_w, stride_h, stride_w, pad_top, pad_left)
        if p >= pixels:
            image[r] = -1
    for k0 in range(0, taps, STEP):
        k = k0 + mine
        u, v, c = tap_offset(k, kw, x.shape[3])
        for r in range(LOADS):
            value = zero
            if k < taps and image[r] >= 0:
                value = input_at(x, image[r], top[r] + u, left[r] + v, c)
            columns[mine, thread // STEP + COLUMNS_PER_PASS * r] = value
        for r in range(LOADS):
            s, a = thread // SIDE + ROWS_PER_PASS * r, thread % SIDE
            kernel[s, a] = weights[k0 + s, col0 + a] if k0 + s < taps and col0 + a < filters else zero
        cuda.syncthreads()
        multiply_stage(columns, kernel, total)
        cuda.syncthreads()  # everyone is done with this stage before the next one overwrites it
    for a in range(PER):
        p = row0 + cuda.threadIdx.y + TILE * a
        for c in range(PER):
            f = col0 + cuda.threadIdx.x + TILE * c
            if p < pixels and f < filters:
                value = total[a, c] + b[f]
                if relu and value <= 0:
                    value = zero
                y[p, f] = value


# -- backward ---------------------------------------------------------------------------------------
# Thread t computes g[n, i, j, f] = ∂L/∂z, t its flat index: dy, or with a pool the sum of dy / (size_h·size_w)
# over the pooling windows containing (i, j); then times [y > 0] with a ReLU (relu_output = y, not empty).
@cuda.jit(cache=True)
def _upstream(dy, relu_output, pool_h, pool_w, pool_stride_h, pool_stride_w, g):
    t = cuda.grid(1)
    if t >= g.size:
        return
    n, i, j, f = unflatten(t, g.shape[1], g.shape[2], g.shape[3])
    if pool_h == 0:
        value = dy[n, i, j, f]
    else:
        scale = g.dtype.type(1 / (pool_h * pool_w))
        i0, i1 = covering(i, pool_h, pool_stride_h, dy.shape[1])
        j0, j1 = covering(j, pool_w, pool_stride_w, dy.shape[2])
        value = g.dtype.type(0)
        for wi in range(i0, i1):
            for wj in range(j0, j1):
                value += dy[n, wi, wj, f] * scale
    if relu_output.size > 0 and not relu_output[n, i, j, f] > 0:
        value = value * 0  # as the CPU's dy · [y > 0]
    g[n, i, j, f] = value


# Thread t computes dx[n, h, w, c], t its flat index (consecutive threads: consecutive channels of one pixel):
# Σ_f g[n, i, j, f] · W[u, v, c, f] over the output pixels (i, j) one of whose taps (u, v) lies on (h, w).
@cuda.jit(cache=True)
def _input_gradient(g, W, stride_h, stride_w, pad_top, pad_left, dx):
    t = cuda.grid(1)
    if t >= dx.size:
        return
    n, h, w, c = unflatten(t, dx.shape[1], dx.shape[2], dx.shape[3])
    kh, kw, filters = W.shape[0], W.shape[1], W.shape[3]
    i0, i1 = covering(h + pad_top, kh, stride_h, g.shape[1])
    j0, j1 = covering(w + pad_left, kw, stride_w, g.shape[2])
    total = dx.dtype.type(0)
    for i in range(i0, i1):
        u = h + pad_top - i * stride_h
        for j in range(j0, j1):
            v = w + pad_left - j * stride_w
            for f in range(filters):
                total += g[n, i, j, f] * W[u, v, c, f]
    dx[n, h, w, c] = total


# Block (bx, by) computes the 64 × 64 tile dx₂[64·bx :, 64·by :] of dx₂ = dx as (N·H·W, C); thread (tx, ty) the
# 4 × 4 values at rows ty + 16a, columns tx + 16b. The inner dimension is k = (u·KW + v)·F + f; a stage holds
# 16 of them: the g value each input pixel receives through k (g[n, i, j, f] for the output pixel (i, j) whose tap
# (u, v) lies on it, or 0) and W[u, v, c, f]. Each thread copies entry k0 + t % 16 for four input pixels and four
# channels (consecutive threads: consecutive k, i.e. filters, in both).
@cuda.jit(cache=True)
def _input_gradient_tiled(g, W, stride_h, stride_w, pad_top, pad_left, height, width, dx):
    upstream = cuda.shared.array((STEP, ROW), g.dtype)  # upstream[s, a]: what input pixel row0 + a gets via k0 + s
    kernel = cuda.shared.array((STEP, ROW), g.dtype)  # kernel[s, a] = W[u, v, col0 + a, f] for k0 + s
    total = cuda.local.array((PER, PER), g.dtype)
    image = cuda.local.array(LOADS, int64)  # n, h + p_top, w + p_left of the input pixels this thread copies
    down = cuda.local.array(LOADS, int64)
    across = cuda.local.array(LOADS, int64)
    zero = g.dtype.type(0)
    for a in range(PER):
        for c in range(PER):
            total[a, c] = zero
    thread = cuda.threadIdx.y * TILE + cuda.threadIdx.x
    row0, col0 = cuda.blockIdx.x * SIDE, cuda.blockIdx.y * SIDE
    inputs, channels = dx.shape[0], dx.shape[1]
    out_h, out_w = g.shape[1], g.shape[2]
    kw, filters = W.shape[1], W.shape[3]
    inner = W.shape[0] * kw * filters
    mine = thread % STEP  # the stage row (entry k) this thread copies
    for r in range(LOADS):
        q = row0 + thread // STEP + COLUMNS_PER_PASS * r
        image[r], down[r], across[r] = pixel_origin(q, height, width, 1, 1, -pad_top, -pad_left)
        if q >= inputs:
            image[r] = -1
    for k0 in range(0, inner, STEP):
        k = k0 + mine
        u, v, f = tap_offset(k, kw, filters)
        for r in range(LOADS):
            a = thread // STEP + COLUMNS_PER_PASS * r
            value = zero
            if k < inner and image[r] >= 0:
                i = output_index(down[r] - u, stride_h, out_h)  # the output pixel (i, j) whose tap (u, v) is here
                j = output_index(across[r] - v, stride_w, out_w)
                if i >= 0 and j >= 0:
                    value = g[image[r], i, j, f]
            upstream[mine, a] = value
            kernel[mine, a] = W[u, v, col0 + a, f] if k < inner and col0 + a < channels else zero
        cuda.syncthreads()
        multiply_stage(upstream, kernel, total)
        cuda.syncthreads()
    for a in range(PER):
        q = row0 + cuda.threadIdx.y + TILE * a
        for c in range(PER):
            channel = col0 + cuda.threadIdx.x + TILE * c
            if q < inputs and channel < channels:
                dx[q, channel] = total[a, c]


# Thread t computes partial[s, k, f], t its flat index: Σ cols[p, k] · g[p, f] over the pixels p of run s
# (k = K: the bias tap, cols = 1). Consecutive threads: consecutive filters (one g row), then taps.
@cuda.jit(cache=True)
def _weight_gradient(x, g, kw, stride_h, stride_w, pad_top, pad_left, partial):
    t = cuda.grid(1)
    if t >= partial.size:
        return
    splits, rows, filters = partial.shape
    f = t % filters
    k = (t // filters) % rows
    s = t // (filters * rows)
    out_h, out_w, channels = g.shape[1], g.shape[2], x.shape[3]
    pixels = g.shape[0] * out_h * out_w
    first, last = s * pixels // splits, (s + 1) * pixels // splits
    n, i, j = first // (out_h * out_w), (first // out_w) % out_h, first % out_w
    c, v, u = k % channels, (k // channels) % kw, k // (channels * kw)
    bias = k == rows - 1
    total = g.dtype.type(0)
    for _ in range(first, last):  # pixel (n, i, j), stepped along
        r, q = i * stride_h + u - pad_top, j * stride_w + v - pad_left
        if bias:
            total += g[n, i, j, f]
        elif 0 <= r < x.shape[1] and 0 <= q < x.shape[2]:
            total += x[n, r, q, c] * g[n, i, j, f]
        j += 1
        if j == out_w:
            j, i = 0, i + 1
            if i == out_h:
                i, n = 0, n + 1
    partial[s, k, f] = total


# Block (bx, by, s) computes the 64 × 64 tile partial[s, 64·bx :, 64·by :]: Σ cols[p, k] · g₂[p, f] over the
# pixels p of run s (k = K: the bias tap, 1); thread (tx, ty) the 4 × 4 values at rows ty + 16a, columns tx + 16b.
# A stage holds 16 pixels: cols[p, k], each thread copying four taps of pixel p0 + t // 16 (consecutive threads:
# consecutive taps, i.e. channels), and g₂[p, f] (consecutive threads: consecutive filters).
@cuda.jit(cache=True)
def _weight_gradient_tiled(x, g, kw, stride_h, stride_w, pad_top, pad_left, out_h, out_w, partial):
    columns = cuda.shared.array((STEP, ROW), x.dtype)  # columns[s, a] = cols[p0 + s, row0 + a]
    upstream = cuda.shared.array((STEP, ROW), x.dtype)  # upstream[s, a] = g₂[p0 + s, col0 + a]
    total = cuda.local.array((PER, PER), x.dtype)
    tap = cuda.local.array(LOADS, int64)  # k, u, v, c of the taps this thread copies
    tap_u = cuda.local.array(LOADS, int64)
    tap_v = cuda.local.array(LOADS, int64)
    tap_c = cuda.local.array(LOADS, int64)
    zero = x.dtype.type(0)
    for a in range(PER):
        for c in range(PER):
            total[a, c] = zero
    thread = cuda.threadIdx.y * TILE + cuda.threadIdx.x
    row0, col0, run = cuda.blockIdx.x * SIDE, cuda.blockIdx.y * SIDE, cuda.blockIdx.z
    splits, rows, filters = partial.shape
    taps, pixels = rows - 1, g.shape[0]
    first, last = run * pixels // splits, (run + 1) * pixels // splits
    mine = thread // COLUMNS_PER_PASS  # the stage row (pixel) this thread copies from x
    for r in range(LOADS):
        tap[r] = row0 + thread % COLUMNS_PER_PASS + COLUMNS_PER_PASS * r
        tap_u[r], tap_v[r], tap_c[r] = tap_offset(tap[r], kw, x.shape[3])
    for p0 in range(first, last, STEP):
        p = p0 + mine
        n, top, left = pixel_origin(p, out_h, out_w, stride_h, stride_w, pad_top, pad_left)
        for r in range(LOADS):
            value = zero
            if p < last and tap[r] < taps:
                value = input_at(x, n, top + tap_u[r], left + tap_v[r], tap_c[r])
            elif p < last and tap[r] == taps:
                value = x.dtype.type(1)
            columns[mine, thread % COLUMNS_PER_PASS + COLUMNS_PER_PASS * r] = value
        for r in range(LOADS):
            s, a = thread // SIDE + ROWS_PER_PASS * r, thread % SIDE
            upstream[s, a] = g[p0 + s, col0 + a] if p0 + s < last and col0 + a < filters else zero
        cuda.syncthreads()
        multiply_stage(columns, upstream, total)
        cuda.syncthreads()
    for a in range(PER):
        k = row0 + cuda.threadIdx.y + TILE * a
        for c in range(PER):
            f = col0 + cuda.threadIdx.x + TILE * c
            if k < rows and f < filters:
                partial[run, k, f] = total[a, c]


# Block b computes blockDim.x outputs o = b·blockDim.x + tx of [∂L/∂W₂; ∂L/∂b] (K + 1, F): the blockDim.y
# threads (tx, ·) add every blockDim.y-th run's partial sum, then halve their totals in shared memory.
# Consecutive threads: consecutive outputs.
@cuda.jit(cache=True)
def _sum_splits(partial, dW, db):
    sums = cuda.shared.array(THREADS, partial.dtype)
    splits, rows, filters = partial.shape
    tx, lane, lanes = cuda.threadIdx.x, cuda.threadIdx.y, cuda.blockDim.y
    o = cuda.blockIdx.x * cuda.blockDim.x + tx
    k, f = o // filters, o % filters
    total = partial.dtype.type(0)
    if k < rows:
        for s in range(lane, splits, lanes):
            total += partial[s, k, f]
    slot = lane * cuda.blockDim.x + tx
    sums[slot] = total
    cuda.syncthreads()
    half = lanes // 2
    while half > 0:  # a tree: lanes [half, 2·half) are added onto lanes [0, half)
        if lane < half:
            sums[slot] += sums[slot + half * cuda.blockDim.x]
        cuda.syncthreads()
        half //= 2
    if lane == 0 and k < rows:
        if k < rows - 1:
            dW[k, f] = sums[slot]
        else:
            db[f] = sums[slot]


# -- the functions the functional layer calls -------------------------------------------------------
def forward(x, W, b, stride_h, stride_w, pad_top, pad_left, y, workspace, staged, group, tap_major, kept, relu,
            pool, pooled):
    """y = conv(x, W) + b for a batch (y (N, OH, OW, F), preallocated), then max(y, 0) with ``relu``.

    With ``pool`` = (size_h, size_w, stride_h, stride_w) (all 0: none), y is also
    average-pooled into ``pooled``. ``workspace``, ``staged``, ``group``, ``tap_major``
    and ``kept`` are the CPU's im2col scratch: ignored (the GPU keeps no columns).
    """
    n, out_h, out_w, filters = y.shape
    kh, kw, channels = W.shape[0], W.shape[1], W.shape[2]
    pixels, taps = n * out_h * out_w, kh * kw * channels
    geometry = (int(stride_h), int(stride_w), int(pad_top), int(pad_left))
    if tiled(pixels, filters):
        grid = (blocks_for(pixels, SIDE), blocks_for(filters, SIDE))
        _convolve_tiled[grid, (TILE, TILE)](x, W.reshape(taps, filters), b, kw, *geometry, bool(relu), out_h, out_w,
                                            y.reshape(pixels, filters))
    else:
        _convolve[elementwise(y.size)](x, W, b, *geometry, bool(relu), y)
    if pool[0] > 0:
        pooling.average_forward(y, *pool, pooled)


def backward(x, W, dy, stride_h, stride_w, pad_top, pad_left, dx, dW, db, work, partial, transposed, masked, group,
             tap_major, need_dx, kept, relu_output, pool):
    """The three gradients of the convolution: dx (skipped with ``need_dx=False``), dW and db.

    A non-empty ``relu_output`` is the y of a forward pass with ``relu``; with ``pool``
    (as in ``forward``) dy is the gradient of the pooled output. ∂L/∂z is then formed
    once in a work buffer (``_upstream``). ``work``, ``partial``, ``transposed``,
    ``masked``, ``group``, ``tap_major`` and ``kept`` are the CPU's scratch: ignored.
    """
    pool_h, pool_w, pool_stride_h, pool_stride_w = (int(size) for size in pool)
    convolved = relu_output if pool_h > 0 else dy  # an array of the convolution's output shape
    n, out_h, out_w, filters = convolved.shape
    kh, kw, channels = W.shape[0], W.shape[1], W.shape[2]
    taps = kh * kw * channels
    geometry = (int(stride_h), int(stride_w), int(pad_top), int(pad_left))
    g = dy
    if pool_h > 0 or relu_output.size > 0:
        g = work_buffer("conv.upstream", convolved.shape, dy.dtype)
        _upstream[elementwise(g.size)](dy, relu_output, pool_h, pool_w, pool_stride_h, pool_stride_w, g)
    if need_dx:
        inputs = n * x.shape[1] * x.shape[2]
        if tiled(inputs, channels):
            grid = (blocks_for(inputs, SIDE), blocks_for(channels, SIDE))
            _input_gradient_tiled[grid, (TILE, TILE)](g, W, *geometry, x.shape[1], x.shape[2],
                                                      dx.reshape(inputs, channels))
        else:
            _input_gradient[elementwise(dx.size)](g, W, *geometry, dx)
    weight_gradient(x, g, kw, geometry, dW.reshape(taps, filters), db)


def weight_gradient(x, g, kw, geometry, dW, db):
    """dW₂ (K, F) and db (F,) from x and g = ∂L/∂z: partial sums over runs of pixels, then their sums."""
    n, out_h, out_w, filters = g.shape
    pixels, rows = n * out_h * out_w, dW.shape[0] + 1  # the rows of [∂L/∂W₂; ∂L/∂b]
    if tiled(rows, filters):
        tiles = blocks_for(rows, SIDE) * blocks_for(filters, SIDE)
        splits = max(1, min(-(-FILL_BLOCKS // tiles), pixels // MIN_TILED_SPLIT_PIXELS))
        partial = work_buffer("conv.weight_gradient_runs", (splits, rows, filters), g.dtype)
        grid = (blocks_for(rows, SIDE), blocks_for(filters, SIDE), splits)
        _weight_gradient_tiled[grid, (TILE, TILE)](x, g.reshape(pixels, filters), kw, *geometry, out_h, out_w,
                                                   partial)
    else:
        splits = max(1, min(-(-FILL_THREADS // (rows * filters)), pixels // MIN_SPLIT_PIXELS))
        partial = work_buffer("conv.weight_gradient_runs", (splits, rows, filters), g.dtype)
        _weight_gradient[elementwise(partial.size)](x, g, kw, *geometry, partial)
    lanes = 1  # threads that add one output's runs: a power of two, about splits / 8, at most a block
    while lanes * 8 < splits and lanes < THREADS:
        lanes *= 2
    outputs = THREADS // lanes
    _sum_splits[blocks_for(rows * filters, outputs), (outputs, lanes)](partial, dW, db)
