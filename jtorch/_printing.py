"""torch's tensor ``repr``, byte for byte: print options, summarisation, sci mode, suffixes.

A port of ``torch/_tensor_str.py`` (torch 2.13) for strided tensors on NumPy/CuPy arrays. Values
are formatted with Python's own float formatting, as torch does, so digits and padding agree.

Example:
    >>> import jtorch
    >>> jtorch.tensor([1.0, 2.5])
    tensor([1.0000, 2.5000])
    >>> with printoptions(precision=2):
    ...     jtorch.tensor([1e-5, 1.0])
    tensor([1.00e-05, 1.00e+00])
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from jtorch import dtypes
from jtorch.backend import get_array_module, to_numpy

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    Args:
        precision: digits after the decimal point (default 4).
        threshold: element count above which a tensor is summarised with ``...`` (default 1000).
        edgeitems: items shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``, applied before the other arguments.
        sci_mode: force (True) or forbid (False) scientific notation; None chooses per tensor.
            Like torch, every call resets it to this argument.

    Example:
        >>> set_printoptions(precision=2)
        >>> jtorch.tensor([1.12345])
        tensor([1.12])
        >>> set_printoptions(profile="default")
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`.

    Example:
        >>> get_printoptions()
        {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Temporarily change the print options (the arguments of :func:`set_printoptions`).

    Example:
        >>> with printoptions(threshold=5):
        ...     jtorch.arange(10)
        tensor([0, 1, 2,  ..., 7, 8, 9])
    """
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Pads every element of one tensor (or of one part of a complex tensor) to a common width."""

    def __init__(self, values: np.ndarray) -> None:
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.max_width = True, False, 1
        if not self.floating:
            # NOTE: the longest str() of an int or bool tensor is that of its min or its max.
            if values.size:
                ends = (values.min().item(), values.max().item())
                self.max_width = max(len(str(v)) for v in ends)
            return
        finite = values[np.isfinite(values) & (values != 0)]
        if finite.size == 0:
            return  # NOTE: torch decides int and sci mode from nonzero finite values only
        magnitude = np.abs(finite).astype(np.float64)
        lo, hi = float(magnitude.min()), float(magnitude.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        forced = PRINT_OPTS.sci_mode
        self.sci_mode = bool(
            hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4 if forced is None else forced
        )
        p = PRINT_OPTS.precision
        if self.sci_mode:
            widths = (len(f"{v:.{p}e}") for v in finite.tolist())
        elif self.int_mode:
            widths = (len(f"{v:.0f}") + 1 for v in finite.tolist())  # + 1 for the trailing "."
        else:
            widths = (len(f"{v:.{p}f}") for v in finite.tolist())
        self.max_width = max(self.max_width, *widths)

    def format(self, value: float | int | bool) -> str:
        if not self.floating:
            ret = f"{value}"
        elif self.sci_mode:
            ret = f"{value:{self.max_width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            ret = f"{value:.0f}"
            if math.isfinite(value):
                ret += "."
        else:
            ret = f"{value:.{PRINT_OPTS.precision}f}"
        return (self.max_width - len(ret)) * " " + ret


def _summarized(a: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows, flattened: what its formatters are fitted to."""
    e = PRINT_OPTS.edgeitems
    if a.ndim <= 1:
        # NOTE: with edgeitems=0, a[-0:] is all of a, so torch fits a 1-d tensor to every value.
        return np.concatenate((a[:e], a[-e:])) if a.ndim and len(a) > 2 * e else a.reshape(-1)
    if not e:
        return a.reshape(-1)[:0]
    rows = range(len(a)) if len(a) <= 2 * e else [*range(e), *range(len(a) - e, len(a))]
    return np.concatenate([_summarized(a[i]) for i in rows])


def _corners(a, e: int):
    """The corners of a device array that a summarised print reads, as a small host array.

    Each dimension longer than ``2e + 1`` keeps its first ``e + 1`` and last ``e`` entries: still
    longer than ``2e``, so it is summarised the same way, and its ``e + 1``-th entry is never read.
    """
    xp = get_array_module(a)
    for axis, n in enumerate(a.shape):
        if n > 2 * e + 1:
            head, tail = [slice(None)] * a.ndim, [slice(None)] * a.ndim
            head[axis], tail[axis] = slice(0, e + 1), slice(n - e, n)
            a = xp.concatenate((a[tuple(head)], a[tuple(tail)]), axis=axis)
    return to_numpy(a)


def _tensor_str(a: np.ndarray, indent: int, summarize: bool, fmt: tuple[_Formatter, ...]) -> str:
    if a.ndim == 0:
        return _element_str(a.item(), fmt)
    e = PRINT_OPTS.edgeitems
    if a.ndim == 1:
        if summarize and not e:
            items = ["..."]
        elif summarize and len(a) > 2 * e:
            items = [*_elements(a[:e], fmt), " ...", *_elements(a[-e:], fmt)]
        else:
            items = _elements(a, fmt)
        # length includes the ", " between elements, and the "j" of a complex one
        element_length = sum(f.max_width for f in fmt) + 2 + (len(fmt) - 1)
        per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and len(a) > 2 * e:
        rows = [*range(e), None, *range(len(a) - e, len(a))]
    else:
        rows = range(len(a))
    slices = ["..." if i is None else _tensor_str(a[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (a.ndim - 1) + " " * (indent + 1)).join(slices) + "]"


def _elements(a: np.ndarray, fmt: tuple[_Formatter, ...]) -> list[str]:
    return [_element_str(v, fmt) for v in a.tolist()]


def _element_str(value: Any, fmt: tuple[_Formatter, ...]) -> str:
    if len(fmt) == 1:
        return fmt[0].format(value)
    real = fmt[0].format(value.real)
    imag = (fmt[1].format(value.imag) + "j").lstrip()
    return real + imag if imag[0] in "+-" else real + "+" + imag


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    parts = [text]
    # NOTE: torch's own arithmetic, 2 more than the last line's length (3 more with no newline).
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t: Any) -> str:
    """``repr(t)`` exactly as torch 2.13 prints a strided tensor (``str(t)`` is the same).

    Example:
        >>> tensor_repr(jtorch.tensor([[1, 2], [3, 4]], dtype=jtorch.int32))
        'tensor([[1, 2],\\n        [3, 4]], dtype=torch.int32)'
    """
    name = type(t).__name__
    # NOTE: torch prints Tensor and Parameter as "tensor(", any other subclass by its own name.
    prefix = "tensor(" if name in ("Tensor", "Parameter") else name + "("
    indent = len(prefix)
    suffixes = []
    if t.device.type != "cpu":
        suffixes.append(f"device='{t.device}'")
    array, dtype, opts = t._array, t.dtype, PRINT_OPTS
    shape = tuple(int(n) for n in array.shape)
    numel = math.prod(shape)
    if numel == 0:
        if len(shape) != 1:
            suffixes.append(f"size={shape}")
        # NOTE: an empty tensor has no values to tell int64 from float, so even int64 is named.
        if dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={dtype!r}")
        body = "[]"
    else:
        if not opts.edgeitems:
            suffixes.append(f"size={shape}")
        defaults = (dtypes.get_default_dtype(), dtypes.default_complex(), dtypes.int64)
        if dtype not in (*defaults, dtypes.bool):
            suffixes.append(f"dtype={dtype!r}")
        summarize = numel > opts.threshold
        a = _corners(array, opts.edgeitems) if summarize and opts.edgeitems else to_numpy(array)
        seen = _summarized(a) if summarize else a.reshape(-1)
        if a.dtype.kind == "c":
            fmt = (_Formatter(seen.real), _Formatter(seen.imag))
        else:
            fmt = (_Formatter(seen),)
        body = _tensor_str(a, indent, summarize, fmt)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
