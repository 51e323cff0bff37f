"""Reductions: sum, mean, prod, max/min, std/var, norms, ... over all elements or over ``dim``.

``dim`` is an int, a tuple of ints or None (all dims); ``keepdim`` keeps reduced dims as size 1.
Value-selecting reductions share two gradient rules: ``Amax`` (split evenly among ties, for
reductions without indices) and ``MaxDim`` (scatter to the returned indices, also used by the
sorting and scan families through ``GatherAlong``/``ScatterAlong``, which differentiate each
other so higher-order gradients work).

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.sum(1)
    tensor([3., 7.], grad_fn=<SumBackward1>)
    >>> x.max(dim=1)
    torch.return_types.max(
    values=tensor([2., 4.], grad_fn=<MaxBackward0>),
    indices=tensor([1, 1]))
"""

from __future__ import annotations

import builtins
import math

from jtorch import dtypes, return_types
from jtorch._runtime import warn_outside
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._broadcast import float_operand, promote
from jtorch.ops._inplace import with_out, write_into
from jtorch.ops.movement import Expand

builtins_max, builtins_abs = builtins.max, builtins.abs

__all__ = [
    "sum",
    "nansum",
    "mean",
    "nanmean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "aminmax",
    "argmax",
    "argmin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "logsumexp",
    "all",
    "any",
    "count_nonzero",
    "norm",
    "dist",
]


def reduce_dims(dim, ndim: int) -> tuple | None:
    """``dim`` (None, int, or a sequence) as a sorted tuple of non-negative dims; None = all."""
    if dim is None:
        return None
    if isinstance(dim, int):
        dims = (_wrap_dim(dim, ndim),)
    else:
        dims = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(dims)) != len(dims):
            repeated = next(d for i, d in enumerate(dims) if d in dims[:i])
            raise RuntimeError(f"dim {repeated} appears multiple times in the list of dims")
    # NOTE: a 0-d tensor accepts dim 0 / -1; reducing it over "all" dims is the same thing.
    return tuple(sorted(dims)) if dims and ndim else None


def expand_reduced(grad: Tensor, shape: tuple, dims: tuple | None, keepdim: bool) -> Tensor:
    """Broadcast a reduction's gradient back to the input's ``shape``."""
    if dims is not None and not keepdim and shape:
        kept = tuple(1 if i in dims else s for i, s in enumerate(shape))
        grad = grad.reshape(kept)
    # NOTE: straight to the Expand node: the shape is the input's, valid by construction.
    if grad._array.shape == shape and not grad._requires_grad:
        return grad
    return Expand.apply(grad, shape=tuple(shape))


def _squeeze(a, dims: tuple | None, keepdim: bool):
    return a if keepdim else a.squeeze(axis=dims)


def _const(a) -> Tensor:
    """A constant (non-differentiable) tensor of an array computed in forward."""
    return Tensor._make(a)


def _check_nonempty(name: str, x: Tensor, dims: tuple | None, sep: str = "()") -> None:
    """torch's errors for value-selecting reductions (no identity) over empty dims."""
    shape = x._array.shape
    if dims is None:
        if x._array.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        return
    for d in dims:
        if shape[d] == 0:
            raise IndexError(f"{name}{sep}: Expected reduction dim {d} to have non-zero size.")


# -- sums and means -----------------------------------------------------------------------------
class Sum(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        return x.sum(axis=dims, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad, ctx.shape, ctx.dims, ctx.keepdim)


class SumDim(Sum):
    node_name = "SumBackward1"


def _sum_dtype(x: Tensor, dtype):
    if dtype is not None:
        return dtypes.to_np(dtype)
    return dtypes.int64.np if x._array.dtype.kind in "biu" else None


@with_out
def sum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum of all elements, or over ``dim``; integer inputs sum as int64.

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).sum(0)
        tensor([4, 6])
    """
    dims = reduce_dims(dim, input._array.ndim)
    fn = Sum if dim is None else SumDim
    return fn.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


class Nansum(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        xp = xp_of(x)
        if ctx.needs_input_grad[0]:
            ctx.dims, ctx.keepdim, ctx.keep = dims, keepdim, ~xp.isnan(x)
        return xp.nansum(x, axis=dims, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        keep = ctx.keep
        return expand_reduced(grad, keep.shape, ctx.dims, ctx.keepdim) * _const(keep)


@with_out
def nansum(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Sum treating NaN as zero.

    Example:
        >>> jtorch.tensor([1.0, float("nan"), 2.0]).nansum()
        tensor(3.)
    """
    dims = reduce_dims(dim, input._array.ndim)
    return Nansum.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


class Mean(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
        return (
            xp_of(x)
            .mean(x, axis=dims, keepdims=keepdim, dtype=dtype)
            .astype(dtype or x.dtype, copy=False)
        )

    @staticmethod
    def backward(ctx, grad):
        return expand_reduced(grad / ctx.n, ctx.shape, ctx.dims, ctx.keepdim)


class MeanDim(Mean):
    node_name = "MeanBackward1"


@with_out
def mean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Arithmetic mean of all elements, or over ``dim`` (floating inputs only, as torch).

    Example:
        >>> jtorch.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1, keepdim=True)
        tensor([[1.5000],
                [3.5000]])
    """
    np_dtype = dtypes.to_np(dtype) if dtype is not None else None
    if (np_dtype or input._array.dtype).kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {input.dtype.scalar_name}"
        )
    dims = reduce_dims(dim, input._array.ndim)
    fn = Mean if dim is None else MeanDim
    return fn.apply(input, dims=dims, keepdim=keepdim, dtype=np_dtype)


@with_out
def nanmean(input: Tensor, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of the non-NaN elements (NaN where all are NaN).

    Example:
        >>> jtorch.tensor([1.0, float("nan"), 2.0]).nanmean()
        tensor(1.5000)
    """
    if input._array.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{input.dtype.scalar_name}"
        )
    # NOTE: torch computes nansum / count too (grad_fn DivBackward0).
    xp = input._xp()
    count = (~xp.isnan(input._array)).sum(axis=reduce_dims(dim, input.ndim), keepdims=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / _const(count)


class Prod(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        if ctx.needs_input_grad[0]:
            ctx.retain_inputs(0)
            ctx.retain_outputs(0)
            ctx.dims, ctx.keepdim = dims, keepdim
            zero = x == 0
            ctx.zero = zero if zero.any() else None
        return x.prod(axis=dims, dtype=dtype, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,), (out,) = ctx.saved_inputs, ctx.saved_outputs
        shape, dims, keepdim = x.shape, ctx.dims, ctx.keepdim
        out = expand_reduced(out, shape, dims, keepdim)
        # NOTE: complex inputs take grad * conj(d out / d x), torch's convention.
        if ctx.zero is None:
            return expand_reduced(grad, shape, dims, keepdim) * (out / x).conj()
        # NOTE: with zeros, the product of the others is out / x away from the zeros, and at the
        # zero of a slice with exactly one, the product of that slice with the zero replaced by a
        # constant 1. Written with constant masks, so create_graph gives the right second
        # derivatives (except across two zeros of one slice, whose mixed term is taken as 0).
        zero = ctx.zero
        one_zero = zero & (zero.sum(axis=dims, keepdims=True) == 1)
        dtype = x._array.dtype
        zero_f, one_f = _const(zero.astype(dtype)), _const(one_zero.astype(dtype))
        rest = _const((~zero).astype(dtype))
        filled = x * _const((~one_zero).astype(dtype)) + one_f
        others = rest * out / (x + zero_f) + one_f * expand_reduced(
            prod_keep(filled, dims), shape, dims, True
        )
        return expand_reduced(grad, shape, dims, keepdim) * others.conj()


class ProdDim(Prod):
    node_name = "ProdBackward1"


def prod_keep(x: Tensor, dims: tuple | None) -> Tensor:
    return (Prod if dims is None else ProdDim).apply(x, dims=dims, keepdim=True, dtype=None)


@with_out
def prod(input: Tensor, dim: int | None = None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or over one ``dim``; integer inputs multiply as int64.

    Example:
        >>> jtorch.tensor([[1.0, 2.0], [3.0, 4.0]]).prod(1)
        tensor([ 2., 12.])
    """
    if dim is not None and not isinstance(dim, int):
        raise TypeError(
            f"prod() received an invalid combination of arguments - got ({type(dim).__name__})"
        )
    dims = reduce_dims(dim, input._array.ndim)
    fn = Prod if dim is None else ProdDim
    return fn.apply(input, dims=dims, keepdim=keepdim, dtype=_sum_dtype(input, dtype))


# -- value-selecting reductions ------------------------------------------------------------------
def tie_weights(x, value, dims: tuple | None):
    """``1/count`` where ``x`` equals the (kept-dims) ``value`` of its slice, else 0."""
    xp = xp_of(x)
    mask = x == value
    if x.dtype.kind in "fc":
        mask |= xp.isnan(x) & xp.isnan(value)  # a NaN result was selected from the NaNs
    return (mask / mask.sum(axis=dims, keepdims=True)).astype(x.dtype, copy=False)


class Amax(Function):
    """A reduction to one selected value whose gradient is split evenly among ties.

    The caller passes the selected ``value`` (reduced dims kept); subclasses only rename the node.
    """

    @staticmethod
    def forward(ctx, x, value, dims, keepdim):
        if ctx.needs_input_grad[0]:
            ctx.weights, ctx.dims, ctx.keepdim = tie_weights(x, value, dims), dims, keepdim
        return _squeeze(value, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        w = ctx.weights
        return expand_reduced(grad, w.shape, ctx.dims, ctx.keepdim) * _const(w)


class Amin(Amax):
    node_name = "AminBackward0"


class MaxAll(Amax):
    node_name = "MaxBackward1"


class MinAll(Amax):
    node_name = "MinBackward1"


class GatherAlong(Function):
    """``take_along_axis``: the gradient of :class:`ScatterAlong` (and the reverse)."""

    node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, index, dim, accumulate):
        ctx.shape, ctx.index, ctx.dim, ctx.accumulate = x.shape, index, dim, accumulate
        return xp_of(x).take_along_axis(x, index, dim)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAlong.apply(
            grad, index=ctx.index, dim=ctx.dim, shape=ctx.shape, accumulate=ctx.accumulate
        )


class ScatterAlong(Function):
    """Zeros of ``shape`` with ``g`` written (or added, for repeated indices) at ``index``."""

    node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, g, index, dim, shape, accumulate):
        xp = xp_of(g)
        ctx.index, ctx.dim, ctx.accumulate = index, dim, accumulate
        out = xp.zeros(shape, g.dtype)
        if accumulate:
            where = list(xp.ix_(*(xp.arange(n) for n in index.shape)))
            where[dim] = index
            xp.add.at(out, tuple(where), g)
        else:
            xp.put_along_axis(out, index, g, dim)
        return out

    @staticmethod
    def backward(ctx, grad):
        return GatherAlong.apply(grad, index=ctx.index, dim=ctx.dim, accumulate=ctx.accumulate)


class MaxDim(Function):
    """Values at precomputed ``index`` (an int64 array) along ``dim``, returned with the indices.

    Gradients go back to the index positions; subclasses (min, median, sort, topk, cummax, ...)
    only rename the node. A 0-d input is treated as shape (1,).
    """

    node_name = "MaxBackward0"
    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, index, dim, out_shape, accumulate=False):
        x1 = x.reshape(x.shape or (1,))
        if ctx.needs_input_grad[0]:
            ctx.shape, ctx.index, ctx.dim, ctx.accumulate = x.shape, index, dim, accumulate
        values = xp_of(x).take_along_axis(x1, index, dim)
        return values.reshape(out_shape), index.reshape(out_shape)

    @staticmethod
    def backward(ctx, grad, _):
        index = ctx.index
        g = ScatterAlong.apply(
            grad.reshape(index.shape),
            index=index,
            dim=ctx.dim,
            shape=ctx.shape or (1,),
            accumulate=ctx.accumulate,
        )
        return g if ctx.shape else g.reshape(())


class MinDim(MaxDim):
    node_name = "MinBackward0"


def select_along(fn: type[MaxDim], x: Tensor, index, dim: int, keepdim: bool, accumulate=False):
    """``fn.apply`` for a kept-dims ``index`` along ``dim``: (values, indices) of torch's shape."""
    out_shape = index.shape if keepdim or not x.ndim else index.squeeze(dim).shape
    if not x.ndim:
        out_shape = ()
    return fn.apply(x, index=index, dim=dim, out_shape=out_shape, accumulate=accumulate)


def _extremum(name: str, input: Tensor, dim, keepdim: bool, largest: bool):
    if isinstance(dim, Tensor):
        from jtorch import ops  # noqa: PLC0415  (elementwise family, bound at call time)

        return (ops.maximum if largest else ops.minimum)(input, dim)
    a = input._array
    if dim is None:
        _check_nonempty(name, input, None)
        value = a.max(keepdims=True) if largest else a.min(keepdims=True)
        return (MaxAll if largest else MinAll).apply(input, value=value, dims=None, keepdim=False)
    d = _wrap_dim(dim, a.ndim)
    _check_nonempty(name, input, (d,) if a.ndim else None)
    a1 = a.reshape(a.shape or (1,))
    arg = a1.argmax if largest else a1.argmin
    index = arg(axis=d, keepdims=True)
    values, indices = select_along(MaxDim if largest else MinDim, input, index, d, keepdim)
    return getattr(return_types, name)(values, indices)


@with_out
def max(input: Tensor, dim=None, keepdim: bool = False):
    """Largest element; with ``dim``, ``(values, indices)``; with a tensor, :func:`maximum`.

    Example:
        >>> x = jtorch.tensor([[1.0, 5.0], [4.0, 2.0]])
        >>> x.max(), x.max(0).indices
        (tensor(5.), tensor([1, 0]))
    """
    return _extremum("max", input, dim, keepdim, True)


@with_out
def min(input: Tensor, dim=None, keepdim: bool = False):
    """Smallest element; with ``dim``, ``(values, indices)``; with a tensor, :func:`minimum`.

    Example:
        >>> jtorch.tensor([[1.0, 5.0], [4.0, 2.0]]).min(1, keepdim=True).values
        tensor([[1.],
                [2.]])
    """
    return _extremum("min", input, dim, keepdim, False)


def _amax(name: str, fn: type[Amax], input: Tensor, dim, keepdim: bool) -> Tensor:
    a = input._array
    dims = reduce_dims(dim, a.ndim)
    _check_nonempty(name, input, dims)
    value = a.max(axis=dims, keepdims=True) if fn is Amax else a.min(axis=dims, keepdims=True)
    return fn.apply(input, value=value, dims=dims, keepdim=keepdim)


@with_out
def amax(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Largest values over ``dim`` (int or tuple; all by default); ties share the gradient.

    Example:
        >>> jtorch.tensor([[1.0, 5.0], [4.0, 2.0]]).amax(1)
        tensor([5., 4.])
    """
    return _amax("amax", Amax, input, dim, keepdim)


@with_out
def amin(input: Tensor, dim=(), keepdim: bool = False) -> Tensor:
    """Smallest values over ``dim`` (int or tuple; all by default); ties share the gradient.

    Example:
        >>> jtorch.tensor([[1.0, 5.0], [4.0, 2.0]]).amin(1)
        tensor([1., 2.])
    """
    return _amax("amin", Amin, input, dim, keepdim)


class Aminmax(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        lo, hi = x.min(axis=dims, keepdims=True), x.max(axis=dims, keepdims=True)
        if ctx.needs_input_grad[0]:
            ctx.dims, ctx.keepdim = dims, keepdim
            ctx.w_lo, ctx.w_hi = tie_weights(x, lo, dims), tie_weights(x, hi, dims)
        return _squeeze(lo, dims, keepdim), _squeeze(hi, dims, keepdim)

    @staticmethod
    def backward(ctx, grad_min, grad_max):
        shape, dims, keepdim = ctx.w_lo.shape, ctx.dims, ctx.keepdim
        return expand_reduced(grad_min, shape, dims, keepdim) * _const(ctx.w_lo) + expand_reduced(
            grad_max, shape, dims, keepdim
        ) * _const(ctx.w_hi)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False):
    """``(min, max)`` of all elements or over one ``dim``.

    Example:
        >>> jtorch.aminmax(jtorch.tensor([3.0, 1.0, 2.0]))
        torch.return_types.aminmax(
        min=tensor(1.),
        max=tensor(3.))
    """
    a = input._array
    dims = reduce_dims(dim, a.ndim)
    if a.size == 0 and (dims is None or a.shape[dims[0]] == 0):
        if dims is None:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
                "no identity."
            )
        _check_nonempty("aminmax", input, dims, sep="")
    return return_types.aminmax(*Aminmax.apply(input, dims=dims, keepdim=keepdim))


def _argextremum(name: str, input: Tensor, dim, keepdim: bool) -> Tensor:
    a = input._array
    xp = xp_of(a)
    if dim is None:
        if a.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        flat = a.argmax() if name == "argmax" else a.argmin()
        return Tensor._make(xp.asarray(flat, dtype=xp.int64).reshape((1,) * a.ndim * keepdim))
    d = _wrap_dim(dim, a.ndim)
    if not a.ndim:
        return Tensor._make(xp.zeros((), xp.int64))
    _check_nonempty(name, input, (d,))
    fn = a.argmax if name == "argmax" else a.argmin
    return Tensor._make(fn(axis=d, keepdims=keepdim))


@with_out
def argmax(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest element (of the flattened input without ``dim``).

    Example:
        >>> jtorch.tensor([[1.0, 5.0], [4.0, 2.0]]).argmax(1)
        tensor([1, 0])
    """
    return _argextremum("argmax", input, dim, keepdim)


@with_out
def argmin(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest element (of the flattened input without ``dim``).

    Example:
        >>> jtorch.tensor([[1.0, 5.0], [4.0, 2.0]]).argmin()
        tensor(0)
    """
    return _argextremum("argmin", input, dim, keepdim)


# -- moments -------------------------------------------------------------------------------------
class Var(Function):
    """Variance (``root``: standard deviation), optionally with the mean as a second output."""

    @staticmethod
    def forward(ctx, x, dims, correction, keepdim, root, with_mean):
        xp = xp_of(x)
        n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
        mean = x.mean(axis=dims, keepdims=True)
        c = x - mean
        sq = (c * c.conj()).real if x.dtype.kind == "c" else c * c
        with xp.errstate(divide="ignore", invalid="ignore"):
            out = sq.sum(axis=dims, keepdims=keepdim) / builtins_max(n - correction, 0)
        if root:
            out = xp.sqrt(out)
        if ctx.needs_input_grad[0]:
            ctx.retain_inputs(0)
            if root:
                ctx.retain_outputs(0)
            ctx.dims, ctx.keepdim, ctx.n, ctx.correction = dims, keepdim, n, correction
            ctx.root = root
        return (out, _squeeze(mean, dims, keepdim)) if with_mean else out

    @staticmethod
    def backward(ctx, grad, grad_mean=None):
        (x,) = ctx.saved_inputs
        shape, dims, keepdim, n = x.shape, ctx.dims, ctx.keepdim, ctx.n
        dof = builtins_max(n - ctx.correction, 0)
        scale = (1.0 if ctx.root else 2.0) / dof if dof else math.inf
        if ctx.root:
            (std,) = ctx.saved_outputs
            zero = std._array == 0
            if zero.any():  # torch: the gradient is 0 where std is 0
                std, grad = std + _const(zero.astype(std._array.dtype)), grad * _const(~zero)
            grad = grad / std
        g = expand_reduced(grad * scale, shape, dims, keepdim) * (x - x.mean(dims, keepdim=True))
        if grad_mean is not None:
            g = g + expand_reduced(grad_mean / n, shape, dims, keepdim)
        return g


class Std(Var):
    node_name = "StdBackward0"


class VarMean(Var):
    """``(var, mean)``: one node for both outputs, as torch."""


class StdMean(Var):
    """``(std, mean)``: one node for both outputs, as torch."""


def _moments(name: str, input: Tensor, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # torch's overload var(bool unbiased)
        dim, unbiased = None, dim
    if input._array.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got unbiased and correction"
        )
    if correction is None:
        correction = 1 if unbiased is None or unbiased else 0
    dims = reduce_dims(dim, input._array.ndim)
    n = input._array.size if dims is None else math.prod(input.shape[d] for d in dims)
    if n - correction <= 0:
        warn_outside(
            f"{name.split('_')[0]}(): degrees of freedom is <= 0. Correction should be strictly "
            "less than the reduction factor (input numel divided by output numel)."
        )
    fn = {"var": Var, "std": Std, "var_mean": VarMean, "std_mean": StdMean}[name]
    out = fn.apply(
        input,
        dims=dims,
        correction=correction,
        keepdim=keepdim,
        root=name.startswith("std"),
        with_mean=name.endswith("mean"),
    )
    return out


@with_out
def var(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Variance over ``dim`` with Bessel's ``correction`` (default 1; ``unbiased=False`` is 0).

    Example:
        >>> x = jtorch.tensor([[1.0, 2.0], [3.0, 5.0]])
        >>> x.var(1), x.var(1, unbiased=False), x.var(correction=0)
        (tensor([0.5000, 2.0000]), tensor([0.2500, 1.0000]), tensor(2.1875))
    """
    return _moments("var", input, dim, unbiased, keepdim, correction)


@with_out
def std(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """Standard deviation over ``dim`` with Bessel's ``correction`` (see :func:`var`).

    Example:
        >>> jtorch.tensor([1.0, 2.0, 3.0, 4.0]).std()
        tensor(1.2910)
    """
    return _moments("std", input, dim, unbiased, keepdim, correction)


def var_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` over ``dim`` in one pass (see :func:`var`).

    Example:
        >>> jtorch.var_mean(jtorch.tensor([1.0, 2.0, 3.0]))
        (tensor(1.), tensor(2.))
    """
    return _moments("var_mean", input, dim, unbiased, keepdim, correction)


def std_mean(input: Tensor, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` over ``dim`` in one pass (see :func:`var`).

    Example:
        >>> jtorch.std_mean(jtorch.tensor([1.0, 2.0, 3.0]), unbiased=False)
        (tensor(0.8165), tensor(2.))
    """
    return _moments("std_mean", input, dim, unbiased, keepdim, correction)


class Logsumexp(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim):
        xp = xp_of(x)
        m = x.max(axis=dims, keepdims=True) if x.size else xp.zeros((1,) * x.ndim, x.dtype)
        m = xp.where(xp.isfinite(m), m, 0)  # NOTE: all -inf (or inf) slices must not give nan
        with xp.errstate(divide="ignore"):
            out = xp.log(xp.exp(x - m).sum(axis=dims, keepdims=True)) + m
        if ctx.needs_input_grad[0]:
            ctx.retain_inputs(0)
            ctx.retain_outputs(0)
            ctx.dims, ctx.keepdim = dims, keepdim
        return _squeeze(out, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,), (out,) = ctx.saved_inputs, ctx.saved_outputs
        shape, dims, keepdim = x.shape, ctx.dims, ctx.keepdim
        return (
            expand_reduced(grad, shape, dims, keepdim)
            * (x - expand_reduced(out, shape, dims, keepdim)).exp()
        )


@with_out
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input), dim))`` computed stably (integers become the default float dtype).

    Example:
        >>> jtorch.tensor([1000.0, 1000.0]).logsumexp(0)
        tensor(1000.6932)
    """
    x = float_operand(input)
    return Logsumexp.apply(x, dims=reduce_dims(dim, x._array.ndim), keepdim=keepdim)


# -- logical and counting reductions -------------------------------------------------------------
def _logical(name: str, input: Tensor, dim, keepdim: bool) -> Tensor:
    a = input._array
    dims = reduce_dims(dim, a.ndim)
    out = (
        a.all(axis=dims, keepdims=keepdim) if name == "all" else a.any(axis=dims, keepdims=keepdim)
    )
    if a.dtype == xp_of(a).uint8:  # torch keeps uint8 for uint8 inputs
        out = out.astype(a.dtype)
    return Tensor._make(out)


@with_out
def all(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether all elements (over ``dim``) are nonzero; bool result (uint8 for uint8 input).

    Example:
        >>> jtorch.tensor([[True, False], [True, True]]).all(1)
        tensor([False,  True])
    """
    return _logical("all", input, dim, keepdim)


@with_out
def any(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:
    """Whether any element (over ``dim``) is nonzero; bool result (uint8 for uint8 input).

    Example:
        >>> jtorch.tensor([[0, 0], [0, 3]]).any(1)
        tensor([False,  True])
    """
    return _logical("any", input, dim, keepdim)


def count_nonzero(input: Tensor, dim=None) -> Tensor:
    """Number of nonzero elements (over ``dim``), as int64.

    Example:
        >>> jtorch.tensor([[0, 1], [2, 3]]).count_nonzero(0)
        tensor([1, 2])
    """
    a = input._array
    xp = xp_of(a)
    return Tensor._make(
        xp.asarray(xp.count_nonzero(a, axis=reduce_dims(dim, a.ndim)), dtype=xp.int64)
    )


# -- norms ---------------------------------------------------------------------------------------
def _vector_norm(a, p: float, dims: tuple | None, keepdim: bool):
    xp = xp_of(a)
    abs_a = xp.abs(a)
    if p == 2:
        out = xp.sqrt((abs_a * abs_a).sum(axis=dims, keepdims=keepdim))
    elif p == 1:
        out = abs_a.sum(axis=dims, keepdims=keepdim)
    elif p == math.inf:
        out = abs_a.max(axis=dims, keepdims=keepdim)
    elif p == -math.inf:
        out = abs_a.min(axis=dims, keepdims=keepdim)
    elif p == 0:
        out = (a != 0).sum(axis=dims, keepdims=keepdim).astype(abs_a.dtype)
    else:
        with xp.errstate(divide="ignore"):
            out = (abs_a**p).sum(axis=dims, keepdims=keepdim) ** (1.0 / p)
    return out.astype(abs_a.dtype, copy=False)


def norm_backward(grad: Tensor, x: Tensor, norm: Tensor, p: float, dims, keepdim) -> Tensor:
    """torch's ``norm_backward``: the gradient of the ``p``-norm ``norm`` of ``x`` over ``dims``."""
    xp = x._xp()
    a, shape = x._array, x._array.shape
    if p == 0:
        return None
    sign = _const(xp.sign(a))
    grad = expand_reduced(grad, shape, dims, keepdim)
    if p == 1:
        return grad * sign
    norm = expand_reduced(norm, shape, dims, keepdim)
    if builtins_abs(p) == math.inf:
        w = tie_weights(xp.abs(a), norm._array, dims)
        return grad * sign * _const(w)
    zero = norm._array == 0
    if zero.any():  # torch: the gradient is 0 where the norm is 0
        norm, grad = norm + _const(zero.astype(a.dtype)), grad * _const(~zero)
    if p == 2:
        return grad * x / norm
    # NOTE: sign is x / |x| for complex x: |x| = x * conj(sign), and x * |x|^(p-2) = sign |x|^(p-1)
    abs_x = x * (_const(xp.conj(sign._array)) if x.is_complex() else sign)
    if p < 1:
        nonzero = _const(a != 0)
        return grad * sign * (abs_x + _const(a == 0)) ** (p - 1) * nonzero * norm ** (1 - p)
    if p < 2:
        return grad * sign * abs_x ** (p - 1) / norm ** (p - 1)
    return grad * x * abs_x ** (p - 2) / norm ** (p - 1)


class LinalgVectorNorm(Function):
    @staticmethod
    def forward(ctx, x, p, dims, keepdim):
        if ctx.needs_input_grad[0]:
            ctx.retain_inputs(0)
            ctx.retain_outputs(0)
            ctx.p, ctx.dims, ctx.keepdim = p, dims, keepdim
        return _vector_norm(x, p, dims, keepdim)

    @staticmethod
    def backward(ctx, grad):
        (x,), (out,) = ctx.saved_inputs, ctx.saved_outputs
        return norm_backward(grad, x, out, ctx.p, ctx.dims, ctx.keepdim)


def _check_inf_norm_nonempty(shape: tuple, p: float, dims: tuple | None) -> None:
    head = f"linalg.vector_norm cannot compute the {p} norm on"
    tail = "the operation does not have an identity"
    if dims is None:
        raise RuntimeError(f"{head} an empty tensor because {tail}")
    for d in dims:
        if shape[d] == 0:
            # NOTE: torch's message really lacks the space before "because".
            raise RuntimeError(
                f"{head} the dimension {d}because this dimension is empty and {tail}"
            )


def vector_norm(input: Tensor, p=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """``torch.linalg.vector_norm``: the ``p``-norm of ``input`` over ``dim`` (all by default).

    Example:
        >>> vector_norm(jtorch.tensor([3.0, -4.0]))
        tensor(5.)
    """
    if input._array.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{input.dtype.scalar_name}"
        )
    if dtype is not None:
        input = input.to(dtype)
    dims = reduce_dims(dim, input._array.ndim)
    if builtins_abs(p) == math.inf and input._array.size == 0:
        _check_inf_norm_nonempty(input._array.shape, p, dims)
    return LinalgVectorNorm.apply(input, p=float(p), dims=dims, keepdim=keepdim)


def norm(input: Tensor, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None) -> Tensor:
    """``torch.norm`` (legacy): vector ``p``-norm over ``dim``; ``'fro'``; ``'nuc'`` for matrices.

    Example:
        >>> x = jtorch.tensor([[3.0, 0.0], [0.0, -4.0]])
        >>> x.norm(), x.norm(p=1, dim=1), x.norm(p=float("inf"))
        (tensor(5.), tensor([3., 4.]), tensor(4.))
    """
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            result = vector_norm(input, 2, dim, keepdim, dtype=dtype)
        else:
            from jtorch import linalg  # noqa: PLC0415

            dims = tuple(range(input.ndim)) if dim is None else dim
            result = linalg.matrix_norm(input, p, dims, keepdim, dtype=dtype)
    else:
        result = vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)
    if out is None:
        return result
    write_into(out, result)
    return out


class Dist(Function):
    @staticmethod
    def forward(ctx, x, y, p):
        if ctx.needs_input_grad[0] or ctx.needs_input_grad[1]:
            ctx.retain_inputs(0, 1)
            ctx.retain_outputs(0)
            ctx.p = p
        return _vector_norm(x - y, p, None, False)

    @staticmethod
    def backward(ctx, grad):
        (x, y), (out,) = ctx.saved_inputs, ctx.saved_outputs
        g = norm_backward(grad, x - y, out, ctx.p, None, False)
        if g is None:
            return None, None
        return g, -g if ctx.needs_input_grad[1] else None


def dist(input: Tensor, other: Tensor, p=2) -> Tensor:
    """The ``p``-norm of ``input - other`` (broadcast).

    Example:
        >>> jtorch.dist(jtorch.tensor([1.0, 1.0]), jtorch.tensor([4.0, 5.0]))
        tensor(5.)
    """
    x, y = promote(input, other)
    return Dist.apply(x, y, p=float(p))
