"""e^x, σ and tanh written with arithmetic only, for kernels that must vectorise.

The recurrent kernels spend most of their time outside BLAS in the gates' σ and tanh. A call into libm's
``exp``/``tanh`` per value keeps LLVM from vectorising a loop (Numba has no vector
math library here), so ``exp_nonpositive`` computes e^x itself with arithmetic only (range
reduction, a polynomial, the power of two written into the exponent bits), and the
loops that use it are short loops over few arrays with unsigned indices, which LLVM
turns into SIMD code: 8 float32 values per instruction with AVX2. Results agree
with numpy's to a few units in the last place (tests/test_recurrent.py).

Every function takes ``k_ = math_constants(x)``, the constants in the dtype of
the arrays (Python floats would turn float32 arithmetic into float64).
"""

import numpy as np
from llvmlite import ir
from numba import njit
from numba.extending import intrinsic


@intrinsic
def power_of_two(typingctx, k):
    """2^k for an integer-valued float k in the normal range: k + bias written into the exponent
    bits (float32: 8 bits, bias 127; float64: 11 bits, bias 1023)."""
    bits, bias, shift = (32, 127, 23) if k.bitwidth == 32 else (64, 1023, 52)

    def codegen(context, builder, signature, args):
        integer = ir.IntType(bits)
        exponent = builder.add(builder.fptosi(args[0], integer), ir.Constant(integer, bias))
        return builder.bitcast(builder.shl(exponent, ir.Constant(integer, shift)), context.get_value_type(k))

    return k(k), codegen


@njit(cache=True, inline="always")
def math_constants(x):
    """What ``exp_nonpositive`` and ``tanh`` need, in the dtype of x: [lowest argument, log2 e, ln 2 split in a
    high part k·hi is exact for and a low part (Cody–Waite), 1/13!, 1/12!, …, 1/2!, 1, tanh's Taylor
    coefficients −1/3, 2/15, −17/315, 62/2835, 1/2, 1/32] (Python numbers would turn float32 into float64)."""
    constants = np.empty(24, x.dtype)
    if x.itemsize == 4:
        constants[0], constants[2], constants[3] = -87.0, 0.693359375, -2.12194440e-4
    else:
        constants[0], constants[2], constants[3] = -708.0, 6.93147180369123816490e-01, 1.90821492927058770002e-10
    constants[1] = 1.4426950408889634
    factorial = 1.0
    for n in range(2, 14):
        factorial *= n
        constants[17 - n] = 1 / factorial
    constants[16], constants[17] = 1, 1
    constants[18], constants[19], constants[20], constants[21] = -1 / 3, 2 / 15, -17 / 315, 62 / 2835
    constants[22], constants[23] = 0.5, 1 / 32
    return constants


@njit(cache=True, inline="always")
def exp_nonpositive(x, k_):
    """e^x for x ≤ 0 without a call into libm, so that LLVM can vectorise the loops around it:
    x = k ln 2 + r with |r| ≤ ln2 / 2, e^r by its Taylor polynomial to r¹³ (error below one unit in
    the last place in float64), then times 2^k. Arguments below the smallest normal's logarithm are
    raised to it (e^x < 1e−37 in float32 either way); NaN stays NaN."""
    x = x if not x < k_[0] else k_[0]
    k = np.floor(x * k_[1] + k_[22])
    r = (x - k * k_[2]) - k * k_[3]
    p = k_[4]
    for n in range(5, 18):
        p = p * r + k_[n]
    return p * power_of_two(k)


@njit(cache=True, inline="always")
def sigmoid(z, k_):
    """σ(z) = 1 / (1 + e^(−z)) = e^z / (1 + e^z), with e = e^(−|z|) ≤ 1 so nothing overflows;
    a select, not a branch (vectorises)."""
    e = exp_nonpositive(-abs(z), k_)
    one = k_[16]
    return (one if z >= 0 else e) / (one + e)


@njit(cache=True, inline="always")
def tanh(z, k_):
    """tanh z = sign(z) (1 − e) / (1 + e) with e = e^(−2|z|) ≤ 1 (never overflows), and the Taylor
    series z − z³/3 + 2z⁵/15 − 17z⁷/315 + 62z⁹/2835 for |z| < 1/32, where 1 − e would cancel."""
    a = abs(z)
    e = exp_nonpositive(-(a + a), k_)
    one = k_[16]
    large = (one - e) / (one + e)
    s = z * z
    small = z * (one + s * (k_[18] + s * (k_[19] + s * (k_[20] + s * k_[21]))))
    return small if a < k_[23] else (large if z >= 0 else -large)
