"""Type promotion and broadcasting: the one place element-wise operands are reconciled.

Forward functions broadcast with the array module's own rules (identical to torch's), so no
Expand node is recorded for a broadcast operand, exactly as torch records none. The engine sums a
gradient back to its input's shape with ``sum_to`` (torch's ``validate_outputs`` does the same).

Example:
    >>> import jtorch
    >>> a, b = promote(jtorch.tensor([1, 2], dtype=jtorch.int32), 2.5)
    >>> a.dtype, b
    (torch.float32, 2.5)
"""

from __future__ import annotations

import numbers

import numpy as np

from jtorch import dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.grad_mode import STATE

__all__ = ["promote", "promote_to", "sum_to", "broadcast_shapes", "to_operand", "float_operand"]


def to_operand(x):
    """A Tensor, or a Python scalar left as is (NumPy arrays and numbers become usable)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float, complex)):
        return x
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    if isinstance(x, numbers.Number):  # NumPy scalars: torch treats them as Python numbers
        return x.item() if hasattr(x, "item") else x
    raise TypeError(f"unsupported operand type: '{type(x).__name__}'")


def _check_devices(tensors: list) -> None:
    kinds = {type(t._array) for t in tensors}
    if len(kinds) > 1:
        big = [t for t in tensors if t._array.ndim > 0]
        devs = {str(t.device) for t in big} or {str(t.device) for t in tensors}
        if len(devs) > 1:
            a, b = sorted(devs, reverse=True)[:2]
            raise RuntimeError(
                "Expected all tensors to be on the same device, but found at least two devices, "
                f"{a} and {b}!"
            )


def promote_to(x, d: dtypes.dtype):
    """``x`` with dtype ``d``: a Tensor is cast (differentiably), a scalar converted."""
    if isinstance(x, Tensor):
        if x._array.dtype != d.np:
            from jtorch.ops.conversion import to_dtype  # noqa: PLC0415

            return to_dtype(x, d)
        return x
    if d.category == dtypes.BOOL:
        return bool(x)
    if d.category == dtypes.INT and isinstance(x, float):
        return int(x)
    return x


def promote(*xs, dtype: dtypes.dtype | None = None) -> list:
    """Operands converted to their torch result dtype (or ``dtype`` when given).

    Tensors are cast when their dtype differs; Python scalars stay scalars, which the array
    module treats as weakly typed, like torch's wrapped numbers.
    """
    xs = [to_operand(x) for x in xs]
    tensors = [x for x in xs if isinstance(x, Tensor)]
    if len(tensors) > 1:
        _check_devices(tensors)
        broadcast_shapes(*(t._array.shape for t in tensors))
    target = dtype or dtypes.result_type(*xs)
    if target.np is None:
        dtypes.to_np(target)
    return [promote_to(x, target) for x in xs]


def float_operand(x) -> Tensor:
    """``x`` as a floating (or complex) tensor: integers and bools become the default dtype."""
    x = to_operand(x)
    if not isinstance(x, Tensor):
        from jtorch._creation import tensor  # noqa: PLC0415

        x = tensor(x)
    if x._array.dtype.kind not in "fc":
        return promote_to(x, dtypes.get_default_dtype())
    return x


def broadcast_shapes(*shapes) -> tuple:
    """The shape that all ``shapes`` broadcast to, or torch's RuntimeError.

    Example:
        >>> broadcast_shapes((2, 1), (3,))
        (2, 3)
    """
    out: tuple = ()
    for shape in shapes:
        out = _infer_size(out, tuple(shape))
    return out


def _infer_size(a: tuple, b: tuple) -> tuple:
    # NOTE: torch's infer_size: trailing dims first, so the error names the last mismatch
    ndim = max(len(a), len(b))
    out = [1] * ndim
    for i in range(ndim - 1, -1, -1):
        k = ndim - i
        size_a = a[-k] if k <= len(a) else 1
        size_b = b[-k] if k <= len(b) else 1
        if size_a != size_b and size_a != 1 and size_b != 1:
            raise RuntimeError(
                f"The size of tensor a ({size_a}) must match the size of tensor b ({size_b}) at "
                f"non-singleton dimension {i}"
            )
        out[i] = size_b if size_a == 1 else size_a
    return tuple(out)


def sum_to(g: Tensor, shape: tuple) -> Tensor:
    """Sum ``g`` over the dimensions that broadcasting added to ``shape`` (ValueError if none)."""
    gshape = g._array.shape
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
        raise ValueError(f"{gshape} does not broadcast from {shape}")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gshape[lead + i] != 1
    )
    if not STATE.enabled and g._array.dtype.kind in "fc":  # no graph: sum the array (as Sum)
        a = g._array.sum(axis=dims, keepdims=True) if dims else g._array
        return Tensor._make(a.reshape(shape) if a.shape != shape else a)
    out = g.sum(dims, keepdim=True) if dims else g
    return out.reshape(shape) if out._array.shape != shape else out
