"""Element-wise arithmetic and math: one Function per differentiable op, its function below it.

Binary ops reconcile their operands in ``_broadcast.promote`` (torch's type promotion); the
array module broadcasts, and the engine sums gradients back to each input's shape.

Example:
    >>> import jtorch
    >>> a = jtorch.tensor([1.0, 2.0], requires_grad=True)
    >>> (a * a + 1).sum().backward(); a.grad
    tensor([2., 4.])
"""

from __future__ import annotations

import builtins
import cmath
import math

import numpy as np

from jtorch import _parallel as parallel
from jtorch import backend, dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.function import INTERCEPTED, Function
from jtorch.autograd.grad_mode import STATE
from jtorch.backend import get_array_module as xp_of
from jtorch.ops import _fused
from jtorch.ops._broadcast import broadcast_shapes, float_operand, promote, promote_to, to_operand
from jtorch.ops._inplace import make_inplace, with_out
from jtorch.ops.movement import select, view_as_real

__all__ = [
    "add",
    "sub",
    "rsub",
    "subtract",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "neg",
    "conj",
    "negative",
    "pow",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "abs",
    "absolute",
    "sign",
    "sgn",
    "square",
    "rsqrt",
    "exp2",
    "expm1",
    "log2",
    "log10",
    "log1p",
    "sin",
    "cos",
    "tan",
    "asin",
    "arcsin",
    "acos",
    "arccos",
    "atan",
    "arctan",
    "sinh",
    "cosh",
    "asinh",
    "arcsinh",
    "acosh",
    "arccosh",
    "atanh",
    "arctanh",
    "erf",
    "erfc",
    "erfinv",
    "reciprocal",
    "floor",
    "ceil",
    "trunc",
    "fix",
    "round",
    "frac",
    "positive",
    "angle",
    "logit",
    "atan2",
    "arctan2",
    "hypot",
    "fmod",
    "remainder",
    "floor_divide",
    "float_power",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "lerp",
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "where",
    "nan_to_num",
    "real",
    "imag",
    "complex",
    "polar",
]


_INT_MIN, _UINT_MAX = -(2**63), 2**64 - 1
_ND, _BIG = np.ndarray, 2 * parallel.GRAIN  # NOTE: inline checks: a call would cost every op


def _pair(a, b) -> list:
    """Two operands of one dtype (fast path when both are tensors of the same dtype)."""
    # NOTE: exact type tests first (cheapest), then Tensor subclasses such as Parameter
    if type(a) is Tensor or isinstance(a, Tensor):
        if type(b) is Tensor or isinstance(b, Tensor):
            if a._array.dtype is b._array.dtype and type(a._array) is type(b._array):
                sa, sb = a._array.shape, b._array.shape
                if sa != sb and sa[max(0, len(sa) - len(sb)) :] != sb:  # not a trailing match
                    broadcast_shapes(sa, sb)
                return [a, b]
        elif type(b) is float and a._array.dtype.kind in "fc":
            return [a, b]  # a real Python scalar keeps a floating tensor's dtype
        elif type(b) is int and a._array.dtype.kind in "fc" and _INT_MIN <= b <= _UINT_MAX:
            return [a, b]
    elif isinstance(b, Tensor) and b._array.dtype.kind in "fc":
        if type(a) is float or (type(a) is int and _INT_MIN <= a <= _UINT_MAX):
            return [a, b]
    for n in (a, b):
        if type(n) is int and not _INT_MIN <= n <= _UINT_MAX:
            # NOTE: torch's Scalar holds 64 bits; torch's messages, after trying int64 then uint64
            raise OverflowError(
                "can't convert negative int to unsigned" if n < 0 else "int too big to convert"
            )
    a, b = promote(a, b)
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):  # torch wraps the first number
        a = Tensor._make(np.asarray(a, dtypes.result_type(a, b).np))
    if type(a) is int or type(b) is int:
        t, n = (a, b) if type(b) is int else (b, a)
        if isinstance(t, Tensor) and t._array.dtype.kind in "iu":
            n = _wrap_int(n, t._array.dtype)
            a, b = (t, n) if t is a else (n, t)
    return [a, b]


def _unrecorded(a, b):
    """The arrays of two plain tensors of one dtype and shape that no graph records, else None:
    arithmetic on them goes straight to the array operator (a small add 3.5 -> 2.2 us; the
    general path builds a node and checks every input). Off while a tracer intercepts
    ``Function.apply``."""
    if (
        a.__class__ is Tensor
        and b.__class__ is Tensor
        and not ((a._requires_grad or b._requires_grad) and STATE.enabled)
        and not INTERCEPTED[0]
    ):
        x, y = a._array, b._array
        if (
            x.__class__ is _ND
            and y.__class__ is _ND
            and x.dtype is y.dtype
            and x.shape == y.shape
            and x.size < _BIG
        ):
            return x, y
    return None


def _bare(array) -> Tensor:
    """A Tensor of an op's result outside autograd (``Tensor._make`` inlined for plain arrays)."""
    if array.__class__ is not _ND:  # NOTE: NumPy returns a scalar for 0-d operands
        return Tensor._make(array)
    t = _new(Tensor)
    t._array, t._requires_grad, t.grad_fn = array, False, None
    return t


_new = object.__new__


def _wrap_int(n: int, np_dtype) -> int:
    # NOTE: torch wraps a Python int that its integer tensor's dtype cannot hold (uint8 + -3 is
    # uint8 + 253); NumPy raises OverflowError for it instead.
    info = np.iinfo(np_dtype)
    if info.min <= n <= info.max:
        return n
    return int(np.array(n).astype(np_dtype))


class Add(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha == 1:
            if a.__class__ is _ND and a.size >= _BIG:
                return parallel.binary(np.add, a, b)
            return a + b
        ctx.alpha = alpha
        return _fused.add_scaled(a, b, alpha)

    @staticmethod
    def backward(ctx, grad):
        alpha = getattr(ctx, "alpha", 1)
        return grad, (grad if alpha == 1 else grad * alpha)


@with_out
def add(input, other, *, alpha=1) -> Tensor:
    """``input + alpha * other``, broadcasting and promoting as torch does.

    Example:
        >>> jtorch.add(jtorch.tensor([1, 2]), 0.5)
        tensor([1.5000, 2.5000])
    """
    if alpha == 1 and (xy := _unrecorded(input, other)) is not None:
        return _bare(xy[0] + xy[1])
    a, b = _pair(input, other)
    return Add.apply(a, b) if alpha == 1 else Add.apply(a, b, alpha=alpha)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha == 1:
            if a.__class__ is _ND and a.size >= _BIG:
                return parallel.binary(np.subtract, a, b)
            return a - b
        ctx.alpha = alpha
        return _fused.add_scaled(a, b, -alpha)

    @staticmethod
    def backward(ctx, grad):
        alpha = getattr(ctx, "alpha", 1)
        return grad, (-grad if alpha == 1 else grad * -alpha)


@with_out
def sub(input, other, *, alpha=1) -> Tensor:
    """``input - alpha * other``.

    Example:
        >>> jtorch.sub(jtorch.tensor([3.0]), jtorch.tensor([1.0]), alpha=2)
        tensor([1.])
    """
    if alpha == 1 and (xy := _unrecorded(input, other)) is not None and xy[0].dtype.kind != "b":
        return _bare(xy[0] - xy[1])
    _check_no_bool(input, other)
    a, b = _pair(input, other)
    return Sub.apply(a, b) if alpha == 1 else Sub.apply(a, b, alpha=alpha)


subtract = sub


def _check_no_bool(input, other) -> None:
    first, second = _is_bool(input), _is_bool(other)
    if first and second:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    if first or second:
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )


class Rsub(Function):
    """``other - alpha * input``: ``torch.rsub``, and Python's ``number - tensor``."""

    @staticmethod
    def forward(ctx, a, b, alpha=1):
        ctx.alpha = alpha
        return b - a if alpha == 1 else _fused.add_scaled(b, a, -alpha)

    @staticmethod
    def backward(ctx, grad):
        alpha = ctx.alpha
        return (-grad if alpha == 1 else grad * -alpha), grad


class RsubScalar(Rsub):
    node_name = "RsubBackward1"
    hidden_inputs = (1,)


@with_out
def rsub(input: Tensor, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``.

    Example:
        >>> jtorch.rsub(jtorch.tensor([1.0, 2.0]), 5)
        tensor([4., 3.])
    """
    _check_no_bool(input, other)
    a, b = _pair(input, other)
    return (Rsub if isinstance(b, Tensor) else RsubScalar).apply(a, b, alpha=alpha)


def _rdiv(input: Tensor, other) -> Tensor:
    """Python's ``other / input``, computed as torch does: ``reciprocal(input) * other``."""
    return mul(reciprocal(input), other)


def _is_bool(x) -> bool:
    return type(x) is bool or (isinstance(x, Tensor) and x._array.dtype.kind == "b")


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need[1]:
            ctx.retain_inputs(0, 1) if need[0] else ctx.retain_inputs(0)
        if need[0] and not need[1]:
            ctx.retain_inputs(1)
        if a.__class__ is _ND and a.size >= _BIG:
            return parallel.binary(np.multiply, a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        saved = ctx.saved_inputs
        if need[0] and need[1]:
            a, b = saved
            return grad * b.conj(), grad * a.conj()
        if need[0]:
            return grad * _conj(saved[0]), None
        return None, grad * _conj(saved[0])


def _conj(x):
    return x.conj() if isinstance(x, Tensor) else x.conjugate()


class Conj(Function):
    @staticmethod
    def forward(ctx, x):
        return x.conj()

    @staticmethod
    def backward(ctx, grad):
        return grad.conj()


def conj(input: Tensor) -> Tensor:
    """Complex conjugate (``input`` itself for real tensors, as torch's lazy conj).

    Example:
        >>> z = jtorch.tensor([1 + 2j]).conj()
        >>> z, z.is_conj()
        (tensor([1.-2.j]), True)
    """
    if input._array.dtype.kind != "c":
        return input
    out = Conj.apply(input)
    # NOTE: the values are conjugated eagerly; the mark stands for torch's conjugate bit.
    out._is_conj = not getattr(input, "_is_conj", False)
    return out


@with_out
def mul(input, other) -> Tensor:
    """``input * other`` element-wise.

    Example:
        >>> jtorch.mul(jtorch.tensor([1, 2]), 3)
        tensor([3, 6])
    """
    if (xy := _unrecorded(input, other)) is not None:
        return _bare(xy[0] * xy[1])
    a, b = _pair(input, other)
    return Mul.apply(a, b)


multiply = mul


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(1) if not ctx.needs_input_grad[1] else ctx.retain_inputs(0, 1)
        if a.__class__ is _ND and a.size >= _BIG:
            return parallel.binary(np.true_divide, a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_inputs
        b = saved[-1]
        ga = grad / _conj(b) if ctx.needs_input_grad[0] else None
        gb = None
        if ctx.needs_input_grad[1]:
            gb = -grad * _conj(saved[0]) / _conj(b * b)
        return ga, gb


class DivRounded(Function):
    """Division with ``rounding_mode`` 'floor' or 'trunc': piecewise constant, zero gradient."""

    node_name = "DivBackward1"

    @staticmethod
    def forward(ctx, a, b, mode):
        xp = xp_of(a if hasattr(a, "dtype") else b)
        if xp.result_type(a, b).kind in "iu":
            if (xp.asarray(b) == 0).any():
                raise RuntimeError("ZeroDivisionError")
            q = xp.floor_divide(a, b)
            if mode == "trunc":
                q = q + ((xp.remainder(a, b) != 0) & ((a < 0) != (b < 0)))
            return q
        q = a / b
        return xp.floor(q) if mode == "floor" else xp.trunc(q)

    @staticmethod
    def backward(ctx, grad):
        return grad * 0, (grad * 0 if ctx.needs_input_grad[1] else None)


@with_out
def div(input, other, *, rounding_mode: str | None = None) -> Tensor:
    """``input / other``; integers divide to floats unless ``rounding_mode`` is
    ``'trunc'`` or ``'floor'``.

    Example:
        >>> jtorch.div(jtorch.tensor([5, -5]), 2), jtorch.div(jtorch.tensor([5, -5]), 2, rounding_mode="floor")
        (tensor([ 2.5000, -2.5000]), tensor([ 2, -3]))
    """
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        a, b = _pair(input, other)
        return DivRounded.apply(a, b, mode=rounding_mode)
    if (xy := _unrecorded(input, other)) is not None and xy[0].dtype.kind in "fc":
        return _bare(xy[0] / xy[1])
    a, b = _pair(input, other)
    d = a.dtype if isinstance(a, Tensor) else b.dtype
    if d.category < dtypes.FLOAT:
        a, b = promote(a, b, dtype=dtypes.get_default_dtype())
    return Div.apply(a, b)


divide = div


def true_divide(input, other, *, out=None) -> Tensor:
    """``div`` without rounding."""
    return div(input, other, out=out)


class Neg(Function):
    @staticmethod
    def forward(ctx, x):
        if x.dtype.kind == "b":
            raise RuntimeError(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
                "to invert a mask, use the `~` or `logical_not()` operator instead."
            )
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad


@with_out
def neg(input: Tensor) -> Tensor:
    """``-input``.

    Example:
        >>> jtorch.neg(jtorch.tensor([1, -2]))
        tensor([-1,  2])
    """
    return Neg.apply(input)


negative = neg


class Pow(Function):
    """``x ** exponent`` for a Python scalar exponent."""

    hidden_inputs = (1,)

    @staticmethod
    def forward(ctx, x, exponent):
        ctx.exponent = exponent
        ctx.retain_inputs(0)
        return x**exponent

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_inputs
        e = ctx.exponent
        if e == 0:
            return grad * 0
        slope = e * x ** (e - 1) if e != 2 else 2 * x
        return grad * (slope.conj() if slope.is_complex() else slope)


class PowTensor(Function):
    node_name = "PowBackward1"

    @staticmethod
    def forward(ctx, x, e):
        ctx.retain_inputs(0, 1)
        ctx.retain_outputs(0)
        return x**e

    @staticmethod
    def backward(ctx, grad):
        x, e = ctx.saved_inputs
        (y,) = ctx.saved_outputs
        gx = ge = None
        if ctx.needs_input_grad[0]:
            gx = where(e == 0, 0, grad * (e * x ** (e - 1)).conj())
        if ctx.needs_input_grad[1]:
            ge = grad * where((x == 0) & _nonnegative_real(e), 0, (y * log(x)).conj())
        return gx, ge


def _nonnegative_real(e: Tensor) -> Tensor:
    """Where ``0 ** e`` is 0 or 1 with a zero exponent gradient (torch's pow_backward_exponent)."""
    return (e.imag == 0) & (e.real >= 0) if e.is_complex() else e >= 0


class RPow(Function):
    """``scalar ** x``."""

    node_name = "PowBackward2"
    hidden_inputs = (0,)

    @staticmethod
    def forward(ctx, base, x):
        ctx.base = base
        ctx.retain_outputs(0)
        if base == 0:
            ctx.retain_inputs(1)
        return base**x

    @staticmethod
    def backward(ctx, grad):
        (y,), x = ctx.saved_outputs, ctx.saved_inputs
        base = ctx.base
        if base == 0:
            return None, grad * where(_nonnegative_real(x[0]), 0, y * -math.inf)
        if y.is_complex():
            return None, grad * (y * cmath.log(base)).conj()
        return None, grad * y * (math.log(base) if base > 0 else math.nan)


@with_out
def pow(input, exponent) -> Tensor:
    """``input ** exponent`` (tensor or scalar on either side).

    Example:
        >>> jtorch.pow(jtorch.tensor([1.0, 2.0]), 2), jtorch.pow(2, jtorch.tensor([3]))
        (tensor([1., 4.]), tensor([8]))
    """
    a, b = promote(input, exponent)
    if not isinstance(b, Tensor):
        if isinstance(b, int) and b < 0 and a._array.dtype.kind in "iu":
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return Pow.apply(a, b)
    if not isinstance(a, Tensor):
        return RPow.apply(a, b)
    return PowTensor.apply(a, b)


def _unary(cls, x) -> Tensor:
    return cls.apply(float_operand(x))


class Exp(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.retain_outputs(0)
        return xp_of(x).exp(x)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        return grad * y.conj()


@with_out
def exp(input: Tensor) -> Tensor:
    """Element-wise ``e ** input``.

    Example:
        >>> jtorch.exp(jtorch.tensor([0.0, 1.0]))
        tensor([1.0000, 2.7183])
    """
    return _unary(Exp, input)


class Log(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.retain_inputs(0)
        return xp_of(x).log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_inputs
        return grad / x.conj()


@with_out
def log(input: Tensor) -> Tensor:
    """Natural logarithm.

    Example:
        >>> jtorch.log(jtorch.tensor([1.0, 4.0]))
        tensor([0.0000, 1.3863])
    """
    return _unary(Log, input)


class Sqrt(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.retain_outputs(0)
        return xp_of(x).sqrt(x)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        return grad / (2 * y.conj())


@with_out
def sqrt(input: Tensor) -> Tensor:
    """Square root.

    Example:
        >>> jtorch.sqrt(jtorch.tensor([4.0, 9.0]))
        tensor([2., 3.])
    """
    return _unary(Sqrt, input)


class Tanh(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.retain_outputs(0)
        return xp_of(x).tanh(x)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        return grad * (1 - y * y).conj()


@with_out
def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    Example:
        >>> jtorch.tanh(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Tanh, input)


def _sigmoid(xp, x):
    """``1 / (1 + exp(-x))``, torch's formula (an array also for 0-d ``x``).

    NOTE: exp(-x) overflows to inf for very negative x, and 1 / (1 + inf) is the exact limit 0,
    silently (splitting by sign with np.where cost 3x here).
    """
    e = xp.negative(x, out=xp.empty_like(x))  # NOTE: out= keeps a 0-d result an array
    with np.errstate(over="ignore"):
        _sigmoid_of_negated_(xp, e)
    return e


def _sigmoid_of_negated_(xp, a, num=1) -> None:
    """In place ``num * sigmoid(-a)``, as ``num / (1 + exp(a))``; an exp that overflows gives
    the exact limit 0 (the caller sets ``np.errstate(over="ignore")`` to keep it silent)."""
    xp.exp(a, out=a)
    a += 1
    xp.divide(num, a, out=a)


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.retain_outputs(0)
        return _sigmoid(xp_of(x), x)

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        return grad * (y * (1 - y)).conj()


@with_out
def sigmoid(input: Tensor) -> Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    Example:
        >>> jtorch.sigmoid(jtorch.tensor([0.0]))
        tensor([0.5000])
    """
    return _unary(Sigmoid, input)


# -- shared helpers --------------------------------------------------------------------------


def _type_name(d) -> str:
    """torch's scalar type name in kernel errors (``'Float'``, ``'Long'``, ``'Bool'``)."""
    return dtypes.from_np(d).scalar_name if not isinstance(d, str) else d


def _not_implemented(kernel: str, x) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(x._array.dtype)}'")


def _zeros(grad: Tensor, _=None) -> Tensor:
    """The gradient of a piecewise-constant op: zeros (not ``grad * 0``, which keeps NaNs)."""
    return Tensor._make(grad._xp().zeros_like(grad._array))


def _require_tensor(op: str, other, position: int = 2, name: str = "other") -> None:
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{op}(): argument '{name}' (position {position}) must be Tensor, not "
            f"{type(other).__name__}"
        )


def _xp_pair(a, b):
    return xp_of(a if hasattr(a, "dtype") else b)


def _check_int_divisor(a, b) -> None:
    kind = (a if hasattr(a, "dtype") else b).dtype.kind
    if kind in "iub" and (_xp_pair(a, b).asarray(b) == 0).any():
        raise RuntimeError("ZeroDivisionError")


# -- error function (NumPy has none) ---------------------------------------------------------

_SQRT_PI = math.sqrt(math.pi)


def _erf_series(a, xp):
    # NOTE: erf(a) = 2/sqrt(pi) exp(-a^2) sum_n (2a^2)^n a / (2n+1)!!: all terms positive, so
    # no cancellation; 12 + 10 * max(a) terms reach double precision for a < 3.
    a2 = 2 * a * a
    term = total = a
    amax = float(a.max()) if a.size else 0.0
    for n in range(1, 13 + int(10 * (amax if amax < 3 else 3))):  # NaN counts as 3
        term = term * a2 / (2 * n + 1)
        total = total + term
    return (2 / _SQRT_PI) * xp.exp(-a * a) * total


def _erfc_fraction(a, xp, terms: int):
    # erfc(a) = exp(-a^2) / sqrt(pi) / (a + (1/2) / (a + 1 / (a + (3/2) / (a + ...)))), a > 0
    f = a
    for k in range(terms, 0, -1):
        f = a + (k / 2) / f
    return xp.exp(-a * a) / (_SQRT_PI * f)


def _as_float64(kernel):
    """Run ``kernel(xp, x)`` in float64 and cast back (the series lose precision in float32)."""

    def run(xp, x):
        return kernel(xp, x.astype("float64", copy=False)).astype(x.dtype, copy=False)

    return run


_SINGLE = (np.float32, np.float16)  # dtypes whose erf, erfc and expm1 are computed in float32


def _erf(xp, x):
    if x.dtype in _SINGLE:
        return _erf_single(xp, x)
    return _erf_double(xp, x)


@_as_float64
def _erf_double(xp, x):
    a = xp.abs(x)
    small = a < 3
    r = _erf_series(xp.where(small, a, 0), xp)
    if not small.all():
        r = xp.where(small, r, 1 - _erfc_fraction(xp.where(small, 3, a), xp, 60))
    return xp.copysign(r, x)


# NOTE: erf's Maclaurin series, 2/sqrt(pi) sum (-1)^n x^(2n+1) / (n! (2n+1)), as a polynomial in
# x^2 (highest power first): within float32 rounding for |x| <= 0.5.
_ERF_TAYLOR = tuple(
    2 / _SQRT_PI * (-1) ** n / (math.factorial(n) * (2 * n + 1)) for n in range(8, -1, -1)
)
# Numerical Recipes' erfc, a Chebyshev fit with fractional error below 1.2e-7 (highest power
# first): t * exp(p(t) - a^2), t = 1 / (1 + a / 2).
_ERFC_FIT = (0.17087277, -0.82215223, 1.48851587, -1.13520398, 0.27886807, -0.18628806)
_ERFC_FIT += (0.09678418, 0.37409196, 1.00002368, -1.26551223)


# NOTE: expm1(s) = s * sum s^k / (k + 1)! (highest power first): within float32 rounding for
# |s| <= 0.5 with these 8 terms.
_EXPM1_TAYLOR = tuple(1 / math.factorial(k + 1) for k in range(7, -1, -1))


def _expm1(xp, x):
    """``exp(x) - 1`` without cancellation; float32 and float16 in float32 from exp.

    NOTE: NumPy's expm1 takes about 15 ns an element here, its exp 2: ``exp(x) - 1`` from
    ``|x| = 0.5`` on (no cancellation there), the series below; within 4 float32 ulps.
    """
    if x.dtype not in _SINGLE:
        return xp.expm1(x)
    y = x.astype(np.float32, copy=False)
    s = xp.clip(y, -0.5, 0.5)
    with np.errstate(over="ignore"):
        e = xp.exp(y)
    e -= 1
    out = backend.where(xp.abs(y) < 0.5, s * _horner(_EXPM1_TAYLOR, s), e)
    return out.astype(x.dtype, copy=False)


def _erf_parts(xp, y, tail: bool = False):
    """For float32 ``y``: ``|y|``, erf(|y|) by the series (right below 0.5) and erfc(|y|) by the
    fit (right from 0.5), all in float32; ``tail`` keeps erfc's relative accuracy far out.

    NOTE: 8x faster than the double-precision path, whose series terms turn denormal (100x the
    cost of normal floats); the results are within 3.5 float32 ulps of erf and erfc. For erfc's
    tail, ``a^2`` (about 70 at a = 8.5) must enter exp exactly: ``a`` is split into ``hi``, a
    multiple of 1/256 whose square is exact, and the rest.
    """
    a = xp.abs(y)
    s = xp.clip(a, 0, 0.5)
    big = xp.clip(a, 0.5, 10.5 if tail else math.inf)
    t = 1 / (1 + 0.5 * big)
    if tail:  # NOTE: erfc is 0 in float32 from 10.1 on; the bound keeps inf out of big - hi
        hi = xp.round(big * 256) / 256
        erfc = t * xp.exp(-hi * hi) * xp.exp(_horner(_ERFC_FIT, t) - (big - hi) * (big + hi))
    else:
        erfc = t * xp.exp(_horner(_ERFC_FIT, t) - big * big)
    return a, s * _horner(_ERF_TAYLOR, s * s), erfc


def _erf_single(xp, x):
    """erf of float32 or float16 ``x``."""
    y = x.astype(np.float32, copy=False)
    a, small, erfc = _erf_parts(xp, y)
    return xp.copysign(backend.where(a < 0.5, small, 1 - erfc), y).astype(x.dtype, copy=False)


def _erfc_single(xp, x):
    """erfc of float32 or float16 ``x``."""
    y = x.astype(np.float32, copy=False)
    a, small, erfc = _erf_parts(xp, y, tail=True)
    r = backend.where(a < 0.5, 1 - small, erfc)
    return backend.where(y < 0, 2 - r, r).astype(x.dtype, copy=False)


def _erfc(xp, x):
    if x.dtype in _SINGLE:
        return _erfc_single(xp, x)
    return _erfc_double(xp, x)


@_as_float64
def _erfc_double(xp, x):
    a = xp.abs(x)
    big = a >= 2
    r = 1 - _erf_series(xp.where(big, 0, a), xp)
    if big.any():
        r = xp.where(big, _erfc_fraction(xp.where(big, a, 2), xp, 80), r)
    return xp.where(x < 0, 2 - r, r)


# NOTE: Giles' single-precision erfinv ("Approximating the erfinv function", 2010) as a start,
# then two Newton steps on erf reach double precision.
_ERFINV_CENTRAL = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06)
_ERFINV_CENTRAL += (0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_TAIL = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773)
_ERFINV_TAIL += (-0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


def _horner(coefficients, t):
    """The polynomial (highest power first) at ``t``, updated in place after the first step."""
    p = coefficients[0] * t + coefficients[1]
    for c in coefficients[2:]:
        p *= t
        p += c
    return p


@_as_float64
def _erfinv(xp, y):
    w = -xp.log((1 - y) * (1 + y))
    central = w < 5
    p = _horner(_ERFINV_CENTRAL, xp.where(central, w, 5) - 2.5)
    q = _horner(_ERFINV_TAIL, xp.sqrt(xp.where(central, 5, w)) - 3)
    x = xp.where(central, p, q) * y
    for _ in range(2):
        x = x - (_erf(xp, x) - y) / ((2 / _SQRT_PI) * xp.exp(-x * x))
    return xp.where(xp.abs(y) == 1, xp.copysign(xp.inf, y), x)


# -- unary math from a table ------------------------------------------------------------------


class _Unary:
    """Mixin of the table-defined unary Functions below: forward is ``kernel(xp, x)``, backward
    ``derivative(grad, v)`` in Tensor ops, where ``v`` is the input (``saves = "x"``), the
    output (``"y"``) or None (``""``)."""

    saves = "x"

    @staticmethod
    def forward(ctx, x):
        op = ctx.fn
        if op.saves == "x":
            ctx.retain_inputs(0)
        elif op.saves == "y":
            ctx.retain_outputs(0)
        # NOTE: out-of-domain inputs give NaN/inf silently, as in torch (no NumPy warnings)
        with np.errstate(all="ignore"):
            return op.kernel(xp_of(x), x)

    @staticmethod
    def backward(ctx, grad):
        saved = ctx.saved_inputs or ctx.saved_outputs
        v = saved[0] if saved else None
        if v is not None and grad.is_complex():
            # NOTE: torch's convention for holomorphic f: grad * conj(f'(x)), i.e. the table's
            # real-valued formula applied to conj(grad), conjugated back.
            return ctx.fn.derivative(grad.conj(), v).conj()
        return ctx.fn.derivative(grad, v)


def _op(name: str, kernel, derivative, saves: str = "x", node_name: str | None = None):
    attrs = {"kernel": staticmethod(kernel), "derivative": staticmethod(derivative)}
    attrs.update(saves=saves, __module__=__name__, __qualname__=name)
    if node_name:
        attrs["node_name"] = node_name
    return type(name, (_Unary, Function), attrs)


_LN2, _LN10 = math.log(2), math.log(10)

Abs = _op("Abs", lambda xp, x: xp.abs(x), lambda g, x: g * sgn(x))
# NOTE: torch's sign is (x > 0) - (x < 0): 0 for NaN, where NumPy's sign gives NaN.
Sign = _op(
    "Sign",
    lambda xp, x: (x > 0).astype(x.dtype) - (x < 0) if x.dtype.kind == "f" else xp.sign(x),
    _zeros,
    saves="",
)


class Sgn(Function):
    """``x / |x|`` of a complex tensor (0 at 0)."""

    @staticmethod
    def forward(ctx, x):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        xp = xp_of(x)
        return xp.where(x == 0, 0, x / xp.where(x == 0, 1, xp.abs(x))).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: sgn is not holomorphic: torch's sgn_backward is (g - sgn^2 conj(g)) / (2|x|),
        # 0 where x == 0 (the denominator made safe there so higher orders stay finite).
        ((x,), (s,)) = ctx.saved_inputs, ctx.saved_outputs
        a = x.abs()
        zero = a == 0
        return where(zero, 0, (grad - s * s * grad.conj()) / (2 * where(zero, 1, a)))


Rsqrt = _op("Rsqrt", lambda xp, x: 1 / xp.sqrt(x), lambda g, y: g * -0.5 * y * y * y, "y")
Exp2 = _op("Exp2", lambda xp, x: xp.exp2(x), lambda g, y: g * y * _LN2, "y")
Expm1 = _op("Expm1", lambda xp, x: _expm1(xp, x), lambda g, y: g * (y + 1), "y")
Log2 = _op("Log2", lambda xp, x: xp.log2(x), lambda g, x: g / (x * _LN2))
Log10 = _op("Log10", lambda xp, x: xp.log10(x), lambda g, x: g / (x * _LN10))
Log1p = _op(
    "Log1p", lambda xp, x: xp.log1p(x), lambda g, x: g / (x + 1), node_name="Log1PBackward0"
)
Sin = _op("Sin", lambda xp, x: xp.sin(x), lambda g, x: g * x.cos())
Cos = _op("Cos", lambda xp, x: xp.cos(x), lambda g, x: g * -x.sin())
Tan = _op("Tan", lambda xp, x: xp.tan(x), lambda g, y: g * (1 + y * y), "y")
Asin = _op("Asin", lambda xp, x: xp.arcsin(x), lambda g, x: g * (1 - x * x).rsqrt())
Acos = _op("Acos", lambda xp, x: xp.arccos(x), lambda g, x: g * -(1 - x * x).rsqrt())
Atan = _op("Atan", lambda xp, x: xp.arctan(x), lambda g, x: g / (x * x + 1))
Sinh = _op("Sinh", lambda xp, x: xp.sinh(x), lambda g, x: g * x.cosh())
Cosh = _op("Cosh", lambda xp, x: xp.cosh(x), lambda g, x: g * x.sinh())
Asinh = _op("Asinh", lambda xp, x: xp.arcsinh(x), lambda g, x: g * (x * x + 1).rsqrt())
# NOTE: sqrt(x - 1) sqrt(x + 1) == sqrt(x * x - 1) only off the complex branch cut (Re x < 0)
Acosh = _op(
    "Acosh",
    lambda xp, x: xp.arccosh(x),
    lambda g, x: g * ((x - 1).rsqrt() * (x + 1).rsqrt() if x.is_complex() else (x * x - 1).rsqrt()),
)
Atanh = _op("Atanh", lambda xp, x: xp.arctanh(x), lambda g, x: g / (1 - x * x))
Erf = _op("Erf", _erf, lambda g, x: g * (2 / _SQRT_PI) * (-x * x).exp())
Erfc = _op("Erfc", _erfc, lambda g, x: g * (-2 / _SQRT_PI) * (-x * x).exp())
Erfinv = _op("Erfinv", _erfinv, lambda g, y: g * (_SQRT_PI / 2) * (y * y).exp(), "y")
Reciprocal = _op("Reciprocal", lambda xp, x: xp.reciprocal(x), lambda g, y: g * -(y * y), "y")
Floor = _op("Floor", lambda xp, x: xp.floor(x), _zeros, saves="")
Ceil = _op("Ceil", lambda xp, x: xp.ceil(x), _zeros, saves="")
Trunc = _op("Trunc", lambda xp, x: xp.trunc(x), _zeros, saves="")
Round = _op("Round", lambda xp, x: xp.round(x), _zeros, saves="")
Frac = _op("Frac", lambda xp, x: x - xp.trunc(x), lambda g, _: g, saves="")


def _angle_kernel(xp, x):
    if x.dtype.kind == "c":
        return xp.angle(x)
    # NOTE: torch's angle of a real number is pi below zero and 0 otherwise (also for -0.0,
    # where arctan2 would give pi); NaN stays NaN.
    return xp.where(x < 0, math.pi, xp.where(x != x, x, 0)).astype(x.dtype, copy=False)


def _angle_derivative(g, x):
    if not x.is_complex():
        return _zeros(g)
    # d angle = (-imag d real + real d imag) / |x|^2, as torch's complex gradient g * i x / |x|^2
    norm = x.real * x.real + x.imag * x.imag
    return where(norm == 0, 0, g * (x * 1j) / where(norm == 0, 1, norm))


Angle = _op("Angle", _angle_kernel, _angle_derivative)


def _refuse_bool(kernel: str, x: Tensor) -> None:
    if x._array.dtype.kind == "b":
        raise _not_implemented(kernel, x)


@with_out
def abs(input: Tensor) -> Tensor:
    """Absolute value; integers stay integers.

    Example:
        >>> jtorch.abs(jtorch.tensor([-1, 2]))
        tensor([1, 2])
    """
    _refuse_bool("abs_cpu", input)
    return Abs.apply(input)


absolute = abs


@with_out
def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (zero gradient).

    Example:
        >>> jtorch.sign(jtorch.tensor([-2.0, 0.0, 3.0]))
        tensor([-1.,  0.,  1.])
    """
    if input._array.dtype.kind == "b":
        return Tensor._make(input._array.copy())
    return Sign.apply(input)


@with_out
def sgn(input: Tensor) -> Tensor:
    """``x / |x|`` for complex tensors (0 at 0); ``sign`` for real ones.

    Example:
        >>> jtorch.sgn(jtorch.tensor([3 + 4j, 0j]))
        tensor([0.6000+0.8000j, 0.0000+0.0000j])
    """
    if input._array.dtype.kind != "c":
        return sign(input)
    return Sgn.apply(input)


@with_out
def square(input: Tensor) -> Tensor:
    """``input ** 2`` (bools square to int64).

    Example:
        >>> jtorch.square(jtorch.tensor([-2.0, 3.0]))
        tensor([4., 9.])
    """
    if input._array.dtype.kind == "b":
        input = promote_to(input, dtypes.int64)
    return Pow.apply(input, 2)


@with_out
def rsqrt(input: Tensor) -> Tensor:
    """``1 / sqrt(input)``.

    Example:
        >>> jtorch.rsqrt(jtorch.tensor([4.0]))
        tensor([0.5000])
    """
    return _unary(Rsqrt, input)


@with_out
def exp2(input: Tensor) -> Tensor:
    """``2 ** input``.

    Example:
        >>> jtorch.exp2(jtorch.tensor([3]))
        tensor([8.])
    """
    return _unary(Exp2, input)


@with_out
def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, accurate near 0.

    Example:
        >>> jtorch.expm1(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Expm1, input)


@with_out
def log2(input: Tensor) -> Tensor:
    """Base-2 logarithm.

    Example:
        >>> jtorch.log2(jtorch.tensor([8.0]))
        tensor([3.])
    """
    return _unary(Log2, input)


@with_out
def log10(input: Tensor) -> Tensor:
    """Base-10 logarithm.

    Example:
        >>> jtorch.log10(jtorch.tensor([100.0]))
        tensor([2.])
    """
    return _unary(Log10, input)


@with_out
def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, accurate near 0.

    Example:
        >>> jtorch.log1p(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Log1p, input)


@with_out
def sin(input: Tensor) -> Tensor:
    """Sine.

    Example:
        >>> jtorch.sin(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Sin, input)


@with_out
def cos(input: Tensor) -> Tensor:
    """Cosine.

    Example:
        >>> jtorch.cos(jtorch.tensor([0.0]))
        tensor([1.])
    """
    return _unary(Cos, input)


@with_out
def tan(input: Tensor) -> Tensor:
    """Tangent.

    Example:
        >>> jtorch.tan(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Tan, input)


@with_out
def asin(input: Tensor) -> Tensor:
    """Inverse sine.

    Example:
        >>> jtorch.asin(jtorch.tensor([1.0]))
        tensor([1.5708])
    """
    return _unary(Asin, input)


@with_out
def acos(input: Tensor) -> Tensor:
    """Inverse cosine.

    Example:
        >>> jtorch.acos(jtorch.tensor([1.0]))
        tensor([0.])
    """
    return _unary(Acos, input)


@with_out
def atan(input: Tensor) -> Tensor:
    """Inverse tangent.

    Example:
        >>> jtorch.atan(jtorch.tensor([1.0]))
        tensor([0.7854])
    """
    return _unary(Atan, input)


@with_out
def sinh(input: Tensor) -> Tensor:
    """Hyperbolic sine.

    Example:
        >>> jtorch.sinh(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Sinh, input)


@with_out
def cosh(input: Tensor) -> Tensor:
    """Hyperbolic cosine.

    Example:
        >>> jtorch.cosh(jtorch.tensor([0.0]))
        tensor([1.])
    """
    return _unary(Cosh, input)


@with_out
def asinh(input: Tensor) -> Tensor:
    """Inverse hyperbolic sine.

    Example:
        >>> jtorch.asinh(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Asinh, input)


@with_out
def acosh(input: Tensor) -> Tensor:
    """Inverse hyperbolic cosine (NaN below 1).

    Example:
        >>> jtorch.acosh(jtorch.tensor([1.0]))
        tensor([0.])
    """
    return _unary(Acosh, input)


@with_out
def atanh(input: Tensor) -> Tensor:
    """Inverse hyperbolic tangent.

    Example:
        >>> jtorch.atanh(jtorch.tensor([0.0]))
        tensor([0.])
    """
    return _unary(Atanh, input)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


@with_out
def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t^2) dt``.

    Example:
        >>> jtorch.erf(jtorch.tensor([0.0, 1.0]))
        tensor([0.0000, 0.8427])
    """
    return _unary(Erf, input)


@with_out
def erfc(input: Tensor) -> Tensor:
    """The complementary error function ``1 - erf(input)``, accurate for large inputs.

    Example:
        >>> jtorch.erfc(jtorch.tensor([0.0, 1.0]))
        tensor([1.0000, 0.1573])
    """
    return _unary(Erfc, input)


@with_out
def erfinv(input: Tensor) -> Tensor:
    """The inverse of ``erf`` on (-1, 1).

    Example:
        >>> jtorch.erfinv(jtorch.tensor([0.0, 0.5]))
        tensor([0.0000, 0.4769])
    """
    return _unary(Erfinv, input)


@with_out
def reciprocal(input: Tensor) -> Tensor:
    """``1 / input`` (integers give floats).

    Example:
        >>> jtorch.reciprocal(jtorch.tensor([2, 4]))
        tensor([0.5000, 0.2500])
    """
    return _unary(Reciprocal, input)


def _rounding(cls, kernel: str, x: Tensor) -> Tensor:
    """Floor/ceil/trunc/round: integers are returned unchanged (as a copy), bools refused."""
    kind = x._array.dtype.kind
    if kind in "iu":
        return Tensor._make(x._array.copy())
    if kind == "b":
        raise _not_implemented(kernel, x)
    return cls.apply(x)


@with_out
def floor(input: Tensor) -> Tensor:
    """Largest integer <= each element.

    Example:
        >>> jtorch.floor(jtorch.tensor([-1.5, 1.5]))
        tensor([-2.,  1.])
    """
    return _rounding(Floor, "floor_vml_cpu", input)


@with_out
def ceil(input: Tensor) -> Tensor:
    """Smallest integer >= each element.

    Example:
        >>> jtorch.ceil(jtorch.tensor([-1.5, 1.5]))
        tensor([-1.,  2.])
    """
    return _rounding(Ceil, "ceil_vml_cpu", input)


@with_out
def trunc(input: Tensor) -> Tensor:
    """Round toward zero.

    Example:
        >>> jtorch.trunc(jtorch.tensor([-1.5, 1.5]))
        tensor([-1.,  1.])
    """
    return _rounding(Trunc, "trunc_vml_cpu", input)


fix = trunc


class RoundDecimals(Function):
    node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        return xp_of(x).round(x, decimals)

    @staticmethod
    def backward(ctx, grad):
        return _zeros(grad)


@with_out
def round(input: Tensor, *, decimals: int = 0) -> Tensor:
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds...).

    Example:
        >>> jtorch.round(jtorch.tensor([0.5, 1.5, 2.567])), jtorch.round(jtorch.tensor([2.567]), decimals=2)
        (tensor([0., 2., 3.]), tensor([2.5700]))
    """
    if decimals == 0:
        return _rounding(Round, "round_vml_cpu", input)
    if input._array.dtype.kind in "iub":
        raise _not_implemented("round_cpu", input)
    return RoundDecimals.apply(input, decimals=decimals)


@with_out
def frac(input: Tensor) -> Tensor:
    """Fractional part ``input - trunc(input)``.

    Example:
        >>> jtorch.frac(jtorch.tensor([-1.25, 2.5]))
        tensor([-0.2500,  0.5000])
    """
    if input._array.dtype.kind in "iub":
        raise _not_implemented("frac_cpu", input)
    return Frac.apply(input)


def positive(input: Tensor) -> Tensor:
    """``+input``: the tensor itself.

    Example:
        >>> jtorch.positive(jtorch.tensor([-1]))
        tensor([-1])
    """
    if input._array.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@with_out
def angle(input: Tensor) -> Tensor:
    """The argument of complex elements (pi for negative reals, else 0).

    Example:
        >>> jtorch.angle(jtorch.tensor([-2.0, 3.0]))
        tensor([3.1416, 0.0000])
    """
    return _unary(Angle, input)


class Logit(Function):
    @staticmethod
    def forward(ctx, x, eps):
        ctx.eps = eps
        ctx.retain_inputs(0)
        if eps is not None:
            x = xp_of(x).clip(x, eps, 1 - eps)
        with np.errstate(all="ignore"):
            return xp_of(x).log(x / (1 - x))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_inputs
        eps = ctx.eps
        lo, hi, fill = (0, 1, math.nan) if eps is None else (eps, 1 - eps, 0)
        return where((x < lo) | (x > hi), fill, grad / (x * (1 - x)))


@with_out
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given.

    Example:
        >>> jtorch.logit(jtorch.tensor([0.5, 0.0]), eps=1e-6)
        tensor([  0.0000, -13.8155])
    """
    return Logit.apply(float_operand(input), eps=eps)


# -- binary math ---------------------------------------------------------------------------


def _float_pair(input, other) -> list:
    a, b = _pair(input, other)
    if (a if isinstance(a, Tensor) else b)._array.dtype.kind not in "fc":
        a, b = promote(a, b, dtype=dtypes.get_default_dtype())
    return [a, b]


class Atan2(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        return xp_of(a).arctan2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        g = grad / (a * a + b * b)
        need = ctx.needs_input_grad
        return (g * b if need[0] else None), (g * -a if need[1] else None)


@with_out
def atan2(input: Tensor, other: Tensor) -> Tensor:
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant.

    Example:
        >>> jtorch.atan2(jtorch.tensor([1.0, 1.0]), jtorch.tensor([1.0, -1.0]))
        tensor([0.7854, 2.3562])
    """
    _require_tensor("atan2", other)
    return Atan2.apply(*_float_pair(input, other))


arctan2 = atan2


class Hypot(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        ctx.retain_outputs(0)
        return xp_of(a).hypot(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        g = grad / ctx.saved_outputs[0]
        need = ctx.needs_input_grad
        return (g * a if need[0] else None), (g * b if need[1] else None)


@with_out
def hypot(input: Tensor, other: Tensor) -> Tensor:
    """``sqrt(input**2 + other**2)`` without overflow.

    Example:
        >>> jtorch.hypot(jtorch.tensor([3.0]), jtorch.tensor([4.0]))
        tensor([5.])
    """
    _require_tensor("hypot", other)
    a, b = _pair(input, other)
    if a._array.dtype.kind not in "fc":
        raise _not_implemented("hypot_cpu", a)
    return Hypot.apply(a, b)


class Fmod(Function):
    """``fmod`` with a tensor divisor; ``rounding`` is how the quotient in the divisor's
    gradient ``-grad * div(a, b, rounding_mode=rounding)`` rounds."""

    node_name = "FmodBackward1"
    kernel, rounding = "fmod", "trunc"

    @staticmethod
    def forward(ctx, a, b):
        _check_int_divisor(a, b)
        if ctx.needs_input_grad[1]:
            ctx.retain_inputs(0, 1)
        xp = _xp_pair(a, b)
        if ctx.fn.kernel == "remainder" and (a if hasattr(a, "dtype") else b).dtype.kind == "f":
            return _float_remainder(xp, a, b)
        return getattr(xp, ctx.fn.kernel)(a, b)

    @staticmethod
    def backward(ctx, grad):
        gb = None
        if ctx.needs_input_grad[1]:
            a, b = ctx.saved_inputs
            gb = -grad * div(a, b, rounding_mode=ctx.fn.rounding)
        return (grad if ctx.needs_input_grad[0] else None), gb


def _float_remainder(xp, a, b):
    # NOTE: torch's formula, fmod moved to the divisor's sign: -3.0 % 3 is -0.0 (NumPy says 0.0).
    with np.errstate(all="ignore"):
        m = xp.fmod(a, b)
        return xp.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)


class FmodScalar(Fmod):
    node_name = "FmodBackward0"
    hidden_inputs = (1,)


class Remainder(Fmod):
    node_name = "RemainderBackward1"
    kernel, rounding = "remainder", "floor"


class RemainderScalar(Remainder):
    node_name = "RemainderBackward0"
    hidden_inputs = (1,)


@with_out
def fmod(input: Tensor, other) -> Tensor:
    """C's ``fmod``: the remainder of ``input / other`` with the sign of ``input``.

    Example:
        >>> jtorch.fmod(jtorch.tensor([-3, 3]), 2)
        tensor([-1,  1])
    """
    a, b = _pair(input, other)
    return (Fmod if isinstance(b, Tensor) else FmodScalar).apply(a, b)


@with_out
def remainder(input, other) -> Tensor:
    """Python's ``%``: the remainder of ``input / other`` with the sign of ``other``.

    Example:
        >>> jtorch.remainder(jtorch.tensor([-3, 3]), 2)
        tensor([1, 1])
    """
    a, b = _pair(input, other)
    return (Remainder if isinstance(b, Tensor) else RemainderScalar).apply(a, b)


class FloorDivide(DivRounded):
    """``floor_divide``: torch records a node whose backward is not implemented."""

    node_name = "NotImplemented"

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


@with_out
def floor_divide(input, other) -> Tensor:
    """``floor(input / other)`` (Python's ``//``), keeping integer dtypes.

    Example:
        >>> jtorch.floor_divide(jtorch.tensor([-7, 7]), 2)
        tensor([-4,  3])
    """
    a, b = _pair(input, other)
    return FloorDivide.apply(a, b, mode="floor")


@with_out
def float_power(input, exponent) -> Tensor:
    """``input ** exponent`` computed in float64 (complex128 for complex operands).

    Example:
        >>> jtorch.float_power(jtorch.tensor([2]), 3)
        tensor([8.], dtype=torch.float64)
    """
    operands = [to_operand(input), to_operand(exponent)]
    complex_ = any(
        (x.is_complex() if isinstance(x, Tensor) else isinstance(x, builtins.complex))
        for x in operands
    )
    target = dtypes.complex128 if complex_ else dtypes.float64
    a, b = (promote_to(x, target) if isinstance(x, Tensor) else x for x in operands)
    return pow(a, b)


def float_power_(self: Tensor, exponent) -> Tensor:
    """In-place :func:`float_power`; ``self`` must already be float64 (or complex128)."""
    result = float_power(self, exponent)
    if self._array.dtype != result._array.dtype:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {_type_name(self._array.dtype)} but the "
            f"operation's result requires dtype {_type_name(result._array.dtype)}"
        )
    return make_inplace(pow)(self, promote_to(to_operand(exponent), result.dtype))


class Maximum(Function):
    """``maximum``: ties split the gradient in half, as torch does."""

    kernel = "maximum"

    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        return getattr(xp_of(a), ctx.fn.kernel)(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        half = where(a == b, grad / 2, grad)
        lose_a, lose_b = (a < b, a > b) if ctx.fn is Maximum else (a > b, a < b)
        need = ctx.needs_input_grad
        return (where(lose_a, 0, half) if need[0] else None), (
            where(lose_b, 0, half) if need[1] else None
        )


class Minimum(Maximum):
    kernel = "minimum"


class Fmax(Function):
    """``fmax``: NaN-ignoring maximum; the gradient goes to the chosen operand only."""

    kernel = "fmax"

    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        return getattr(xp_of(a), ctx.fn.kernel)(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        take_a = ((a >= b) if ctx.fn is Fmax else (a <= b)) | b.isnan()
        need = ctx.needs_input_grad
        return (where(take_a, grad, 0) if need[0] else None), (
            where(take_a, 0, grad) if need[1] else None
        )


class Fmin(Fmax):
    kernel = "fmin"


def _extremum(cls, name: str, input: Tensor, other: Tensor) -> Tensor:
    _require_tensor(name, other)
    a, b = _pair(input, other)
    if a._array.dtype.kind == "c":
        raise RuntimeError(f"{name} not implemented for complex tensors.")
    return cls.apply(a, b)


@with_out
def maximum(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise maximum (NaN propagates).

    Example:
        >>> jtorch.maximum(jtorch.tensor([1, 5]), jtorch.tensor([3, 2]))
        tensor([3, 5])
    """
    return _extremum(Maximum, "maximum", input, other)


@with_out
def minimum(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise minimum (NaN propagates).

    Example:
        >>> jtorch.minimum(jtorch.tensor([1, 5]), jtorch.tensor([3, 2]))
        tensor([1, 2])
    """
    return _extremum(Minimum, "minimum", input, other)


@with_out
def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise maximum that ignores a NaN when the other operand is a number.

    Example:
        >>> jtorch.fmax(jtorch.tensor([1.0, float("nan")]), jtorch.tensor([3.0, 2.0]))
        tensor([3., 2.])
    """
    return _extremum(Fmax, "fmax", input, other)


@with_out
def fmin(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise minimum that ignores a NaN when the other operand is a number.

    Example:
        >>> jtorch.fmin(jtorch.tensor([1.0, float("nan")]), jtorch.tensor([3.0, 2.0]))
        tensor([1., 2.])
    """
    return _extremum(Fmin, "fmin", input, other)


class Lerp(Function):
    """``lerp`` with a scalar weight (torch's two-sided formula, exact at both ends)."""

    hidden_inputs = (2,)

    @staticmethod
    def forward(ctx, a, b, weight):
        if ctx.fn is Lerp:
            ctx.weight = weight
        else:
            ctx.retain_inputs(0, 1, 2) if ctx.needs_input_grad[2] else ctx.retain_inputs(2)
        return _fused.lerp(a, b, weight)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        gw = None
        if ctx.fn is Lerp:
            w = ctx.weight
        else:
            saved = ctx.saved_inputs
            w = saved[-1]
            if need[2]:
                gw = grad * (saved[1] - saved[0])
        return (grad * (1 - w) if need[0] else None), (grad * w if need[1] else None), gw


class LerpTensor(Lerp):
    node_name = "LerpBackward1"
    hidden_inputs = ()


def _dtype_word(d) -> str:
    return {"float32": "float", "float64": "double", "float16": "c10::Half"}.get(d.name, d.name)


@with_out
def lerp(input: Tensor, end: Tensor, weight) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``.

    Example:
        >>> jtorch.lerp(jtorch.tensor([0.0, 10.0]), jtorch.tensor([10.0, 20.0]), 0.25)
        tensor([ 2.5000, 12.5000])
    """
    _require_tensor("lerp", end)
    for what, t in (("end", end), ("weight", weight)):
        if isinstance(t, Tensor) and t._array.dtype != input._array.dtype:
            if what == "end" or t._array.ndim:
                raise RuntimeError(
                    f"expected dtype {_dtype_word(input.dtype)} for `{what}` but got dtype "
                    f"{_dtype_word(t.dtype)}"
                )
            weight = promote_to(t, input.dtype)
    tensor_weight = isinstance(weight, Tensor)
    if input._array.dtype.kind not in "fc":
        raise _not_implemented(
            "lerp_kernel_tensor" if tensor_weight else "lerp_kernel_scalar", input
        )
    broadcast_shapes(
        input._array.shape, end._array.shape, *([weight._array.shape] if tensor_weight else [])
    )
    return (LerpTensor if tensor_weight else Lerp).apply(input, end, weight)


# -- clamp ---------------------------------------------------------------------------------


def _clip(xp, x, lo, hi):
    # NOTE: torch's clamp is min(max(x, lo), hi): with lo > hi every element becomes hi, as in
    # np.clip, which also keeps a -0.0 at a 0 bound as torch does and runs SIMD loops (maximum
    # with a scalar does not: 4x slower).
    if x.dtype.kind == "f":
        return parallel.clip(x, -math.inf if lo is None else lo, math.inf if hi is None else hi)
    if lo is not None:
        x = xp.maximum(x, lo)
    return x if hi is None else xp.minimum(x, hi)


def _inside(x: Tensor, lo, hi) -> Tensor:
    if lo is None:
        return x <= hi
    return x >= lo if hi is None else (x >= lo) & (x <= hi)


class Clamp(Function):
    """``clamp`` with scalar bounds (either may be None)."""

    node_name = "ClampBackward1"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.lo, ctx.hi = lo, hi
        ctx.retain_inputs(0)
        return _clip(xp_of(x), x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        return where(_inside(ctx.saved_inputs[0], ctx.lo, ctx.hi), grad, 0)


class ClampMin(Clamp):
    node_name = "ClampMinBackward0"


class ClampMax(Clamp):
    node_name = "ClampMaxBackward0"


class ClampTensor(Function):
    """``clamp`` with tensor bounds (either may be None), torch's gradients for the bounds."""

    node_name = "ClampBackward0"

    @staticmethod
    def forward(ctx, x, lo, hi):
        ctx.retain_inputs(0, 1, 2)
        return _clip(xp_of(x), x, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        x, lo, hi = ctx.saved_inputs
        need = ctx.needs_input_grad
        gx = where(_inside(x, lo, hi), grad, 0) if need[0] else None
        glo = ghi = None
        if need[1]:
            glo = where((x < lo) & (lo < hi) if hi is not None else x < lo, grad, 0)
        if need[2]:
            ghi = where((x > hi) | (hi < lo) if lo is not None else x > hi, grad, 0)
        return gx, glo, ghi


class ClampMinTensor(ClampTensor):
    node_name = "ClampMinBackward1"


class ClampMaxTensor(ClampTensor):
    node_name = "ClampMaxBackward1"


_NUMBER = (int, float, type(None))


def _clamp(scalar_cls, tensor_cls, input: Tensor, lo, hi) -> Tensor:
    if type(lo) in _NUMBER and type(hi) in _NUMBER and input._array.dtype.kind == "f":
        return scalar_cls.apply(input, lo=lo, hi=hi)  # numbers never change a float dtype
    bounds = [to_operand(v) for v in (lo, hi) if v is not None]
    tensor_bounds = [isinstance(v, Tensor) for v in bounds]
    if True in tensor_bounds and False in tensor_bounds:
        # NOTE: torch's argument parser takes a 0-d tensor as a Number, so (Tensor, 0-d, Number)
        # is the Number overload; a dimensioned tensor next to a number matches no overload.
        if any(isinstance(v, Tensor) and v._array.ndim for v in bounds):
            raise TypeError(
                "clamp() received an invalid combination of arguments - got (Tensor, Tensor, "
                "Number): min and max must both be Tensors or both be Numbers"
            )
        bounds = [v.item() if isinstance(v, Tensor) else v for v in bounds]
    tensor_bounds = True in tensor_bounds and False not in tensor_bounds
    x, *bounds = promote(input, *bounds)
    lo, hi = (bounds.pop(0) if v is not None else None for v in (lo, hi))
    if tensor_bounds:
        return tensor_cls.apply(x, lo, hi)
    return scalar_cls.apply(x, lo=lo, hi=hi)


@with_out
def clamp(input: Tensor, min=None, max=None) -> Tensor:  # noqa: A002
    """Limit every element to ``[min, max]`` (numbers or tensors; either may be None).

    Example:
        >>> jtorch.clamp(jtorch.tensor([-2.0, 0.5, 3.0]), min=0, max=1)
        tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    return _clamp(Clamp, ClampTensor, input, min, max)


clip = clamp


@with_out
def clamp_min(input: Tensor, min) -> Tensor:  # noqa: A002
    """``max(input, min)`` with clamp's gradient.

    Example:
        >>> jtorch.clamp_min(jtorch.tensor([-2, 3]), 0)
        tensor([0, 3])
    """
    return _clamp(ClampMin, ClampMinTensor, input, min, None)


@with_out
def clamp_max(input: Tensor, max) -> Tensor:  # noqa: A002
    """``min(input, max)`` with clamp's gradient.

    Example:
        >>> jtorch.clamp_max(jtorch.tensor([-2, 3]), 0)
        tensor([-2,  0])
    """
    return _clamp(ClampMax, ClampMaxTensor, input, None, max)


# -- selection -----------------------------------------------------------------------------


class Where(Function):
    hidden_inputs = (0,)

    @staticmethod
    def forward(ctx, condition, x, y):
        ctx.retain_inputs(0)
        return backend.where(condition, x, y)

    @staticmethod
    def backward(ctx, grad):
        (c,) = ctx.saved_inputs
        need = ctx.needs_input_grad
        return (
            None,
            (where(c, grad, 0) if need[1] else None),
            (where(c, 0, grad) if need[2] else None),
        )


@with_out
def where(condition: Tensor, input=None, other=None):
    """``input`` where ``condition`` holds, else ``other`` (tensors or numbers, broadcast);
    with only a condition, the indices of its true elements (``nonzero(as_tuple=True)``).

    Example:
        >>> c = jtorch.tensor([True, False, True])
        >>> jtorch.where(c, jtorch.tensor([1, 2, 3]), 0.5), jtorch.where(c)
        (tensor([1.0000, 0.5000, 3.0000]), (tensor([0, 2]),))
    """
    xp = condition._xp()
    if input is None and other is None:
        return tuple(Tensor._make(i) for i in xp.nonzero(xp.atleast_1d(condition._array)))
    if condition._array.dtype.kind != "b":
        raise RuntimeError(
            "where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_type_name(condition._array.dtype)}"
        )
    broadcast_shapes(  # NOTE: before _pair, so a mismatch names torch's operands
        condition._array.shape, *(t._array.shape for t in (input, other) if isinstance(t, Tensor))
    )
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):  # on condition's device
        input = Tensor._make(xp.asarray(input, dtype=dtypes.result_type(input, other).np))
    x, y = _pair(input, other)
    return Where.apply(condition, x, y)


class NanToNum(Function):
    @staticmethod
    def forward(ctx, x, nan, posinf, neginf):
        ctx.retain_inputs(0)
        return xp_of(x).nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    @staticmethod
    def backward(ctx, grad):
        return where(ctx.saved_inputs[0].isfinite(), grad, 0)


@with_out
def nan_to_num(
    input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the dtype's
    largest and smallest finite values).

    Example:
        >>> jtorch.nan_to_num(jtorch.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
        tensor([0., 9., 1.])
    """
    if input._array.dtype.kind not in "fc":
        return Tensor._make(input._array.copy())
    return NanToNum.apply(input, nan=nan, posinf=posinf, neginf=neginf)


# -- complex parts -------------------------------------------------------------------------


def real(input: Tensor) -> Tensor:
    """The real part of a complex tensor (a view); a real tensor itself.

    Example:
        >>> jtorch.real(jtorch.tensor([1 + 2j]))
        tensor([1.])
    """
    return select(view_as_real(input), -1, 0) if input._array.dtype.kind == "c" else input


def imag(input: Tensor) -> Tensor:
    """The imaginary part of a complex tensor (a view).

    Example:
        >>> jtorch.imag(jtorch.tensor([1 + 2j]))
        tensor([2.])
    """
    if input._array.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return select(view_as_real(input), -1, 1)


def _complex_parts(xp, re, im):
    out = xp.empty(broadcast_shapes(re.shape, im.shape), xp.result_type(re.dtype, xp.complex64))
    out.real, out.imag = re, im
    return out


class Complex(Function):
    @staticmethod
    def forward(ctx, re, im):
        return _complex_parts(xp_of(re), re, im)

    @staticmethod
    def backward(ctx, grad):
        need = ctx.needs_input_grad
        return (real(grad) if need[0] else None), (imag(grad) if need[1] else None)


class Polar(Function):
    @staticmethod
    def forward(ctx, r, theta):
        ctx.retain_inputs(0, 1)
        xp = xp_of(r)
        return _complex_parts(xp, r * xp.cos(theta), r * xp.sin(theta))

    @staticmethod
    def backward(ctx, grad):
        r, theta = ctx.saved_inputs
        c, s, gr, gi = theta.cos(), theta.sin(), real(grad), imag(grad)
        need = ctx.needs_input_grad
        return (gr * c + gi * s if need[0] else None), (r * (gi * c - gr * s) if need[1] else None)


def _check_complex_parts(op: str, a: Tensor, b: Tensor, names: tuple) -> None:
    _require_tensor(op, a, 1, names[0])
    _require_tensor(op, b, 2, names[1])
    if a._array.dtype.kind != "f" or b._array.dtype.kind != "f":
        raise RuntimeError(
            "Expected both inputs to be Half, Float or Double tensors but got "
            f"{_type_name(a._array.dtype)} and {_type_name(b._array.dtype)}"
        )
    if a._array.dtype != b._array.dtype:
        raise RuntimeError(
            f"Expected object of scalar type {_type_name(a._array.dtype)} but got scalar type "
            f"{_type_name(b._array.dtype)} for second argument"
        )


@with_out
def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001
    """The complex tensor ``real + imag * 1j`` (both floating tensors of one dtype).

    Example:
        >>> jtorch.complex(jtorch.tensor([1.0]), jtorch.tensor([2.0]))
        tensor([1.+2.j])
    """
    _check_complex_parts("complex", real, imag, ("real", "imag"))
    return Complex.apply(real, imag)


@with_out
def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002
    """The complex tensor with magnitude ``abs`` and phase ``angle``.

    Example:
        >>> jtorch.polar(jtorch.tensor([2.0]), jtorch.tensor([0.0]))
        tensor([2.+0.j])
    """
    _check_complex_parts("polar", abs, angle, ("abs", "angle"))
    if abs._array.dtype == np.float16:
        raise _not_implemented("polar_cpu", abs)
    return Polar.apply(abs, angle)
