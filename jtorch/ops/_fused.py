"""torch's fused CPU arithmetic on arrays: where its float32 kernels round a multiply-add once.

torch's CPU kernels compute ``add(a, b, alpha=)`` (and ``sub``, ``rsub``) as ``fma(alpha, b, a)``,
``lerp`` as one of two fused formulas, and ``addcmul`` as ``fma(value * b, c, a)``; two separate
NumPy roundings differ from them in the last bit of about one element in five. The ops and the
optimizers' kernels use these functions, so both give torch's bits. float64 keeps two roundings
(NumPy has no exact float64 FMA); complex and integer dtypes are exact or unfused in torch too.
float16 operands are computed in float32, torch's CPU compute type for them, then rounded to
float16 (``add``'s ``alpha`` is rounded to float16 first, as torch does).
Tensors of fewer than 16 elements take a scalar loop in torch that fuses only some of them; here
all are fused, as torch's vectorized loop does from 16 elements on.

Example:
    >>> a, b = np.float32([1.0]), np.float32([3.0])
    >>> add_scaled(a, b, 0.1)
    array([1.3], dtype=float32)
"""

from __future__ import annotations

import functools

import numpy as np

from jtorch import _blas
from jtorch import _parallel as parallel
from jtorch.backend import get_array_module


def fma(a, b, c, out):
    """``out = a * b + c`` rounded once, as torch's CPU kernels do for float32 tensors.

    NOTE: an in-place update by a scalar factor (SGD's, lerp's) runs in NumPy's BLAS saxpy, a
    fused kernel, on whole blocks (8x faster); the rest in float64, where float32 products are
    exact, so one float64 add and one cast give the fused result. Float64 passes cost 4x float32
    ones, so large ones are split over the intra-op threads.
    """
    xp = get_array_module(out)
    if out.dtype.kind != "f" or out.dtype.itemsize == 8:
        xp.add(xp.multiply(a, b), c, out=out)
        return out
    if c is out and (np.ndim(a) == 0 or np.ndim(b) == 0):
        x, alpha = (b, a) if np.ndim(a) == 0 else (a, b)
        done = _blas.axpy(alpha, x, out)
        if done == out.size:
            return out
        if done:  # NOTE: the tail, fewer than _blas.BLOCK elements
            x, rest = x.reshape(-1)[done:], out.reshape(-1)[done:]
            _fused_in_float64(x, alpha, rest, out=rest)
            return out
    if xp is np and out.ndim and out.size >= parallel.GRAIN // 2:
        parallel.by_rows(_fused_in_float64, out, a, b, c, work=4 * out.size)
    else:
        _fused_in_float64(a, b, c, out=out)
    return out


def _fused_in_float64(a, b, c, *, out) -> None:
    tmp = get_array_module(out).multiply(a, b, dtype=np.float64)
    if tmp.shape == out.shape:
        tmp += c
    else:  # NOTE: the product broadcasts along ``c``
        tmp = tmp + c
    out[...] = tmp if out.dtype != np.float16 else tmp.astype(np.float32)  # torch's two roundings


def as_scalar(x, array):
    """A Python number rounded to ``array``'s dtype, as torch's kernels cast scalars."""
    return array.dtype.type(x)


def _in_float32_for_half(fn):
    """Run ``fn`` on float16 arrays as float32 ones and round its result to float16 once."""

    @functools.wraps(fn)
    def wrapper(*args, out=None):
        if not any(getattr(a, "dtype", None) == np.float16 for a in args):
            return fn(*args, out=out)
        wide = fn(
            *(a.astype(np.float32) if getattr(a, "dtype", None) == np.float16 else a for a in args)
        )
        if out is None:
            return wide.astype(np.float16)
        out[...] = wide
        return out

    return wrapper


def _empty(dtype, *operands):
    """An uninitialised result of the ``operands`` broadcast together, on the device of the
    first that is an array."""
    first = next((o for o in operands if np.ndim(o)), operands[0])
    shape = np.broadcast_shapes(*(np.shape(o) for o in operands))
    return get_array_module(first).empty(shape, dtype)


def _result(a, b, out):
    """``out`` holding ``a`` (broadcast to the result of ``a`` and ``b``), new if None."""
    if out is None:
        out = _empty(np.result_type(a, b), a, b)
    if out is not a:
        out[...] = a
    return out


def add_scaled(a, b, alpha, out=None):
    """``a + alpha * b`` (``torch.add(a, b, alpha=)``) rounded once, into ``out`` (may be ``a``).

    Example:
        >>> add_scaled(np.float32([1.0, 2.0]), np.float32(3.0), -1)
        array([-2., -1.], dtype=float32)
    """
    out = _result(a, b, out)
    return fma(b if np.ndim(b) else as_scalar(b, out), as_scalar(alpha, out), out, out)


@_in_float32_for_half
def lerp(start, end, weight, out=None):
    """``start + weight * (end - start)`` with torch's two fused formulas: from ``start`` where
    ``|weight| < 0.5``, else back from ``end`` (exact at both ends); ``weight`` a number or array.

    Example:
        >>> lerp(np.float32([0.0, 10.0]), np.float32([10.0, 20.0]), 0.25)
        array([ 2.5, 12.5], dtype=float32)
    """
    if out is None:
        out = _empty(np.result_type(start, end), start, end, weight)
    diff = end - start
    if not np.ndim(weight):
        w = as_scalar(weight, out)
        return fma(w, diff, start, out) if abs(w) < 0.5 else fma(w - 1, diff, end, out)
    xp = get_array_module(out)
    near = fma(weight, diff, start, xp.empty_like(out))
    fma(weight - 1, diff, end, out)
    xp.copyto(out, near, where=abs(weight) < 0.5)
    return out


@_in_float32_for_half
def addcmul(a, b, c, value, out=None):
    """``a + (value * b) * c`` with the last multiply-add fused, as torch's ``addcmul``.

    Example:
        >>> addcmul(np.float32([1.0]), np.float32([2.0]), np.float32([3.0]), 0.5)
        array([4.], dtype=float32)
    """
    if value != 1:
        b = as_scalar(value, b) * b if b.dtype.kind in "fc" else value * b
    if out is None:
        out = _empty(np.result_type(a, b, c), a, b, c)
    return fma(b, c, a, out)


@_in_float32_for_half
def addcdiv(a, b, c, value, out=None):
    """``a + (value * b) / c`` in torch's order (two roundings: torch does not fuse this one).

    Example:
        >>> addcdiv(np.float32([1.0]), np.float32([2.0]), np.float32([4.0]), 3)
        array([2.5], dtype=float32)
    """
    t = as_scalar(value, b) * b if value != 1 else b
    t = t / c
    if out is None:
        return a + t
    get_array_module(out).add(a, t, out=out)
    return out
