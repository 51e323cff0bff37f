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

# view, view_as, expand, expand_as and unfold are Tensor methods only (no torch.* function).
__all__ = ["reshape", "transpose", "t", "permute", "select", "narrow", "squeeze", "unsqueeze"]
__all__ += ["flatten", "unflatten", "swapaxes", "swapdims", "movedim", "moveaxis", "diagonal"]
__all__ += ["view_as_real", "view_as_complex", "select_scatter", "slice_scatter"]
__all__ += ["diagonal_scatter"]


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
        _check_view_dtype(input, shape[0])
        out = Tensor._make(input._array.view(dtypes.to_np(shape[0])))
        out._vc = input._version_counter()
        return out
    shape = infer_shape(_shape_args(shape), input._array.size)
    return View.apply(input, shape=shape)


def _check_view_dtype(input: Tensor, dtype: dtypes.dtype) -> None:
    """torch's conditions for viewing elements as a wider dtype, and its words."""
    a, size = input._array, dtypes.to_np(dtype).itemsize
    if size <= a.itemsize:
        return
    ratio, names = size // a.itemsize, f"{input.dtype.scalar_name} as {dtype.scalar_name}"
    if not a.ndim:
        raise RuntimeError(f"self.dim() cannot be 0 to view {names} (different element sizes)")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError(
            f"self.stride(-1) must be 1 to view {names} (different element sizes), but got "
            f"{a.strides[-1] // a.itemsize}"
        )
    if a.shape[-1] % ratio:
        raise RuntimeError(
            f"self.size(-1) must be divisible by {ratio} to view {names} (different element "
            f"sizes), but got {a.shape[-1]}"
        )


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
    except RuntimeError:  # memory layout does not allow a view: copy
        return UnsafeView.apply(input, shape=shape)


class UnsafeView(Function):
    """reshape's copy, when the memory layout allows no view (the result is not a view)."""

    @staticmethod
    def forward(ctx, x, shape):
        ctx.in_shape = x.shape
        return x.reshape(shape)

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


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


# -- the gradient of a view: scatter into zeros ----------------------------------------------------
class ViewScatter(Function):
    """Backward of a view that touches each input element at most once (select, slice, diagonal):
    zeros of the input's shape with ``grad`` written where the view looks."""

    @staticmethod
    def forward(ctx, grad, view, attrs, shape):
        ctx.view, ctx.attrs = view, attrs
        out = xp_of(grad).zeros(shape, grad.dtype)
        view.forward(view._Node(), out, **attrs)[...] = grad
        return out

    @staticmethod
    def backward(ctx, grad):
        return ctx.view.apply(grad, **ctx.attrs)


class SelectScatter(Function):
    """``input`` with ``src`` written where the view ``view`` of it looks (a copy)."""

    view: type

    @staticmethod
    def forward(ctx, x, src, attrs):
        ctx.attrs = attrs
        out = x.copy()
        ctx.fn.view.forward(ctx.fn.view._Node(), out, **attrs)[...] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need, view = ctx.needs_input_grad, ctx.fn.view
        gx = type(ctx).fn.apply(grad, 0, attrs=ctx.attrs) if need[0] else None
        return gx, (view.apply(grad, **ctx.attrs) if need[1] else None)


class SliceScatter(SelectScatter):
    pass


class DiagonalScatter(SelectScatter):
    pass


def _scatter_into(fn: type, input: Tensor, src: Tensor, view: Tensor, attrs: dict) -> Tensor:
    if tuple(src._array.shape) != tuple(view._array.shape):
        raise RuntimeError(
            f"expected src to have a size equal to the slice of self. src size = "
            f"{list(src._array.shape)}, slice size = {list(view._array.shape)}"
        )
    return fn.apply(input, src, attrs=attrs)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` written at ``input.select(dim, index)``.

    Example:
        >>> jtorch.select_scatter(jtorch.zeros(2, 2), jtorch.ones(2), 0, 1)
        tensor([[0., 0.],
                [1., 1.]])
    """
    view = select(input.detach(), dim, index)  # checks dim and index
    dim = _wrap_dim(dim, input._array.ndim)
    attrs = {"dim": dim, "index": int(index) % input._array.shape[dim]}
    return _scatter_into(SelectScatter, input, src, view, attrs)


def slice_scatter(
    input: Tensor, src: Tensor, dim: int = 0, start=None, end=None, step: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written at the slice ``start:end:step`` of dim ``dim``.

    Example:
        >>> jtorch.slice_scatter(jtorch.zeros(4), jtorch.ones(2), start=1, end=3)
        tensor([0., 1., 1., 0.])
    """
    shape = input._array.shape
    dim = _wrap_dim(dim, len(shape))
    start, stop, step = slice(start, end, step).indices(shape[dim])
    attrs = {"dim": dim, "start": start, "stop": max(start, stop), "step": step}
    view = Slice.apply(input.detach(), **attrs)
    return _scatter_into(SliceScatter, input, src, view, attrs)


def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written on ``input.diagonal(offset, dim1, dim2)``.

    Example:
        >>> jtorch.diagonal_scatter(jtorch.zeros(2, 2), jtorch.ones(2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    view = diagonal(input.detach(), offset, dim1, dim2)  # checks the dims
    n = input._array.ndim
    attrs = {"offset": offset, "dim1": _wrap_dim(dim1, n), "dim2": _wrap_dim(dim2, n)}
    return _scatter_into(DiagonalScatter, input, src, view, attrs)


def _view_grad(ctx, grad: Tensor, view: type) -> Tensor:
    return ViewScatter.apply(grad, view=view, attrs=ctx.attrs, shape=ctx.in_shape)


class Select(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.attrs = x.shape, {"dim": dim, "index": index}
        # NOTE: the trailing Ellipsis makes NumPy return a 0-d view rather than a scalar copy.
        return x[(slice(None),) * dim + (index, Ellipsis)]

    @staticmethod
    def backward(ctx, grad):
        return _view_grad(ctx, grad, Select)


class Slice(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, start, stop, step):
        ctx.in_shape = x.shape
        ctx.attrs = {"dim": dim, "start": start, "stop": stop, "step": step}
        return x[(slice(None),) * dim + (slice(start, stop, step),)]

    @staticmethod
    def backward(ctx, grad):
        return _view_grad(ctx, grad, Slice)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice of ``input`` at ``index`` along ``dim``, with that dim removed (a view).

    Example:
        >>> jtorch.arange(6).view(2, 3).select(1, -1)
        tensor([2, 5])
    """
    shape = input._array.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[dim] <= index < shape[dim]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at "
            f"dimension {dim}"
        )
    return Select.apply(input, dim=dim, index=index % shape[dim])


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:
    """``length`` elements of ``input`` along ``dim`` from ``start`` (a view).

    Example:
        >>> jtorch.arange(5).narrow(0, 1, 3)
        tensor([1, 2, 3])
    """
    shape = input._array.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = _wrap_dim(dim, len(shape))
    start, size = int(start), shape[dim]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start %= max(size, 1) if start < 0 else size + 1
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Slice.apply(input, dim=dim, start=start, stop=start + length, step=1)


class Squeeze(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dims):
        ctx.in_shape = x.shape
        return x.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.in_shape)


class SqueezeDim(Squeeze):
    node_name = "SqueezeBackward1"


class SqueezeDims(Squeeze):
    node_name = "SqueezeBackward2"


def squeeze(input: Tensor, dim: int | tuple | list | None = None) -> Tensor:
    """``input`` without its size-1 dims (all of them, or those of ``dim``) (a view).

    Example:
        >>> jtorch.zeros(2, 1, 3, 1).squeeze().shape, jtorch.zeros(2, 1, 3).squeeze(0).shape
        (torch.Size([2, 3]), torch.Size([2, 1, 3]))
    """
    shape = input._array.shape
    n = len(shape)
    if dim is None:
        return Squeeze.apply(input, dims=tuple(i for i, s in enumerate(shape) if s == 1))
    if isinstance(dim, (tuple, list)):
        dims = tuple(_wrap_dim(d, n) for d in dim)
        for d in dims:
            if dims.count(d) > 1:
                raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
        fn = SqueezeDims
    else:
        dims, fn = (_wrap_dim(dim, n),), SqueezeDim
    return fn.apply(input, dims=tuple(d for d in dims if n and shape[d] == 1))


class Unsqueeze(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return x[(slice(None),) * dim + (None,)]

    @staticmethod
    def backward(ctx, grad):
        return grad.squeeze(ctx.dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """``input`` with a size-1 dim inserted at ``dim`` (a view).

    Example:
        >>> jtorch.tensor([1, 2]).unsqueeze(-1)
        tensor([[1],
                [2]])
    """
    return Unsqueeze.apply(input, dim=_wrap_dim(dim, input._array.ndim + 1))


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one (a view when memory allows, as reshape).

    Example:
        >>> jtorch.zeros(2, 3, 4).flatten(1).shape
        torch.Size([2, 12])
    """
    shape = input._array.shape
    if not shape:
        return reshape(input, (1,))
    start, end = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    return reshape(input, shape[:start] + (-1,) + shape[end + 1 :])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1) (a view when memory allows).

    Example:
        >>> jtorch.zeros(2, 12).unflatten(1, (3, -1)).shape
        torch.Size([2, 3, 4])
    """
    shape = input._array.shape
    dim = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    try:
        sizes = infer_shape(sizes, shape[dim])
    except RuntimeError:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} "
            f"({shape[dim]}) in the input tensor"
        ) from None
    return reshape(input, shape[:dim] + sizes + shape[dim + 1 :])


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """Alias of :func:`transpose`."""
    return transpose(input, axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """Alias of :func:`transpose`."""
    return transpose(input, dim0, dim1)


def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination``, keeping the others in order (a view).

    Example:
        >>> jtorch.zeros(2, 3, 4).movedim(0, -1).shape
        torch.Size([3, 4, 2])
    """
    n = input._array.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src = [_wrap_dim(d, n) for d in src]
    dst = [_wrap_dim(d, n) for d in dst]
    for what, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{what}` ({list(dims)})")
    order = [d for d in range(n) if d not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return Permute.apply(input, dims=tuple(order))


moveaxis = movedim


def _writable_strided(x, shape: tuple, strides: tuple):
    """A writable view of ``x``'s memory from its first element (NumPy's own diagonal view is
    read-only, and torch's is writable)."""
    return xp_of(x).lib.stride_tricks.as_strided(x, shape, strides)


class Diagonal(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, offset, dim1, dim2):
        ctx.in_shape, ctx.attrs = x.shape, {"offset": offset, "dim1": dim1, "dim2": dim2}
        start = [slice(None)] * x.ndim
        start[dim2 if offset >= 0 else dim1] = slice(abs(offset), None)
        x = x[tuple(start)]
        d = xp_of(x).diagonal(x, 0, dim1, dim2)
        return _writable_strided(x, d.shape, d.strides)

    @staticmethod
    def backward(ctx, grad):
        return _view_grad(ctx, grad, Diagonal)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the ``dim1``/``dim2`` planes, as the last dim (a view).

    Example:
        >>> jtorch.arange(9).view(3, 3).diagonal(1)
        tensor([1, 5])
    """
    n = input._array.ndim
    d1, d2 = _wrap_dim(dim1, n), _wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, offset=offset, dim1=d1, dim2=d2)


class Unfold(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.in_shape, ctx.attrs = x.shape, {"dim": dim, "size": size, "step": step}
        if x.ndim == 0:
            return x.reshape(1)
        shape, strides = list(x.shape), list(x.strides)
        shape[dim] = (shape[dim] - size) // step + 1
        strides[dim] *= step
        return _writable_strided(x, (*shape, size), (*strides, x.strides[dim]))

    @staticmethod
    def backward(ctx, grad):
        return UnfoldGrad.apply(grad, **ctx.attrs, shape=ctx.in_shape)


class UnfoldGrad(Function):
    """Sum overlapping windows back into the unfolded tensor's shape."""

    node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, grad, dim, size, step, shape):
        ctx.attrs = {"dim": dim, "size": size, "step": step}
        out = xp_of(grad).zeros(shape, grad.dtype)
        if not shape:
            return grad.reshape(())
        windows = Unfold.forward(Unfold._Node(), out, dim, size, step)
        if step >= size:  # windows do not overlap
            windows[...] = grad
            return out
        # NOTE: a loop over the window size (not the elements): each offset is one strided add.
        n = grad.shape[dim]
        for k in range(size):
            idx = (slice(None),) * dim + (slice(k, k + step * (n - 1) + 1, step),)
            out[idx] += grad[..., k]
        return out

    @staticmethod
    def backward(ctx, grad):
        return Unfold.apply(grad, **ctx.attrs)


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim
    (a view; the windows may overlap).

    Example:
        >>> jtorch.arange(5).unfold(0, 2, 2)
        tensor([[0, 1],
                [2, 3]])
    """
    shape = input._array.shape
    dim = _wrap_dim(dimension, len(shape))
    length = shape[dim] if shape else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {dim} is {length} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, dim=dim, size=size, step=step)


class ViewAsReal(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x[..., None].view(x.real.dtype)

    @staticmethod
    def backward(ctx, grad):
        return view_as_complex(grad.contiguous())


class ViewAsComplex(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.view(xp_of(x).result_type(x.dtype, 1j))[..., 0]

    @staticmethod
    def backward(ctx, grad):
        return view_as_real(grad)


def view_as_real(input: Tensor) -> Tensor:
    """A complex tensor's memory seen as real pairs in a new last dim of size 2 (a view).

    Example:
        >>> jtorch.view_as_real(jtorch.tensor([1 + 2j]))
        tensor([[1., 2.]])
    """
    if input._array.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return ViewAsReal.apply(input)


def view_as_complex(input: Tensor) -> Tensor:
    """A real tensor with a last dim of size 2 seen as complex numbers (a view).

    Example:
        >>> jtorch.view_as_complex(jtorch.tensor([[1.0, 2.0]]))
        tensor([1.+2.j])
    """
    a = input._array
    if a.dtype.kind != "f" or a.dtype.itemsize < 4:
        raise RuntimeError(
            "view_as_complex is only supported for float and double tensors, but got a tensor "
            f"of scalar type: {input.dtype.scalar_name}"
        )
    if not a.ndim or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.strides[-1] != a.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return ViewAsComplex.apply(input)


SelectScatter.view, SliceScatter.view, DiagonalScatter.view = Select, Slice, Diagonal
