"""``torch.testing``: ``assert_close`` (torch's rules, tolerances and messages), the deprecated
``assert_allclose``, and ``make_tensor``.

Example:
    >>> import jtorch
    >>> jtorch.testing.assert_close(jtorch.tensor([1.0, 2.0]), jtorch.tensor([1.0, 2.0 + 1e-7]))
    >>> jtorch.testing.assert_close(jtorch.tensor([1.0, 2.0]), jtorch.tensor([1.0, 3.0]))
    Traceback (most recent call last):
    ...
    AssertionError: Tensor-likes are not close!
    <BLANKLINE>
    Mismatched elements: 1 / 2 (50.0%)
    Greatest absolute difference: 1.0 at index (1,) (up to 1e-05 allowed)
    Greatest relative difference: 0.3333333432674408 at index (1,) (up to 1.3e-06 allowed)
"""

from __future__ import annotations

import cmath
import collections.abc
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from jtorch import dtypes
from jtorch._tensor import Tensor
from jtorch.backend import to_numpy

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# (rtol, atol) per dtype; everything else compares exactly
_DTYPE_PRECISIONS = {
    dtypes.float16: (0.001, 1e-5),
    dtypes.bfloat16: (0.016, 1e-5),
    dtypes.float32: (1.3e-6, 1e-5),
    dtypes.float64: (1e-7, 1e-7),
    dtypes.complex32: (0.001, 1e-5),
    dtypes.complex64: (1.3e-6, 1e-5),
    dtypes.complex128: (1e-7, 1e-7),
}
# the dtype a Python number compares as
_NUMBER_DTYPE = {int: dtypes.int64, float: dtypes.float64, complex: dtypes.complex128}


class _Mismatch(Exception):
    """One failed comparison: the exception type to raise, its message and where it happened."""

    def __init__(self, type_: type[Exception], msg: str, id: tuple = ()) -> None:
        super().__init__(msg)
        self.type, self.msg, self.id = type_, msg, id

    def to_error(self, msg: str | Callable[[str], str] | None = None) -> Exception:
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                where = "".join(str([item]) for item in self.id)
                generated += f"\n\nThe failure occurred for item {where}"
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


def _tolerances(*dts, rtol, atol, id: tuple = ()) -> tuple[float, float]:
    if (rtol is None) ^ (atol is None):
        raise _Mismatch(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'rtol' if rtol is None else 'atol'}.",
            id,
        )
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*[_DTYPE_PRECISIONS.get(d, (0.0, 0.0)) for d in dts])
    return max(rtols), max(atols)


def _mismatch_msg(
    identifier: str, extra: str | None, abs_diff, abs_idx, atol, rel_diff, rel_idx, rtol
):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind: str, diff, idx, tol) -> str:
        msg = (
            f"{kind.title()} difference: {diff}"
            if idx is None
            else f"Greatest {kind} difference: {diff} at index {idx}"
        )
        return msg + ("" if equality else f" (up to {tol} allowed)") + "\n"

    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol: float, atol: float) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(
        "Scalars",
        f"Expected {expected} but got {actual}.",
        abs_diff,
        None,
        atol,
        rel_diff,
        None,
        rtol,
    )


def _compare_numbers(actual, expected, *, id, rtol, atol, equal_nan, check_dtype, **_) -> None:
    if isinstance(actual, (bool, np.bool_)) or isinstance(expected, (bool, np.bool_)):
        if bool(actual) is not bool(expected):
            raise _Mismatch(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id)
        return
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances(
        _NUMBER_DTYPE[type(actual)], _NUMBER_DTYPE[type(expected)], rtol=rtol, atol=atol, id=id
    )
    if check_dtype and type(actual) is not type(expected):
        raise _Mismatch(
            AssertionError,
            f"The (d)types do not match: {type(actual)} != {type(expected)}.",
            id,
        )
    if actual == expected or equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Mismatch(AssertionError, _scalar_msg(actual, expected, rtol, atol), id)


def _as_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from jtorch import as_tensor  # noqa: PLC0415

    return as_tensor(x)


def _compare_tensors(
    actual, expected, *, id, rtol, atol, equal_nan, check_device, check_dtype, check_stride, **_
) -> None:
    actual, expected = _as_tensor(actual), _as_tensor(expected)
    rtol, atol = _tolerances(actual.dtype, expected.dtype, rtol=rtol, atol=atol, id=id)

    def attribute_error(name: str, a, e) -> _Mismatch:
        return _Mismatch(
            AssertionError, f"The values for attribute '{name}' do not match: {a} != {e}.", id
        )

    if actual.shape != expected.shape:
        raise attribute_error("shape", actual.shape, expected.shape)
    if check_stride and actual.stride() != expected.stride():
        raise attribute_error("stride()", actual.stride(), expected.stride())
    if check_device and actual.device != expected.device:
        raise attribute_error("device", actual.device, expected.device)
    if check_dtype and actual.dtype != expected.dtype:
        raise attribute_error("dtype", actual.dtype, expected.dtype)
    a, e = to_numpy(actual.detach()._array), to_numpy(expected.detach()._array)
    if actual.dtype != expected.dtype:
        common = dtypes.promote_types(actual.dtype, expected.dtype)
        a, e = a.astype(common.np), e.astype(common.np)
    matches = _isclose(a, e, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        msg = _scalar_msg(a.item(), e.item(), rtol, atol)
    else:
        msg = _tensor_msg(a, e, matches, rtol, atol)
    raise _Mismatch(AssertionError, msg, id)


def _abs(x: np.ndarray) -> np.ndarray:
    # NOTE: torch's complex abs is hypot(re, im); numpy's complex abs differs in the last bit
    return np.hypot(x.real, x.imag) if x.dtype.kind == "c" else np.abs(x)


def _isclose(a: np.ndarray, e: np.ndarray, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    """``torch.isclose`` step for step: equal values match, else ``|a - e| <= atol + |rtol * e|``
    in the tensors' dtype (bool and integers in the default float dtype, as torch)."""
    close = a == e
    if equal_nan and a.dtype.kind in "fc":
        close |= np.isnan(a) & np.isnan(e)
    if rtol == 0 and atol == 0:
        return close
    if a.dtype.kind in "biu":
        a, e = a.astype(np.float32), e.astype(np.float32)
    with np.errstate(all="ignore"):
        allowed = atol + _abs(rtol * e)
        actual = _abs(a - e)
        return close | (np.isfinite(actual) & (actual <= allowed))


def _tensor_msg(a: np.ndarray, e: np.ndarray, matches: np.ndarray, rtol, atol) -> str:
    n = matches.size
    mismatches = n - int(matches.sum())
    extra = f"Mismatched elements: {mismatches} / {n} ({mismatches / n:.1%})"
    a, e, m = a.ravel(), e.ravel(), matches.ravel()
    integral = a.dtype.kind in "biu"
    if integral:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = _abs(a - e)
        abs_diff[m] = 0
        denom = _abs(e)
        # NOTE: as torch, integers divide in the default float dtype
        rel_diff = (
            abs_diff.astype(np.float32) / denom.astype(np.float32) if integral else abs_diff / denom
        )
        rel_diff[m] = 0
    abs_i, rel_i = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_msg(
        "Tensor-likes",
        extra,
        abs_diff[abs_i].item(),
        tuple(int(i) for i in np.unravel_index(abs_i, matches.shape)),
        atol,
        rel_diff[rel_i].item(),
        tuple(int(i) for i in np.unravel_index(rel_i, matches.shape)),
        rtol,
    )


def _compare_none(actual, expected, *, id, **_) -> None:
    if not (actual is None and expected is None):
        raise _Mismatch(AssertionError, f"None mismatch: {actual} is not {expected}", id)


def _pick(actual, expected) -> Callable | None:
    """The comparison for a pair of leaves (torch's pair types, in order), or None."""
    if actual is None or expected is None:
        return _compare_none
    booleans = (bool, np.bool_)
    if isinstance(actual, booleans) and isinstance(expected, booleans):
        return _compare_numbers
    numbers = (int, float, complex, np.number)
    if (
        isinstance(actual, numbers)
        and isinstance(expected, numbers)
        and not isinstance(actual, booleans)
        and not isinstance(expected, booleans)
    ):
        return _compare_numbers
    tensor_like = (Tensor, np.ndarray)
    if isinstance(actual, tensor_like) and (
        isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    ):
        return _compare_tensors
    return None


def _pairs(actual, expected, id: tuple) -> list[tuple]:
    is_seq = lambda x: isinstance(x, collections.abc.Sequence) and not isinstance(x, str)  # noqa: E731
    if is_seq(actual) and is_seq(expected):
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                id,
            )
        return [p for i in range(len(actual)) for p in _pairs(actual[i], expected[i], (*id, i))]
    if isinstance(actual, collections.abc.Mapping) and isinstance(
        expected, collections.abc.Mapping
    ):
        a_keys, e_keys = set(actual), set(expected)
        if a_keys != e_keys:
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(e_keys - a_keys)}\n"
                f"Additional keys in the actual mapping: {sorted(a_keys - e_keys)}",
                id,
            )
        keys: Any = a_keys
        try:
            keys = sorted(keys)
        except Exception:  # NOTE: unorderable keys are compared in set order, as torch
            pass
        return [p for k in keys for p in _pairs(actual[k], expected[k], (*id, k))]
    compare = _pick(actual, expected)
    if compare is None:
        raise _Mismatch(
            TypeError,
            "No comparison pair was able to handle inputs of type "
            f"{type(actual)} and {type(expected)}.",
            id,
        )
    return [(compare, actual, expected, id)]


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close: tensors (same shape, device, dtype;
    values within ``atol + rtol * |expected|``, defaults chosen by dtype), numbers, and
    sequences or mappings of them, compared element by element.

    Example:
        >>> jtorch.testing.assert_close([jtorch.tensor(1.0)], [jtorch.tensor(1.0)])
        >>> jtorch.testing.assert_close(1, 2)
        Traceback (most recent call last):
        ...
        AssertionError: Scalars are not equal!
        <BLANKLINE>
        Expected 2 but got 1.
        Absolute difference: 1
        Relative difference: 0.5
    """
    __tracebackhide__ = True
    options = dict(
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_device=check_device,
        check_dtype=check_dtype,
        check_stride=check_stride,
    )
    try:
        pairs = _pairs(actual, expected, ())
        for compare, a, e, id in pairs:
            compare(a, e, id=id, **options)
    except _Mismatch as mismatch:
        raise mismatch.to_error(msg) from None


def assert_allclose(
    actual: Any,
    expected: Any,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = True,
    msg: str = "",
) -> None:
    """Deprecated since torch 1.12: :func:`assert_close` with looser default tolerances and
    no dtype check.

    Example:
        >>> import warnings
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     jtorch.testing.assert_allclose(jtorch.tensor([1.0]), [1.00001])
    """
    warnings.warn(
        "`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a "
        "future release. Please use `torch.testing.assert_close()` instead. You can find "
        "detailed upgrade instructions in https://github.com/pytorch/pytorch/issues/61844.",
        FutureWarning,
        stacklevel=2,
    )
    from jtorch import tensor  # noqa: PLC0415

    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        loose = {dtypes.float16: (1e-3, 1e-3), dtypes.float32: (1e-4, 1e-5)}
        loose[dtypes.float64] = (1e-5, 1e-8)
        rtol = max(loose.get(t.dtype, (0.0, 0.0))[0] for t in (actual, expected))
        atol = max(loose.get(t.dtype, (0.0, 0.0))[1] for t in (actual, expected))
    assert_close(
        actual,
        expected,
        rtol=rtol,
        atol=atol,
        equal_nan=equal_nan,
        check_device=True,
        check_dtype=False,
        check_stride=False,
        msg=msg or None,
    )


def make_tensor(
    *shape,
    dtype: dtypes.dtype,
    device=None,
    low: float | None = None,
    high: float | None = None,
    requires_grad: bool = False,
    noncontiguous: bool = False,
    exclude_zero: bool = False,
    memory_format=None,
) -> Tensor:
    """A tensor of ``shape`` and ``dtype`` filled with values drawn uniformly from
    ``[low, high)`` (defaults by dtype: bool [0, 2), unsigned [0, 10), signed [-9, 10),
    floating and complex [-9, 9)).

    Example:
        >>> t = jtorch.testing.make_tensor(2, 3, dtype=jtorch.int64, device="cpu", low=0, high=5)
        >>> t.shape, t.dtype, bool(((t >= 0) & (t < 5)).all())
        (torch.Size([2, 3]), torch.int64, True)
    """
    import jtorch  # noqa: PLC0415

    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = shape[0]
    shape = tuple(shape)
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
            f"noncontiguous={noncontiguous} and memory_format={memory_format}"
        )
    integral = dtype == dtypes.bool or not (dtype.is_floating_point or dtype.is_complex)
    if requires_grad and integral:
        raise ValueError(
            "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
            f"dtype={dtype}"
        )
    if dtype == dtypes.bool:
        bounds = (0, 2, 0, 2)
    elif integral:
        info = dtypes.iinfo(dtype)
        unsigned = info.min == 0
        bounds = (info.min, info.max + (dtype != dtypes.int64), 0 if unsigned else -9, 10)
    else:
        info = dtypes.finfo(dtype)
        bounds = (info.min, info.max, -9, 9)
    low, high = _low_high(low, high, *bounds, dtype, integral)
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = (*shape[:-1], 2 * shape[-1])
    if integral:
        result = jtorch.randint(low, high, shape, device=device, dtype=dtype)
    else:
        result = jtorch.empty(shape, device=device, dtype=dtype)
        target = jtorch.view_as_real(result) if dtype.is_complex else result
        if high - low >= dtypes.finfo(dtype).max:
            target.uniform_(low / 2, high / 2).mul_(2)
        else:
            target.uniform_(low, high)
    if noncontiguous:
        result = result[..., 1::2]
    if exclude_zero:
        result[result == 0] = 1 if integral else dtypes.finfo(dtype).tiny
    if not integral:
        result.requires_grad_(requires_grad)
    return result


def _low_high(low, high, lowest, highest, default_low, default_high, dtype, integral: bool):
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and not integral:
        warnings.warn(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types is "
            "deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=3,
        )
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(
            f"The value interval specified by `low` and `high` is [{low}, {high}), but {dtype} "
            f"only supports [{lowest}, {highest})"
        )
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    return (math.ceil(low), math.ceil(high)) if integral else (low, high)
