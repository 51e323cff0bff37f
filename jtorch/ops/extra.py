"""Ops that fit no other family: fused arithmetic (addcmul, addr), integer math (gcd, lcm),
statistics (quantile, cov, cdist), numerical calculus (trapezoid, gradient), window functions,
``*_copy`` variants of views, strided views, and torch's top-level in-place functions.

Example:
    >>> import jtorch
    >>> jtorch.addcmul(jtorch.ones(2), jtorch.tensor([1.0, 2.0]), jtorch.tensor([3.0, 4.0]))
    tensor([4., 9.])
    >>> x = jtorch.tensor([0.5, -2.0]); jtorch.abs_(x); x
    tensor([0.5000, 2.0000])
    tensor([0.5000, 2.0000])
"""

from __future__ import annotations

import builtins
import itertools
import math

import numpy as np

from jtorch import dtypes
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops import elementwise, indexing, joining, matmul, movement, reduce, scan, sorting
from jtorch.ops._broadcast import float_operand, promote, sum_to, to_operand
from jtorch.ops._broadcast import broadcast_shapes as _broadcast_shapes
from jtorch.ops._inplace import make_inplace, with_out

__all__ = [
    "addcdiv",
    "addcmul",
    "addr",
    "copysign",
    "deg2rad",
    "rad2deg",
    "frexp",
    "gcd",
    "lcm",
    "ldexp",
    "heaviside",
    "logaddexp",
    "logaddexp2",
    "nextafter",
    "rsub",
]


# -- top-level in-place functions ------------------------------------------------------------
# NOTE: torch exposes ``torch.abs_(x)`` etc. as functions; each is the Tensor method of the same
# name, built here once from the family's out-of-place op (an explicit ``name_`` wins).
_TOP_INPLACE = """
abs acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh ceil clamp
clamp_max clamp_min clip cos cosh erf erfc exp exp2 expm1 fix floor frac log log10 log1p log2
logit nan_to_num neg negative reciprocal round rsqrt sigmoid sin sinh sqrt square tan tanh trunc
addmv
""".split()
_FAMILY_MODULES = (elementwise, matmul)


def _inplace_of(name: str):
    for module in _FAMILY_MODULES:
        if callable(vars(module).get(name + "_")):
            return vars(module)[name + "_"]
    return make_inplace(next(vars(m)[name] for m in _FAMILY_MODULES if name in vars(m)))


globals().update({name + "_": _inplace_of(name) for name in _TOP_INPLACE})
__all__ += [name + "_" for name in _TOP_INPLACE]


# -- fused arithmetic ------------------------------------------------------------------------
class Addcmul(Function):
    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        ctx.value = value
        ctx.retain_inputs(1, 2)
        return x + value * (t1 * t2) if value != 1 else x + t1 * t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_inputs
        need, v = ctx.needs_input_grad, ctx.value
        g = grad * v if v != 1 else grad
        return (
            (grad if need[0] else None),
            (g * t2 if need[1] else None),
            (g * t1 if need[2] else None),
        )


class Addcdiv(Function):
    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        ctx.value = value
        ctx.retain_inputs(1, 2)
        return x + value * (t1 / t2) if value != 1 else x + t1 / t2

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_inputs
        need, v = ctx.needs_input_grad, ctx.value
        g = grad * v / t2
        return (
            (grad if need[0] else None),
            (g if need[1] else None),
            (-g * t1 / t2 if need[2] else None),
        )


def _fused(cls, input, tensor1, tensor2, value):
    x, t1, t2 = promote(input, tensor1, tensor2)
    if cls is Addcdiv and t1.dtype.category == dtypes.INT:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    return cls.apply(x, t1, t2, value=value)


@with_out
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 * tensor2``.

    Example:
        >>> jtorch.addcmul(jtorch.zeros(2), jtorch.ones(2), jtorch.tensor([2.0, 3.0]), value=2)
        tensor([4., 6.])
    """
    return _fused(Addcmul, input, tensor1, tensor2, value)


@with_out
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``.

    Example:
        >>> jtorch.addcdiv(jtorch.zeros(2), jtorch.ones(2), jtorch.tensor([2.0, 4.0]))
        tensor([0.5000, 0.2500])
    """
    return _fused(Addcdiv, input, tensor1, tensor2, value)


@with_out
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``.

    Example:
        >>> jtorch.addr(jtorch.zeros(2, 2), jtorch.tensor([1.0, 2.0]), jtorch.tensor([3.0, 4.0]))
        tensor([[3., 4.],
                [6., 8.]])
    """
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.dim() != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.dim()}-D")
    product = matmul.outer(vec1, vec2)
    product = product if alpha == 1 else product * alpha
    if beta == 0:  # NOTE: torch ignores input (even NaN) when beta is 0
        return product + elementwise.mul(input, 0).nan_to_num(0.0, 0.0, 0.0)
    return product + (input if beta == 1 else input * beta)


@with_out
def rsub(input: Tensor, other, *, alpha=1) -> Tensor:
    """``other - alpha * input``.

    Example:
        >>> jtorch.rsub(jtorch.tensor([1.0, 2.0]), 5)
        tensor([4., 3.])
    """
    return elementwise.sub(other, input, alpha=alpha)


# -- element-wise math -----------------------------------------------------------------------
class Copysign(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        return xp_of(a).copysign(a, b)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_inputs
        ratio = ctx.saved_outputs[0] / a
        need = ctx.needs_input_grad
        ga = grad * elementwise.where(a == 0, 0.0, ratio) if need[0] else None
        return ga, (elementwise.mul(grad, 0) if need[1] else None)


class CopysignScalar(Copysign):
    node_name = "CopysignBackward1"


@with_out
def copysign(input: Tensor, other) -> Tensor:
    """The magnitude of ``input`` with the sign of ``other`` (a float result).

    Example:
        >>> jtorch.copysign(jtorch.tensor([1.0, 2.0]), -1.0)
        tensor([-1., -2.])
    """
    a, b = promote(input, other)
    if a.dtype.category != dtypes.FLOAT:
        a, b = promote(a, b, dtype=dtypes.get_default_dtype())
    if isinstance(b, Tensor):
        return Copysign.apply(a, b)
    return CopysignScalar.apply(a, float(b))


class _Scale(Function):
    """Multiplication by a constant, with its own grad_fn name (deg2rad, rad2deg)."""

    factor = 1.0

    @classmethod
    def forward(cls, ctx, x):
        return x * x.dtype.type(cls.factor)

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.factor


class Deg2Rad(_Scale):
    node_name = "Deg2RadBackward0"
    factor = math.pi / 180


class Rad2Deg(_Scale):
    node_name = "Rad2DegBackward0"
    factor = 180 / math.pi


def _angle_op(cls, name: str, input: Tensor) -> Tensor:
    if input.is_complex():
        raise RuntimeError(f"{name} is not supported for complex tensors.")
    return cls.apply(float_operand(input))


@with_out
def deg2rad(input: Tensor) -> Tensor:
    """Degrees to radians.

    Example:
        >>> jtorch.deg2rad(jtorch.tensor([180.0]))
        tensor([3.1416])
    """
    return _angle_op(Deg2Rad, "deg2rad", input)


@with_out
def rad2deg(input: Tensor) -> Tensor:
    """Radians to degrees.

    Example:
        >>> jtorch.rad2deg(jtorch.tensor([math.pi]))
        tensor([180.])
    """
    return _angle_op(Rad2Deg, "rad2deg", input)


class Frexp(Function):
    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x):
        ctx.retain_outputs(1)
        mantissa, exponent = xp_of(x).frexp(x)
        return mantissa, exponent.astype(np.int32)

    @staticmethod
    def backward(ctx, grad, _):
        return grad / elementwise.pow(2.0, ctx.saved_outputs[0])


def frexp(input: Tensor, *, out=None):
    """Mantissa in [0.5, 1) and integer exponent with ``input == mantissa * 2**exponent``.

    Example:
        >>> jtorch.frexp(jtorch.tensor([8.0]))
        torch.return_types.frexp(
        mantissa=tensor([0.5000]),
        exponent=tensor([4], dtype=torch.int32))
    """
    from jtorch.return_types import frexp as result  # noqa: PLC0415

    if input.dtype.category != dtypes.FLOAT:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    mantissa, exponent = Frexp.apply(input)
    if out is not None:
        out[0].copy_(mantissa), out[1].copy_(exponent)
        mantissa, exponent = out
    return result((mantissa, exponent))


def _integer_op(kernel: str, fn, input: Tensor, other) -> Tensor:
    a, b = promote(input, other)
    if a.dtype.category not in (dtypes.INT,) or a.dtype == dtypes.bool:
        raise elementwise._not_implemented(kernel, a)
    xp = xp_of(a._array)
    return Tensor._make(
        xp.asarray(
            getattr(xp, fn)(a._array, b._array if isinstance(b, Tensor) else b),
            dtype=a._array.dtype,
        )
    )


@with_out
def gcd(input: Tensor, other: Tensor) -> Tensor:
    """Greatest common divisor, element-wise (integers only).

    Example:
        >>> jtorch.gcd(jtorch.tensor([12, 7]), jtorch.tensor([18, 21]))
        tensor([6, 7])
    """
    return _integer_op("gcd_cpu", "gcd", input, other)


@with_out
def lcm(input: Tensor, other: Tensor) -> Tensor:
    """Least common multiple, element-wise (integers only).

    Example:
        >>> jtorch.lcm(jtorch.tensor([4, 6]), jtorch.tensor([6, 4]))
        tensor([12, 12])
    """
    return _integer_op("lcm_cpu", "lcm", input, other)


class Ldexp(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        ctx.retain_outputs(0)
        return a * xp_of(a).exp2(b, dtype=a.dtype)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        need = ctx.needs_input_grad
        if b._array.dtype.kind in "iu":
            # NOTE: torch's formula takes 2**other in other's integer dtype, so a negative
            # exponent gives the input a zero gradient; the same is done here.
            scale = elementwise.where(b < 0, 0.0, elementwise.pow(2.0, b))
        else:
            scale = elementwise.exp2(b)
        ga = grad * scale if need[0] else None
        gb = grad * ctx.saved_outputs[0] * math.log(2) if need[1] else None
        return ga, gb


@with_out
def ldexp(input: Tensor, other: Tensor) -> Tensor:
    """``input * 2**other``.

    Example:
        >>> jtorch.ldexp(jtorch.tensor([1.0]), jtorch.tensor([3]))
        tensor([8.])
    """
    a = float_operand(input)
    if isinstance(other, Tensor) and other.dtype.category != dtypes.INT:
        a, other = promote(a, other)
    return Ldexp.apply(a, other)


@with_out
def heaviside(input: Tensor, values: Tensor) -> Tensor:
    """Step function: 0 where ``input < 0``, 1 where ``> 0``, ``values`` where ``== 0``.

    Example:
        >>> jtorch.heaviside(jtorch.tensor([-1.0, 0.0, 2.0]), jtorch.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    if input.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input.is_complex():
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    x, v = input._array, values._array
    xp = xp_of(x)
    out = xp.where(x == 0, v, (x > 0).astype(x.dtype))
    return Tensor._make(xp.asarray(out, dtype=x.dtype))


class Logaddexp(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        return xp_of(a).logaddexp(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        need = ctx.needs_input_grad
        ga = grad / (1 + elementwise.exp(b - a)) if need[0] else None
        gb = grad / (1 + elementwise.exp(a - b)) if need[1] else None
        return ga, gb


class Logaddexp2(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.retain_inputs(0, 1)
        return xp_of(a).logaddexp2(a, b)

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved_inputs
        need = ctx.needs_input_grad
        ga = grad / (1 + elementwise.exp2(b - a)) if need[0] else None
        gb = grad / (1 + elementwise.exp2(a - b)) if need[1] else None
        return ga, gb


def _float_binary(cls, kernel: str, input: Tensor, other: Tensor) -> Tensor:
    a, b = promote(input, other)
    if a.dtype.category != dtypes.FLOAT:
        raise elementwise._not_implemented(kernel, a)
    return cls.apply(a, b)


@with_out
def logaddexp(input: Tensor, other: Tensor) -> Tensor:
    """``log(exp(input) + exp(other))`` without overflow.

    Example:
        >>> jtorch.logaddexp(jtorch.tensor([0.0]), jtorch.tensor([0.0]))
        tensor([0.6931])
    """
    return _float_binary(Logaddexp, "logaddexp_cpu", input, other)


@with_out
def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """``log2(2**input + 2**other)`` without overflow.

    Example:
        >>> jtorch.logaddexp2(jtorch.tensor([1.0]), jtorch.tensor([1.0]))
        tensor([2.])
    """
    return _float_binary(Logaddexp2, "logaddexp2_cpu", input, other)


class Nextafter(Function):
    @staticmethod
    def forward(ctx, a, b):
        return xp_of(a).nextafter(a, b)

    @staticmethod
    def backward(ctx, grad):
        raise RuntimeError("the derivative for 'nextafter' is not implemented.")


@with_out
def nextafter(input: Tensor, other: Tensor) -> Tensor:
    """The next representable float after ``input`` towards ``other``.

    Example:
        >>> jtorch.nextafter(jtorch.tensor([1.0]), jtorch.tensor([2.0])) > 1
        tensor([True])
    """
    return _float_binary(Nextafter, "nextafter_cpu", input, other)
