"""Padding layers: Zero/Constant/Reflection/Replication/Circular Pad 1d, 2d, 3d (``F.pad``).

Example:
    >>> from jtorch import nn
    >>> nn.ReflectionPad2d(1)
    ReflectionPad2d((1, 1, 1, 1))
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn.modules.module import Module

__all__ = [
    f"{kind}Pad{nd}d"
    for kind in ("Zero", "Constant", "Reflection", "Replication", "Circular")
    for nd in (1, 2, 3)
]


def _sides(padding, nd: int) -> tuple:
    return tuple(padding) if isinstance(padding, (tuple, list)) else (padding,) * (2 * nd)


class _PadNd(Module):
    """``F.pad(input, padding, mode)``; repr shows the padding tuple."""

    _nd = 1
    _mode = "constant"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _sides(padding, self._nd)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


def _pad_class(name: str, base: type, nd: int, mode: str, doc: str) -> type:
    return type(name, (base,), {"_nd": nd, "_mode": mode, "__doc__": doc, "__module__": __name__})


_DOC = """{what} padding of the last {nd} dim(s): ``padding`` is an int or a {n}-tuple
    (left, right{more}).

    Example:
        >>> import jtorch
        >>> jtorch.nn.{name}(1{extra})(jtorch.ones(1, 1{ones})).shape
        torch.Size([1, 1{shape}])
    """


def _doc(name: str, what: str, nd: int, extra: str = "") -> str:
    more = ", top, bottom" if nd > 1 else ""
    more += ", front, back" if nd > 2 else ""
    return _DOC.format(what=what, nd=nd, n=2 * nd, more=more, name=name, extra=extra,
                       ones=", 2" * nd, shape=", 4" * nd)  # fmt: skip


ConstantPad1d = _pad_class("ConstantPad1d", _ConstantPadNd, 1, "constant",
                           _doc("ConstantPad1d", "Constant-value", 1, ", 0.5"))  # fmt: skip
ConstantPad2d = _pad_class("ConstantPad2d", _ConstantPadNd, 2, "constant",
                           _doc("ConstantPad2d", "Constant-value", 2, ", 0.5"))  # fmt: skip
ConstantPad3d = _pad_class("ConstantPad3d", _ConstantPadNd, 3, "constant",
                           _doc("ConstantPad3d", "Constant-value", 3, ", 0.5"))  # fmt: skip


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


ZeroPad1d = _pad_class("ZeroPad1d", _ZeroPadNd, 1, "constant", _doc("ZeroPad1d", "Zero", 1))
ZeroPad2d = _pad_class("ZeroPad2d", _ZeroPadNd, 2, "constant", _doc("ZeroPad2d", "Zero", 2))
ZeroPad3d = _pad_class("ZeroPad3d", _ZeroPadNd, 3, "constant", _doc("ZeroPad3d", "Zero", 3))
ReflectionPad1d = _pad_class("ReflectionPad1d", _PadNd, 1, "reflect",
                             _doc("ReflectionPad1d", "Reflection", 1))  # fmt: skip
ReflectionPad2d = _pad_class("ReflectionPad2d", _PadNd, 2, "reflect",
                             _doc("ReflectionPad2d", "Reflection", 2))  # fmt: skip
ReflectionPad3d = _pad_class("ReflectionPad3d", _PadNd, 3, "reflect",
                             _doc("ReflectionPad3d", "Reflection", 3))  # fmt: skip
ReplicationPad1d = _pad_class("ReplicationPad1d", _PadNd, 1, "replicate",
                              _doc("ReplicationPad1d", "Replication", 1))  # fmt: skip
ReplicationPad2d = _pad_class("ReplicationPad2d", _PadNd, 2, "replicate",
                              _doc("ReplicationPad2d", "Replication", 2))  # fmt: skip
ReplicationPad3d = _pad_class("ReplicationPad3d", _PadNd, 3, "replicate",
                              _doc("ReplicationPad3d", "Replication", 3))  # fmt: skip
CircularPad1d = _pad_class("CircularPad1d", _PadNd, 1, "circular",
                           _doc("CircularPad1d", "Circular", 1))  # fmt: skip
CircularPad2d = _pad_class("CircularPad2d", _PadNd, 2, "circular",
                           _doc("CircularPad2d", "Circular", 2))  # fmt: skip
CircularPad3d = _pad_class("CircularPad3d", _PadNd, 3, "circular",
                           _doc("CircularPad3d", "Circular", 3))  # fmt: skip
