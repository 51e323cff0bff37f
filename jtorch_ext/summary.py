"""Tensor and module summaries as plain functions (no IPython): what ``%tensor_summary`` prints.

``tensor_stats(x)`` scans a tensor (or NumPy/CuPy array) once into a ``TensorStats`` record, cached
per tensor version so an unchanged tensor is not scanned again; ``summary(obj)`` formats tensors,
containers of tensors and modules as text; ``module_summary(model, input_size=...)`` runs one
forward pass and returns a torchinfo-style ``ModuleSummary`` (output shapes, parameters, MACs of
every op including functional ones, activation memory, and the bytes the autograd graph saves).

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([[0.0, 1.0], [2.0, float("nan")]])
    >>> s = tensor_stats(x)
    >>> s.min, s.max, s.nan, s.zeros
    (0.0, 2.0, 1, 1)
    >>> print(summary(x, name="x"))
    x: tensor[2, 2] float32 cpu n=4 (16 B) x∈[0, 2] μ=1 σ=1 zeros=1 nan=1 +inf=0 -inf=0 ▕█       █       █▏
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

import jtorch
from jtorch._tensor import Tensor
from jtorch.autograd.function import intercepted_apply
from jtorch.backend import get_array_module, to_numpy

__all__ = [
    "TensorStats",
    "tensor_stats",
    "channel_stats",
    "summary",
    "stats_line",
    "histogram_text",
    "sparkline",
    "LayerRow",
    "ModuleSummary",
    "module_summary",
    "is_tensor_like",
    "op_macs",
    "OpTrace",
    "NotSummarizable",
]

HIST_BINS = 17
# NOTE: the sparkline is a picture, so beyond this many values it is drawn from an evenly strided
# sample; min/max/mean/std and the counts are always exact.
SPARK_SAMPLE = 1 << 20
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class TensorStats:
    """The numbers ``%tensor_summary`` shows for one tensor or array.

    ``min``/``max``/``mean``/``std`` are over the finite values (None when there are none); ``std``
    is unbiased as ``Tensor.std()``; complex values are summarised by their magnitude. ``hist``
    counts finite values in equal bins over ``[min, max]``. ``grad`` holds the stats of ``.grad``.
    """

    kind: str
    shape: tuple[int, ...]
    dtype: str
    device: str
    numel: int
    nbytes: int
    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    nan: int
    posinf: int
    neginf: int
    zeros: int
    hist: tuple[int, ...]
    requires_grad: bool = False
    grad_fn: str | None = None
    is_leaf: bool = True
    grad: TensorStats | None = field(default=None, compare=False)

    @property
    def finite(self) -> int:
        """How many values are neither nan nor infinite."""
        return self.numel - self.nan - self.posinf - self.neginf


class NotSummarizable(TypeError):
    """``summary`` was given something that is not a tensor, array, module or container of them."""


def is_tensor_like(obj) -> bool:
    """True for jtorch tensors and NumPy/CuPy arrays (what ``tensor_stats`` accepts)."""
    return isinstance(obj, (Tensor, np.ndarray)) or (
        type(obj).__module__.startswith("cupy") and hasattr(obj, "shape")
    )


# -- the scan -----------------------------------------------------------------------------------
def _hist(a, lo: float, hi: float, bins: int, sample: int | None) -> tuple[int, ...]:
    """Counts of finite values ``a`` in ``bins`` equal bins over [lo, hi] (one bincount)."""
    if a.size == 0:
        return (0,) * bins
    if sample is not None and a.size > sample:
        a = a[:: -(-a.size // sample)]
    a = to_numpy(a)
    if hi <= lo:
        counts = np.zeros(bins, np.int64)
        counts[bins // 2] = a.size
        return tuple(int(c) for c in counts)
    scale = bins / (hi - lo)
    idx = ((a - np.asarray(lo, a.dtype)) * np.asarray(scale, a.dtype)).astype(np.intp)
    np.minimum(idx, bins - 1, out=idx)
    np.maximum(idx, 0, out=idx)  # float rounding at the edges
    return tuple(int(c) for c in np.bincount(idx, minlength=bins))


def _scan(arr, bins: int, sample: int | None) -> dict:
    """One pass over the values: counts, range, mean, std and histogram."""
    xp = get_array_module(arr)
    n = int(arr.size)
    a = arr.reshape(-1)
    if a.dtype.kind == "c":
        a = xp.abs(a)
    elif a.dtype.kind == "b":
        a = a.view(xp.uint8)
    elif a.dtype == xp.float16:
        a = a.astype(xp.float32)  # NumPy's half reductions are slow and overflow
    nan = posinf = neginf = 0
    if a.dtype.kind == "f":
        finite = xp.isfinite(a)
        n_finite = int(xp.count_nonzero(finite))
        if n_finite < n:
            nan = int(xp.count_nonzero(xp.isnan(a)))
            posinf = int(xp.count_nonzero(a == xp.inf))
            neginf = n - n_finite - nan - posinf
            a = a[finite]
    elif a.dtype.kind in "iu":
        a = a.astype(xp.float64)  # NOTE: int sums and squares overflow in their own dtype
    m = int(a.size)
    # NOTE: count_nonzero on floats is 4x slower than on the boolean `a == 0`.
    out = dict(nan=nan, posinf=posinf, neginf=neginf, zeros=int(xp.count_nonzero(a == 0)))
    if m == 0:
        return dict(out, min=None, max=None, mean=None, std=None, hist=(0,) * bins)
    lo, hi = float(a.min()), float(a.max())
    mean = float(a.sum()) / m  # pairwise summation: accurate without a float64 copy
    if m > 1:
        d = a - xp.asarray(mean, a.dtype)
        std = math.sqrt(float(xp.dot(d, d)) / (m - 1))
    else:
        std = math.nan
    return dict(out, min=lo, max=hi, mean=mean, std=std, hist=_hist(a, lo, hi, bins, sample))


# id(tensor) -> (weakref to it, version, id(array), bins, scan results)
_CACHE: dict[int, tuple] = {}


def _scan_cached(t: Tensor, bins: int) -> dict:
    """``_scan`` of a tensor's values, reused while its version counter and array are unchanged.

    NOTE: as in torch, writes through ``t.numpy()`` bypass the version counter; they are the one
    change the cache cannot see.
    """
    key = id(t)
    hit = _CACHE.get(key)
    if (
        hit is not None
        and hit[0]() is t
        and hit[1] == t._version
        and hit[2] == id(t._array)
        and hit[3] == bins
    ):
        return hit[4]
    scan = _scan(t._array, bins, SPARK_SAMPLE)
    # NOTE: the weakref callback drops the entry when the tensor dies, so a new tensor that
    # reuses the id never sees stale numbers (the identity check above guards it as well).
    ref = weakref.ref(t, lambda _, key=key: _CACHE.pop(key, None))
    _CACHE[key] = (ref, t._version, id(t._array), bins, scan)
    return scan


def tensor_stats(x, bins: int = HIST_BINS) -> TensorStats:
    """Statistics of a jtorch tensor or NumPy/CuPy array (and of its ``.grad``).

    Tensors are cached by identity and version counter: an unchanged tensor is not scanned
    again, an in-place op (which bumps the version) makes the next call rescan.

    Args:
        x: a Tensor, Parameter, or NumPy/CuPy array.
        bins: number of histogram bins.

    Returns:
        A ``TensorStats``.

    Example:
        >>> s = tensor_stats(jtorch.tensor([1.0, float("inf"), -2.0]))
        >>> s.min, s.max, s.posinf, s.numel
        (-2.0, 1.0, 1, 3)
    """
    if isinstance(x, Tensor):
        arr = x._array
        grad = tensor_stats(x._grad, bins) if x._grad is not None else None
        kind = "parameter" if type(x).__name__ == "Parameter" else "tensor"
        return TensorStats(
            kind=kind,
            shape=tuple(arr.shape),
            dtype=str(x.dtype).removeprefix("torch."),
            device=str(x.device),
            numel=int(arr.size),
            nbytes=int(arr.nbytes),
            requires_grad=x.requires_grad,
            grad_fn=x.grad_fn.name() if x.grad_fn is not None else None,
            is_leaf=x.grad_fn is None,
            grad=grad,
            **_scan_cached(x, bins),
        )
    if not is_tensor_like(x):
        raise TypeError(f"expected a tensor or an array, got {type(x).__name__}")
    xp = get_array_module(x)
    return TensorStats(
        kind="ndarray" if xp is np else "cupy",
        shape=tuple(x.shape),
        dtype=str(x.dtype),
        device="cpu" if xp is np else f"cuda:{x.device.id}",
        numel=int(x.size),
        nbytes=int(x.nbytes),
        **_scan(x, bins, SPARK_SAMPLE),
    )


def channel_stats(x, dim: int) -> dict[str, np.ndarray]:
    """Per-channel min, max, mean, std (unbiased), zeros and nan counts along ``dim``.

    Example:
        >>> c = channel_stats(jtorch.tensor([[1.0, 3.0], [0.0, 0.0]]), dim=0)
        >>> c["mean"].tolist(), c["zeros"].tolist()
        ([2.0, 0.0], [0, 2])
    """
    arr = to_numpy(x._array if isinstance(x, Tensor) else x)
    if arr.ndim == 0:
        raise ValueError("per-channel stats need a tensor with at least one dimension")
    if not -arr.ndim <= dim < arr.ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-arr.ndim}, {arr.ndim - 1}], "
            f"but got {dim})"
        )
    a = np.moveaxis(arr, dim, 0).reshape(arr.shape[dim], -1)
    if a.dtype.kind == "c":
        a = np.abs(a)
    a = a.astype(np.float64)
    finite = np.isfinite(a)
    count = finite.sum(1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(finite, a, 0).sum(1) / count
        dev = np.where(finite, a - mean[:, None], 0)
        std = np.sqrt((dev * dev).sum(1) / (count - 1))
    return {
        "min": np.where(finite, a, np.inf).min(1, initial=np.inf),
        "max": np.where(finite, a, -np.inf).max(1, initial=-np.inf),
        "mean": mean,
        "std": std,
        "zeros": (a == 0).sum(1),
        "nan": np.isnan(a).sum(1),
    }


# -- formatting ---------------------------------------------------------------------------------
def _num(v: float | None) -> str:
    if v is None:
        return "-"
    if math.isnan(v):
        return "nan"
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.4g}"


def _bytes(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError  # unreachable


def sparkline(counts: Sequence[int]) -> str:
    """A one-line bar chart of ``counts`` between ``▕ ▏``: empty bins are blank, any other shows
    at least the lowest bar.

    Example:
        >>> sparkline([0, 1, 4, 8])
        '▕ ▁▄█▏'
    """
    top = max(counts, default=0)
    if top == 0:
        return ""
    return "▕" + "".join(_BARS[math.ceil(c * 8 / top) - 1] if c else " " for c in counts) + "▏"


def stats_line(s: TensorStats, name: str = "") -> str:
    """One line: shape, dtype, device, size, range, mean/std, counts, autograd state, sparkline.

    Example:
        >>> stats_line(tensor_stats(jtorch.ones(2, requires_grad=True)))
        'tensor[2] float32 cpu n=2 (8 B) x∈[1, 1] μ=1 σ=0 zeros=0 nan=0 +inf=0 -inf=0 requires_grad grad=None'
    """
    head = f"{name}: " if name else ""
    parts = [
        f"{head}{s.kind}[{', '.join(map(str, s.shape))}]",
        s.dtype,
        s.device,
        f"n={s.numel}",
        f"({_bytes(s.nbytes)})",
    ]
    if s.min is not None:
        x = "|x|" if s.dtype.startswith("complex") else "x"  # complex: stats of the magnitude
        parts += [f"{x}∈[{_num(s.min)}, {_num(s.max)}]", f"μ={_num(s.mean)}", f"σ={_num(s.std)}"]
    parts += [f"zeros={s.zeros}", f"nan={s.nan}", f"+inf={s.posinf}", f"-inf={s.neginf}"]
    if s.grad_fn:
        parts.append(f"grad_fn={s.grad_fn}")
    elif s.requires_grad:
        parts.append("requires_grad")
    if s.requires_grad and s.is_leaf and s.grad is None:
        parts.append("grad=None")
    if s.min is not None and s.max > s.min:
        parts.append(sparkline(s.hist))
    line = " ".join(parts)
    if s.grad is not None:
        g = s.grad
        norm = (
            math.sqrt((g.std**2) * (g.finite - 1) + g.mean**2 * g.finite) if g.finite > 1 else 0.0
        )
        line += (
            f"\n  grad: x∈[{_num(g.min)}, {_num(g.max)}] μ={_num(g.mean)} σ={_num(g.std)} "
            f"‖g‖={_num(norm)} zeros={g.zeros} nan={g.nan} +inf={g.posinf} -inf={g.neginf} "
            f"{sparkline(g.hist)}"
        ).rstrip()
    return line


def histogram_text(x, bins: int = 20, width: int = 40) -> str:
    """A multi-line histogram of every finite value of ``x``: bin range, bar and count per bin.

    Example:
        >>> print(histogram_text(jtorch.tensor([0.0, 0.0, 1.0]), bins=2, width=4))
        [0, 0.5)  ████ 2
        [0.5, 1]  ██   1
    """
    s = tensor_stats(x)
    if s.min is None:
        return "(no finite values)"
    arr = x._array if isinstance(x, Tensor) else x
    a = arr.reshape(-1)
    if a.dtype.kind == "c":
        a = abs(a)
    a = to_numpy(a).astype(np.float64)
    counts = _hist(a[np.isfinite(a)], s.min, s.max, bins, None)
    edges = np.linspace(s.min, s.max, bins + 1)
    labels = [
        f"[{_num(float(edges[i]))}, {_num(float(edges[i + 1]))}{']' if i == bins - 1 else ')'}"
        for i in range(bins)
    ]
    pad = max(map(len, labels))
    top = max(counts) or 1
    rows = []
    for label, c in zip(labels, counts):
        eighths = round(c * width * 8 / top)
        bar = "█" * (eighths // 8) + (" ▏▎▍▌▋▊▉"[eighths % 8] if eighths % 8 else "")
        rows.append(f"{label:<{pad}}  {bar:<{width}} {c}")
    return "\n".join(rows)


def _channel_text(x, dim: int, limit: int = 32) -> str:
    c = channel_stats(x, dim)
    n = len(c["min"])
    head = f"{'dim ' + str(dim):>8} {'min':>10} {'max':>10} {'mean':>10} {'std':>10} {'zeros':>7} {'nan':>6}"
    rows = [head]
    for i in range(min(n, limit)):
        rows.append(
            f"{i:>8} {_num(float(c['min'][i])):>10} {_num(float(c['max'][i])):>10} "
            f"{_num(float(c['mean'][i])):>10} {_num(float(c['std'][i])):>10} "
            f"{int(c['zeros'][i]):>7} {int(c['nan'][i]):>6}"
        )
    if n > limit:
        rows.append(f"... {n - limit} more channels")
    return "\n".join(rows)


def _leaves(obj, name: str) -> list[tuple[str, object]]:
    """(name, value) for each tensor/module in a nested list/tuple/dict, depth first; iterative."""
    out, stack = [], [(name, obj)]
    while stack:
        key, value = stack.pop()
        if isinstance(value, Mapping):
            stack.extend((f"{key}[{k!r}]", v) for k, v in reversed(list(value.items())))
        elif isinstance(value, (list, tuple)) and not is_tensor_like(value):
            stack.extend((f"{key}[{i}]", v) for i, v in reversed(list(enumerate(value))))
        else:
            out.append((key, value))
    return out


def summary(
    obj,
    name: str = "",
    *,
    hist: bool = False,
    bins: int = 20,
    dim: int | None = None,
    input_size: Sequence | None = None,
    input=None,
    depth: int = 3,
) -> str:
    """Text summary of a tensor, array, module, or a (nested) list/tuple/dict of them.

    Args:
        obj: what to summarise.
        name: shown before each line (``x``, ``x[0]``, ``x['w']``).
        hist: add a full histogram under each tensor.
        bins: number of bins of that histogram.
        dim: add per-channel stats along this dim.
        input_size: for a module: the shape of a random example input (or a list of shapes).
        input: for a module: an example input tensor (or a tuple of them).
        depth: for a module: deepest layer shown.

    Returns:
        The summary text.

    Example:
        >>> print(summary({"a": jtorch.zeros(2)}, name="d"))
        d['a']: tensor[2] float32 cpu n=2 (8 B) x∈[0, 0] μ=0 σ=0 zeros=2 nan=0 +inf=0 -inf=0
    """
    blocks = []
    for key, value in _leaves(obj, name):
        if _is_module(value):
            blocks.append(
                str(module_summary(value, input_size=input_size, input=input, depth=depth))
            )
            continue
        if not is_tensor_like(value):
            what = f"{key}: " if key else ""
            raise NotSummarizable(
                f"{what}expected a tensor, array, module, or a list/dict of them, "
                f"got {type(value).__name__}"
            )
        text = stats_line(tensor_stats(value), key)
        if hist:
            text += "\n" + histogram_text(value, bins=bins)
        if dim is not None:
            text += "\n" + _channel_text(value, dim)
        blocks.append(text)
    return "\n".join(blocks)


# -- modules ------------------------------------------------------------------------------------
def _is_module(obj) -> bool:
    """An nn.Module instance (duck-typed; a Module class is not one)."""
    return (
        not isinstance(obj, type)
        and hasattr(obj, "named_modules")
        and hasattr(obj, "register_forward_hook")
    )


@dataclass
class LayerRow:
    """One module of a ``ModuleSummary``; numbers include the module's submodules."""

    name: str
    kind: str
    depth: int
    output_shape: list | None = None
    params: int = 0
    trainable: int = 0
    macs: int = 0
    activation_bytes: int = 0
    saved_bytes: int = 0
    calls: int = 0


@dataclass
class ModuleSummary:
    """torchinfo-style table of a module: one row per layer in tree order, and totals."""

    rows: list[LayerRow]
    total_params: int
    trainable_params: int
    param_bytes: int
    total_macs: int
    input_bytes: int
    activation_bytes: int
    saved_bytes: int
    depth: int = 3

    def __str__(self) -> str:
        shown = [r for r in self.rows if r.depth <= self.depth]
        labels = [("  " * r.depth + (r.name.rsplit(".", 1)[-1] or "")).rstrip() for r in shown]
        labels = [
            f"{label}: {r.kind}" if label.strip() else r.kind for label, r in zip(labels, shown)
        ]
        pad = max([len("Layer (type)")] + [len(s) for s in labels])
        head = (
            f"{'Layer (type)':<{pad}}  {'Output Shape':<20} {'Param #':>11} {'Trainable':>11} "
            f"{'MACs':>13} {'Act. mem':>10} {'Saved':>10}"
        )
        rule = "=" * len(head)
        lines = [rule, head, rule]
        for label, r in zip(labels, shown):
            shape = "--" if r.output_shape is None else str(r.output_shape)
            lines.append(
                f"{label:<{pad}}  {shape:<20} {r.params:>11,} {r.trainable:>11,} {r.macs:>13,} "
                f"{_bytes(r.activation_bytes) if r.calls else '--':>10} "
                f"{_bytes(r.saved_bytes) if r.calls else '--':>10}"
            )
        lines += [
            rule,
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            f"Total mult-adds (MACs): {self.total_macs:,}",
            rule,
            f"Input size: {_bytes(self.input_bytes)}",
            f"Forward pass activations: {_bytes(self.activation_bytes)}",
            f"Saved for backward (autograd graph): {_bytes(self.saved_bytes)}",
            f"Params size: {_bytes(self.param_bytes)}",
            rule,
        ]
        return "\n".join(lines)


def _flat_tensors(out) -> list[Tensor]:
    found, stack = [], [out]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            found.append(x)
        elif isinstance(x, (tuple, list)):
            stack.extend(reversed(x))
        elif isinstance(x, Mapping):
            stack.extend(reversed(list(x.values())))
    return found


def _prod(shape) -> int:
    return math.prod(int(s) for s in shape)


_PRODUCTS = {"Mm", "Bmm", "Mv", "Dot", "Vdot"}
_ADD_PRODUCTS = {"Addmm", "Addmv", "Baddbmm"}


def op_macs(cls: type, args: tuple, attrs: dict, out) -> int:
    """Multiply-accumulates of one recorded op (matrix products and convolutions; 0 otherwise).

    Example:
        >>> from jtorch.ops.matmul import Mm
        >>> a, b = jtorch.ones(2, 3), jtorch.ones(3, 4)
        >>> op_macs(Mm, (a, b), {}, a @ b)
        24
    """
    name = cls.__name__
    first = out[0] if isinstance(out, tuple) else out
    if name in _PRODUCTS:
        return first.numel() * int(args[0].shape[-1])
    if name in _ADD_PRODUCTS:
        return first.numel() * int(args[1].shape[-1])
    if name == "Addbmm":
        return _prod(args[1].shape) * int(args[2].shape[-1])
    if name == "Convolution":
        x, w = args[0], args[1]
        big = x if attrs.get("transposed") else first
        return big.numel() // int(big.shape[1]) * _prod(w.shape)
    return 0


def _saved_arrays(node) -> list:
    """The arrays a graph node holds for backward: saved inputs/outputs and array attributes."""
    arrays = []
    for entry in node._saved or ():
        obj = entry[0]
        arrays.append(obj._array if isinstance(obj, Tensor) else obj)
    for value in getattr(node, "__dict__", {}).values():
        if isinstance(value, Tensor):
            arrays.append(value._array)
        elif hasattr(value, "nbytes") and hasattr(value, "shape"):
            arrays.append(value)
    return [a for a in arrays if hasattr(a, "nbytes")]


def _owner(a):
    # NOTE: NumPy collapses view chains, so .base is the array that owns the memory.
    return id(a.base if getattr(a, "base", None) is not None else a)


class OpTrace:
    """Context manager: while active, reports every op run inside ``model``'s forward.

    ``on_op(path, cls, args, attrs, out, node)`` gets the qualified name of the innermost running
    module, the op's Function class, its inputs, attributes, outputs and graph node (None when
    nothing was recorded); ``on_module(path, output)`` runs after each module's forward. On exit
    every hook is removed and ``Function.apply`` is restored, also after an error.

    Example:
        >>> import jtorch.nn as nn
        >>> seen = []
        >>> model = nn.Sequential(nn.Linear(2, 2))
        >>> with OpTrace(model, lambda path, cls, *_: seen.append((path, cls.__name__))):
        ...     _ = model(jtorch.ones(1, 2))
        >>> seen
        [('0', 'T'), ('0', 'Addmm')]
    """

    def __init__(self, model, on_op=None, on_module=None) -> None:
        self._model, self._on_op, self._on_module = model, on_op, on_module
        self._names = {id(m): name for name, m in model.named_modules()}
        self._stack: list[str] = []
        self._handles: list = []
        self._patch = None

    def _push(self, module, args) -> None:
        self._stack.append(self._names[id(module)])

    def _pop(self, module, args, output) -> None:
        name = self._stack.pop()
        if self._on_module is not None:
            self._on_module(name, output)

    def __enter__(self) -> OpTrace:
        for m in self._model.modules():
            self._handles.append(m.register_forward_pre_hook(self._push))
            self._handles.append(m.register_forward_hook(self._pop, always_call=True))
        stack, on_op = self._stack, self._on_op

        def reporting(forward):
            def apply(cls, *args, **attrs):
                out = forward(cls, *args, **attrs)
                if stack and on_op is not None:
                    first = out[0] if type(out) is tuple else out
                    node = first.grad_fn if isinstance(first, Tensor) else None
                    if getattr(type(node), "fn", None) is not cls:
                        node = None  # not recorded (no grad), or an output passed through
                    on_op(stack[-1], cls, args, attrs, out, node)
                return out

            return apply

        self._patch = intercepted_apply(reporting)
        self._patch.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._patch.__exit__(*exc)
        for h in self._handles:
            h.remove()
        self._handles.clear()
        self._stack.clear()


def module_summary(
    model, input_size: Sequence | None = None, input=None, depth: int = 3
) -> ModuleSummary:
    """Run one forward pass of ``model`` and tabulate each layer, torchinfo style.

    MACs are counted per op as it runs (every op, module or functional, goes through
    ``Function.apply``) and charged to the innermost running module; "Saved" is the memory the
    autograd graph keeps for backward (parameters excluded). The pass runs in eval mode (running
    statistics are not updated) and the model's train/eval flags are restored afterwards.
    Without ``input_size`` or ``input`` only parameters are counted.

    Args:
        model: an ``nn.Module``.
        input_size: shape of a random example input, or a list of shapes for several inputs.
        input: example input tensor, or a tuple of them.
        depth: deepest layer shown by ``str()``.

    Returns:
        A ``ModuleSummary``.

    Example:
        >>> import jtorch.nn as nn
        >>> s = module_summary(nn.Sequential(nn.Linear(4, 3), nn.ReLU()), input_size=(2, 4))
        >>> s.total_params, s.total_macs, s.rows[1].output_shape
        (15, 24, [2, 3])
    """
    names = {}
    rows: dict[str, LayerRow] = {}
    for name, m in model.named_modules():
        names[id(m)] = name
        own = list(m.parameters())
        rows[name] = LayerRow(
            name=name,
            kind=type(m).__name__,
            depth=0 if not name else name.count(".") + 1,
            params=sum(p.numel() for p in own),
            trainable=sum(p.numel() for p in own if p.requires_grad),
        )
    params = list(model.parameters())
    param_owners = {_owner(p._array) for p in params}
    total = sum(p.numel() for p in params)
    summary = ModuleSummary(
        rows=list(rows.values()),
        total_params=total,
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        param_bytes=sum(p._array.nbytes for p in params),
        total_macs=0,
        input_bytes=0,
        activation_bytes=0,
        saved_bytes=0,
        depth=depth,
    )
    if input is None and input_size is None:
        return summary
    if input is None:
        sizes = input_size
        several = len(sizes) > 0 and isinstance(sizes[0], (list, tuple))
        inputs = tuple(jtorch.randn(*s) for s in (sizes if several else [sizes]))
    else:
        inputs = input if isinstance(input, tuple) else (input,)
    summary.input_bytes = sum(t._array.nbytes for t in _flat_tensors(inputs))

    macs: dict[str, int] = {}
    saved: dict[str, int] = {}
    seen_saved = set(param_owners)

    def on_module(name: str, output) -> None:
        row = rows[name]
        row.calls += 1
        outs = _flat_tensors(output)
        row.output_shape = list(outs[0].shape) if len(outs) == 1 else [list(t.shape) for t in outs]
        row.activation_bytes += sum(t._array.nbytes for t in outs)

    def on_op(name: str, cls: type, args: tuple, attrs: dict, out, node) -> None:
        macs[name] = macs.get(name, 0) + op_macs(cls, args, attrs, out)
        if node is not None:
            fresh = 0
            for a in _saved_arrays(node):
                key = _owner(a)
                if key not in seen_saved:
                    seen_saved.add(key)
                    fresh += a.nbytes
            saved[name] = saved.get(name, 0) + fresh

    modes = [(m, m.training) for m in model.modules()]
    try:
        model.eval()
        with jtorch.enable_grad(), OpTrace(model, on_op, on_module):
            model(*inputs)
    finally:
        for m, mode in modes:
            m.training = mode
    for name, value in macs.items():
        for anc in _ancestors(name):
            rows[anc].macs += value
    for name, value in saved.items():
        for anc in _ancestors(name):
            rows[anc].saved_bytes += value
    leaves = [r for r in rows.values() if r.calls and not _has_called_child(r.name, rows)]
    summary.total_macs = rows[""].macs
    summary.saved_bytes = rows[""].saved_bytes
    summary.activation_bytes = sum(r.activation_bytes for r in leaves)
    return summary


def _ancestors(name: str) -> list[str]:
    if not name:
        return [""]
    parts = name.split(".")
    return [""] + [".".join(parts[: i + 1]) for i in range(len(parts))]


def _has_called_child(name: str, rows: dict[str, LayerRow]) -> bool:
    prefix = f"{name}." if name else ""
    return any(k.startswith(prefix) and k != name and r.calls for k, r in rows.items())
