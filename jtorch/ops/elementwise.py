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

from jtorch import dtypes
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._broadcast import broadcast_shapes, float_operand, promote
from jtorch.ops._inplace import with_out

__all__ = [
    "add",
    "sub",
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
]


def _pair(a, b) -> list:
    """Two operands of one dtype (fast path when both are tensors of the same dtype)."""
    if type(a) is Tensor and type(b) is Tensor and a._array.dtype is b._array.dtype:
        if type(a._array) is type(b._array):
            if a._array.shape != b._array.shape:
                broadcast_shapes(a._array.shape, b._array.shape)
            return [a, b]
    return promote(a, b)


class Add(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha == 1:
            return a + b
        ctx.alpha = alpha
        return a + alpha * b

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
    a, b = _pair(input, other)
    return Add.apply(a, b) if alpha == 1 else Add.apply(a, b, alpha=alpha)


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b, alpha=1):
        if alpha == 1:
            return a - b
        ctx.alpha = alpha
        return a - alpha * b

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
    a, b = _pair(input, other)
    if isinstance(a, Tensor) and isinstance(b, Tensor) and a._array.dtype.kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
            "`logical_xor()` operator instead."
        )
    return Sub.apply(a, b) if alpha == 1 else Sub.apply(a, b, alpha=alpha)


subtract = sub


class Mul(Function):
    @staticmethod
    def forward(ctx, a, b):
        need = ctx.needs_input_grad
        if need[1]:
            ctx.retain_inputs(0, 1) if need[0] else ctx.retain_inputs(0)
        if need[0] and not need[1]:
            ctx.retain_inputs(1)
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
        >>> jtorch.tensor([1 + 2j]).conj()
        tensor([1.-2.j])
    """
    return Conj.apply(input) if input._array.dtype.kind == "c" else input


@with_out
def mul(input, other) -> Tensor:
    """``input * other`` element-wise.

    Example:
        >>> jtorch.mul(jtorch.tensor([1, 2]), 3)
        tensor([3, 6])
    """
    a, b = _pair(input, other)
    return Mul.apply(a, b)


multiply = mul


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(1) if not ctx.needs_input_grad[1] else ctx.retain_inputs(0, 1)
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
        return grad * e * x ** (e - 1) if e != 2 else grad * 2 * x


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
        gx = grad * e * x ** (e - 1) if ctx.needs_input_grad[0] else None
        ge = None
        if ctx.needs_input_grad[1]:
            ge = grad * y * log(x).masked_fill((x == 0) & (e >= 0), 0)
        return gx, ge


class RPow(Function):
    """``scalar ** x``."""

    node_name = "PowBackward2"

    @staticmethod
    def forward(ctx, base, x):
        ctx.base = base
        ctx.retain_outputs(0)
        return base**x

    @staticmethod
    def backward(ctx, grad):
        import math  # noqa: PLC0415

        (y,) = ctx.saved_outputs
        return None, grad * y * (math.log(ctx.base) if ctx.base > 0 else float("nan"))


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


class Sigmoid(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.retain_outputs(0)
        xp = xp_of(x)
        # NOTE: split by sign so exp never overflows (same values as 1 / (1 + exp(-x))).
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

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

