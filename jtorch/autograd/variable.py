"""``Variable``: the pre-0.4 wrapper, kept as torch keeps it: every tensor is a Variable, and
``Variable(t, requires_grad=)`` is a new leaf that shares ``t``'s data.

Example:
    >>> import jtorch
    >>> v = Variable(jtorch.ones(2), requires_grad=True)
    >>> v.is_leaf, v.requires_grad, isinstance(jtorch.zeros(1), Variable)
    (True, True, True)
"""

from __future__ import annotations

from jtorch._tensor import Tensor

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(data=None, requires_grad=False)``: ``data`` detached (an empty float tensor
    when omitted) as a leaf with ``requires_grad``."""

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = False) -> Tensor:
        if data is None:
            from jtorch._creation import empty  # noqa: PLC0415

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad and not (data.is_floating_point() or data.is_complex()):
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return data.detach().requires_grad_(requires_grad)
