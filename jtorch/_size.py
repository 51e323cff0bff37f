"""Size: the tuple subclass that shapes are, printing as ``torch.Size([2, 3])``.

Example:
    >>> Size([2, 3])
    torch.Size([2, 3])
    >>> Size([2, 3]).numel()
    6
"""

from __future__ import annotations

import math

__all__ = ["Size"]


class Size(tuple):
    """A tensor shape: a tuple of ints with torch's repr."""

    __slots__ = ()

    def __new__(cls, sizes=()) -> Size:
        return tuple.__new__(cls, (int(s) for s in sizes))

    def numel(self) -> int:
        return math.prod(self)

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other) -> Size:
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other) -> Size:
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))
