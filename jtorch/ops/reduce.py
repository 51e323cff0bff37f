"""Reductions: sum, mean, ... over all elements or over ``dim`` (int or tuple) with ``keepdim``.

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.sum(1)
    tensor([3., 7.], grad_fn=<SumBackward1>)
"""

from __future__ import annotations

import math

from jtorch import dtypes
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._inplace import with_out

__all__ = ["sum", "mean"]


def reduce_dims(dim, ndim: int) -> tuple | None:
    """``dim`` (None, int, or a sequence) as a sorted tuple of non-negative dims; None = all."""
    if dim is None:
        return None
    if isinstance(dim, int):
        return (_wrap_dim(dim, ndim),)
    dims = tuple(_wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
    return tuple(sorted(dims)) if dims else None


def expand_reduced(grad: Tensor, shape: tuple, dims: tuple | None, keepdim: bool) -> Tensor:
    """Broadcast a reduction's gradient back to the input's ``shape``."""
    if dims is not None and not keepdim and shape:
        kept = tuple(1 if i in dims else s for i, s in enumerate(shape))
        grad = grad.reshape(kept)
    return grad.expand(shape)


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


class Mean(Function):
    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        ctx.shape, ctx.dims, ctx.keepdim = x.shape, dims, keepdim
        ctx.n = x.size if dims is None else math.prod(x.shape[d] for d in dims)
        return xp_of(x).mean(x, axis=dims, keepdims=keepdim, dtype=dtype).astype(
            dtype or x.dtype, copy=False
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
            f"complex dtype. Got: {input.dtype._legacy.replace('Tensor', '')}"
        )
    dims = reduce_dims(dim, input._array.ndim)
    fn = Mean if dim is None else MeanDim
    return fn.apply(input, dims=dims, keepdim=keepdim, dtype=np_dtype)
