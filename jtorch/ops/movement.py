"""Shape ops that return views: view/reshape, transpose, permute, expand, squeeze, ...

Each view Function has ``is_view = True``: its output shares the input's memory and version
counter, and records how to replay it from the base (for in-place writes through views).

Example:
    >>> import jtorch
    >>> x = jtorch.arange(6.0).view(2, 3)
    >>> x.t()[0, 1] = 10.0
    >>> x
    tensor([[ 0.,  1.,  2.],
            [10.,  4.,  5.]])
"""

from __future__ import annotations

import math

import numpy as np

from jtorch import dtypes
from jtorch._size import Size
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of

# view, view_as, expand and expand_as are Tensor methods only (no torch.view function).
__all__ = ["reshape", "transpose", "t", "permute"]


def infer_shape(shape, numel: int, op: str = "view") -> tuple:
    """Resolve one ``-1`` in ``shape`` against ``numel`` elements, with torch's errors."""
    shape = tuple(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = math.prod(s for s in shape if s != -1)
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _shape_args(shape: tuple) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list, Size)):
        return tuple(shape[0])
    return shape


class View(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        try:
            return xp_of(x).reshape(x, shape, copy=False)
        except (ValueError, AttributeError):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


def view(input: Tensor, *shape) -> Tensor:
    """A view of ``input`` with another shape (shares memory; one dim may be -1).

    Example:
        >>> jtorch.arange(6).view(2, -1).shape
        torch.Size([2, 3])
    """
    if len(shape) == 1 and isinstance(shape[0], dtypes.dtype):  # reinterpret the bytes
        out = Tensor._make(input._array.view(dtypes.to_np(shape[0])))
        out._vc = input._version_counter()
        return out
    shape = infer_shape(_shape_args(shape), input._array.size)
    return View.apply(input, shape=shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:
    return view(input, other.shape)


def reshape(input: Tensor, *shape) -> Tensor:
    """``input`` with another shape: a view when memory allows, else a copy.

    Example:
        >>> jtorch.arange(6).reshape(3, 2).t().reshape(-1)
        tensor([0, 2, 4, 1, 3, 5])
    """
    shape = infer_shape(_shape_args(shape), input._array.size)
    try:
        return View.apply(input, shape=shape)
    except RuntimeError:  # memory layout does not allow a view: copy first
        return View.apply(input.clone(), shape=shape)


class Transpose(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim0, dim1):
        ctx.dims = (dim0, dim1)
        return xp_of(x).swapaxes(x, dim0, dim1)

    @staticmethod
    def backward(ctx, grad):
        return grad.transpose(*ctx.dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dimensions (a view).

    Example:
        >>> jtorch.zeros(2, 3, 4).transpose(0, 2).shape
        torch.Size([4, 3, 2])
    """
    n = input._array.ndim
    return Transpose.apply(input, dim0=_wrap_dim(dim0, n), dim1=_wrap_dim(dim1, n))


class T(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.T

    @staticmethod
    def backward(ctx, grad):
        return grad.t()


def t(input: Tensor) -> Tensor:
    """Transpose a matrix (0-d and 1-d tensors are returned as they are, as views)."""
    if input._array.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._array.ndim}D"
        )
    return T.apply(input)


class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return x.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inverse[d] = i
        return grad.permute(inverse)


def permute(input: Tensor, *dims) -> Tensor:
    """Reorder dimensions (a view).

    Example:
        >>> jtorch.zeros(2, 3, 4).permute(2, 0, 1).shape
        torch.Size([4, 2, 3])
    """
    dims = _shape_args(dims)
    n = input._array.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


class Expand(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return broadcast_view(x, shape)

    @staticmethod
    def backward(ctx, grad):
        from jtorch.ops._broadcast import sum_to  # noqa: PLC0415

        return sum_to(grad, ctx.in_shape)


def broadcast_view(x, shape: tuple):
    """A writable zero-stride view of ``x`` with ``shape`` (torch's expand is writable too)."""
    if type(x) is not np.ndarray or not x.flags.c_contiguous:
        return xp_of(x).broadcast_to(x, shape)
    # NOTE: building the ndarray directly over x's buffer is ~10x faster than np.broadcast_to.
    lead = len(shape) - x.ndim
    strides = [0] * lead + [
        0 if old == 1 and new != 1 else st for old, new, st in zip(x.shape, shape[lead:], x.strides)
    ]
    return np.ndarray(shape, x.dtype, x, 0, tuple(strides))


def expand(input: Tensor, *sizes) -> Tensor:
    """Broadcast singleton dims to ``sizes`` without copying (-1 keeps a size).

    Example:
        >>> jtorch.tensor([[1], [2]]).expand(2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    sizes = _shape_args(sizes)
    shape = input._array.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand({input.type()}{{{list(shape)}}}, size={list(sizes)}): the number of sizes "
            "provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({len(shape)})"
        )
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                    "non-existing dimension 0"
                )
            out.append(s)
            continue
        old = shape[i - lead]
        if s == -1:
            s = old
        elif old != s and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        out.append(s)
    out = tuple(out)
    if out == shape and not input._requires_grad:
        return input
    return Expand.apply(input, shape=out)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    return expand(input, other.shape)
