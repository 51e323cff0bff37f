"""Tensor creation: tensor, as_tensor, from_numpy, zeros/ones/full/empty, arange, linspace, eye,
the ``*_like`` family and the legacy typed constructors (``FloatTensor`` ...).

Example:
    >>> import jtorch
    >>> jtorch.tensor([[1, 2], [3, 4]]).dtype, jtorch.zeros(2, 3).shape
    (torch.int64, torch.Size([2, 3]))
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence

import numpy as np

from jtorch import backend, dtypes
from jtorch._layouts import contiguous_format, dim_order, lay_out, new_like, strides_in
from jtorch._size import Size
from jtorch._tensor import Tensor
from jtorch.ops._inplace import write_into

__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "scalar_tensor",
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "eye",
    "arange",
    "range",
    "linspace",
    "logspace",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]


def _infer_dtype(array: np.ndarray, data) -> dtypes.dtype:
    """torch's dtype for Python data: bool, int64, the default float, or the default complex."""
    kind = array.dtype.kind
    if kind == "b":
        return dtypes.bool
    if kind in "iu":
        return dtypes.int64
    if kind == "c":
        return dtypes.default_complex()
    if kind == "f":
        return dtypes.get_default_dtype()
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _place(array, device, requires_grad: bool) -> Tensor:
    if device is not None and backend.as_device(device).type != "cpu":
        array = backend.move(array, backend.as_device(device))
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _to_array(data):
    """Nested Python data (possibly holding tensors) as a NumPy array."""
    if isinstance(data, Tensor):
        return backend.to_numpy(data._array)
    if isinstance(data, (list, tuple)) and any(isinstance(d, (Tensor, list, tuple)) for d in data):
        parts = [_to_array(d) for d in data]
        shapes = {p.shape for p in parts}
        if len(shapes) > 1:
            a, b = (p.shape for p in parts[:2]) if len(parts) > 1 else (None, None)
            raise ValueError(
                f"expected sequence of length {a[0] if a else 0} at dim 1 (got {b[0] if b else 0})"
            )
        return np.array(parts) if parts else np.array([])
    return np.array(data)


def _data_error(data) -> Exception:
    """torch's error for Python data that holds no numbers: a string where its size inference
    (down the first elements) ends, a string elsewhere, or any other object."""
    first = data
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, str) and first is not data:
        return ValueError("too many dimensions 'str'")
    leaves = [data]
    while leaves:
        leaf = leaves.pop()
        if isinstance(leaf, (list, tuple)):
            leaves.extend(reversed(leaf))
        elif isinstance(leaf, (str, bytes)):
            return TypeError(f"new(): invalid data type '{type(leaf).__name__}'")
        elif not isinstance(leaf, (int, float, complex, np.generic, np.ndarray, Tensor)):
            return RuntimeError(f"Could not infer dtype of {type(leaf).__name__}")
    return RuntimeError(f"Could not infer dtype of {type(data).__name__}")


def tensor(
    data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors).

    Example:
        >>> jtorch.tensor([1.5, 2]), jtorch.tensor(3)
        (tensor([1.5000, 2.0000]), tensor(3))
    """
    if isinstance(data, Tensor):
        array = data._array.copy()
        if dtype is None:
            dtype = data.dtype
    elif isinstance(data, (np.ndarray, np.generic)):  # NumPy data keeps its dtype, as in torch
        array = np.array(data)
        dtypes.from_np(array.dtype)
    else:
        try:
            array = _to_array(data)
        except (ValueError, TypeError) as err:
            raise ValueError(str(err)) from None
        if array.dtype.kind in "OUS":
            raise _data_error(data)
        if dtype is None:
            dtype = _infer_dtype(array, data)
    if dtype is not None:
        array = array.astype(dtypes.to_np(dtype), copy=False)
    return _place(array, device, requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """``data`` as a tensor, sharing memory with a tensor or NumPy array when possible.

    Example:
        >>> a = np.zeros(2); jtorch.as_tensor(a)[0] = 1; a
        array([1., 0.])
    """
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    if isinstance(data, np.ndarray) and (device is None or backend.as_device(device).type == "cpu"):
        t = from_numpy(data)
        return t if dtype is None else t.to(dtype)
    return tensor(data, dtype=dtype, device=device)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    """``torch.asarray``: like ``as_tensor``, with an explicit ``copy`` choice."""
    t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype, device)
    return t.requires_grad_(requires_grad) if requires_grad else t


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing ``ndarray``'s memory (zero copy, writes are seen both ways).

    Example:
        >>> a = np.ones(3); t = jtorch.from_numpy(a); a += 1; t
        tensor([2., 2., 2.], dtype=torch.float64)
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    dtypes.from_np(ndarray.dtype)
    return Tensor._make(ndarray)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return full(
        (), s, dtype=dtype or dtypes.get_default_dtype(), device=device, requires_grad=requires_grad
    )


def parse_size(size: tuple) -> tuple:
    """``(2, 3)``, ``((2, 3),)`` or ``(Size([2, 3]),)`` as a shape tuple, with torch's errors."""
    if len(size) == 1 and isinstance(size[0], (Sequence, Size)) and not isinstance(size[0], str):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) and not (isinstance(s, Tensor) and s.numel() == 1):
            raise TypeError(
                f"empty(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos 0"
            )
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}"
        )
    return shape


def _filled(maker, size, dtype, device, requires_grad, out, fill=None) -> Tensor:
    shape = parse_size(size)
    d = dtype or dtypes.get_default_dtype()
    xp = backend.xp_for(backend.as_device(device))
    array = (
        maker(xp, shape, dtypes.to_np(d)) if fill is None else xp.full(shape, fill, dtypes.to_np(d))
    )
    if out is not None:
        out._array = array
        out._bump()
        return out
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


def zeros(
    *size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """A tensor of zeros of shape ``size``.

    Example:
        >>> jtorch.zeros(2, dtype=jtorch.long)
        tensor([0, 0])
    """
    return _filled(lambda xp, s, d: xp.zeros(s, d), size, dtype, device, requires_grad, out)


def ones(
    *size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """A tensor of ones of shape ``size``.

    Example:
        >>> jtorch.ones(2, 2)
        tensor([[1., 1.],
                [1., 1.]])
    """
    return _filled(lambda xp, s, d: xp.ones(s, d), size, dtype, device, requires_grad, out)


def empty(
    *size,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
) -> Tensor:
    """An uninitialised tensor of shape ``size`` (jtorch fills it with zeros), laid out in
    ``memory_format``.

    Example:
        >>> jtorch.empty(1, 3, 2, 2, memory_format=jtorch.channels_last).stride()
        (12, 1, 6, 3)
    """

    # NOTE: zero-filled rather than np.empty: same cost on fresh pages, and no garbage NaNs.
    def zeros_in(xp, s: tuple, d):
        if memory_format is None or memory_format is contiguous_format:
            return xp.zeros(s, d)
        strides = strides_in(s, dim_order(memory_format, len(s), "empty"))
        return lay_out(xp.zeros(math.prod(s), d), s, strides)

    return _filled(zeros_in, size, dtype, device, requires_grad, out)


def full(
    size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """A tensor of shape ``size`` filled with ``fill_value`` (dtype inferred from it).

    Example:
        >>> jtorch.full((2,), 7), jtorch.full((2,), 0.5)
        (tensor([7, 7]), tensor([0.5000, 0.5000]))
    """
    fill_value = _fill_number(fill_value, "full")
    d = dtype or dtypes.scalar_dtype(fill_value)
    return _filled(None, (size,), d, device, requires_grad, out, fill=fill_value)


def _fill_number(value, op: str):
    """``value`` as a Python or NumPy number (a tensor's item), else torch's TypeError."""
    if isinstance(value, Tensor):
        return value.item()
    if not isinstance(value, (numbers.Number, np.bool_)):
        raise TypeError(
            f"{op}(): argument 'fill_value' (position 2) must be Number, not {type(value).__name__}"
        )
    return value


def _like(input: Tensor, dtype, device):
    return dtype or input.dtype, device or input.device


def zeros_like(
    input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    """Zeros with ``input``'s shape, dtype and device."""
    d, dev = _like(input, dtype, device)
    return new_like(input, memory_format, lambda s: zeros(s, dtype=d, device=dev)).requires_grad_(
        requires_grad
    )


def ones_like(
    input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    """Ones with ``input``'s shape, dtype and device."""
    d, dev = _like(input, dtype, device)
    return new_like(input, memory_format, lambda s: ones(s, dtype=d, device=dev)).requires_grad_(
        requires_grad
    )


def empty_like(
    input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    d, dev = _like(input, dtype, device)
    return new_like(input, memory_format, lambda s: empty(s, dtype=d, device=dev)).requires_grad_(
        requires_grad
    )


def full_like(
    input: Tensor,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    d, dev = _like(input, dtype, device)
    fill_value = _fill_number(fill_value, "full_like")
    return new_like(
        input, memory_format, lambda s: full(s, fill_value, dtype=d, device=dev)
    ).requires_grad_(requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """The ``n x m`` identity matrix.

    Example:
        >>> jtorch.eye(2)
        tensor([[1., 0.],
                [0., 1.]])
    """
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    xp = backend.xp_for(backend.as_device(device))
    d = dtypes.to_np(dtype or dtypes.get_default_dtype())
    return _result(xp.eye(n, n if m is None else m, dtype=d), out, requires_grad)


def _result(array, out, requires_grad: bool) -> Tensor:
    if out is not None:
        if out._array.shape != array.shape:
            out._array = out._xp().empty(array.shape, out._array.dtype)
        write_into(out, Tensor._make(array))
        return out
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


def _number(x):
    return x.item() if isinstance(x, Tensor) else x


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 for integer arguments.

    Example:
        >>> jtorch.arange(5), jtorch.arange(1, 2.5, 0.5)
        (tensor([0, 1, 2, 3, 4]), tensor([1.0000, 1.5000, 2.0000]))
    """
    if end is None:
        start, end = 0, start
    start, end, step = _number(start), _number(end), _number(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    integral = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
    d = dtype or (dtypes.int64 if integral else dtypes.get_default_dtype())
    n = math.ceil((end - start) / step)
    xp = backend.xp_for(backend.as_device(device))
    np_dtype = dtypes.to_np(d)
    if np_dtype.kind in "iu" and integral:
        array = xp.arange(start, start + n * step, step, dtype=np_dtype)[:n]
    else:
        # NOTE: torch computes start + i * step in double, then casts.
        array = (start + xp.arange(n, dtype=np.float64) * step).astype(np_dtype)
    return _result(array, out, requires_grad)


def range(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:  # noqa: A001
    """Deprecated ``torch.range``: like arange but includes ``end``; float by default."""
    n = int(math.floor((end - start) / step)) + 1
    vals = start + np.arange(n, dtype=np.float64) * step
    d = dtypes.to_np(dtype or dtypes.get_default_dtype())
    return _result(backend.move(vals.astype(d), backend.as_device(device)), out, requires_grad)


def linspace(
    start, end, steps: int, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example:
        >>> jtorch.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    start, end = _number(start), _number(end)
    d = dtypes.to_np(dtype or dtypes.get_default_dtype())
    # NOTE: torch fills the first half as start + step*i and the second half as
    # end - step*(steps-1-i), each with one rounding (a fused multiply-add) in the output dtype;
    # arithmetic in a wider type followed by one cast reproduces that bit for bit (float64 for a
    # float32 result, x87 long double for a float64 one).
    work = d if d.kind in "fc" else np.dtype(np.float64)
    wide = np.longdouble if work.itemsize >= 8 else np.float64
    s_, e_ = work.type(start), work.type(end)
    i = np.arange(steps, dtype=wide)
    if steps == 1:
        vals = np.full(1, s_, dtype=work)
    else:
        step = wide((e_ - s_) / work.type(steps - 1))
        lo = wide(s_) + step * i
        hi = wide(e_) - step * (steps - 1 - i)
        vals = np.where(i < steps // 2, lo, hi).astype(work)
    return _result(backend.move(vals.astype(d), backend.as_device(device)), out, requires_grad)


def logspace(
    start,
    end,
    steps: int,
    base: float = 10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """``base ** linspace(start, end, steps)``.

    Example:
        >>> jtorch.logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
    """
    d = dtypes.to_np(dtype or dtypes.get_default_dtype())
    exps = linspace(start, end, steps, dtype=dtypes.float64, device=device)._array
    return _result((base**exps).astype(d), out, requires_grad)


def legacy_array(args: tuple, d: dtypes.dtype, device):
    """What ``torch.Tensor(*args)`` / ``torch.FloatTensor(*args)`` hold: a shape or data."""
    np_dtype = dtypes.to_np(d)
    if not args:
        array = np.zeros((0,), np_dtype)
    elif all(isinstance(a, (int, np.integer)) for a in args) or isinstance(args[0], Size):
        array = np.zeros(parse_size(args), np_dtype)
    elif len(args) == 1 and isinstance(args[0], Tensor):
        array = args[0]._array
        if array.dtype != np_dtype:
            raise TypeError(f"expected {d._legacy} (got {args[0].dtype._legacy})")
        return array
    elif len(args) == 1:
        array = _to_array(args[0]).astype(np_dtype)
    else:
        raise TypeError(f"new(): invalid data type '{type(args[0]).__name__}'")
    return backend.move(array, backend.as_device(device)) if device is not None else array


class _LegacyTensorType(type):
    """``torch.FloatTensor`` and friends: callable constructors and isinstance checks."""

    def __call__(cls, *args, device=None) -> Tensor:
        return Tensor._make(legacy_array(args, cls.dtype, device))

    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj.dtype is cls.dtype and obj.is_cpu


def _legacy(d: dtypes.dtype) -> type:
    return _LegacyTensorType(d._legacy, (), {"dtype": d, "__module__": "torch"})


FloatTensor = _legacy(dtypes.float32)
DoubleTensor = _legacy(dtypes.float64)
HalfTensor = _legacy(dtypes.float16)
LongTensor = _legacy(dtypes.int64)
IntTensor = _legacy(dtypes.int32)
ShortTensor = _legacy(dtypes.int16)
CharTensor = _legacy(dtypes.int8)
ByteTensor = _legacy(dtypes.uint8)
BoolTensor = _legacy(dtypes.bool)


# -- Tensor.new_* methods: same dtype and device as the tensor unless given ----------------------
def new_tensor(self: Tensor, data, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A new tensor from ``data`` with ``self``'s dtype and device by default."""
    return tensor(
        data, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
    )


def new_zeros(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Zeros of ``size`` with ``self``'s dtype and device by default."""
    return zeros(
        *size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
    )


def new_ones(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Ones of ``size`` with ``self``'s dtype and device by default."""
    return ones(
        *size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
    )


def new_empty(self: Tensor, *size, dtype=None, device=None, requires_grad=False) -> Tensor:
    return empty(
        *size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
    )


def new_full(
    self: Tensor, size, fill_value, *, dtype=None, device=None, requires_grad=False
) -> Tensor:
    """``fill_value`` everywhere in ``size``, with ``self``'s dtype and device by default."""
    return full(
        size,
        _fill_number(fill_value, "new_full"),
        dtype=dtype or self.dtype,
        device=device or self.device,
        requires_grad=requires_grad,
    )


NEW_METHODS = (new_tensor, new_zeros, new_ones, new_empty, new_full)


def new(self: Tensor, *args, device=None) -> Tensor:
    """``Tensor.new``: the legacy constructor (a shape or data) with ``self``'s dtype and device.

    Example:
        >>> x = jtorch.tensor([1, 2])
        >>> x.new(2, 3).shape, x.new([5, 6])
        (torch.Size([2, 3]), tensor([5, 6]))
    """
    return Tensor._make(legacy_array(args, self.dtype, device or self.device))


NEW_METHODS += (new,)
