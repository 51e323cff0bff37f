"""Joining, splitting and rearranging: cat/stack, split/chunk/unbind, flip/roll/rot90, diag and
triangles, repeat/tile, broadcasting helpers, meshgrid, block_diag, atleast_Nd.

split, chunk and unbind return views of their input, recorded by one node shared by all outputs
(``SplitBackward0``, ``SplitWithSizesBackward0``, ``UnbindBackward0``) as in torch; writing into
such a view in place while recording gradients raises torch's error.

Example:
    >>> import jtorch
    >>> a, b = jtorch.arange(6).view(2, 3).split([1, 2], dim=1)
    >>> jtorch.cat([b, a], dim=1)
    tensor([[1, 2, 0],
            [4, 5, 3]])
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from jtorch import backend, dtypes
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._broadcast import broadcast_shapes, promote_to
from jtorch.ops._inplace import with_out
from jtorch.ops.conversion import clone
from jtorch.ops.movement import (
    Diagonal,
    Select,
    Slice,
    ViewScatter,
    _shape_args,
    expand,
    reshape,
    unsqueeze,
)

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack"]
__all__ += ["column_stack", "split", "chunk", "tensor_split", "unbind", "flip", "fliplr"]
__all__ += ["flipud", "roll", "rot90", "diag", "diag_embed", "diagflat", "tril", "triu"]
__all__ += ["tril_indices", "triu_indices", "tile", "repeat_interleave", "broadcast_to"]
__all__ += ["broadcast_tensors", "meshgrid", "block_diag", "atleast_1d", "atleast_2d"]
__all__ += ["atleast_3d", "hsplit", "vsplit", "dsplit"]


def _promoted(tensors, op: str) -> list:
    """``tensors`` cast to their common torch dtype (differentiably)."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError(f"{op}(): expected a non-empty list of Tensors")
    first = tensors[0]._array.dtype
    if all(t._array.dtype == first for t in tensors):
        return tensors
    d = dtypes.result_type(*tensors)
    return [promote_to(t, d) for t in tensors]


# -- cat / stack ----------------------------------------------------------------------------------
def _skipped(shape: tuple) -> bool:
    # NOTE: torch still skips 1-d empty tensors in cat, whatever the other inputs' shapes.
    return shape == (0,)


class Cat(Function):
    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        ctx.sizes = [None if _skipped(a.shape) else a.shape[dim] for a in arrays]
        kept = [a for a in arrays if not _skipped(a.shape)]
        if not kept:
            return arrays[0].copy()
        return xp_of(kept[0]).concatenate(kept, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads, start = [], 0
        for size, need in zip(ctx.sizes, ctx.needs_input_grad):
            if size is None:
                grads.append(Tensor._make(grad._xp().zeros(0, grad._array.dtype)) if need else None)
                continue
            if need:
                grads.append(Slice.apply(grad, dim=ctx.dim, start=start, stop=start + size, step=1))
            else:
                grads.append(None)
            start += size
        return tuple(grads)


@with_out
def cat(tensors, dim: int = 0) -> Tensor:
    """Concatenate ``tensors`` along ``dim`` (promoting dtypes; 1-d empty tensors are skipped).

    Example:
        >>> jtorch.cat([jtorch.zeros(1, 2), jtorch.ones(2, 2, dtype=jtorch.int64)])
        tensor([[0., 0.],
                [1., 1.],
                [1., 1.]])
    """
    tensors = _promoted(tensors, "torch.cat")
    kept = [(i, t._array.shape) for i, t in enumerate(tensors) if not _skipped(t._array.shape)]
    if kept:
        ref_i, ref = kept[0]
        for i, shape in kept:
            if not shape:
                raise RuntimeError(
                    f"zero-dimensional tensor (at position {i}) cannot be concatenated"
                )
        dim = _wrap_dim(dim, len(ref))
        for i, shape in kept:
            if len(shape) != len(ref):
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}"
                )
            for d, (a, b) in enumerate(zip(ref, shape)):
                if d != dim and a != b:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected size "
                        f"{a} but got size {b} for tensor number {i} in the list."
                    )
    else:
        dim = _wrap_dim(dim, 1)
    return Cat.apply(*tensors, dim=dim)


concat = cat
concatenate = cat


class Stack(Function):
    @staticmethod
    def forward(ctx, *arrays, dim):
        ctx.dim = dim
        return xp_of(arrays[0]).stack(arrays, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return tuple(
            Select.apply(grad, dim=ctx.dim, index=i) if need else None
            for i, need in enumerate(ctx.needs_input_grad)
        )


@with_out
def stack(tensors, dim: int = 0) -> Tensor:
    """Join equally shaped ``tensors`` along a new dim ``dim``.

    Example:
        >>> jtorch.stack([jtorch.tensor([1, 2]), jtorch.tensor([3, 4])], dim=1)
        tensor([[1, 3],
                [2, 4]])
    """
    tensors = _promoted(tensors, "stack")
    ref = tensors[0]._array.shape
    for i, t in enumerate(tensors):
        if t._array.shape != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref)} at entry 0 and "
                f"{list(t._array.shape)} at entry {i}"
            )
    return Stack.apply(*tensors, dim=_wrap_dim(dim, len(ref) + 1))


def _atleast(tensors: tuple, fn):
    if len(tensors) == 1:
        if isinstance(tensors[0], Tensor):
            return fn(tensors[0])
        tensors = tuple(tensors[0])
    return tuple(fn(t) for t in tensors)


def _at1(t: Tensor) -> Tensor:
    return reshape(t, (1,)) if t._array.ndim == 0 else t


def _at2(t: Tensor) -> Tensor:
    n = t._array.ndim
    return reshape(t, (1, 1)) if n == 0 else unsqueeze(t, 0) if n == 1 else t


def _at3(t: Tensor) -> Tensor:
    n = t._array.ndim
    if n == 0:
        return reshape(t, (1, 1, 1))
    if n == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1) if n == 2 else t


def atleast_1d(*tensors):
    """Each tensor with at least one dim (0-d tensors become shape ``[1]``).

    Example:
        >>> jtorch.atleast_1d(jtorch.tensor(3))
        tensor([3])
    """
    return _atleast(tensors, _at1)


def atleast_2d(*tensors):
    """Each tensor with at least two dims (leading size-1 dims added).

    Example:
        >>> jtorch.atleast_2d(jtorch.tensor([1, 2])).shape
        torch.Size([1, 2])
    """
    return _atleast(tensors, _at2)


def atleast_3d(*tensors):
    """Each tensor with at least three dims (1-d ``[n]`` becomes ``[1, n, 1]``, 2-d ``[m, n]``
    becomes ``[m, n, 1]``).

    Example:
        >>> jtorch.atleast_3d(jtorch.tensor([1, 2])).shape
        torch.Size([1, 2, 1])
    """
    return _atleast(tensors, _at3)


@with_out
def hstack(tensors) -> Tensor:
    """Concatenate column-wise (along dim 1, or dim 0 for 1-d tensors).

    Example:
        >>> jtorch.hstack([jtorch.tensor([1, 2]), jtorch.tensor([3])])
        tensor([1, 2, 3])
    """
    tensors = [_at1(t) for t in tensors]
    return cat(tensors, 0 if tensors and tensors[0]._array.ndim == 1 else 1)


@with_out
def vstack(tensors) -> Tensor:
    """Concatenate row-wise (1-d tensors become rows).

    Example:
        >>> jtorch.vstack([jtorch.tensor([1, 2]), jtorch.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    return cat([_at2(t) for t in tensors], 0)


@with_out
def dstack(tensors) -> Tensor:
    """Concatenate depth-wise (along dim 2, after :func:`atleast_3d`).

    Example:
        >>> jtorch.dstack([jtorch.tensor([1, 2]), jtorch.tensor([3, 4])]).shape
        torch.Size([1, 2, 2])
    """
    return cat([_at3(t) for t in tensors], 2)


@with_out
def column_stack(tensors) -> Tensor:
    """Stack 0-d and 1-d tensors as columns, and concatenate 2-d ones along dim 1.

    Example:
        >>> jtorch.column_stack([jtorch.tensor([1, 2]), jtorch.tensor([3, 4])])
        tensor([[1, 3],
                [2, 4]])
    """
    return hstack([reshape(t, (-1, 1)) if t._array.ndim <= 1 else t for t in tensors])


# -- split / chunk / unbind -----------------------------------------------------------------------
class _MultiOutputView:
    """Stands in the view chain of an output of split/chunk/unbind: torch forbids in-place writes
    into such views while gradients are recorded (the shared node could not be rebased)."""

    @staticmethod
    def apply(t: Tensor, name: str, nr: int):
        raise RuntimeError(
            f"Output {nr} of {name} is a view and is being modified inplace. This view is the "
            "output of a function that returns multiple views. Such functions do not allow the "
            "output views to be modified inplace. You should replace the inplace operation by an "
            "out-of-place one."
        )


def _multi_view(outs: tuple, name: str) -> tuple:
    for i, t in enumerate(outs):
        t._view_chain = (t._view_chain[0], _MultiOutputView, {"name": name, "nr": i})
    return outs


def _zeros_for(grads: tuple, shapes: list, like: Tensor) -> list:
    xp = like._xp()
    return [
        g if g is not None else Tensor._make(xp.zeros(s, like._array.dtype))
        for g, s in zip(grads, shapes)
    ]


class SplitWithSizes(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, sizes):
        ctx.dim = dim
        ctx.shapes, out, start = [], [], 0
        lead = (slice(None),) * dim
        for s in sizes:
            out.append(x[lead + (slice(start, start + s),)])
            ctx.shapes.append(out[-1].shape)
            start += s
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads):
        like = next(g for g in grads if g is not None)
        return cat(_zeros_for(grads, ctx.shapes, like), ctx.dim)


class Split(SplitWithSizes):
    is_view = True


def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size_or_sections`` elements along ``dim`` (the last may be
    smaller), or into pieces of the listed sizes. The pieces are views.

    Example:
        >>> [t.tolist() for t in jtorch.arange(5).split(2)]
        [[0, 1], [2, 3], [4]]
    """
    shape = tensor._array.shape
    dim = _wrap_dim(dim, len(shape))
    size = shape[dim] if shape else 1
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and size):
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}"
                if step == 0
                else f"split expects split_size be non-negative, but got split_size={step}"
            )
        n = max(math.ceil(size / step), 1) if step else 1
        sizes = [step] * (n - 1) + [size - step * (n - 1)]
        return _multi_view(Split.apply(tensor, dim=dim, sizes=tuple(sizes)), "Split")
    sizes = tuple(int(s) for s in split_size_or_sections)
    if sum(sizes) != size or any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size "
            f"at dimension {dim}), but got split_sizes={list(sizes)}"
        )
    return _multi_view(SplitWithSizes.apply(tensor, dim=dim, sizes=sizes), "SplitWithSizes")


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into at most ``chunks`` views of equal size (the last may be smaller).

    Example:
        >>> [t.tolist() for t in jtorch.arange(5).chunk(3)]
        [[0, 1], [2, 3], [4]]
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    shape = input._array.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    size = shape[_wrap_dim(dim, len(shape))]
    if not size:  # torch: `chunks` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, math.ceil(size / chunks), dim)


class Unbind(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim, ctx.shape = dim, x.shape[:dim] + x.shape[dim + 1 :]
        lead = (slice(None),) * dim
        return tuple(x[lead + (i, Ellipsis)] for i in range(x.shape[dim]))

    @staticmethod
    def backward(ctx, *grads):
        like = next(g for g in grads if g is not None)
        return stack(_zeros_for(grads, [ctx.shape] * len(grads), like), ctx.dim)


def unbind(input: Tensor, dim: int = 0) -> tuple:
    """All slices along ``dim``, with that dim removed (views).

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).unbind(1)
        (tensor([1, 3]), tensor([2, 4]))
    """
    shape = input._array.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return _multi_view(Unbind.apply(input, dim=_wrap_dim(dim, len(shape))), "Unbind")


def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Split into ``n`` nearly equal views (the first ``size % n`` one element larger), or at the
    listed indices.

    Example:
        >>> [t.tolist() for t in jtorch.arange(7).tensor_split(3)]
        [[0, 1, 2], [3, 4], [5, 6]]
        >>> [t.tolist() for t in jtorch.arange(7).tensor_split([1, 5])]
        [[0], [1, 2, 3, 4], [5, 6]]
    """
    shape = input._array.shape
    if not shape:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    dim = _wrap_dim(dim, len(shape))
    size = shape[dim]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = ios.item() if ios._array.ndim == 0 else ios.tolist()
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {ios}")
        q, r = divmod(size, ios)
        bounds = np.cumsum([0] + [q + 1] * r + [q] * (ios - r)).tolist()
    else:
        bounds = [0] + [int(i) for i in ios] + [size]
    out = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        a, b = min(max(a, 0), size), min(max(b, 0), size)
        out.append(Slice.apply(input, dim=dim, start=a, stop=max(a, b), step=1))
    return tuple(out)


def _nsplit(name: str, input: Tensor, sections, dim: int, min_dims: int) -> tuple:
    n = input._array.ndim
    if n < min_dims:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a tensor "
            f"with {n} dimensions!"
        )
    if isinstance(sections, int):
        size = input._array.shape[dim]
        if sections == 0 or size % sections:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {sections}!"
            )
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections) -> tuple:
    """:func:`tensor_split` along dim 1 (dim 0 for 1-d tensors); sections must divide evenly.

    Example:
        >>> [t.shape for t in jtorch.hsplit(jtorch.zeros(2, 4), 2)]
        [torch.Size([2, 2]), torch.Size([2, 2])]
    """
    dim = 0 if input._array.ndim == 1 else 1
    return _nsplit("hsplit", input, indices_or_sections, dim, 1)


def vsplit(input: Tensor, indices_or_sections) -> tuple:
    """:func:`tensor_split` along dim 0 of a tensor with at least 2 dims.

    Example:
        >>> [t.shape for t in jtorch.vsplit(jtorch.zeros(4, 2), [1])]
        [torch.Size([1, 2]), torch.Size([3, 2])]
    """
    return _nsplit("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections) -> tuple:
    """:func:`tensor_split` along dim 2 of a tensor with at least 3 dims.

    Example:
        >>> [t.shape for t in jtorch.dsplit(jtorch.zeros(1, 1, 4), 2)]
        [torch.Size([1, 1, 2]), torch.Size([1, 1, 2])]
    """
    return _nsplit("dsplit", input, indices_or_sections, 2, 3)


# -- flips and rotations ---------------------------------------------------------------------------
def _dims(n: int, dims) -> tuple:
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    out = tuple(_wrap_dim(d, n) for d in dims)
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return out


class Flip(Function):
    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return xp_of(x).flip(x, dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Flip.apply(grad, dims=ctx.dims)


def flip(input: Tensor, *dims, **kwargs) -> Tensor:
    """A copy of ``input`` reversed along ``dims`` (``flip(x, (0, 1))`` or ``x.flip(0, 1)``).

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).flip(0, 1)
        tensor([[4, 3],
                [2, 1]])
    """
    dims = kwargs.pop("dims") if "dims" in kwargs else _shape_args(dims)
    return Flip.apply(input, dims=_dims(input._array.ndim, dims))


def fliplr(input: Tensor) -> Tensor:
    """Reverse dim 1 (left/right).

    Example:
        >>> jtorch.fliplr(jtorch.tensor([[1, 2]]))
        tensor([[2, 1]])
    """
    if input._array.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return Flip.apply(input, dims=(1,))


def flipud(input: Tensor) -> Tensor:
    """Reverse dim 0 (up/down).

    Example:
        >>> jtorch.flipud(jtorch.tensor([1, 2]))
        tensor([2, 1])
    """
    if input._array.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return Flip.apply(input, dims=(0,))


class Roll(Function):
    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return xp_of(x).roll(x, shifts, axis=dims)

    @staticmethod
    def backward(ctx, grad):
        neg = tuple(-s for s in ctx.shifts) if ctx.dims is not None else -ctx.shifts
        return Roll.apply(grad, shifts=neg, dims=ctx.dims)


def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Rotate elements by ``shifts`` along ``dims`` (of the flattened tensor when ``dims`` is
    None), wrapping around.

    Example:
        >>> jtorch.arange(5).roll(2)
        tensor([3, 4, 0, 1, 2])
    """
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if not shifts:
        raise RuntimeError("`shifts` required")
    dims = (dims,) if isinstance(dims, int) else tuple(dims or ())
    if not dims:  # roll the flattened tensor
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(input, shifts=shifts[0], dims=None)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    n = input._array.ndim
    return Roll.apply(input, shifts=shifts, dims=tuple(_wrap_dim(d, n) for d in dims))


class Rot90(Function):
    @staticmethod
    def forward(ctx, x, k, dims):
        ctx.k, ctx.dims = k, dims
        return xp_of(x).rot90(x, k, axes=dims).copy()

    @staticmethod
    def backward(ctx, grad):
        return Rot90.apply(grad, k=-ctx.k, dims=ctx.dims)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first towards the second).

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).rot90()
        tensor([[2, 4],
                [1, 3]])
    """
    dims = tuple(dims)
    n = input._array.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = _wrap_dim(dims[0], n), _wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    return Rot90.apply(input, k=k % 4, dims=(d0, d1))


# -- diagonals and triangles ----------------------------------------------------------------------
class DiagEmbed(Function):
    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.attrs = {"offset": offset, "dim1": dim1, "dim2": dim2}
        m = (x.shape[-1] if x.ndim else 1) + abs(offset)
        shape = list(x.shape[:-1])
        for d in sorted((dim1, dim2)):
            shape.insert(d, m)
        out = xp_of(x).zeros(shape, x.dtype)
        Diagonal.forward(Diagonal._Node(), out, offset, dim1, dim2)[...] = x
        return out

    @staticmethod
    def backward(ctx, grad):
        return Diagonal.apply(grad, **ctx.attrs)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices (in dims ``dim1``/``dim2``) whose ``offset`` diagonals are ``input``'s last dim.

    Example:
        >>> jtorch.diag_embed(jtorch.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
    """
    n = input._array.ndim + 1
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagEmbed.apply(input, offset=offset, dim1=d1, dim2=d2)


class DiagonalCopy(Function):
    node_name = "DiagonalBackward0_copy"

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.in_shape, ctx.attrs = x.shape, {"offset": offset, "dim1": dim1, "dim2": dim2}
        return Diagonal.forward(Diagonal._Node(), x, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx, grad):
        return ViewScatter.apply(grad, view=Diagonal, attrs=ctx.attrs, shape=ctx.in_shape)


@with_out
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-d ``input`` as the ``diagonal``-th diagonal of a square matrix, or a copy of a 2-d
    ``input``'s ``diagonal``-th diagonal.

    Example:
        >>> jtorch.diag(jtorch.tensor([1, 2]), 1)
        tensor([[0, 1, 0],
                [0, 0, 2],
                [0, 0, 0]])
    """
    n = input._array.ndim
    if n == 1:
        return DiagEmbed.apply(input, offset=diagonal, dim1=0, dim2=1)
    if n != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")
    return DiagonalCopy.apply(input, offset=diagonal, dim1=0, dim2=1)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened ``input`` as the ``offset``-th diagonal of a square matrix.

    Example:
        >>> jtorch.diagflat(jtorch.tensor([[1, 2]]))
        tensor([[1, 0],
                [0, 2]])
    """
    return DiagEmbed.apply(reshape(input, (-1,)), offset=offset, dim1=0, dim2=1)


class Tril(Function):
    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return xp_of(x).tril(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Tril.apply(grad, diagonal=ctx.diagonal)


class Triu(Function):
    @staticmethod
    def forward(ctx, x, diagonal):
        ctx.diagonal = diagonal
        return xp_of(x).triu(x, diagonal)

    @staticmethod
    def backward(ctx, grad):
        return Triu.apply(grad, diagonal=ctx.diagonal)


def _triangle(fn: type, name: str, input: Tensor, diagonal: int) -> Tensor:
    if input._array.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    return fn.apply(input, diagonal=int(diagonal))


@with_out
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle (on and below the ``diagonal``-th diagonal) of the last two dims.

    Example:
        >>> jtorch.ones(2, 3, dtype=jtorch.int64).tril()
        tensor([[1, 0, 0],
                [1, 1, 0]])
    """
    return _triangle(Tril, "tril", input, diagonal)


@with_out
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle (on and above the ``diagonal``-th diagonal) of the last two dims.

    Example:
        >>> jtorch.ones(2, 3, dtype=jtorch.int64).triu(1)
        tensor([[0, 1, 1],
                [0, 0, 1]])
    """
    return _triangle(Triu, "triu", input, diagonal)


def _tri_indices(which, row: int, col: int, offset: int, dtype, device) -> Tensor:
    dev = backend.as_device(device) if device is not None else None
    xp = backend.xp_for(dev) if dev is not None else np
    rows, cols = which(row, offset, col)
    out = xp.asarray(np.stack([rows, cols]).astype(dtypes.to_np(dtype or dtypes.int64)))
    return Tensor._make(out)


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The ``(2, n)`` coordinates of the lower triangle of a ``row x col`` matrix.

    Example:
        >>> jtorch.tril_indices(3, 3)
        tensor([[0, 1, 1, 2, 2, 2],
                [0, 0, 1, 0, 1, 2]])
    """
    return _tri_indices(np.tril_indices, row, col, offset, dtype, device)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The ``(2, n)`` coordinates of the upper triangle of a ``row x col`` matrix.

    Example:
        >>> jtorch.triu_indices(2, 3, 1)
        tensor([[0, 0, 1],
                [1, 2, 2]])
    """
    return _tri_indices(np.triu_indices, row, col, offset, dtype, device)


# -- repetition and broadcasting --------------------------------------------------------------------
class Repeat(Function):
    @staticmethod
    def forward(ctx, x, sizes):
        ctx.in_shape, ctx.sizes = x.shape, sizes
        return xp_of(x).tile(x, sizes)

    @staticmethod
    def backward(ctx, grad):
        sizes, shape = ctx.sizes, ctx.in_shape
        padded = (1,) * (len(sizes) - len(shape)) + tuple(shape)
        split = [n for pair in zip(sizes, padded) for n in pair]
        return grad.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(shape)


def repeat(input: Tensor, *sizes) -> Tensor:
    """``input`` tiled ``sizes[i]`` times along each dim (a method: ``x.repeat(2, 1)``).

    Example:
        >>> jtorch.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    sizes = tuple(_shape_args(sizes))
    if len(sizes) < input._array.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}"
        )
    return Repeat.apply(input, sizes=sizes)


def tile(input: Tensor, *dims) -> Tensor:
    """``input`` repeated ``dims[i]`` times along each dim (missing leading dims count as 1).

    Example:
        >>> jtorch.tile(jtorch.tensor([[1, 2]]), (2,))
        tensor([[1, 2, 1, 2]])
    """
    dims = tuple(_shape_args(dims))
    return repeat(input, (1,) * (input._array.ndim - len(dims)) + dims)


def repeat_interleave(input: Tensor, repeats=None, dim: int | None = None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int, or one count per element along ``dim``);
    with only a tensor of counts, the indices repeated by those counts.

    Example:
        >>> jtorch.tensor([1, 2]).repeat_interleave(2)
        tensor([1, 1, 2, 2])
        >>> jtorch.repeat_interleave(jtorch.tensor([2, 1]))
        tensor([0, 0, 1])
    """
    from jtorch.ops.indexing import index_select  # noqa: PLC0415

    if repeats is None:  # repeat_interleave(counts)
        counts = input._array
        xp = input._xp()
        return Tensor._make(xp.repeat(xp.arange(counts.size), counts).astype(counts.dtype))
    if dim is None:
        input, dim = reshape(input, (-1,)), 0
    shape = input._array.shape
    dim = _wrap_dim(dim, len(shape))
    size = shape[dim] if shape else 1
    if isinstance(repeats, Tensor):
        counts = repeats._array.reshape(-1)
        if counts.size != size and counts.size != 1:
            raise RuntimeError(
                f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{counts.size} and input.size({dim}) = {size}"
            )
        xp = input._xp()
        idx = xp.repeat(xp.arange(size), xp.broadcast_to(counts, (size,)))
        return index_select(input, dim, Tensor._make(idx))
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if not shape:
        input, shape = reshape(input, (1,)), (1,)
    grown = shape[: dim + 1] + (repeats,) + shape[dim + 1 :]
    out = shape[:dim] + (shape[dim] * repeats,) + shape[dim + 1 :]
    # NOTE: a contiguous copy first, so the final reshape is a view (torch's ViewBackward0).
    return reshape(clone(expand(unsqueeze(input, dim + 1), grown)), out)


def broadcast_to(input: Tensor, *size) -> Tensor:
    """``input`` expanded to ``size`` (a view; -1 keeps a size).

    Example:
        >>> jtorch.broadcast_to(jtorch.tensor([1, 2]), (2, 2))
        tensor([[1, 2],
                [1, 2]])
    """
    return expand(input, tuple(_shape_args(size)))


def broadcast_tensors(*tensors) -> tuple:
    """The tensors expanded to their common broadcast shape (views; same-shaped ones as is).

    Example:
        >>> [t.shape for t in jtorch.broadcast_tensors(jtorch.zeros(2, 1), jtorch.zeros(3))]
        [torch.Size([2, 3]), torch.Size([2, 3])]
    """
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t._array.shape for t in tensors))
    return tuple(t if t._array.shape == shape else expand(t, shape) for t in tensors)


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-d tensors: output ``i`` varies along dim ``i`` (``indexing='ij'``)
    or, with ``'xy'``, the first two dims are swapped (Cartesian, as NumPy's default).

    Example:
        >>> x, y = jtorch.meshgrid(jtorch.tensor([1, 2]), jtorch.tensor([3, 4, 5]), indexing="ij")
        >>> x.shape, y[0]
        (torch.Size([2, 3]), tensor([3, 4, 5]))
    """
    if len(tensors) == 1 and not isinstance(tensors[0], Tensor):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    for t in tensors:
        if t._array.ndim > 1:
            raise RuntimeError(
                # torch prints the tensor in ATen's C++ format; the shape line is what matters
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: \n"
                f"[ {t.type()}{{{','.join(map(str, t.shape))}}} ]"
            )
    # NOTE: as torch, 'xy' is 'ij' on the first two inputs swapped, outputs swapped back.
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0]) + tuple(tensors[2:])
    n = len(tensors)
    shape = tuple(t._array.size for t in tensors)
    grids = tuple(
        expand(reshape(t, (1,) * i + (-1,) + (1,) * (n - i - 1)), shape)
        for i, t in enumerate(tensors)
    )
    return (grids[1], grids[0]) + grids[2:] if swap else grids


class BlockDiag(Function):
    @staticmethod
    def forward(ctx, *arrays):
        shapes = [a.reshape(_as_2d(a.shape)).shape for a in arrays]
        ctx.in_shapes = [a.shape for a in arrays]
        ctx.corners = np.cumsum([(0, 0)] + shapes, axis=0).tolist()
        rows, cols = ctx.corners[-1]
        out = xp_of(arrays[0]).zeros((rows, cols), arrays[0].dtype)
        for a, s, (r, c) in zip(arrays, shapes, ctx.corners):
            out[r : r + s[0], c : c + s[1]] = a.reshape(s)
        return out

    @staticmethod
    def backward(ctx, grad):
        grads = []
        for shape, (r, c), (r2, c2), need in zip(
            ctx.in_shapes, ctx.corners, ctx.corners[1:], ctx.needs_input_grad
        ):
            if need:
                g = Slice.apply(grad, dim=0, start=r, stop=r2, step=1)
                g = Slice.apply(g, dim=1, start=c, stop=c2, step=1)
                grads.append(g.reshape(shape))
            else:
                grads.append(None)
        return tuple(grads)


def _as_2d(shape: tuple) -> tuple:
    return (1, 1) if not shape else (1, shape[0]) if len(shape) == 1 else shape


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix with the (0-d, 1-d or 2-d) ``tensors`` as its blocks.

    Example:
        >>> jtorch.block_diag(jtorch.tensor([[1, 2]]), jtorch.tensor(3))
        tensor([[1, 2, 0],
                [0, 0, 3]])
    """
    if not tensors:
        return Tensor._make(np.zeros((1, 0), np.float32))
    for i, t in enumerate(tensors):
        if t._array.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t._array.ndim} dimensions"
            )
    return BlockDiag.apply(*_promoted(tensors, "block_diag"))
