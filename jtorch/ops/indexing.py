"""Indexing: ``t[idx]`` / ``t[idx] = v``, gather/scatter, index_* and masked_* ops, fill/copy.

Basic indexing (ints, slices, None, Ellipsis) returns views built from the same view ops torch
records (``SelectBackward0``, ``SliceBackward0``, ``UnsqueezeBackward0``); integers are applied as
``select`` before any advanced (tensor, list, mask) index, as in torch (this differs from NumPy
for ``x[0, :, [0, 1]]``). Advanced indexing copies (``IndexBackward0``), and its backward
accumulates repeated indices. Assignment writes through the same views (``copy_``, so a view of
a tensor that requires grad rebases its graph with ``CopySlices``) or with ``index_put_``.

Example:
    >>> import jtorch
    >>> x = jtorch.arange(6.0).view(2, 3)
    >>> x[1, ::2], x[[0, 0], 1]
    (tensor([3., 5.]), tensor([1., 1.]))
    >>> x[jtorch.tensor([[False, True, False], [False, True, True]])] = 0.0; x
    tensor([[0., 0., 2.],
            [3., 0., 0.]])
"""

from __future__ import annotations

import warnings

import numpy as np

from jtorch import dtypes
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.autograd.grad_mode import STATE
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._broadcast import broadcast_shapes
from jtorch.ops._inplace import _check_inplace_allowed, inplace, make_inplace
from jtorch.ops.movement import Select, Slice, Unsqueeze

__all__ = ["index_select", "take", "take_along_dim", "gather", "scatter", "scatter_add"]
__all__ += ["scatter_reduce", "index_add", "index_copy", "index_fill", "index_put"]
__all__ += ["masked_fill", "masked_select", "masked_scatter", "nonzero", "argwhere"]
__all__ += ["put", "index_put_", "fill_", "zero_"]


def _dname(a) -> str:
    return dtypes.from_np(a.dtype).scalar_name


def _bounds(idx, size: int, dim: int, exc: type = IndexError, prefix: str = "") -> None:
    """torch's out-of-range error for an integer index array along a dim of ``size``."""
    if idx.size:
        hi, lo = int(idx.max()), int(idx.min())
        bad = hi if hi >= size else lo if lo < -size else None
        if bad is not None:
            raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


# -- t[idx] ----------------------------------------------------------------------------------------
class Alias(Function):
    is_view = True

    @staticmethod
    def forward(ctx, x):
        return x.view()

    @staticmethod
    def backward(ctx, grad):
        return grad


class Index(Function):
    """Advanced indexing ``x[idx]``; ``idx`` is a tuple of integer arrays and full slices."""

    @staticmethod
    def forward(ctx, x, idx):
        ctx.in_shape, ctx.idx = x.shape, idx
        out = x[idx]
        # NOTE: a gradient may index with slices only; NumPy then returns a view, this op copies.
        return out.copy() if all(type(i) is slice for i in idx) else out

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(grad._xp().zeros(ctx.in_shape, grad._array.dtype))
        return IndexPut.apply(zeros, grad, idx=ctx.idx, accumulate=True)


class IndexPut(Function):
    """``x`` with ``x[idx] = values`` (or ``+=``, summing repeated indices, when accumulating)."""

    @staticmethod
    def forward(ctx, x, values, idx, accumulate):
        ctx.idx, ctx.accumulate = idx, accumulate
        out = x.copy()
        if accumulate:
            xp_of(x).add.at(out, idx, values)
        else:
            out[idx] = values
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gv = None
        if need[0]:
            gx = grad if ctx.accumulate else IndexPut.apply(grad, 0, idx=ctx.idx, accumulate=False)
        if need[1]:
            gv = Index.apply(grad, idx=ctx.idx)
        return gx, gv


def _as_items(index) -> tuple:
    if type(index) is tuple:
        return index
    # NOTE: torch's treatSequenceAsTuple: a short list holding a sequence, slice, tensor, None or
    # Ellipsis is a tuple of indices (x[[[0, 1], [1, 2]]] is x[[0, 1], [1, 2]]).
    if type(index) is list and len(index) < 32:
        for i in index:
            if (
                i is None
                or i is Ellipsis
                or isinstance(i, (Tensor, list, tuple, slice, np.ndarray))
            ):
                warnings.warn(_SEQUENCE_INDEX_WARNING, UserWarning, stacklevel=4)
                return tuple(index)
    return (index,)


_SEQUENCE_INDEX_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result"
)


def _index_array(item, xp):
    """An index item as an xp array (tensors, lists and NumPy arrays), or None."""
    if isinstance(item, Tensor):
        return item._array
    if isinstance(item, (list, tuple, np.ndarray)):
        a = np.asarray(item)
        if a.dtype.kind == "f" and a.size == 0:
            a = a.astype(np.int64)
        return xp.asarray(a)
    return None


def _parse(x: Tensor, index, alias: bool = True) -> tuple:
    """``(view, idx)``: the basic part of ``index`` applied to ``x`` as view ops, and the
    advanced part as an index tuple for the view (None when there is none). When no view op
    applies, the view is an alias of ``x`` (getitem) or ``x`` itself (``alias=False``)."""
    xp = x._xp()
    items, conv, used = _as_items(index), [], 0
    for it in items:
        if it is None or it is Ellipsis or type(it) is bool or type(it) is slice:
            used += type(it) is slice
        elif isinstance(it, (int, np.integer)):
            it, used = int(it), used + 1
        else:
            a = _index_array(it, xp)
            if a is None:
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                    f"Variables are valid indices (got {type(it).__name__})"
                )
            kind = a.dtype.kind
            if kind == "b" or a.dtype == np.uint8:
                it = bool(a) if a.ndim == 0 else a.astype(bool, copy=False)
                used += a.ndim
            elif kind in "iu":
                it = int(a) if a.ndim == 0 and not isinstance(it, list) else a
                used += 1
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        conv.append(it)
    ndim = x._array.ndim
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    t, d, adv, applied, ellipsis = x, 0, {}, False, False
    for it in conv:
        if it is Ellipsis:
            if not ellipsis:
                d, ellipsis = d + ndim - used, True
        elif it is None:
            t, d, applied = Unsqueeze.apply(t, dim=d), d + 1, True
        elif type(it) is bool:
            t = Unsqueeze.apply(t, dim=d)
            adv[d], d = xp.zeros(1 if it else 0, np.int64), d + 1
        elif type(it) is int:
            size = t._array.shape[d]
            if not -size <= it < size:
                raise IndexError(f"index {it} is out of bounds for dimension {d} with size {size}")
            t, applied = Select.apply(t, dim=d, index=it % size), True
        elif type(it) is slice:
            if it.step is not None and it.step <= 0:
                raise ValueError("step must be greater than zero")
            size = t._array.shape[d]
            start, stop, step = it.indices(size)
            if (start, max(stop, start), step) != (0, size, 1) or len(items) == 1:
                t = Slice.apply(t, dim=d, start=start, stop=max(stop, start), step=step)
                applied = True
            d += 1
        elif it.dtype.kind == "b":
            shape = t._array.shape
            for j, s in enumerate(it.shape):
                if shape[d + j] != s:
                    raise IndexError(
                        f"The shape of the mask {list(it.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {d + j}"
                    )
            for j, nz in enumerate(xp.nonzero(it)):
                adv[d + j] = nz
            d += it.ndim
        else:
            _bounds(it, t._array.shape[d], d)
            adv[d], d = it, d + 1
    if not adv:
        return (t if applied or not alias else Alias.apply(x)), None
    arrays = list(adv.values())
    if len(arrays) > 1:
        try:
            np.broadcast_shapes(*(a.shape for a in arrays))
        except ValueError:
            shapes = ", ".join(str(list(a.shape)) for a in arrays)
            raise IndexError(
                f"shape mismatch: indexing tensors could not be broadcast together with shapes "
                f"{shapes}"
            ) from None
    return t, tuple(adv.get(i, slice(None)) for i in range(max(adv) + 1))


def __getitem__(self: Tensor, index) -> Tensor:  # noqa: N807
    """``self[index]`` with torch's semantics: basic indices give views, advanced ones copies.

    Example:
        >>> x = jtorch.arange(12).view(3, 4)
        >>> x[1], x[:, 1:3].shape, x[None, ..., -1].shape, x[[0, 2], [1, 3]]
        (tensor([4, 5, 6, 7]), torch.Size([3, 2]), torch.Size([1, 3]), tensor([ 1, 11]))
    """
    if type(index) is int:  # the common case, without parsing
        shape = self._array.shape
        if not shape:
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
            )
        if not -shape[0] <= index < shape[0]:
            raise IndexError(f"index {index} is out of bounds for dimension 0 with size {shape[0]}")
        return Select.apply(self, dim=0, index=index % shape[0])
    if type(index) is slice and self._array.ndim and (index.step or 1) > 0:
        start, stop, step = index.indices(self._array.shape[0])
        return Slice.apply(self, dim=0, start=start, stop=max(start, stop), step=step)
    t, idx = _parse(self, index)
    return t if idx is None else Index.apply(t, idx=idx)


def _index_put_idx(input: Tensor, values, idx: tuple) -> Tensor:
    return IndexPut.apply(input, values, idx=idx, accumulate=False)


_index_put_idx_ = make_inplace(_index_put_idx)


def _value_operand(self: Tensor, value):
    """A setitem value as a Tensor (numbers and arrays get ``self``'s dtype)."""
    if isinstance(value, Tensor):
        return value
    if not isinstance(value, (int, float, complex, np.generic)):
        kind = type(value)
        name = (
            kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"
        )
        raise TypeError(f"can't assign a {name} to a {self.type()}")
    if isinstance(value, complex) and self._array.dtype.kind != "c":
        name = self._array.dtype.name
        c_name = {"float32": "float", "float64": "double"}.get(name, f"{name}_t")
        raise RuntimeError(f"value cannot be converted to type {c_name} without overflow")
    return Tensor._make(self._xp().asarray(value, self._array.dtype))


def _setitem_shape_error(target: tuple, value_shape: tuple, advanced: bool) -> RuntimeError:
    if advanced:
        return RuntimeError(
            f"shape mismatch: value tensor of shape {list(value_shape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        )
    lead = len(target) - len(value_shape)
    for i, (t, v) in enumerate(zip(target[max(lead, 0) :], value_shape[max(-lead, 0) :])):
        if v != t and v != 1:
            return RuntimeError(
                f"The expanded size of the tensor ({t}) must match the existing size ({v}) at "
                f"non-singleton dimension {i + max(lead, 0)}.  Target sizes: {list(target)}.  "
                f"Tensor sizes: {list(value_shape)}"
            )
    return RuntimeError(f"output with shape {list(target)} doesn't match the broadcast shape")


def _check_put_dtype(dst: Tensor, values: Tensor) -> None:
    if values._array.dtype != dst._array.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{_dname(dst._array)} for the destination and {_dname(values._array)} for the "
            "source."
        )


def __setitem__(self: Tensor, index, value) -> None:  # noqa: N807
    """``self[index] = value``: numbers and tensors broadcast; basic indices cast the value to
    ``self``'s dtype, advanced ones need it to match (as torch's ``index_put_``).

    Example:
        >>> x = jtorch.zeros(2, 3, dtype=jtorch.int64)
        >>> x[0, 1:] = 2.7; x[[1, 1], [0, 2]] = jtorch.tensor([5, 6]); x
        tensor([[0, 2, 2],
                [5, 0, 6]])
    """
    value = _value_operand(self, value)
    t, idx = _parse(self, index, alias=False)
    # NOTE: torch fills through a bool mask (masked_fill_, which casts) when the value has one
    # element; every other advanced index goes to index_put_, which does not cast.
    if idx is not None and value._array.dtype != self._array.dtype:
        if value._array.size == 1 and any(
            isinstance(i, Tensor) and i._array.dtype.kind == "b" for i in _as_items(index)
        ):
            value = _same_dtype(self, value)
        else:
            _check_shape_for_put(t, idx, value)
            _check_put_dtype(self, value)
    if STATE.enabled and (self._requires_grad or value._requires_grad):
        if idx is not None:
            _check_shape_for_put(t, idx, value)
            _index_put_idx_(t, value, idx)
        elif value._array.ndim == 0 and t._array.ndim:
            fill_(t, value)  # torch's copy_to fills from a 0-d value
        else:
            copy_(t, value)
        return
    if STATE.enabled:  # a view of a leaf that requires grad, made in no_grad
        _check_inplace_allowed(t)
    dst, src = t._array, value._array
    try:
        if idx is None:
            dst[...] = src
        else:
            dst[idx] = src
    except ValueError:
        target = dst.shape if idx is None else dst[idx].shape
        raise _setitem_shape_error(target, src.shape, idx is not None) from None
    self._bump()


def _check_shape_for_put(t: Tensor, idx: tuple, value) -> None:
    if isinstance(value, Tensor):
        target = t._array[idx].shape
        try:
            np.broadcast_shapes(value._array.shape, target)
            if len(value._array.shape) <= len(target):
                return
        except ValueError:
            pass
        raise _setitem_shape_error(target, value._array.shape, True)


# -- select/gather/scatter by index tensors -----------------------------------------------------
def _int_index(index: Tensor, what: str, types: str = "int32/int64"):
    a = index._array
    if a.dtype.kind not in "iu":
        raise RuntimeError(f"{what}(): Expected dtype {types} for index")
    return a


class IndexSelect(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = x.shape, dim, index
        return xp_of(x).take(x, index, axis=dim) if x.ndim else x[index]

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(grad._xp().zeros(ctx.in_shape, grad._array.dtype))
        return IndexAdd.apply(zeros, grad, dim=ctx.dim, index=ctx.index, alpha=1)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``input`` at positions ``index`` (1-d) along ``dim``.

    Example:
        >>> jtorch.arange(6).view(2, 3).index_select(1, jtorch.tensor([2, 0]))
        tensor([[2, 0],
                [5, 3]])
    """
    a = _int_index(index, "index_select", "int32 or int64")
    if a.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    shape = input._array.shape
    dim = _wrap_dim(dim, len(shape))
    size = shape[dim] if shape else 1
    if a.size and (int(a.max()) >= size or int(a.min()) < -size):
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, dim=dim, index=a.reshape(-1))


class IndexAdd(Function):
    @staticmethod
    def forward(ctx, x, src, dim, index, alpha):
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = x.copy()
        xp_of(x).add.at(out, (slice(None),) * dim + (index,), src if alpha == 1 else src * alpha)
        return out

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index)
            gs = gs if ctx.alpha == 1 else gs * ctx.alpha
        return grad, gs


def _check_index_source(input: Tensor, dim: int, index, source: Tensor, op: str) -> int:
    shape = input._array.shape
    dim = _wrap_dim(dim, len(shape))
    n = source._array.shape[dim] if source._array.ndim else 1
    if index.size != n:
        raise RuntimeError(
            f"{op}(): Number of indices ({index.size}) should be equal to source.size(dim): "
            f"({n}), for dim: {dim}"
        )
    return dim


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """``input`` with ``alpha * source`` added at positions ``index`` along ``dim`` (repeated
    indices accumulate).

    Example:
        >>> jtorch.zeros(3).index_add(0, jtorch.tensor([0, 0, 2]), jtorch.ones(3))
        tensor([2., 0., 1.])
    """
    a = _int_index(index, "index_add_", "int32 or int64").reshape(-1)
    dim = _check_index_source(input, dim, a, source, "index_add_")
    _bounds(a, input._array.shape[dim] if input._array.ndim else 1, dim, RuntimeError)
    source = _same_dtype(input, source)
    return IndexAdd.apply(input, source, dim=dim, index=a, alpha=alpha)


def _same_dtype(input: Tensor, source: Tensor) -> Tensor:
    if source._array.dtype != input._array.dtype:
        from jtorch.ops.conversion import to_dtype  # noqa: PLC0415

        return to_dtype(source, input.dtype)
    return source


class IndexCopy(Function):
    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        out[(slice(None),) * dim + (index,)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = IndexFill.apply(grad, 0, dim=ctx.dim, index=ctx.index) if need[0] else None
        gs = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index) if need[1] else None
        return gx, gs


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """``input`` with slices ``index`` along ``dim`` replaced by ``source``'s.

    Example:
        >>> jtorch.zeros(3).index_copy(0, jtorch.tensor([2, 0]), jtorch.tensor([1.0, 2.0]))
        tensor([2., 0., 1.])
    """
    a = _int_index(index, "index_copy_", "int64").reshape(-1)
    dim = _check_index_source(input, dim, a, source, "index_copy_")
    _bounds(a, input._array.shape[dim] if input._array.ndim else 1, dim, prefix="index_copy_(): ")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(
            f"index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_dname(input._array)} and (source) {_dname(source._array)}"
        )
    return IndexCopy.apply(input, source, dim=dim, index=a)


class IndexFill(Function):
    hidden_inputs = (1,)

    @staticmethod
    def forward(ctx, x, value, dim, index):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        out[(slice(None),) * dim + (index,)] = value
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = IndexFill.apply(grad, 0, dim=ctx.dim, index=ctx.index) if need[0] else None
        gv = IndexSelect.apply(grad, dim=ctx.dim, index=ctx.index).sum() if need[1] else None
        return gx, gv


class IndexFillTensor(IndexFill):
    node_name = "IndexFillBackward1"
    hidden_inputs = ()


def _scalar_value(value, op: str):
    if isinstance(value, Tensor) and value._array.ndim:
        raise RuntimeError(
            f"{op} only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._array.ndim} dimension(s)."
        )
    return value


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """``input`` with slices ``index`` along ``dim`` set to ``value``.

    Example:
        >>> jtorch.zeros(2, 3).index_fill(1, jtorch.tensor([1]), 7.0)
        tensor([[0., 7., 0.],
                [0., 7., 0.]])
    """
    value = _scalar_value(value, "index_fill_")
    a = _int_index(index, "index_fill_", "int64").reshape(-1)
    dim = _wrap_dim(dim, input._array.ndim)
    _bounds(a, input._array.shape[dim] if input._array.ndim else 1, dim)
    if isinstance(value, Tensor):
        return IndexFillTensor.apply(input, value, dim=dim, index=a)
    return IndexFill.apply(input, value, dim=dim, index=a)


def _index_tuple(input: Tensor, indices) -> tuple:
    """torch's ``indices`` (tensors, bool masks or None per leading dim) as an xp index tuple."""
    xp, out = input._xp(), []
    for t in indices:
        if t is None:
            out.append(slice(None))
            continue
        a = _index_array(t, xp)
        if a.dtype.kind == "b" or a.dtype == np.uint8:
            out.extend(xp.nonzero(a.astype(bool, copy=False)))
        elif a.dtype.kind in "iu":
            _bounds(a, input._array.shape[len(out)], len(out))
            out.append(a)
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    if len(out) > input._array.ndim:
        raise IndexError(f"too many indices for tensor of dimension {input._array.ndim}")
    return tuple(out)


def index_put(input: Tensor, indices, values: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` with ``input[indices] = values`` (``+=`` with ``accumulate``, which sums
    repeated indices).

    Example:
        >>> i = (jtorch.tensor([0, 0, 2]),)
        >>> jtorch.zeros(3).index_put(i, jtorch.tensor(1.0), accumulate=True)
        tensor([2., 0., 1.])
    """
    _check_put_dtype(input, values)
    idx = _index_tuple(input, indices)
    _check_shape_for_put(input, idx, values)
    return IndexPut.apply(input, values, idx=idx, accumulate=bool(accumulate))


def _coords(index, dim: int, xp) -> tuple:
    """The full index tuple that addresses, per element of ``index``, its target along ``dim``."""
    n = index.ndim
    return tuple(
        index if d == dim else xp.arange(s).reshape((1,) * d + (s,) + (1,) * (n - d - 1))
        for d, s in enumerate(index.shape)
    )


def _crop(src, shape: tuple):
    return src[tuple(slice(0, s) for s in shape)] if src.shape != shape else src


class Gather(Function):
    @staticmethod
    def forward(ctx, x, dim, index):
        ctx.in_shape, ctx.dim, ctx.index = x.shape, dim, index
        return x[_coords(index, dim, xp_of(x))] if x.ndim else x[index]

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(grad._xp().zeros(ctx.in_shape, grad._array.dtype))
        return ScatterAdd.apply(zeros, grad, dim=ctx.dim, index=ctx.index)


def _check_gather(input: Tensor, dim: int, index, op: str, src: Tensor | None = None) -> int:
    shape, ishape = input._array.shape, index.shape
    dim = _wrap_dim(dim, len(shape))
    if len(ishape) != len(shape) and max(len(ishape), 1) != max(len(shape), 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    sshape = src._array.shape if isinstance(src, Tensor) else None
    if sshape is not None and len(sshape) != len(ishape) and ishape:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for d, s in enumerate(ishape):
        if (d != dim and s > shape[d]) or (sshape is not None and s > sshape[d]):
            if sshape is None:
                raise RuntimeError(
                    f"Size does not match at dimension {d} expected index {list(ishape)} to be no "
                    f"larger than self {list(shape)} apart from dimension {dim}"
                )
            raise RuntimeError(
                f"Expected index {list(ishape)} to be no larger than self {list(shape)} apart "
                f"from dimension {dim} and to be no larger size than src {list(sshape)}"
            )
    _bounds(index, shape[dim] if shape else 1, dim, RuntimeError)
    return dim


def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """``out[i][j] = input[index[i][j]][j]`` for ``dim=0`` (and so on): values picked along
    ``dim`` at ``index``.

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).gather(1, jtorch.tensor([[0, 0], [1, 0]]))
        tensor([[1, 1],
                [4, 3]])
    """
    a = _int_index(index, "gather")
    dim = _check_gather(input, dim, a, "gather")
    return Gather.apply(input, dim=dim, index=a)


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """Values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dims), or in the
    flattened ``input`` when ``dim`` is None.

    Example:
        >>> x = jtorch.tensor([[10, 30, 20]])
        >>> jtorch.take_along_dim(x, x.argsort(dim=1), dim=1)
        tensor([[10, 20, 30]])
    """
    from jtorch.ops.movement import expand, reshape  # noqa: PLC0415

    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    shape, ishape = list(input._array.shape), list(indices._array.shape)
    dim = _wrap_dim(dim, len(shape))
    if len(ishape) != len(shape):
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {len(shape)} dimensions for input, and {len(ishape)} "
            "dimensions for indices"
        )
    s_in, s_idx = shape.copy(), ishape.copy()
    s_in[dim] = s_idx[dim] = 1
    bshape = list(np.broadcast_shapes(tuple(s_in), tuple(s_idx)))
    in_shape, idx_shape = bshape.copy(), bshape.copy()
    in_shape[dim], idx_shape[dim] = shape[dim], ishape[dim]
    return gather(expand(input, in_shape), dim, expand(indices, idx_shape))


class Scatter(Function):
    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        out[_coords(index, dim, xp_of(x))] = (
            _crop(src, index.shape) if hasattr(src, "shape") else src
        )
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = ScatterValue.apply(grad, 0, dim=ctx.dim, index=ctx.index) if need[0] else None
        gs = None
        if need[1]:
            gs = _pad(Gather.apply(grad, dim=ctx.dim, index=ctx.index), ctx._in_meta[1][0])
        return gx, gs


class ScatterValue(Scatter):
    node_name = "ScatterBackward1"


def _pad(g: Tensor, shape: tuple) -> Tensor:
    """``g`` in the leading corner of zeros of ``shape`` (the gradient of a cropped source)."""
    if g._array.shape == shape:
        return g
    zeros = Tensor._make(g._xp().zeros(shape, g._array.dtype))
    idx = tuple(slice(0, s) for s in g._array.shape)
    return IndexPut.apply(zeros, g, idx=idx, accumulate=False)


class ScatterLegacyReduce(Function):
    """``scatter(..., reduce=)``: torch has no derivative for it."""

    node_name = "NotImplemented"

    @staticmethod
    def forward(ctx, x, src, dim, index, reduce):
        out = x.copy()
        if hasattr(src, "shape"):
            src = _crop(src, index.shape)
        ufunc = xp_of(x).add if reduce == "add" else xp_of(x).multiply
        ufunc.at(out, _coords(index, dim, xp_of(x)), src)
        return out

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


def scatter(input: Tensor, dim: int, index: Tensor, src=None, value=None, *, reduce=None):
    """``input`` with ``src`` (or a scalar ``value``) written at ``index`` along ``dim``:
    ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``. ``reduce='add'|'multiply'`` combines
    instead of overwriting.

    Example:
        >>> jtorch.zeros(2, 3).scatter(0, jtorch.tensor([[1, 0, 1]]), 5.0)
        tensor([[0., 5., 0.],
                [5., 0., 5.]])
    """
    if src is None:
        src = value
    a = _int_index(index, "scatter", "int64")
    dim = _check_gather(input, dim, a, "scatter", src if isinstance(src, Tensor) else None)
    if isinstance(src, Tensor) and src._array.dtype != input._array.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        return ScatterLegacyReduce.apply(input, src, dim=dim, index=a, reduce=reduce)
    if isinstance(src, Tensor):
        return Scatter.apply(input, src, dim=dim, index=a)
    return ScatterValue.apply(input, src, dim=dim, index=a)


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx, x, src, dim, index):
        ctx.dim, ctx.index = dim, index
        out = x.copy()
        xp_of(x).add.at(out, _coords(index, dim, xp_of(x)), _crop(src, index.shape))
        return out

    @staticmethod
    def backward(ctx, grad):
        gs = None
        if ctx.needs_input_grad[1]:
            gs = _pad(Gather.apply(grad, dim=ctx.dim, index=ctx.index), ctx._in_meta[1][0])
        return grad, gs


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices accumulate).

    Example:
        >>> jtorch.zeros(3).scatter_add(0, jtorch.tensor([0, 0, 2]), jtorch.ones(3))
        tensor([2., 0., 1.])
    """
    a = _int_index(index, "scatter_add", "int64")
    dim = _check_gather(input, dim, a, "scatter_add", src)
    if src._array.dtype != input._array.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterAdd.apply(input, src, dim=dim, index=a)


_REDUCE_INIT = {"sum": 0, "mean": 0, "prod": 1}


def _scatter_reduce_arrays(x, src, dim, index, reduce, include_self):
    """(result, count of values combined per position) for ``scatter_reduce``."""
    xp = xp_of(x)
    coords = _coords(index, dim, xp)
    src = _crop(src, index.shape)
    out = x.copy()
    if not include_self:
        if reduce in _REDUCE_INIT:
            out[coords] = _REDUCE_INIT[reduce]
        else:  # amax/amin: the first scattered value stands in for the identity
            out[coords] = src
    if reduce in ("sum", "mean"):
        xp.add.at(out, coords, src)
    elif reduce == "prod":
        xp.multiply.at(out, coords, src)
    else:
        (xp.maximum if reduce == "amax" else xp.minimum).at(out, coords, src)
    count = None
    if reduce == "mean":
        count = xp.full(x.shape, 1 if include_self else 0, x.dtype)
        xp.add.at(count, coords, 1)
        count[count == 0] = 1
        if out.dtype.kind in "fc":
            out /= count
        else:
            out //= count
    return out, count


class ScatterReduce(Function):
    @staticmethod
    def forward(ctx, x, src, dim, index, reduce, include_self):
        ctx.dim, ctx.index, ctx.reduce, ctx.include_self = dim, index, reduce, include_self
        out, ctx.count = _scatter_reduce_arrays(x, src, dim, index, reduce, include_self)
        if reduce in ("prod", "amax", "amin"):
            ctx.retain_inputs(0, 1)
            ctx.retain_outputs(0)
        return out

    @staticmethod
    def backward(ctx, grad):
        dim, index, reduce = ctx.dim, ctx.index, ctx.reduce
        xp = grad._xp()
        src_shape = ctx._in_meta[1][0] if ctx._in_meta[1] else None
        if reduce in ("sum", "mean"):
            if reduce == "mean":
                grad = grad / Tensor._make(ctx.count)
            gx, gs = grad, Gather.apply(grad, dim=dim, index=index)
        elif reduce == "prod":
            gx, gs = _prod_grads(ctx, grad)
        else:
            x, src, result = ctx.saved_inputs + ctx.saved_outputs
            src_c = _crop(src._array, index.shape)
            value = result._array[_coords(index, dim, xp)]
            self_is = (x._array == result._array).astype(grad._array.dtype)
            if not ctx.include_self:
                self_is[_coords(index, dim, xp)] = 0
            src_is = (src_c == value).astype(grad._array.dtype)
            n = self_is.copy()
            xp.add.at(n, _coords(index, dim, xp), src_is)
            g = grad / Tensor._make(n)
            gx = g * Tensor._make(self_is)
            gs = Gather.apply(g, dim=dim, index=index) * Tensor._make(src_is)
        if not ctx.include_self:
            mask = xp.zeros(grad._array.shape, bool)
            mask[_coords(index, dim, xp)] = True
            gx = MaskedFill.apply(gx, 0, mask=mask)
        return gx, (_pad(gs, src_shape) if src_shape is not None else None)


def _prod_grads(ctx, grad: Tensor) -> tuple:
    """torch's gradient of a scatter product, exact where inputs are zero (one zero per slot)."""
    dim, index, include_self = ctx.dim, ctx.index, ctx.include_self
    x, src, result = ctx.saved_inputs + ctx.saved_outputs
    xp = grad._xp()
    coords = _coords(index, dim, xp)
    xa, sa = x._array, _crop(src._array, index.shape)
    masked_self = xp.where(xa == 0, 1, xa)
    masked_self_result, _ = _scatter_reduce_arrays(
        masked_self, sa, dim, index, "prod", include_self
    )
    gx = grad * Tensor._make(masked_self_result) / Tensor._make(masked_self)
    src_zero = sa == 0
    nzeros = xp.zeros(xa.shape, np.int64)
    xp.add.at(nzeros, coords, src_zero)
    single_zero = src_zero & (nzeros[coords] == 1)
    masked_src = xp.where(single_zero, 1, sa)
    masked_src_result, _ = _scatter_reduce_arrays(xa, masked_src, dim, index, "prod", include_self)
    with_zero = Gather.apply(grad * Tensor._make(masked_src_result), dim=dim, index=index)
    plain = Gather.apply(grad * result, dim=dim, index=index) / Tensor._make(
        xp.where(src_zero, 1, sa)
    )
    sz = Tensor._make(single_zero)
    return gx, with_zero * sz + plain * Tensor._make(~single_zero)


def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """``input`` with ``src`` combined in at ``index`` along ``dim`` by ``reduce`` ('sum',
    'prod', 'mean', 'amax', 'amin'); ``include_self=False`` ignores ``input``'s values where
    something is scattered.

    Example:
        >>> x, i = jtorch.tensor([1.0, 2.0, 3.0, 4.0]), jtorch.tensor([0, 1, 0, 1])
        >>> jtorch.zeros(2).scatter_reduce(0, i, x, "amax"), jtorch.ones(2).scatter_reduce(0, i, x, "mean")
        (tensor([3., 4.]), tensor([1.6667, 2.3333]))
    """
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    a = _int_index(index, "scatter_reduce", "int64")
    dim = _check_gather(input, dim, a, "scatter_reduce", src)
    if src._array.dtype != input._array.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterReduce.apply(
        input, src, dim=dim, index=a, reduce=reduce, include_self=bool(include_self)
    )


class Take(Function):
    @staticmethod
    def forward(ctx, x, index):
        ctx.in_shape, ctx.index = x.shape, index
        return xp_of(x).take(x, index)

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(grad._xp().zeros(ctx.in_shape, grad._array.dtype))
        return Put.apply(zeros, grad, index=ctx.index, accumulate=True)


def _flat_bounds(index, numel: int) -> None:
    if index.size:
        hi, lo = int(index.max()), int(index.min())
        bad = hi if hi >= numel else lo if lo < -numel else None
        if bad is not None:
            raise IndexError(
                f"out of range: tried to access index {bad} on a tensor of {numel} elements."
            )


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of the flattened ``input`` at ``index`` (the result has ``index``'s shape).

    Example:
        >>> jtorch.tensor([[4, 3], [5, 7]]).take(jtorch.tensor([0, 3]))
        tensor([4, 7])
    """
    a = _int_index(index, "take", "int64")
    _flat_bounds(a, input._array.size)
    return Take.apply(input, index=a)


class Put(Function):
    @staticmethod
    def forward(ctx, x, src, index, accumulate):
        ctx.index, ctx.accumulate = index, accumulate
        out = x.copy()
        flat = out.reshape(-1)
        src = src.reshape(-1) if hasattr(src, "reshape") else src
        if accumulate:
            xp_of(x).add.at(flat, index.reshape(-1), src)
        else:
            flat[index.reshape(-1)] = src
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = gs = None
        if need[0]:
            gx = grad if ctx.accumulate else Put.apply(grad, 0, index=ctx.index, accumulate=False)
        if need[1]:
            gs = Take.apply(grad, index=ctx.index).reshape(ctx._in_meta[1][0])
        return gx, gs


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """``input`` with the flattened positions ``index`` set to (or, with ``accumulate``,
    incremented by) ``source``.

    Example:
        >>> jtorch.zeros(2, 2).put(jtorch.tensor([3, 0]), jtorch.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 1.]])
    """
    a = _int_index(index, "put_", "int64")
    if a.size != source._array.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._array.size}, index.numel() = {a.size}"
        )
    _flat_bounds(a, input._array.size)
    return Put.apply(input, _same_dtype(input, source), index=a, accumulate=bool(accumulate))


# -- masks --------------------------------------------------------------------------------------
def _bool_mask(mask: Tensor, op: str):
    a = mask._array
    if a.dtype.kind != "b":
        if op == "masked_select":
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        raise RuntimeError(
            f"{op} only supports boolean masks, but got mask with dtype {_dname(a).lower()}"
        )
    return a


class MaskedFill(Function):
    hidden_inputs = (1,)

    @staticmethod
    def forward(ctx, x, value, mask):
        ctx.mask = mask
        xp = xp_of(x)
        return xp.where(mask, xp.asarray(value, x.dtype), x)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = MaskedFill.apply(grad, 0, mask=ctx.mask) if need[0] else None
        gv = None
        if need[1]:
            keep = Tensor._make(grad._xp().logical_not(ctx.mask))
            gv = MaskedFill.apply(grad, 0, mask=keep._array).sum()
        return gx, gv


class MaskedFillTensor(MaskedFill):
    node_name = "MaskedFillBackward1"
    hidden_inputs = ()


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """``input`` with ``value`` where ``mask`` (broadcast) is True.

    Example:
        >>> x = jtorch.tensor([1.0, -2.0, 3.0])
        >>> x.masked_fill(jtorch.tensor([False, True, False]), 0.0)
        tensor([1., 0., 3.])
    """
    m = _bool_mask(mask, "masked_fill_")
    value = _scalar_value(value, "masked_fill_")
    if isinstance(value, Tensor):
        return MaskedFillTensor.apply(input, value, mask=m)
    return MaskedFill.apply(input, value, mask=m)


class MaskedSelect(Function):
    @staticmethod
    def forward(ctx, x, mask):
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        ctx.mask = xp.broadcast_to(mask, shape)
        return xp.broadcast_to(x, shape)[ctx.mask]

    @staticmethod
    def backward(ctx, grad):
        zeros = Tensor._make(grad._xp().zeros(ctx.mask.shape, grad._array.dtype))
        return MaskedScatter.apply(zeros, grad, mask=ctx.mask)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The elements of ``input`` where ``mask`` (broadcast) is True, as a 1-d tensor.

    Example:
        >>> jtorch.tensor([[1, 2], [3, 4]]).masked_select(jtorch.tensor([True, False]))
        tensor([1, 3])
    """
    m = _bool_mask(mask, "masked_select")
    broadcast_shapes(m.shape, input._array.shape)  # NOTE: torch's broadcasting error first
    return MaskedSelect.apply(input, mask=m)


class MaskedScatter(Function):
    @staticmethod
    def forward(ctx, x, src, mask):
        xp = xp_of(x)
        shape = np.broadcast_shapes(x.shape, mask.shape)
        ctx.mask = xp.broadcast_to(mask, shape)
        n = int(ctx.mask.sum())
        if src.size < n:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out = xp.broadcast_to(x, shape).copy()
        out[ctx.mask] = src.reshape(-1)[:n]
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = MaskedFill.apply(grad, 0, mask=ctx.mask) if need[0] else None
        gs = None
        if need[1]:
            shape = ctx._in_meta[1][0]
            picked = MaskedSelect.apply(grad, mask=ctx.mask)
            gs = _pad(picked, (int(np.prod(shape)),)).reshape(shape)
        return gx, gs


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """``input`` with the leading elements of ``source`` written, in order, where ``mask`` is True.

    Example:
        >>> jtorch.zeros(4).masked_scatter(jtorch.tensor([True, False, True, False]),
        ...                                jtorch.tensor([1.0, 2.0, 3.0]))
        tensor([1., 0., 2., 0.])
    """
    m = _bool_mask(mask, "masked_scatter_")
    if source._array.dtype != input._array.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_dname(input._array)} and {_dname(source._array)}"
        )
    return MaskedScatter.apply(input, source, mask=m)


def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or with ``as_tuple`` one
    1-d tensor per dim.

    Example:
        >>> jtorch.nonzero(jtorch.tensor([[0, 1], [2, 0]]))
        tensor([[0, 1],
                [1, 0]])
    """
    a = input._array
    xp = input._xp()
    if as_tuple:
        parts = xp.nonzero(a if a.ndim else a.reshape(1))
        return tuple(Tensor._make(p.astype(np.int64, copy=False)) for p in parts)
    return Tensor._make(xp.argwhere(a).astype(np.int64, copy=False))


def argwhere(input: Tensor) -> Tensor:
    """The ``(n, ndim)`` indices of the non-zero elements (``nonzero(as_tuple=False)``).

    Example:
        >>> jtorch.argwhere(jtorch.tensor([0.0, 3.0, 1.0]))
        tensor([[1],
                [2]])
    """
    return nonzero(input)


# -- in-place only ops: fill_, zero_, copy_ ------------------------------------------------------
def _fast_write(self: Tensor, value) -> bool:
    """Write ``value`` into ``self`` directly when no graph needs recording (the common case)."""
    if STATE.enabled and (
        self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)
    ):
        return False
    src = value._array if isinstance(value, Tensor) else value
    if not self._array.flags.writeable:
        from jtorch.ops._inplace import write_into  # noqa: PLC0415

        write_into(self, Tensor._make(self._array))  # raises torch's error
    try:
        self._xp().copyto(self._array, src, casting="unsafe")
    except ValueError:
        _copy_shape_check(self._array.shape, src.shape)
        raise
    self._bump()
    return True


def _copy_shape_check(dst: tuple, src: tuple) -> None:
    out = broadcast_shapes(dst, src)
    if out != dst:
        raise RuntimeError(
            f"output with shape {list(dst)} doesn't match the broadcast shape {list(out)}"
        )


class Fill(Function):
    node_name = "FillBackward2"

    @staticmethod
    def forward(ctx, x, value):
        return xp_of(x).full(x.shape, value, x.dtype)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = Tensor._make(grad._xp().zeros_like(grad._array)) if need[0] else None
        return gx, (grad.sum() if need[1] else None)


class FillTensor(Fill):
    node_name = "FillBackward3"


def _inplace_record(self: Tensor, fn: type, *inputs, **attrs) -> Tensor:
    """Run ``fn`` on an alias of ``self`` (its old value in the graph) and write the result."""
    _check_inplace_allowed(self)
    old = Tensor._make(self._array, self._requires_grad, self.grad_fn, self._output_nr)
    return inplace(self, fn.apply(old, *inputs, **attrs))


def fill_(self: Tensor, value) -> Tensor:
    """Set every element to ``value`` (a number or 0-d tensor), in place.

    Example:
        >>> jtorch.zeros(2).fill_(3)
        tensor([3., 3.])
    """
    if isinstance(value, Tensor) and value._array.ndim:
        raise RuntimeError(
            "fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._array.ndim} dimensions."
        )
    if _fast_write(self, value):
        return self
    if isinstance(value, Tensor):
        return _inplace_record(self, FillTensor, _same_dtype(self, value))
    return _inplace_record(self, Fill, value)


class Zero(Function):
    @staticmethod
    def forward(ctx, x):
        return xp_of(x).zeros_like(x)

    @staticmethod
    def backward(ctx, grad):
        return Tensor._make(grad._xp().zeros_like(grad._array))


def zero_(self: Tensor) -> Tensor:
    """Set every element to zero, in place.

    Example:
        >>> jtorch.ones(2).zero_()
        tensor([0., 0.])
    """
    if _fast_write(self, 0):
        return self
    return _inplace_record(self, Zero)


class Copy(Function):
    node_name = "CopyBackwards"

    @staticmethod
    def forward(ctx, x, src):
        out = xp_of(x).empty_like(x)
        xp_of(x).copyto(out, src, casting="unsafe")
        return out

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gx = Tensor._make(grad._xp().zeros_like(grad._array)) if need[0] else None
        return gx, (grad if need[1] else None)


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, cast to ``self``'s dtype) into ``self``; gradients flow to ``src``.

    Example:
        >>> jtorch.zeros(2, 2, dtype=jtorch.int64).copy_(jtorch.tensor([1.5, 2.5]))
        tensor([[1, 2],
                [1, 2]])
    """
    if not isinstance(src, Tensor):
        src = Tensor._make(self._xp().asarray(src))
    if _fast_write(self, src):
        return self
    _copy_shape_check(self._array.shape, src._array.shape)
    return _inplace_record(self, Copy, src)


# NOTE: torch.index_put_ is a function too; the other in-place forms are generated methods
# (INPLACE in _tensor_methods.py).
index_put_ = make_inplace(index_put)
