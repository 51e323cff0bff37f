"""torch's layout and memory-format objects, and the order in which a memory format lays out dims.

Every jtorch tensor is strided (a NumPy or CuPy array with any strides). A memory format names
an order of the dims from outermost to innermost in memory: ``contiguous_format`` the dims in
order, ``channels_last`` (rank 4) ``N, H, W, C``, ``channels_last_3d`` (rank 5)
``N, D, H, W, C``; ``preserve_format`` keeps the order of the source's strides when the source
is dense, as torch's ``clone`` and ``*_like`` functions do.

Example:
    >>> import jtorch
    >>> x = jtorch.zeros(1, 3, 2, 2).contiguous(memory_format=jtorch.channels_last)
    >>> x.stride(), x.is_contiguous(), x.is_contiguous(memory_format=jtorch.channels_last)
    ((12, 1, 6, 3), False, True)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from jtorch.backend import get_array_module

__all__ = [
    "layout",
    "strided",
    "sparse_coo",
    "sparse_csr",
    "sparse_csc",
    "sparse_bsr",
    "sparse_bsc",
    "jagged",
    "memory_format",
    "contiguous_format",
    "channels_last",
    "channels_last_3d",
    "preserve_format",
]


class _Named:
    """One of torch's named singletons: prints as ``torch.<name>``, pickles as itself."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        return self.name  # pickles as this module's global of that name: the one instance


class layout(_Named):
    """How a tensor's values are stored (``torch.strided``; the sparse layouts are named, and
    jtorch has no tensors of them).

    Example:
        >>> import jtorch
        >>> jtorch.ones(2).layout
        torch.strided
    """

    __slots__ = ()


class memory_format(_Named):
    """An order of a strided tensor's dims in memory (``torch.channels_last``, ...).

    Example:
        >>> import jtorch
        >>> jtorch.channels_last
        torch.channels_last
    """

    __slots__ = ()


strided, sparse_coo, sparse_csr, sparse_csc, sparse_bsr, sparse_bsc, jagged = map(
    layout,
    ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "jagged"),
)
contiguous_format, channels_last, channels_last_3d, preserve_format = map(
    memory_format, ("contiguous_format", "channels_last", "channels_last_3d", "preserve_format")
)
_RANK = {channels_last: 4, channels_last_3d: 5}


def _type_error(fmt, op: str) -> TypeError:
    kind = f"torch.{type(fmt).__name__}" if isinstance(fmt, _Named) else type(fmt).__name__
    return TypeError(f"{op}(): argument 'memory_format' must be torch.memory_format, not {kind}")


def dim_order(fmt: memory_format | None, ndim: int, op: str = "contiguous") -> tuple[int, ...]:
    """The dims of a rank-``ndim`` tensor in ``fmt``, outermost first, with torch's errors for
    a rank the format does not fit and for ``preserve_format``, which names no order."""
    if fmt is None or fmt is contiguous_format:
        return tuple(range(ndim))
    if fmt is preserve_format:
        raise RuntimeError("unsupported memory format Preserve")
    rank = _RANK.get(fmt) if isinstance(fmt, memory_format) else None
    if rank is None:
        raise _type_error(fmt, op)
    if ndim != rank:
        raise RuntimeError(f"required rank {rank} tensor to use {fmt.name} format")
    return (0, *range(2, ndim), 1)


def is_dense_in(array, order: tuple[int, ...]) -> bool:
    """Whether ``array`` fills its memory without gaps with its dims in ``order`` (dims of
    size 1 may have any stride, and an empty array counts as dense, as torch says)."""
    expected = array.itemsize
    for d in reversed(order):
        n = array.shape[d]
        if n != 1:
            if array.strides[d] != expected:
                return array.size == 0
            expected *= n
    return True


def is_in(array, fmt: memory_format | None, op: str = "is_contiguous") -> bool:
    """``Tensor.is_contiguous(memory_format=fmt)``: dense in ``fmt``'s order (False for a rank
    the format does not fit; ``preserve_format`` asks for C order, as torch's does)."""
    if fmt is None or fmt is contiguous_format or fmt is preserve_format:
        return bool(array.flags.c_contiguous)
    if _RANK.get(fmt, array.ndim) != array.ndim:
        return False
    return is_dense_in(array, dim_order(fmt, array.ndim, op))


def strides_in(shape: tuple, order: tuple[int, ...]) -> tuple[int, ...] | None:
    """Element strides of a dense tensor of ``shape`` with its dims in ``order`` (None for
    C order), as torch computes them (a dim of size 0 or 1 counts as 1)."""
    if order == tuple(range(len(shape))):
        return None
    return _dense_strides(shape, order)


def _dense_strides(shape: tuple, order) -> tuple[int, ...]:
    strides, step = [0] * len(shape), 1
    for d in reversed(order):
        strides[d] = step
        step *= max(shape[d], 1)
    return tuple(strides)


def suggest(array) -> memory_format:
    """torch's ``suggest_memory_format``: a channels-last format when ``array``'s strides
    follow one (ambiguous cases, such as an ``N x 1 x 1 x 1`` tensor, are C order)."""
    rank = array.ndim
    if rank not in (4, 5) or array.strides[1] == 0:
        return contiguous_format
    low = 0
    for d in (1, *range(rank - 1, 1, -1), 0):
        size, stride = array.shape[d], array.strides[d]
        if size == 0 or stride < low or (d == 0 and low == array.strides[1]):
            return contiguous_format
        low = stride * size if size > 1 else stride
    return channels_last if rank == 4 else channels_last_3d


def new_strides(array, fmt: memory_format | None, op: str) -> tuple[int, ...] | None:
    """Element strides of a new tensor like ``array`` in ``fmt`` (None for C order). With
    ``preserve_format`` (or None), torch's default: ``array``'s own strides when it is dense,
    else those of the format ``suggest`` gives."""
    if fmt is not None and fmt is not preserve_format:
        return strides_in(array.shape, dim_order(fmt, array.ndim, op))
    if array.flags.c_contiguous and 1 not in array.shape:
        return None
    order = tuple(sorted(range(array.ndim), key=lambda d: -array.strides[d]))
    if is_dense_in(array, order):  # NOTE: strides of dims of size 1 are kept too, as torch's
        own = tuple(s // array.itemsize for s in array.strides)
        return None if own == _dense_strides(array.shape, range(array.ndim)) else own
    return strides_in(array.shape, dim_order(suggest(array), array.ndim))


def lay_out(flat, shape: tuple, strides: tuple[int, ...] | None):
    """The 1-D array ``flat`` as a tensor of ``shape`` with element ``strides`` (C order for
    None): its values go into memory in order, so values drawn in order (``rand_like``, ...)
    land where torch's do."""
    if strides is None:
        return flat.reshape(shape)
    steps = [s * flat.itemsize for s in strides]
    if isinstance(flat, np.ndarray):  # NOTE: a view whose .base is flat, so save() shares it
        return np.ndarray(shape, flat.dtype, buffer=flat, strides=steps)
    return get_array_module(flat).lib.stride_tricks.as_strided(flat, shape, steps)


def new_like(input, fmt: memory_format | None, build: Callable, op: str = "empty_like"):
    """``build(shape)``, a new tensor of ``input``'s shape laid out for ``fmt`` (None, torch's
    default ``preserve_format``, keeps a dense ``input``'s layout)."""
    strides = new_strides(input._array, fmt, op)
    if strides is None:
        return build(input.shape)
    t = build((input._array.size,))
    t._array = lay_out(t._array, input._array.shape, strides)
    return t


def copy_in(array, strides: tuple[int, ...] | None):
    """A copy of ``array`` with element ``strides`` (C order for None)."""
    if strides is None:
        return array.copy()
    out = lay_out(get_array_module(array).empty(array.size, array.dtype), array.shape, strides)
    out[...] = array
    return out
