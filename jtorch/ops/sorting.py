"""Sorting and order statistics: sort, topk, median, mode, unique, histograms, searchsorted.

Order follows torch: NaN sorts as the largest value; sorts are stable, so equal values keep
their order (descending ones too). Ops that return ``(values, indices)`` differentiate through the
indices with reduce's ``MaxDim`` (the node is only renamed here).

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([3.0, 1.0, 2.0], requires_grad=True)
    >>> x.sort()
    torch.return_types.sort(
    values=tensor([1., 2., 3.], grad_fn=<SortBackward0>),
    indices=tensor([1, 2, 0]))
"""

from __future__ import annotations

from jtorch import return_types
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._broadcast import to_operand
from jtorch.ops._inplace import with_out
from jtorch.ops.reduce import Amax, MaxDim, _check_nonempty, select_along

__all__ = [
    "sort",
    "argsort",
    "msort",
    "topk",
    "kthvalue",
    "median",
    "nanmedian",
    "mode",
    "unique",
    "unique_consecutive",
    "histc",
    "histogram",
    "bincount",
    "searchsorted",
    "bucketize",
]


class Sort(MaxDim):
    node_name = "SortBackward0"


class Topk(MaxDim):
    pass


class Kthvalue(MaxDim):
    pass


class MedianDim(MaxDim):
    node_name = "MedianBackward1"


class NanmedianDim(MaxDim):
    node_name = "NanmedianBackward1"


class Mode(MaxDim):
    pass


class Median(Amax):
    """``median()`` of all elements: the gradient is shared among equal elements, as torch."""


class Nanmedian(Amax):
    pass


def _flat(a):
    """``a`` with at least one dim (torch treats a 0-d tensor's dim 0 as a dim of size 1)."""
    return a.reshape(a.shape or (1,))


def sorted_index(a, dim: int, descending: bool = False):
    """Stable argsort along ``dim`` in torch's order (NaN largest)."""
    xp = xp_of(a)
    if not descending:
        return xp.argsort(a, axis=dim, kind="stable")
    # NOTE: ascending-stable on the reversed input, reversed back: equal values keep their
    # original order and NaN comes first, which argsort(-a) gets wrong on both counts.
    rev = xp.flip(xp.argsort(xp.flip(a, dim), axis=dim, kind="stable"), dim)
    return (a.shape[dim] - 1) - rev


def _first(index, dim: int, k: int):
    return index[(slice(None),) * dim + (slice(0, k),)]


@with_out
def sort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """Values sorted along ``dim`` with their original indices (always stable here).

    Example:
        >>> jtorch.tensor([[3.0, 1.0, 2.0]]).sort(descending=True).indices
        tensor([[0, 2, 1]])
    """
    a = _flat(input._array)
    d = _wrap_dim(dim, input.ndim)
    index = sorted_index(a, d, descending)
    return return_types.sort(*select_along(Sort, input, index, d, True))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *, stable: bool = False):
    """Indices that sort ``input`` along ``dim``.

    Example:
        >>> jtorch.tensor([3.0, 1.0, 2.0]).argsort()
        tensor([1, 2, 0])
    """
    index = sorted_index(_flat(input._array), _wrap_dim(dim, input.ndim), descending)
    return Tensor._make(index.reshape(input._array.shape))


def msort(input: Tensor) -> Tensor:
    """``input`` sorted along its first dim.

    Example:
        >>> jtorch.tensor([[2.0, 1.0], [0.0, 3.0]]).msort()
        tensor([[0., 1.],
                [2., 3.]])
    """
    return sort(input, 0).values


@with_out
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):
    """The ``k`` largest (``largest=False``: smallest) values along ``dim``, with indices.

    Example:
        >>> jtorch.tensor([3.0, 1.0, 2.0, 5.0]).topk(2)
        torch.return_types.topk(
        values=tensor([5., 3.]),
        indices=tensor([3, 0]))
    """
    a = _flat(input._array)
    d = _wrap_dim(dim, input.ndim)
    if not 0 <= k <= a.shape[d]:
        raise RuntimeError("selected index k out of range")
    return return_types.topk(*select_along(Topk, input, _topk_index(a, k, d, largest), d, True))


def _topk_index(a, k: int, dim: int, largest: bool):
    """Indices of the ``k`` largest (smallest) along ``dim``, in sorted order."""
    n = a.shape[dim]
    if k == 0 or 4 * k >= n:
        return _first(sorted_index(a, dim, largest), dim, k)
    # NOTE: select in O(n) with argpartition (NaN lands with the largest, as in torch's order),
    # then sort only the k chosen ones; they are put back in index order first so that equal
    # values come out in index order as in the full sort.
    xp = xp_of(a)
    part = xp.argpartition(a, n - k if largest else k - 1, axis=dim)
    chosen = part[(slice(None),) * dim + (slice(n - k, n) if largest else slice(0, k),)]
    chosen = xp.sort(chosen, axis=dim)
    order = sorted_index(xp.take_along_axis(a, chosen, dim), dim, largest)
    return xp.take_along_axis(chosen, order, dim)


@with_out
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):
    """The ``k``-th smallest value along ``dim`` (1-based), with its index.

    Example:
        >>> jtorch.tensor([3.0, 1.0, 2.0, 5.0]).kthvalue(2)
        torch.return_types.kthvalue(
        values=tensor(2.),
        indices=tensor(2))
    """
    a = _flat(input._array)
    d = _wrap_dim(dim, input.ndim)
    if input.ndim:
        _check_nonempty("kthvalue", input, (d,))
    if not 1 <= k <= a.shape[d]:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    index = sorted_index(a, d)[(slice(None),) * d + (slice(k - 1, k),)]
    return return_types.kthvalue(*select_along(Kthvalue, input, index, d, keepdim))


def _median(name: str, input: Tensor, dim, keepdim: bool, skip_nan: bool):
    if input._array.dtype == bool:
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")
    a = input._array
    xp = xp_of(a)
    if dim is None:
        flat = a.reshape(-1)
        index = sorted_index(flat, 0)
        nans = int(xp.isnan(flat).sum()) if a.dtype.kind == "f" else 0
        n = flat.size - nans if skip_nan else flat.size
        if n == 0 or (nans and not skip_nan):
            value = xp.full((1,) * a.ndim, xp.nan, a.dtype)
        else:
            value = flat[index[(n - 1) // 2]].reshape((1,) * a.ndim)
        fn = Nanmedian if skip_nan else Median
        return fn.apply(input, value=value, dims=None, keepdim=False)
    d = _wrap_dim(dim, a.ndim)
    if a.ndim:
        _check_nonempty(name, input, (d,))
    a = _flat(a)
    index = sorted_index(a, d)
    n = a.shape[d]
    nans = xp.isnan(a).sum(axis=d, keepdims=True) if a.dtype.kind == "f" else xp.zeros(1, int)
    if skip_nan:
        pos = xp.maximum(n - nans - 1, 0) // 2
    else:  # a NaN anywhere is the median; torch reports the first NaN
        pos = xp.where(nans > 0, n - nans, (n - 1) // 2)
    pos = xp.broadcast_to(pos, index.shape[:d] + (1,) + index.shape[d + 1 :])
    index = xp.take_along_axis(index, pos, d)
    fn = NanmedianDim if skip_nan else MedianDim
    return getattr(return_types, name)(*select_along(fn, input, index, d, keepdim))


@with_out
def median(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """Lower median of all elements, or ``(values, indices)`` along ``dim``; NaN propagates.

    Example:
        >>> x = jtorch.tensor([[1.0, 4.0, 2.0, 3.0]])
        >>> x.median(), x.median(1).indices
        (tensor(2.), tensor([2]))
    """
    return _median("median", input, dim, keepdim, skip_nan=False)


@with_out
def nanmedian(input: Tensor, dim: int | None = None, keepdim: bool = False):
    """Lower median ignoring NaN (NaN only where a slice is all NaN).

    Example:
        >>> jtorch.tensor([1.0, float("nan"), 3.0, 2.0]).nanmedian()
        tensor(2.)
    """
    return _median("nanmedian", input, dim, keepdim, skip_nan=True)


@with_out
def mode(input: Tensor, dim: int = -1, keepdim: bool = False):
    """Most frequent value along ``dim`` (the smallest on a tie) and its last index.

    Example:
        >>> jtorch.tensor([1.0, 3.0, 3.0, 1.0, 2.0]).mode()
        torch.return_types.mode(
        values=tensor(1.),
        indices=tensor(3))
    """
    d = _wrap_dim(dim, input.ndim)
    if input.ndim:
        _check_nonempty("mode", input, (d,))
    a = _flat(input._array)
    xp = xp_of(a)
    order = xp.moveaxis(sorted_index(a, d), d, -1)
    values = xp.take_along_axis(xp.moveaxis(a, d, -1), order, -1)
    # NOTE: run lengths in sorted order, all rows at once: a position's length is its distance
    # to the start of its run + 1; the first maximum ends the longest run of the smallest value,
    # whose last element (stable sort) has the largest original index, as torch reports.
    n = values.shape[-1]
    pos = xp.arange(n)
    new_run = xp.ones(values.shape, bool)
    new_run[..., 1:] = values[..., 1:] != values[..., :-1]
    start = xp.maximum.accumulate(xp.where(new_run, pos, 0), axis=-1)
    best = (pos - start).argmax(axis=-1)[..., None] if n else xp.zeros(values.shape, int)
    index = xp.moveaxis(xp.take_along_axis(order, best, -1), -1, d)
    return return_types.mode(*select_along(Mode, input, index, d, keepdim))


class Unique2(Function):
    """Outputs computed without a derivative: backward raises torch's NotImplementedError."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, *inputs, results, what):
        ctx.what = what
        return results

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError(f"the derivative for '{ctx.what}' is not implemented.")


class UniqueDim(Unique2):
    pass


class UniqueConsecutive(Unique2):
    pass


class NoDerivative(Unique2):
    node_name = "NotImplemented"
    differentiable_outputs = None

    @staticmethod
    def backward(ctx, *grads):
        raise RuntimeError(f"derivative for aten::{ctx.what} is not implemented")


def _no_derivative(fn: type[Unique2], inputs: tuple, results: tuple, what: str, single: bool):
    """Wrap ``results`` (arrays) so inputs that require grad give them torch's grad_fn."""
    out = fn.apply(*inputs, results=results, what=what)
    return out[0] if single else out


def _unique_result(fn, input, output, inverse, counts, return_inverse, return_counts, what):
    results = (
        (output,) + ((inverse,) if return_inverse else ()) + ((counts,) if return_counts else ())
    )
    return _no_derivative(fn, (input,), results, what, single=len(results) == 1)


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
):
    """The distinct values (sorted), optionally with the inverse mapping and the counts.

    Example:
        >>> jtorch.tensor([3, 1, 2, 1]).unique(return_counts=True)
        (tensor([1, 2, 3]), tensor([2, 1, 1]))
    """
    a = input._array
    xp = xp_of(a)
    axis = None if dim is None else _wrap_dim(dim, a.ndim)
    output, inverse, counts = xp.unique(a, return_inverse=True, return_counts=True, axis=axis)
    inverse = inverse.reshape(a.shape if axis is None else (a.shape[axis],))
    fn, what = (Unique2, "_unique2") if axis is None else (UniqueDim, "unique_dim")
    return _unique_result(fn, input, output, inverse, counts, return_inverse, return_counts, what)


def unique_consecutive(
    input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
):
    """Collapse runs of equal consecutive values (or slices along ``dim``) to one.

    Example:
        >>> jtorch.tensor([1, 1, 2, 2, 3, 1]).unique_consecutive()
        tensor([1, 2, 3, 1])
    """
    a = input._array
    xp = xp_of(a)
    if dim is None:
        rows = a.reshape(-1, 1)
    else:
        dim = _wrap_dim(dim, a.ndim)
        rows = xp.moveaxis(a, dim, 0).reshape(a.shape[dim], -1)
    keep = xp.ones(rows.shape[0], bool)
    keep[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    output = a.reshape(-1)[keep] if dim is None else xp.compress(keep, a, axis=dim)
    inverse = xp.cumsum(keep) - 1
    inverse = inverse.reshape(a.shape) if dim is None else inverse
    starts = xp.flatnonzero(keep)
    counts = xp.diff(xp.append(starts, rows.shape[0]))
    fn, what = UniqueConsecutive, "unique_consecutive"
    return _unique_result(fn, input, output, inverse, counts, return_inverse, return_counts, what)


# -- histograms ------------------------------------------------------------------------------
def _bin_counts(a, edges, weight):
    """Counts (or weight sums) of ``a`` in the bins ``edges``; the last bin is closed."""
    xp = xp_of(a)
    bins = edges.shape[0] - 1
    a = a.reshape(-1)
    inside = (a >= edges[0]) & (a <= edges[-1])
    pos = xp.clip(xp.searchsorted(edges, a[inside], side="right") - 1, 0, bins - 1)
    w = None if weight is None else weight.reshape(-1)[inside]
    return xp.bincount(pos, weights=w, minlength=bins)[:bins]


def _linear_edges(xp, lo, hi, bins: int, dtype):
    return xp.linspace(lo, hi, bins + 1).astype(dtype)


def _check_float(name: str, input: Tensor) -> None:
    if input._array.dtype.kind != "f":
        raise NotImplementedError(f"\"{name}\" not implemented for '{input.dtype.scalar_name}'")


@with_out
def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:
    """Counts in ``bins`` equal bins over ``[min, max]`` (the data range when both are 0).

    Example:
        >>> jtorch.tensor([1.0, 2.0, 1.0, 3.0]).histc(4, min=0, max=3)
        tensor([0., 2., 1., 1.])
    """
    _check_float("histogram_cpu", input)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    a = input._array
    xp = xp_of(a)
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(a.min()), float(a.max())
    if lo == hi:  # torch widens an empty range
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    edges = _linear_edges(xp, lo, hi, bins, a.dtype)
    return Tensor._make(_bin_counts(a, edges, None).astype(a.dtype))


def histogram(input: Tensor, bins=100, *, range=None, weight=None, density: bool = False):
    """``(hist, bin_edges)``: counts (or ``weight`` sums, or a ``density``) per bin.

    ``bins`` is a count (equal bins over ``range`` or the data range) or a tensor of edges.

    Example:
        >>> jtorch.histogram(jtorch.tensor([1.0, 2.0, 1.0, 3.0]), bins=2)
        torch.return_types.histogram(
        hist=tensor([2., 2.]),
        bin_edges=tensor([1., 2., 3.]))
    """
    _check_float("histogramdd", input)
    a = input._array
    xp = xp_of(a)
    if isinstance(bins, Tensor):
        edges = bins._array.astype(a.dtype, copy=False)
    else:
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        else:
            lo, hi = (float(a.min()), float(a.max())) if a.size else (0.0, 0.0)
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        edges = _linear_edges(xp, lo, hi, bins, a.dtype)
    w = None if weight is None else weight._array
    hist = _bin_counts(a, edges, w).astype(a.dtype)
    if density:
        hist = hist / (hist.sum() * xp.diff(edges))
    hist = hist.astype(a.dtype, copy=False)
    hist, edges = _no_derivative(NoDerivative, (input, weight), (hist, edges), "histogram", False)
    return return_types.histogram(hist, edges)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """Occurrences of each non-negative integer (or the sum of their ``weights``).

    Example:
        >>> jtorch.tensor([1, 2, 1, 5]).bincount()
        tensor([0, 2, 1, 0, 0, 1])
    """
    a = input._array
    xp = xp_of(a)
    if a.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{input.dtype.scalar_name}'"
        )
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is None:
        return Tensor._make(xp.bincount(a, minlength=minlength).astype(xp.int64, copy=False))
    w = weights._array
    out = xp.bincount(a, weights=w, minlength=minlength)
    out = out.astype(w.dtype if w.dtype == xp.float32 else xp.float64, copy=False)
    return _no_derivative(NoDerivative, (weights,), (out,), "bincount", True)


# -- binary search ---------------------------------------------------------------------------
def _search(seq, values, side: str, out_int32: bool):
    """``searchsorted`` along the last dim, batched over the leading dims of ``seq``."""
    xp = xp_of(seq)
    if seq.ndim == 1:
        out = xp.searchsorted(seq, values, side=side)
    else:
        rows, vals = seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1])
        # NOTE: one vectorised search per row of boundaries (rows, not elements, are looped).
        out = xp.stack([xp.searchsorted(r, v, side=side) for r, v in zip(rows, vals)])
        out = out.reshape(values.shape)
    return xp.asarray(out, dtype=xp.int32 if out_int32 else xp.int64)


def _values_array(values, like):
    if isinstance(values, Tensor):
        return values._array
    return xp_of(like).asarray(to_operand(values))


def searchsorted(
    sorted_sequence: Tensor,
    input,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Insertion indices of ``input`` into the innermost dim of ``sorted_sequence``.

    Example:
        >>> jtorch.searchsorted(jtorch.tensor([1.0, 3.0, 5.0, 7.0]), jtorch.tensor([3.0, 6.0]))
        tensor([1, 3])
    """
    seq = sorted_sequence._array
    values = _values_array(input, seq)
    if side is not None:
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left "
                "while right was True"
            )
        right = side == "right"
    if seq.ndim > 1 and (values.ndim != seq.ndim or values.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(values.shape)}"
        )
    if sorter is not None:
        seq = xp_of(seq).take_along_axis(seq, sorter._array, -1)
    return Tensor._make(_search(seq, values, "right" if right else "left", out_int32))


def bucketize(input, boundaries: Tensor, *, out_int32: bool = False, right: bool = False):
    """Index of the bucket of each element of ``input`` among the 1-d ``boundaries``.

    Example:
        >>> jtorch.bucketize(jtorch.tensor([3.0, 6.0, 9.0]), jtorch.tensor([1.0, 3.0, 5.0, 7.0]))
        tensor([1, 3, 4])
    """
    seq = boundaries._array
    if seq.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({seq.ndim})")
    values = _values_array(input, seq)
    return Tensor._make(_search(seq, values, "right" if right else "left", out_int32))
