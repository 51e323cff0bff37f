"""Copies and conversions: clone, contiguous, dtype/device casts, ``Tensor.to``.

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([1.5, 2.5], requires_grad=True)
    >>> x.to(jtorch.float64)
    tensor([1.5000, 2.5000], dtype=torch.float64, grad_fn=<ToCopyBackward0>)
"""

from __future__ import annotations

from jtorch import _layouts, backend, dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function

# Only clone is also a torch.* function; the rest are Tensor methods (see _tensor_methods.py).
__all__ = ["clone"]


class ToCopy(Function):
    """A dtype, device and/or memory format change (the only op that moves data between
    devices); without a memory format the layout is kept."""

    @staticmethod
    def forward(ctx, x, dtype, device, memory_format=None):
        ctx.src = (x.dtype, backend.device_of(x))
        strides = _layouts.new_strides(x, memory_format, "to")
        moved = device is not None
        if moved:
            x = backend.move(x, device)
        if dtype is not None:
            x = x.astype(dtype, order="C" if strides is None else "K", copy=not moved)
        elif not moved:
            x = x.copy()
        return x if strides is None else _layouts.copy_in(x, strides)

    @staticmethod
    def backward(ctx, grad):
        np_dtype, dev = ctx.src
        if np_dtype.kind != "c" and grad._array.dtype.kind == "c":
            grad = grad.real
        return to(grad, dev, dtypes.from_np(np_dtype))


def to_dtype(x: Tensor, dtype: dtypes.dtype) -> Tensor:
    """``x`` cast to ``dtype`` (``x`` itself when it already has it)."""
    np_dtype = dtypes.to_np(dtype)
    if x._array.dtype == np_dtype:
        return x
    return ToCopy.apply(x, dtype=np_dtype, device=None)


class Clone(Function):
    @staticmethod
    def forward(ctx, x, strides):
        return _layouts.copy_in(x, strides)

    @staticmethod
    def backward(ctx, grad):
        return grad


def clone(input: Tensor, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that does not share memory; gradients flow through.

    Example:
        >>> a = jtorch.ones(2); b = a.clone(); b[0] = 5; a
        tensor([1., 1.])
    """
    return Clone.apply(input, strides=_layouts.new_strides(input._array, memory_format, "clone"))


def contiguous(input: Tensor, memory_format=_layouts.contiguous_format) -> Tensor:
    """``input`` if it is laid out in ``memory_format`` already, else a copy that is.

    Example:
        >>> x = jtorch.zeros(2, 3).t()
        >>> x.is_contiguous(), x.contiguous().is_contiguous()
        (False, True)
    """
    if _layouts.is_in(input._array, memory_format, "contiguous"):
        return input
    if memory_format is _layouts.preserve_format:
        raise RuntimeError("preserve memory format is unsupported by the contiguous operator")
    strides = _layouts.new_strides(input._array, memory_format, "contiguous")
    return Clone.apply(input, strides=strides)


def _parse_to(args: tuple, kwargs: dict):
    dev, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    for a in args:
        if isinstance(a, dtypes.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dev, dtype = a.device, a.dtype
        elif a is not None:
            dev = a
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    fmt = kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    return (backend.as_device(dev) if dev is not None else None), dtype, copy, fmt


def to(input: Tensor, *args, **kwargs) -> Tensor:
    """``input`` with another dtype, device and/or memory format: ``to(dtype)``,
    ``to(device)``, ``to(device, dtype)``, ``to(other)``, ``memory_format=``; returns ``input``
    itself when nothing changes.

    Example:
        >>> jtorch.tensor([1, 2]).to("cpu", jtorch.float32)
        tensor([1., 2.])
    """
    dev, dtype, copy, fmt = _parse_to(args, kwargs)
    if fmt is _layouts.preserve_format:
        fmt = None
    elif fmt is not None:
        _layouts.dim_order(fmt, input._array.ndim, "to")  # torch's errors for a wrong rank
    np_dtype = dtypes.to_np(dtype) if dtype is not None else None
    same_dev = (
        dev is None
        or dev == input.device
        or (dev.type == "cuda" and dev.index is None and input.is_cuda)
    )
    if (
        same_dev
        and (np_dtype is None or np_dtype == input._array.dtype)
        and not copy
        and (fmt is None or _layouts.suggest(input._array) is fmt)  # NOTE: torch's rule
    ):
        return input
    return ToCopy.apply(input, dtype=np_dtype, device=None if same_dev else dev, memory_format=fmt)


def cpu(input: Tensor, memory_format=None) -> Tensor:
    return to(input, "cpu")


def cuda(input: Tensor, device=None, non_blocking: bool = False, memory_format=None) -> Tensor:
    if device is None:
        device = "cuda"
    elif isinstance(device, int):
        device = f"cuda:{device}"
    return to(input, device)


def type_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` cast to ``other``'s dtype."""
    return to(input, other.dtype)


def _caster(d: dtypes.dtype, name: str):
    def cast(input: Tensor, memory_format=None) -> Tensor:
        return to(input, d)

    cast.__name__ = cast.__qualname__ = name
    cast.__doc__ = f"``input`` as {d!r} (``self.to({d!r})``)."
    return cast


float = _caster(dtypes.float32, "float")  # noqa: A001
double = _caster(dtypes.float64, "double")
half = _caster(dtypes.float16, "half")
bfloat16 = _caster(dtypes.bfloat16, "bfloat16")
int = _caster(dtypes.int32, "int")  # noqa: A001
long = _caster(dtypes.int64, "long")
short = _caster(dtypes.int16, "short")
char = _caster(dtypes.int8, "char")
byte = _caster(dtypes.uint8, "byte")
bool = _caster(dtypes.bool, "bool")  # noqa: A001
cfloat = _caster(dtypes.complex64, "cfloat")
cdouble = _caster(dtypes.complex128, "cdouble")
