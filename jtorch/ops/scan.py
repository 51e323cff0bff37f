"""Scans along one dim: cumsum, cumprod, cummax/cummin, logcumsumexp, and diff.

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> x.cumsum(0), x.cumprod(0)
    (tensor([1., 3., 6.], grad_fn=<CumsumBackward0>), tensor([1., 2., 6.], grad_fn=<CumprodBackward0>))
"""

from __future__ import annotations

import math

import numpy as np

from jtorch import return_types
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._inplace import with_out
from jtorch.ops.reduce import GatherAlong, MaxDim, _const, _sum_dtype, select_along

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]


def _scan(accumulate, x, dim: int, reverse: bool, **kw):
    """``accumulate(x, axis=dim)`` from the start (or, ``reverse``, from the end) of ``dim``."""
    x1 = x.reshape(x.shape or (1,))
    if reverse:
        xp = xp_of(x)
        return xp.flip(accumulate(xp.flip(x1, dim), axis=dim, **kw), dim).reshape(x.shape)
    return accumulate(x1, axis=dim, **kw).reshape(x.shape)


class Cumsum(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype, reverse=False):
        ctx.dim, ctx.reverse = dim, reverse
        return _scan(xp_of(x).cumsum, x, dim, reverse, dtype=dtype)

    @staticmethod
    def backward(ctx, grad):
        return reverse_cumsum(grad, ctx.dim, not ctx.reverse)


def reverse_cumsum(g: Tensor, dim: int, reverse: bool = True) -> Tensor:
    """``sum(g[k:])`` at every ``k`` along ``dim`` (differentiable; exact, no cancellation)."""
    return Cumsum.apply(g, dim=dim, dtype=None, reverse=reverse)


@with_out
def cumsum(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running sums along ``dim``; integer inputs accumulate as int64.

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).cumsum(0)
        tensor([[1, 2],
                [4, 6]])
    """
    d = _wrap_dim(dim, input._array.ndim)
    return Cumsum.apply(input, dim=d, dtype=_sum_dtype(input, dtype))


class Cumprod(Function):
    @staticmethod
    def forward(ctx, x, dim, dtype):
        x1 = x.reshape(x.shape or (1,))
        if ctx.needs_input_grad[0]:
            ctx.retain_inputs(0)
            ctx.retain_outputs(0)
            ctx.dim = dim
            zero = x1 == 0
            ctx.zero = zero if zero.any() else None
        return xp_of(x).cumprod(x1, axis=dim, dtype=dtype).reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        (x,), (out,) = ctx.saved_inputs, ctx.saved_outputs
        dim, zero = ctx.dim, ctx.zero
        # NOTE: complex inputs take grad * conj(d out / d x), torch's convention.
        if zero is None:
            return reverse_cumsum(grad * out.conj(), dim) / x.conj()
        # NOTE: with a zero, position k before the slice's first zero z gets
        # sum_{j>=k} g_j out_j / x_k (later outputs are 0); z itself gets sum_{j>=z} g_j times
        # the running product with x_z replaced by a constant 1; positions after z get 0.
        # Constant masks keep it differentiable (create_graph), except for the second derivative
        # of the positions after z with respect to x_z, which this takes as 0 (torch runs an
        # O(n^2) loop for that case).
        xp, a = x._xp(), x._array
        shape = zero.shape
        pos = xp.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1))
        has_zero = zero.any(axis=dim, keepdims=True)
        first = xp.where(has_zero, zero.argmax(axis=dim, keepdims=True), shape[dim])
        before, at = pos < first, pos == first
        if not a.ndim:
            before, at = before.reshape(()), at.reshape(())
        before_f, at_f = _const(before.astype(a.dtype)), _const(at.astype(a.dtype))
        x_safe = x * before_f + (1 - before_f)
        term_before = before_f * reverse_cumsum(grad * out.conj(), dim) / x_safe.conj()
        filled = cumprod(x * (1 - at_f) + at_f, dim)
        after = _const((~before).astype(a.dtype))
        return term_before + at_f * (grad * filled.conj() * after).sum(dim, keepdim=True)


@with_out
def cumprod(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Running products along ``dim``; the gradient is exact with zeros in the input.

    Example:
        >>> jtorch.tensor([1.0, 2.0, 0.0, 4.0]).cumprod(0)
        tensor([1., 2., 0., 0.])
    """
    d = _wrap_dim(dim, input._array.ndim)
    return Cumprod.apply(input, dim=d, dtype=_sum_dtype(input, dtype))


class Cummax(MaxDim):
    pass


class Cummin(MaxDim):
    pass


def _cumulative_extremum(name: str, input: Tensor, dim: int):
    a = input._array
    xp = xp_of(a)
    d = _wrap_dim(dim, a.ndim)
    a1 = a.reshape(a.shape or (1,))
    running = (xp.maximum if name == "cummax" else xp.minimum).accumulate(a1, axis=d)
    hit = a1 == running
    if a.dtype.kind == "f":
        hit |= xp.isnan(a1)  # a NaN is the running value from there on
    # NOTE: the index is the latest position that equals the running value (torch's choice).
    pos = xp.arange(a1.shape[d]).reshape((-1,) + (1,) * (a1.ndim - d - 1))
    index = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=d)
    fn = Cummax if name == "cummax" else Cummin
    values, indices = select_along(fn, input, index, d, True, accumulate=True)
    return getattr(return_types, name)(values, indices)


@with_out
def cummax(input: Tensor, dim: int):
    """Running maxima along ``dim`` and the index where each was (last) attained.

    Example:
        >>> jtorch.tensor([1.0, 3.0, 2.0, 5.0]).cummax(0)
        torch.return_types.cummax(
        values=tensor([1., 3., 3., 5.]),
        indices=tensor([0, 1, 1, 3]))
    """
    return _cumulative_extremum("cummax", input, dim)


@with_out
def cummin(input: Tensor, dim: int):
    """Running minima along ``dim`` and the index where each was (last) attained.

    Example:
        >>> jtorch.tensor([3.0, 1.0, 2.0, 0.0]).cummin(0).values
        tensor([3., 1., 1., 0.])
    """
    return _cumulative_extremum("cummin", input, dim)


class Logcumsumexp(Function):
    @staticmethod
    def forward(ctx, x, dim, reverse=False):
        if ctx.needs_input_grad[0]:
            ctx.retain_inputs(0)
            ctx.retain_outputs(0)
            ctx.dim, ctx.reverse = dim, reverse
        xp = xp_of(x)
        accumulate = (
            _complex_logaddexp_accumulate if x.dtype.kind == "c" else xp.logaddexp.accumulate
        )
        return _scan(accumulate, x, dim, reverse)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: torch's formula: grad_k = sum_{j>=k} g_j exp(x_k - out_j), summed in log space
        # (a reversed logcumsumexp) separately for the positive and the negative g_j, so that
        # nothing overflows however wide the range of x. Masks are constants: create_graph works.
        (x,), (out,) = ctx.saved_inputs, ctx.saved_outputs
        if x.is_complex():  # grad_k = sum_j g_j conj(exp(x_k - out_j)), one complex log sum
            rev = Logcumsumexp.apply(grad.log() - out.conj(), dim=ctx.dim, reverse=not ctx.reverse)
            return (rev + x.conj()).exp()
        xp, g = grad._xp(), grad._array
        lowest = float(xp.finfo(g.dtype).min)
        log_abs = (grad * _const(xp.sign(g)) + _const((g == 0).astype(g.dtype))).log()
        result = None
        for mask in (g > 0, g < 0):
            keep = _const(mask.astype(g.dtype))
            log_part = log_abs * keep + _const(xp.where(mask, 0, lowest).astype(g.dtype))
            part = (
                Logcumsumexp.apply(log_part - out, dim=ctx.dim, reverse=not ctx.reverse) + x
            ).exp()
            result = part if result is None else result - part
        return result


def _complex_logaddexp_accumulate(x, axis: int):
    """Running ``log(exp(a) + exp(b))`` of complex ``x`` along ``axis`` (no NumPy ufunc has
    it): ``max + log1p(exp(min - max))`` by real part, as torch's kernel, step by step."""
    xp = xp_of(x)
    x = xp.moveaxis(x, axis, 0)
    out = x.copy()
    with np.errstate(all="ignore"):
        for k in range(1, len(x)):
            acc, b = out[k - 1], x[k]
            first = acc.real >= b.real
            big, small = xp.where(first, acc, b), xp.where(first, b, acc)
            step = big + xp.log1p(xp.exp(small - big))
            # NOTE: two -inf real parts keep the running value; NaNs propagate
            step = xp.where(big.real == -math.inf, acc, step)
            out[k] = xp.where(xp.isnan(b) | xp.isnan(acc), complex(math.nan, math.nan), step)
    return xp.moveaxis(out, 0, axis)


@with_out
def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably.

    Example:
        >>> jtorch.tensor([-1000.0, 0.0, 1000.0]).logcumsumexp(0)
        tensor([-1000.,     0.,  1000.])
    """
    if input._array.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"logcumsumexp_out_cpu\" not implemented for '{input.dtype.scalar_name}'"
        )
    return Logcumsumexp.apply(input, dim=_wrap_dim(dim, input._array.ndim))


def _shifted(x: Tensor, dim: int, start: int, stop: int) -> Tensor:
    """``x[start:stop]`` along ``dim`` as a differentiable gather."""
    xp, shape = x._xp(), x._array.shape
    index = xp.arange(start, stop).reshape((-1,) + (1,) * (len(shape) - dim - 1))
    index = xp.broadcast_to(index, shape[:dim] + (stop - start,) + shape[dim + 1 :])
    return GatherAlong.apply(x, index=index, dim=dim, accumulate=False)


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:
    """``n``-th forward difference along ``dim`` (after concatenating ``prepend``/``append``).

    Example:
        >>> jtorch.tensor([1.0, 2.0, 4.0, 7.0]).diff()
        tensor([1., 2., 3.])
    """
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, input.ndim)
    if prepend is not None or append is not None:
        from jtorch import ops  # noqa: PLC0415  (joining family)

        parts = [prepend, input, append]
        if any(p is not None and p.ndim != input.ndim for p in parts):
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        input = ops.cat([p for p in parts if p is not None], d)
    for _ in range(n):
        length = input.shape[d]
        if length == 0:
            break
        later, earlier = _shifted(input, d, 1, length), _shifted(input, d, 0, length - 1)
        if input._array.dtype == bool:  # torch: logical_xor for bools
            input = Tensor._make(later._array != earlier._array)
        else:
            input = later - earlier
    return input
