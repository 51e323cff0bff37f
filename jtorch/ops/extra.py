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
from jtorch.ops._broadcast import broadcast_shapes as _broadcast_shapes
from jtorch.ops._broadcast import float_operand, promote
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
    "quantile",
    "nanquantile",
    "cov",
    "corrcoef",
    "renorm",
    "cdist",
    "pdist",
    "cartesian_prod",
    "combinations",
    "broadcast_shapes",
    "cross",
    "chain_matmul",
    "trapezoid",
    "trapz",
    "cumulative_trapezoid",
    "gradient",
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


# -- statistics ------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile_q(name: str, input: Tensor, q):
    if isinstance(q, Tensor):
        if q.dim() > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qs = q._array
        if qs.size and bool(((qs < 0) | (qs > 1)).any()):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        return qs, q.dim() == 0
    if not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    return np.asarray(q, dtype=input._array.dtype), True


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan) -> Tensor:
    if input.dtype not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    qs, scalar_q = _quantile_q(name, input, q)
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        values, kept = input.reshape(-1), (1,) * input.dim()
    else:
        dim = _wrap_dim(dim, input.dim())
        values = movement.movedim(input, dim, -1)
        kept = input.shape[:dim] + (1,) + input.shape[dim + 1 :]
    ordered = sorting.sort(values, -1)[0]
    xp, arr = xp_of(ordered._array), ordered._array
    qs = xp.asarray(qs).reshape(-1)
    if ignore_nan:  # NOTE: ranks count only the non-NaN values; an all-NaN slice gives rank 0
        last = (~xp.isnan(arr)).sum(-1, keepdims=True) - 1
        ranks = xp.maximum(qs * last, 0)
    else:  # NOTE: a slice holding NaN points at its last (NaN) value
        last = arr.shape[-1] - 1
        ranks = xp.where(xp.isnan(arr).any(-1, keepdims=True), last, qs * last)
    ranks = xp.broadcast_to(ranks, arr.shape[:-1] + qs.shape).astype(arr.dtype)
    if interpolation in ("lower", "higher", "nearest"):
        ranks = {"lower": xp.floor, "higher": xp.ceil, "nearest": xp.round}[interpolation](ranks)
    below = indexing.gather(ordered, -1, Tensor._make(ranks.astype(np.int64)))
    if interpolation in ("linear", "midpoint"):
        above = indexing.gather(ordered, -1, Tensor._make(xp.ceil(ranks).astype(np.int64)))
        weights = ranks - xp.floor(ranks) if interpolation == "linear" else xp.full_like(ranks, 0.5)
        below = elementwise.lerp(below, above, Tensor._make(weights))
    out = movement.movedim(below, -1, 0)  # (q, *reduced)
    if keepdim:
        out = out.reshape((qs.shape[0],) + kept)
    return out.squeeze(0) if scalar_q else out


@with_out
def quantile(
    input: Tensor, q, dim: int | None = None, keepdim: bool = False, *, interpolation="linear"
) -> Tensor:
    """The ``q``-th quantiles of ``input`` (over all values, or along ``dim``); a slice that
    holds NaN gives NaN.

    Example:
        >>> jtorch.quantile(jtorch.tensor([1.0, 2.0, 3.0, 4.0]), 0.5)
        tensor(2.5000)
    """
    return _quantile("quantile", input, q, dim, keepdim, interpolation, ignore_nan=False)


@with_out
def nanquantile(
    input: Tensor, q, dim: int | None = None, keepdim: bool = False, *, interpolation="linear"
) -> Tensor:
    """:func:`quantile` ignoring NaN values.

    Example:
        >>> jtorch.nanquantile(jtorch.tensor([1.0, float("nan"), 3.0]), 0.5)
        tensor(2.)
    """
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, ignore_nan=True)


def cov(input: Tensor, *, correction: int = 1, fweights=None, aweights=None) -> Tensor:
    """Covariance matrix of the variables in the rows of ``input`` (observations in columns).

    Example:
        >>> jtorch.cov(jtorch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    if input.dim() > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input.dim()} dimensions"
        )
    x = input if input.dim() == 2 else input.reshape(1, -1)
    if x.dtype.category in (dtypes.INT, dtypes.BOOL):
        x = float_operand(x)
    n_obs = x.shape[1]
    w = None
    for name, weights in (("fweights", fweights), ("aweights", aweights)):
        if weights is None:
            continue
        if weights.dim() > 1:
            raise RuntimeError(
                f"cov(): expected {name} to have one or fewer dimensions but got {name} with "
                f"{weights.dim()} dimensions"
            )
        if weights.numel() != n_obs:
            raise RuntimeError(
                f"cov(): expected {name} to have the same numel as there are observations in the "
                f"input but got {weights.numel()} != {n_obs}"
            )
        w = weights if w is None else w * weights
    if w is None:
        avg, w_sum = x.mean(1), n_obs
    else:
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
    if w is None or correction == 0:
        norm = w_sum - correction
    elif aweights is None:
        norm = w_sum - correction
    else:
        norm = w_sum - correction * (w * aweights).sum() / w_sum
    if isinstance(norm, Tensor):
        norm = elementwise.clamp_min(norm, 0)
    else:
        norm = builtins.max(norm, 0)
    centred = x - avg.unsqueeze(1)
    weighted = centred if w is None else centred * w
    c = matmul.mm(centred, elementwise.conj(weighted).t())
    return (c / norm).squeeze()


def corrcoef(input: Tensor) -> Tensor:
    """Pearson correlation coefficients of the variables in the rows of ``input``.

    Example:
        >>> jtorch.corrcoef(jtorch.tensor([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    c = cov(input)
    if c.dim() == 0:
        return c / c
    d = joining.diag(c)
    std = elementwise.sqrt(d.real if c.is_complex() else d)
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    if c.is_complex():
        return elementwise.complex(
            elementwise.clamp(c.real, -1, 1), elementwise.clamp(c.imag, -1, 1)
        )
    return elementwise.clamp(c, -1, 1)


@with_out
def renorm(input: Tensor, p, dim: int, maxnorm) -> Tensor:
    """Rescale each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` to norm ``maxnorm``.

    Example:
        >>> jtorch.renorm(jtorch.tensor([[3.0, 4.0], [0.3, 0.4]]), 2, 0, 1.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    if input.dim() < 2:
        raise RuntimeError(
            f"renorm: input needs at least 2 dimensions, got {input.dim()} dimensions"
        )
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    from jtorch.linalg import vector_norm  # noqa: PLC0415

    dim = _wrap_dim(dim, input.dim())
    others = tuple(d for d in range(input.dim()) if d != dim)
    norms = vector_norm(input, p, others, keepdim=True)
    factor = elementwise.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0)
    return input * factor


# -- distances -------------------------------------------------------------------------------
class Cdist(Function):
    """The ``p``-norm over the last dimension of a difference tensor, with torch's zero
    gradient where the distance is zero."""

    @staticmethod
    def forward(ctx, diff, p=2.0):
        ctx.p = p
        ctx.retain_inputs(0)
        ctx.retain_outputs(0)
        xp = xp_of(diff)
        a = xp.abs(diff)
        if p == 0:
            return (a != 0).sum(-1).astype(diff.dtype)
        if p == 1:
            return a.sum(-1)
        if p == 2:
            return xp.sqrt((a * a).sum(-1))
        if p == math.inf:
            return a.max(-1) if a.shape[-1] else xp.zeros(a.shape[:-1], a.dtype)
        return (a**p).sum(-1) ** (1.0 / p)

    @staticmethod
    def backward(ctx, grad):
        (diff,) = ctx.saved_inputs
        dist = ctx.saved_outputs[0].unsqueeze(-1)
        p, g = ctx.p, grad.unsqueeze(-1)
        if p == 0:
            return elementwise.mul(diff, 0)
        if p == 1:
            return g * elementwise.sign(diff)
        if p == math.inf:
            return g * elementwise.sign(diff) * (elementwise.abs(diff) == dist)
        if p == 2:
            ratio = diff / dist
        else:
            a = elementwise.abs(diff)
            ratio = elementwise.sign(diff) * a ** (p - 1) / dist ** (p - 1)
        return g * elementwise.where(dist == 0, 0.0, ratio)


class Pdist(Cdist):
    pass


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0, compute_mode: str | None = None) -> Tensor:
    """``p``-norm distances between each row of ``x1`` and each row of ``x2`` (batched).

    Example:
        >>> jtorch.cdist(jtorch.tensor([[0.0, 0.0]]), jtorch.tensor([[3.0, 4.0], [1.0, 0.0]]))
        tensor([[5., 1.]])
    """
    for name, x in (("X1", x1), ("X2", x2)):
        if x.dtype.category != dtypes.FLOAT:
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, {name} got: {x.dtype._legacy[:-6]}"
            )
    for name, x in (("X1", x1), ("X2", x2)):
        if x.dim() < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {x.dim()}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: {x2.shape[-1]}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    if compute_mode not in (
        None,
        "use_mm_for_euclid_dist_if_necessary",
        "use_mm_for_euclid_dist",
        "donot_use_mm_for_euclid_dist",
    ):
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    if x1.dtype != x2.dtype:
        raise RuntimeError(
            f"expected scalar type {x1.dtype._legacy[:-6]} but found {x2.dtype._legacy[:-6]}"
        )
    return Cdist.apply(x1.unsqueeze(-2) - x2.unsqueeze(-3), p=float(p))


def pdist(input: Tensor, p: float = 2.0) -> Tensor:
    """``p``-norm distances between every pair of rows ``i < j`` of ``input``.

    Example:
        >>> jtorch.pdist(jtorch.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        tensor([5.0000, 1.0000, 4.2426])
    """
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if input.dtype.category != dtypes.FLOAT:
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    i, j = np.triu_indices(input.shape[0], 1)
    diff = input[Tensor._make(i)] - input[Tensor._make(j)]
    return Pdist.apply(diff, p=float(p))


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of one element from each 1-D tensor, as rows.

    Example:
        >>> jtorch.cartesian_prod(jtorch.tensor([1, 2]), jtorch.tensor([3, 4]))
        tensor([[1, 3],
                [1, 4],
                [2, 3],
                [2, 4]])
    """
    for t in tensors:
        if t.dim() != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = joining.meshgrid(*tensors, indexing="ij")
    return joining.stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All length-``r`` combinations of the elements of a 1-D tensor, as rows.

    Example:
        >>> jtorch.combinations(jtorch.tensor([1, 2, 3]))
        tensor([[1, 2],
                [1, 3],
                [2, 3]])
    """
    if input.dim() != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return Tensor._make(xp_of(input._array).empty((0,), input._array.dtype))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(input.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return joining.stack([input[Tensor._make(idx[:, k])] for k in range(r)], 1)


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (ints count as 1-D shapes).

    Example:
        >>> jtorch.broadcast_shapes((2, 1), (3,))
        torch.Size([2, 3])
    """
    from jtorch._size import Size  # noqa: PLC0415

    sizes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    ndim = builtins.max((len(s) for s in sizes), default=0)
    out = [1] * ndim
    for k, shape in enumerate(sizes):
        for i in range(-1, -len(shape) - 1, -1):
            if shape[i] < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension ({shape[i]}): ({shape[i]})"
                )
            if shape[i] == 1 or shape[i] == out[i]:
                continue
            if out[i] != 1:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[i]} at {i}! Mismatching"
                    f" argument at index {k} had {shape}; but expected shape should be "
                    f"broadcastable to {out}"
                )
            out[i] = shape[i]
    return Size(out)


@with_out
def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dimension of size 3).

    Example:
        >>> jtorch.cross(jtorch.tensor([1.0, 0.0, 0.0]), jtorch.tensor([0.0, 1.0, 0.0]))
        tensor([0., 0., 1.])
    """
    a, b = promote(input, other)
    shape = _broadcast_shapes(a.shape, b.shape)
    if dim is None:
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    dim = _wrap_dim(dim, len(shape))
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[dim]} and "
            f"{b.shape[dim]}"
        )
    a, b = a.expand(shape), b.expand(shape)
    left, right = Tensor._make(np.array([1, 2, 0])), Tensor._make(np.array([2, 0, 1]))
    pick = indexing.index_select
    return pick(a, dim, left) * pick(b, dim, right) - pick(a, dim, right) * pick(b, dim, left)


def chain_matmul(*matrices: Tensor, out=None) -> Tensor:
    """The matrix product of 2-D tensors, left to right (deprecated in torch: use
    ``linalg.multi_dot``).

    Example:
        >>> jtorch.chain_matmul(jtorch.eye(2), jtorch.ones(2, 2)).sum()
        tensor(4.)
    """
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    result = matrices[0]
    if len(matrices) == 1 and result.dim() != 2:
        raise RuntimeError(f"Tensor dimension is {result.dim()}, expected 2 instead.")
    result = result.clone() if len(matrices) == 1 else result
    for m in matrices[1:]:
        result = matmul.mm(result, m)
    if out is not None:
        out.copy_(result) if out.shape == result.shape else out.set_(result)
        return out
    return result


# -- numerical calculus ----------------------------------------------------------------------
def _slices(y: Tensor, dim: int):
    n = y.shape[dim]
    return movement.narrow(y, dim, 1, n - 1), movement.narrow(y, dim, 0, n - 1)


def _spacing_along(x: Tensor, y: Tensor, dim: int) -> Tensor:
    if x.dim() == 1:
        dx = scan.diff(x)
        return dx.reshape([-1 if d == dim else 1 for d in range(y.dim())])
    return scan.diff(x, dim=dim)


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """Integral of ``y`` along ``dim`` by the trapezoidal rule (sample points ``x`` or spacing
    ``dx``, default 1).

    Example:
        >>> jtorch.trapezoid(jtorch.tensor([1.0, 2.0, 3.0]))
        tensor(4.)
    """
    if x is not None and dx is not None:
        raise TypeError(
            "trapezoid() received an invalid combination of arguments - got (Tensor, x=Tensor, "
            "dx=...), but expected one of:"
        )
    dim = _wrap_dim(dim, y.dim())
    if y.shape[dim] == 0:
        return reduce.sum(y * 0, dim) if x is None else reduce.sum(y * 0, dim)
    upper, lower = _slices(y, dim)
    if isinstance(x, Tensor):
        return reduce.sum(_spacing_along(x, y, dim) * (upper + lower), dim) / 2
    step = 1 if x is None and dx is None else (x if dx is None else dx)
    total = reduce.sum(y, dim) - (movement.select(y, dim, 0) + movement.select(y, dim, -1)) * 0.5
    return total * step


def trapz(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """Alias of :func:`trapezoid`.

    Example:
        >>> jtorch.trapz(jtorch.tensor([1.0, 2.0, 3.0]), dx=2)
        tensor(8.)
    """
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y: Tensor, x: Tensor | None = None, *, dx=None, dim: int = -1) -> Tensor:
    """Running trapezoidal-rule integral of ``y`` along ``dim``.

    Example:
        >>> jtorch.cumulative_trapezoid(jtorch.tensor([1.0, 2.0, 3.0]))
        tensor([1.5000, 4.0000])
    """
    dim = _wrap_dim(dim, y.dim())
    if y.shape[dim] == 0:
        return y * 1.0
    upper, lower = _slices(y, dim)
    if isinstance(x, Tensor):
        return scan.cumsum(_spacing_along(x, y, dim) / 2.0 * (upper + lower), dim)
    step = 1 if x is None and dx is None else (x if dx is None else dx)
    return scan.cumsum(step / 2.0 * (upper + lower), dim)


def _gradient_along(f: Tensor, dim: int, h, edge_order: int) -> Tensor:
    n = f.shape[dim]

    def part(start, length):
        return movement.narrow(f, dim, start, length)

    def as_coef(c):
        return (
            c.reshape([-1 if d == dim else 1 for d in range(f.dim())])
            if isinstance(c, Tensor)
            else c
        )

    if isinstance(h, Tensor):  # coordinates
        dx = scan.diff(h.to(f.dtype) if f.is_floating_point() else h)
        d1, d2 = dx[:-1], dx[1:]
        a, b, c = -d2 / (d1 * (d1 + d2)), (d2 - d1) / (d1 * d2), d1 / (d2 * (d1 + d2))
        inner = as_coef(a) * part(0, n - 2) + as_coef(b) * part(1, n - 2)
        inner = inner + as_coef(c) * part(2, n - 2)
        if edge_order == 1:
            first = (part(1, 1) - part(0, 1)) / dx[0]
            last = (part(n - 1, 1) - part(n - 2, 1)) / dx[-1]
        else:
            d1, d2 = dx[0], dx[1]
            a, b, c = (
                -(2 * d1 + d2) / (d1 * (d1 + d2)),
                (d1 + d2) / (d1 * d2),
                -d1 / (d2 * (d1 + d2)),
            )
            first = a * part(0, 1) + b * part(1, 1) + c * part(2, 1)
            d1, d2 = dx[-2], dx[-1]
            a, b, c = (
                d2 / (d1 * (d1 + d2)),
                -(d2 + d1) / (d1 * d2),
                (2 * d2 + d1) / (d2 * (d1 + d2)),
            )
            last = a * part(n - 3, 1) + b * part(n - 2, 1) + c * part(n - 1, 1)
    else:
        inner = (part(2, n - 2) - part(0, n - 2)) / (2 * h)
        if edge_order == 1:
            first = (part(1, 1) - part(0, 1)) / h
            last = (part(n - 1, 1) - part(n - 2, 1)) / h
        else:
            first = (part(0, 1) * -1.5 + part(1, 1) * 2 - part(2, 1) * 0.5) / h
            last = (part(n - 3, 1) * 0.5 - part(n - 2, 1) * 2 + part(n - 1, 1) * 1.5) / h
    return joining.cat([first, inner, last], dim)


def gradient(input: Tensor, *, spacing=1, dim=None, edge_order: int = 1) -> tuple:
    """Derivative estimates of ``input`` along each of ``dim`` by central differences (one-sided
    at the edges, of ``edge_order`` 1 or 2); ``spacing`` is a step, one step per dim, or the
    coordinates of the samples along each dim.

    Example:
        >>> jtorch.gradient(jtorch.tensor([1.0, 4.0, 9.0, 16.0]))
        (tensor([3., 4., 6., 7.]),)
    """
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    dims = (
        list(range(input.dim()))
        if dim is None
        else [_wrap_dim(d, input.dim()) for d in ([dim] if isinstance(dim, int) else dim)]
    )
    steps = list(spacing) if isinstance(spacing, (list, tuple)) else [spacing] * len(dims)
    if len(steps) != len(dims):
        raise RuntimeError(
            "torch.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
            f"arguments to have the same length, but got a spacing argument of length "
            f"{len(steps)} and a dim argument of length {len(dims)}."
        )
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError(
                "torch.gradient expected each dimension size to be at least edge_order+1"
            )
    f = float_operand(input)
    steps = [s.item() if isinstance(s, Tensor) and s.dim() == 0 else s for s in steps]
    return tuple(_gradient_along(f, d, h, edge_order) for d, h in zip(dims, steps))
