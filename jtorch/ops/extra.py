"""Ops that fit no other family: fused arithmetic (addcmul, addr), integer math (gcd, lcm),
statistics (quantile, cov, cdist), numerical calculus (trapezoid, gradient), window functions,
``*_copy`` variants of views, strided views, torch's top-level in-place functions, its ATen
spellings of nn ops (``torch.batch_norm``, ``torch.kl_div`` with int reductions), storage views,
eager control flow (cond, while_loop, fork) and clear errors for sparse layouts.

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
from jtorch._runtime import is_nonzero  # noqa: F401  (bound as Tensor.is_nonzero)
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops import (
    _fused,
    elementwise,
    indexing,
    joining,
    matmul,
    movement,
    reduce,
    scan,
    sorting,
    special_fns,
)
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
    "trapezoid",
    "trapz",
    "cumulative_trapezoid",
    "gradient",
    "isin",
    "unravel_index",
    "vander",
    "hamming_window",
    "hann_window",
    "blackman_window",
    "bartlett_window",
    "kaiser_window",
    "index_reduce",
    "nonzero_static",
    "fill",
    "frombuffer",
    "from_dlpack",
    "to_dlpack",
    "is_same_size",
    "is_signed",
    "is_inference",
    "detach",
    "detach_",
    "get_device",
    "is_distributed",
    "typename",
    "ravel",
    "split_with_sizes",
    "unsafe_split",
    "unsafe_split_with_sizes",
    "unsafe_chunk",
    "row_stack",
    "as_strided",
    "as_strided_",
    "as_strided_scatter",
    "narrow_copy",
    "slice_copy",
    "alias_copy",
    "split_with_sizes_copy",
    "as_strided_copy",
    "empty_strided",
    "empty_permuted",
    "frobenius_norm",
    "nuclear_norm",
    "norm_except_dim",
    "histogramdd",
    "poisson",
    "binomial",
    "bilinear",
    "kl_div",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "poisson_nll_loss",
    "triplet_margin_loss",
    "embedding",
    "batch_norm",
    "instance_norm",
    "native_layer_norm",
    "native_batch_norm",
    "native_dropout",
    "feature_dropout",
    "feature_dropout_",
    "convolution",
    "grid_sampler",
    "affine_grid_generator",
    "ctc_loss",
    "native_group_norm",
    "conv_tbc",
    "embedding_renorm_",
    "grid_sampler_2d",
    "grid_sampler_3d",
    "cond",
    "while_loop",
    "fork",
    "wait",
    "from_file",
    "segment_reduce",
]


# -- top-level in-place functions ------------------------------------------------------------
# NOTE: torch exposes ``torch.abs_(x)`` etc. as functions; each is the Tensor method of the same
# name, built here once from the family's out-of-place op (an explicit ``name_`` wins).
_TOP_INPLACE = """
abs acos acosh arccos arccosh arcsin arcsinh arctan arctanh asin asinh atan atanh ceil clamp
clamp_max clamp_min clip cos cosh erf erfc exp exp2 expm1 fix floor frac log log10 log1p log2
logit nan_to_num neg negative reciprocal round rsqrt sigmoid sin sinh sqrt square tan tanh trunc
addmv i0 sinc xlogy
""".split()
_FAMILY_MODULES = (elementwise, matmul, special_fns)


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
        return _fused.addcmul(x, t1, t2, value)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_inputs
        need, v = ctx.needs_input_grad, ctx.value
        g = grad * v if v != 1 else grad
        # NOTE: complex operands take grad * conj(d out / d t), torch's convention.
        return (
            (grad if need[0] else None),
            (g * t2.conj() if need[1] else None),
            (g * t1.conj() if need[2] else None),
        )


class Addcdiv(Function):
    @staticmethod
    def forward(ctx, x, t1, t2, value=1):
        ctx.value = value
        ctx.retain_inputs(1, 2)
        return _fused.addcdiv(x, t1, t2, value)

    @staticmethod
    def backward(ctx, grad):
        t1, t2 = ctx.saved_inputs
        need, v = ctx.needs_input_grad, ctx.value
        g = grad * v / t2.conj()
        return (
            (grad if need[0] else None),
            (g if need[1] else None),
            (-g * (t1 / t2).conj() if need[2] else None),
        )


def _addc(cls, input, tensor1, tensor2, value):
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
    return _addc(Addcmul, input, tensor1, tensor2, value)


@with_out
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:
    """``input + value * tensor1 / tensor2``.

    Example:
        >>> jtorch.addcdiv(jtorch.zeros(2), jtorch.ones(2), jtorch.tensor([2.0, 4.0]))
        tensor([0.5000, 0.2500])
    """
    return _addc(Addcdiv, input, tensor1, tensor2, value)


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
    hidden_inputs = (1,)


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


class Deg2Rad(Function):
    """Multiplication by a constant ``factor`` (subclasses change it and the grad_fn name)."""

    factor = math.pi / 180

    @classmethod
    def forward(cls, ctx, x):
        return x * x.dtype.type(cls.factor)

    @classmethod
    def backward(cls, ctx, grad):
        return grad * cls.factor


class Rad2Deg(Deg2Rad):
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


@with_out
def frexp(input: Tensor):
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
    return result(Frexp.apply(input))


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
                f"cdist only supports floating-point dtypes, {name} got: {x.dtype.scalar_name}"
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
            f"expected scalar type {x1.dtype.scalar_name} but found {x2.dtype.scalar_name}"
        )
    mode = compute_mode or "use_mm_for_euclid_dist_if_necessary"
    large = x1.shape[-2] > 25 or x2.shape[-2] > 25
    if p == 2 and (mode == "use_mm_for_euclid_dist" or (large and mode.endswith("necessary"))):
        return _euclidean_dist(x1, x2)
    return Cdist.apply(x1.unsqueeze(-2) - x2.unsqueeze(-3), p=float(p))


def _euclidean_dist(x1: Tensor, x2: Tensor) -> Tensor:
    # NOTE: torch's matrix-multiply form for many rows: |a|^2 + |b|^2 - 2 a.b in one product of
    # padded operands, clamped at 0; O(P*R) memory instead of O(P*R*M)
    n1, n2 = (x1 * x1).sum(-1, keepdim=True), (x2 * x2).sum(-1, keepdim=True)
    a = joining.cat([x1 * -2, n1, elementwise.mul(n1, 0) + 1], -1)
    b = joining.cat([x2, elementwise.mul(n2, 0) + 1, n2], -1)
    return elementwise.sqrt(elementwise.clamp_min(matmul.matmul(a, b.transpose(-2, -1)), 0))


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
                    f" argument at index {k} had {shapes[k]!r}; but expected shape should be "
                    f"broadcastable to {out}"
                )
            out[i] = shape[i]
    return Size(out)


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
        return reduce.sum(y * 0, dim)
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


# -- sets, indices and constructors ----------------------------------------------------------
def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``elements`` occurs in ``test_elements`` (either may be a scalar).

    Example:
        >>> jtorch.isin(jtorch.tensor([1, 2, 3]), jtorch.tensor([2, 5]))
        tensor([False,  True, False])
    """
    shape = elements.shape if isinstance(elements, Tensor) else ()
    a = elements._array if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._array if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    xp = xp_of(a) if isinstance(elements, Tensor) else xp_of(b)
    found = xp.isin(xp.asarray(a).reshape(-1), xp.asarray(b).reshape(-1), invert=invert)
    return Tensor._make(found.reshape(shape))


def unravel_index(indices: Tensor, shape) -> tuple:
    """Flat indices as one coordinate tensor per dimension of ``shape``.

    Example:
        >>> jtorch.unravel_index(jtorch.tensor([4, 5]), (2, 3))
        (tensor([1, 1]), tensor([1, 2]))
    """
    if indices.dtype.category != dtypes.INT:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if any(d < 0 for d in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    xp = xp_of(indices._array)
    coefs = np.cumprod((shape[1:] + (1,))[::-1])[::-1].astype(np.int64)
    flat = indices._array.astype(np.int64)[..., None]
    # NOTE: floor division then modulo (as torch): out-of-range indices wrap around
    coords = xp.floor_divide(flat, xp.asarray(coefs)) % xp.asarray(np.array(shape, np.int64))
    return tuple(Tensor._make(xp.ascontiguousarray(coords[..., k])) for k in range(len(shape)))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D tensor: columns are powers of ``x``.

    Example:
        >>> jtorch.vander(jtorch.tensor([1, 2, 3]), N=3)
        tensor([[1, 1, 1],
                [4, 2, 1],
                [9, 3, 1]])
    """
    if x.dim() != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x.dtype.category in (dtypes.INT, dtypes.BOOL):
        x = x.to(dtypes.int64)
    ones = Tensor._make(xp_of(x._array).ones((x.shape[0], 1), x._array.dtype))
    if n == 0:
        return ones[:, :0]
    cols = joining.cat([ones, x.unsqueeze(1).expand(x.shape[0], n - 1)], 1) if n > 1 else ones
    result = scan.cumprod(cols, 1)
    return result if increasing else joining.flip(result, (1,))


_CPP_NAMES = {
    dtypes.int64: "long int",
    dtypes.int32: "int",
    dtypes.int16: "short int",
    dtypes.int8: "signed char",
    dtypes.uint8: "unsigned char",
    dtypes.bool: "bool",
    dtypes.complex64: "c10::complex<float>",
    dtypes.complex128: "c10::complex<double>",
}


def _window(name: str, length: int, dtype, device, requires_grad: bool, kernel) -> Tensor:
    from jtorch._creation import _place  # noqa: PLC0415

    d = dtype or dtypes.get_default_dtype()
    if d.category != dtypes.FLOAT:
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions(dtype={_CPP_NAMES.get(d, d)}, "
            "device=cpu, "
            "layout=Strided (default), requires_grad=false (default), pinned_memory=false, "
            "memory_format=(nullopt))"
        )
    if length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={length}"
        )
    array = np.ones(length) if length == 1 else kernel(np.arange(length, dtype=np.float64))
    return _place(array.astype(d.np), device, requires_grad)


def _cosine_window(periodic: bool, length: int, coefficients: tuple):
    def kernel(n):
        m = length if periodic else length - 1
        return sum(c * np.cos(2 * math.pi * k * n / m) for k, c in enumerate(coefficients))

    return kernel


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The (generalised) Hamming window ``alpha - beta * cos(2 pi n / N)``.

    Example:
        >>> jtorch.hamming_window(4)
        tensor([0.0800, 0.5400, 1.0000, 0.5400])
    """
    kernel = _cosine_window(periodic, window_length, (alpha, -beta))
    return _window("hamming_window", window_length, dtype, device, requires_grad, kernel)


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hann window ``0.5 - 0.5 * cos(2 pi n / N)``.

    Example:
        >>> jtorch.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    kernel = _cosine_window(periodic, window_length, (0.5, -0.5))
    return _window("hann_window", window_length, dtype, device, requires_grad, kernel)


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N)``.

    Example:
        >>> jtorch.blackman_window(3, periodic=False).abs().round(decimals=4)
        tensor([0., 1., 0.])
    """
    kernel = _cosine_window(periodic, window_length, (0.42, -0.5, 0.08))
    return _window("blackman_window", window_length, dtype, device, requires_grad, kernel)


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The triangular Bartlett window ``1 - |2n / N - 1|``.

    Example:
        >>> jtorch.bartlett_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    m = window_length if periodic else window_length - 1
    kernel = lambda n: 1 - np.abs(2 * n / m - 1)  # noqa: E731
    return _window("bartlett_window", window_length, dtype, device, requires_grad, kernel)


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Kaiser window ``I0(beta * sqrt(1 - (2n / N - 1)**2)) / I0(beta)``.

    Example:
        >>> jtorch.kaiser_window(3, periodic=False, beta=0.0)
        tensor([1., 1., 1.])
    """
    kernel = lambda n: np.kaiser(window_length + periodic, beta)[:window_length]  # noqa: E731
    return _window("kaiser_window", window_length, dtype, device, requires_grad, kernel)


@with_out
def index_reduce(
    input: Tensor, dim: int, index: Tensor, source: Tensor, reduce: str, *, include_self=True
) -> Tensor:
    """Reduce the slices of ``source`` into ``input`` at ``index`` along ``dim`` with ``reduce``
    (``prod``, ``mean``, ``amax`` or ``amin``).

    Example:
        >>> x = jtorch.ones(3)
        >>> x.index_reduce(0, jtorch.tensor([0, 0, 2]), jtorch.tensor([2.0, 3.0, 4.0]), "prod")
        tensor([6., 1., 4.])
    """
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    dim = _wrap_dim(dim, input.dim())
    if index.dim() > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if index.numel() != (source.shape[dim] if source.dim() else 1):
        raise IndexError("index_reduce_(): Number of indices should be equal to source.size(dim)")
    shape = [1] * source.dim()
    if source.dim():
        shape[dim] = -1
    expanded = index.reshape(shape).expand(source.shape) if source.dim() else index.reshape(())
    # NOTE: index_reduce is scatter_reduce with the index broadcast over source's other dims
    return indexing.scatter_reduce(input, dim, expanded, source, reduce, include_self=include_self)


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1) -> Tensor:
    """:func:`nonzero` padded with ``fill_value`` (or truncated) to exactly ``size`` rows.

    Example:
        >>> jtorch.nonzero_static(jtorch.tensor([0, 3, 5]), size=3)
        tensor([[ 1],
                [ 2],
                [-1]])
    """
    if size < 0:
        raise RuntimeError(f"nonzero_static: 'size' must be an non-negative integer, got {size}")
    xp = xp_of(input._array)
    found = xp.argwhere(input._array)[:size]
    out = xp.full((size, input.dim()), fill_value, dtype=np.int64)
    out[: found.shape[0]] = found
    return Tensor._make(out)


def fill(input: Tensor, value) -> Tensor:
    """A tensor like ``input`` filled with ``value`` (out of place ``fill_``).

    Example:
        >>> jtorch.fill(jtorch.zeros(2), 3.0)
        tensor([3., 3.])
    """
    everywhere = Tensor._make(xp_of(input._array).ones(input._array.shape, dtype=bool))
    return elementwise.where(everywhere, value, input).to(input.dtype)


def frombuffer(
    buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False
) -> Tensor:
    """A 1-D tensor sharing the memory of a Python buffer (``bytes``, ``bytearray``, ...).

    Example:
        >>> jtorch.frombuffer(bytearray(b"\\x01\\x02"), dtype=jtorch.uint8)
        tensor([1, 2], dtype=torch.uint8)
    """
    t = Tensor._make(np.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset))
    return t.requires_grad_(True) if requires_grad else t


def from_dlpack(ext_tensor) -> Tensor:
    """A tensor sharing the memory of any object with ``__dlpack__`` (NumPy, torch, CuPy, ...).

    Example:
        >>> jtorch.from_dlpack(np.arange(3))
        tensor([0, 1, 2])
    """
    if isinstance(ext_tensor, Tensor):
        return ext_tensor
    if type(ext_tensor).__name__ == "PyCapsule":  # a capsule made by some ``to_dlpack``
        return Tensor._make(np.from_dlpack(_Capsule(ext_tensor)))
    if type(ext_tensor).__module__.startswith("cupy"):
        return Tensor._make(ext_tensor)
    if getattr(ext_tensor, "__dlpack_device__", lambda: (1, 0))()[0] != 1:
        from jtorch.backend import require_cupy  # noqa: PLC0415

        return Tensor._make(require_cupy().from_dlpack(ext_tensor))
    return Tensor._make(np.from_dlpack(ext_tensor))


class _Capsule:
    """A DLPack capsule dressed as the protocol object ``np.from_dlpack`` takes (CPU only)."""

    def __init__(self, capsule) -> None:
        self.capsule = capsule

    def __dlpack__(self, **kwargs):
        return self.capsule

    def __dlpack_device__(self) -> tuple:
        return (1, 0)


def to_dlpack(tensor: Tensor):
    """A DLPack capsule of ``tensor``'s memory (for another library's ``from_dlpack``).

    Example:
        >>> type(jtorch.to_dlpack(jtorch.ones(2))).__name__
        'PyCapsule'
    """
    return tensor._array.__dlpack__()


def is_same_size(input: Tensor, other: Tensor) -> bool:
    """Whether two tensors have the same shape.

    Example:
        >>> jtorch.is_same_size(jtorch.ones(2), jtorch.zeros(2))
        True
    """
    return input._array.shape == other._array.shape


def is_signed(input: Tensor) -> bool:
    """Whether ``input``'s dtype is signed.

    Example:
        >>> jtorch.is_signed(jtorch.tensor([1], dtype=jtorch.uint8))
        False
    """
    return input.is_signed()


def is_inference(input: Tensor) -> bool:
    """Whether ``input`` was made in inference mode (never, in jtorch).

    Example:
        >>> jtorch.is_inference(jtorch.ones(1))
        False
    """
    return input.is_inference()


def detach(input: Tensor) -> Tensor:
    """``input.detach()``.

    Example:
        >>> jtorch.detach(jtorch.ones(1, requires_grad=True)).requires_grad
        False
    """
    return input.detach()


def detach_(input: Tensor) -> Tensor:
    """``input.detach_()``.

    Example:
        >>> jtorch.detach_(jtorch.ones(1, requires_grad=True)).requires_grad
        False
    """
    return input.detach_()


def get_device(input: Tensor) -> int:
    """The CUDA device index of ``input``, or -1 on the CPU.

    Example:
        >>> jtorch.get_device(jtorch.ones(1))
        -1
    """
    return input.get_device()


def is_distributed(input: Tensor) -> bool:
    """Always False (no distributed tensors in jtorch).

    Example:
        >>> jtorch.is_distributed(jtorch.ones(1))
        False
    """
    return False


def typename(obj) -> str:
    """A fully qualified name of ``obj``'s type (a tensor's legacy type name).

    Example:
        >>> jtorch.typename(jtorch.tensor([1, 2]))
        'torch.LongTensor'
    """
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = obj.__class__.__module__ or "", obj.__class__.__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


# -- shapes and views ------------------------------------------------------------------------
def ravel(input: Tensor) -> Tensor:
    """``input`` flattened to 1-D (a view when possible).

    Example:
        >>> jtorch.ravel(jtorch.ones(2, 2))
        tensor([1., 1., 1., 1.])
    """
    return movement.reshape(input, (-1,))


def reshape_as(input: Tensor, other: Tensor) -> Tensor:
    """``input.reshape(other.shape)``.

    Example:
        >>> jtorch.ones(4).reshape_as(jtorch.zeros(2, 2)).shape
        torch.Size([2, 2])
    """
    return movement.reshape(input, other.shape)


def sum_to_size(input: Tensor, *size) -> Tensor:
    """Sum ``input`` down to ``size`` (the inverse of expanding ``size`` to ``input``'s shape).

    Example:
        >>> jtorch.ones(2, 3).sum_to_size(1, 3)
        tensor([[2., 2., 2.]])
    """
    size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else size
    shape = input.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != g for s, g in zip(size, shape[lead:])):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    out = reduce.sum(input, dims, keepdim=True) if dims else input
    return movement.view(out, size) if tuple(out.shape) != size else out


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Split ``input`` into pieces of the given sizes along ``dim``.

    Example:
        >>> [t.tolist() for t in jtorch.split_with_sizes(jtorch.arange(3), [1, 2])]
        [[0], [1, 2]]
    """
    total = builtins.sum(split_sizes)
    dim_ = _wrap_dim(dim, input.dim())
    if total != input.shape[dim_]:
        raise RuntimeError(
            "split_with_sizes expects split_sizes to sum exactly to "
            f"{input.shape[dim_]} (input tensor's size at dimension {dim}), but got "
            f"split_sizes={list(split_sizes)}"
        )
    return joining.split(input, list(split_sizes), dim)


def unsafe_split(input: Tensor, split_size: int, dim: int = 0) -> tuple:
    """:func:`split` (torch's version skips view tracking; jtorch's views are safe either way).

    Example:
        >>> len(jtorch.unsafe_split(jtorch.arange(4), 2))
        2
    """
    return joining.split(input, split_size, dim)


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """:func:`split_with_sizes` (see :func:`unsafe_split`).

    Example:
        >>> len(jtorch.unsafe_split_with_sizes(jtorch.arange(4), [1, 3]))
        2
    """
    return split_with_sizes(input, split_sizes, dim)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """:func:`chunk` (see :func:`unsafe_split`).

    Example:
        >>> len(jtorch.unsafe_chunk(jtorch.arange(4), 2))
        2
    """
    return joining.chunk(input, chunks, dim)


def row_stack(tensors, *, out=None) -> Tensor:
    """Alias of :func:`vstack`.

    Example:
        >>> jtorch.row_stack([jtorch.ones(2), jtorch.zeros(2)]).shape
        torch.Size([2, 2])
    """
    return joining.vstack(tensors) if out is None else joining.vstack(tensors, out=out)


class AsStrided(Function):
    """A view of the storage (the input's base) with arbitrary sizes, strides and offset."""

    is_view = True

    @staticmethod
    def forward(ctx, storage, size=(), stride=(), storage_offset=0):
        ctx.shape, ctx.size, ctx.stride, ctx.offset = storage.shape, size, stride, storage_offset
        xp = xp_of(storage)
        flat = storage.reshape(-1)
        item = storage.itemsize
        return xp.lib.stride_tricks.as_strided(
            flat[storage_offset:], size, tuple(s * item for s in stride)
        )

    @staticmethod
    def backward(ctx, grad):
        # NOTE: each storage element gets the sum of the gradients of the output elements that
        # view it (several, where strides overlap).
        numel = math.prod(ctx.shape)
        positions = np.lib.stride_tricks.as_strided(
            np.arange(numel, dtype=np.int64)[ctx.offset :],
            ctx.size,
            tuple(s * 8 for s in ctx.stride),
        )
        g = grad.reshape(-1)
        zeros = Tensor._make(grad._xp().zeros(numel, grad._array.dtype))
        index = Tensor._make(grad._xp().asarray(positions.reshape(-1)))
        return indexing.index_add(zeros, 0, index, g).reshape(ctx.shape)


def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A view of ``input``'s storage with the given ``size``, ``stride`` (in elements) and
    ``storage_offset`` (default: ``input``'s).

    Example:
        >>> jtorch.as_strided(jtorch.arange(6.0), (2, 2), (1, 2))
        tensor([[0., 2.],
                [1., 3.]])
    """
    size, stride = tuple(size), tuple(stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"mismatch in length of strides and shape (sizes {len(size)} vs strides {len(stride)})"
        )
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}"
        )
    # NOTE: the view is taken of the base tensor (the storage): the gradient goes to it, which
    # for a view of a leaf is the same as going through the view
    storage = input._base if input._base is not None else input
    offset = input.storage_offset() if storage_offset is None else storage_offset
    numel = storage.numel()
    needed = offset + builtins.sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if 0 not in size and needed > numel:
        item = input._array.itemsize
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {item} requiring a storage size of {needed * item} are out of bounds "
            f"for storage of size {numel * item}"
        )
    if not storage._array.flags.c_contiguous:
        raise NotImplementedError("jtorch: as_strided needs a contiguous base tensor")
    return AsStrided.apply(storage, size=size, stride=stride, storage_offset=offset)


def as_strided_(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """In-place :func:`as_strided`: ``input`` becomes the view.

    Example:
        >>> jtorch.arange(4.0).as_strided_((2,), (2,))
        tensor([0., 2.])
    """
    from jtorch.ops._inplace import make_inplace_view  # noqa: PLC0415

    return make_inplace_view(as_strided)(input, size, stride, storage_offset)


def as_strided_scatter(
    input: Tensor, src: Tensor, size, stride, storage_offset: int | None = None
) -> Tensor:
    """A copy of ``input`` with ``src`` written into its ``as_strided`` view.

    Example:
        >>> jtorch.as_strided_scatter(jtorch.zeros(4), jtorch.ones(2), (2,), (2,))
        tensor([1., 0., 1., 0.])
    """
    out = input.clone()
    as_strided(out, size, stride, storage_offset).copy_(src)
    return out


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """A copy of ``input.narrow(dim, start, length)``.

    Example:
        >>> jtorch.narrow_copy(jtorch.arange(4), 0, 1, 2)
        tensor([1, 2])
    """
    return movement.narrow(input, dim, start, length).clone()


def slice_copy(input: Tensor, dim: int = 0, start=None, end=None, step: int = 1) -> Tensor:
    """A copy of ``input[..., start:end:step, ...]`` (the slice taken along ``dim``).

    Example:
        >>> jtorch.slice_copy(jtorch.arange(5), 0, 1, None, 2)
        tensor([1, 3])
    """
    dim = _wrap_dim(dim, input.dim())
    return input[(slice(None),) * dim + (slice(start, end, step),)].clone()


def _copy_of(view_name: str):
    def copy(input: Tensor, *args, **kwargs):
        result = getattr(input, view_name)(*args, **kwargs)
        if isinstance(result, tuple):
            return tuple(r.clone() for r in result)
        return result.clone()

    copy.__name__ = copy.__qualname__ = f"{view_name}_copy"
    copy.__doc__ = f"A copy (not a view) of ``input.{view_name}(...)``."
    return copy


# NOTE: torch's ``*_copy`` functions are its view ops returning fresh memory; one table.
_VIEW_COPIES = """
view expand permute squeeze unsqueeze t transpose diagonal select unbind split unfold detach
view_as_real view_as_complex
""".split()
globals().update({f"{name}_copy": _copy_of(name) for name in _VIEW_COPIES})
__all__ += [f"{name}_copy" for name in _VIEW_COPIES]


def alias_copy(input: Tensor) -> Tensor:
    """A copy of ``input`` (torch's copying variant of its ``alias`` view).

    Example:
        >>> jtorch.alias_copy(jtorch.ones(2))
        tensor([1., 1.])
    """
    return input.clone()


def split_with_sizes_copy(input: Tensor, split_sizes, dim: int = 0) -> tuple:
    """Copies of :func:`split_with_sizes`'s pieces.

    Example:
        >>> [t.tolist() for t in jtorch.split_with_sizes_copy(jtorch.arange(3), [2, 1])]
        [[0, 1], [2]]
    """
    return tuple(t.clone() for t in split_with_sizes(input, split_sizes, dim))


def as_strided_copy(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:
    """A copy of :func:`as_strided`.

    Example:
        >>> jtorch.as_strided_copy(jtorch.arange(4), (2,), (2,))
        tensor([0, 2])
    """
    return as_strided(input, size, stride, storage_offset).clone()


class FillDiagonal(Function):
    @staticmethod
    def forward(ctx, x, value=0, wrap=False):
        ctx.wrap = wrap
        out = x.copy()
        xp_of(x).fill_diagonal(out, value, wrap=wrap)
        return out

    @staticmethod
    def backward(ctx, grad):
        return FillDiagonal.apply(grad, value=0, wrap=ctx.wrap)


def fill_diagonal(input: Tensor, fill_value, wrap: bool = False) -> Tensor:
    """``input`` with its main diagonal (all indices equal) set to ``fill_value``; ``wrap``
    continues the diagonal below a tall matrix's first square block. Bound as ``fill_diagonal_``.

    Example:
        >>> jtorch.zeros(2, 2).fill_diagonal_(5.0)
        tensor([[5., 0.],
                [0., 5.]])
    """
    if input.dim() < 2:
        raise RuntimeError("dimensions must larger than 1")
    if input.dim() > 2 and len(set(input.shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    return FillDiagonal.apply(input, value=fill_value, wrap=wrap)


def _resize(self: Tensor, size: tuple) -> Tensor:
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    from jtorch._creation import parse_size  # noqa: PLC0415

    shape = parse_size(size)
    xp = self._xp()
    if tuple(self._array.shape) != shape:
        # NOTE: the kept prefix of the flattened values stays, new elements are zero (torch's
        # are uninitialised); the tensor gets fresh memory, so it stops aliasing other views
        new = xp.zeros(shape, self._array.dtype)
        n = builtins.min(new.size, self._array.size)
        new.reshape(-1)[:n] = self._array.reshape(-1)[:n]
        self._array = new
    self._bump()
    return self


def resize_(self: Tensor, *size, memory_format=None) -> Tensor:
    """Give ``self`` the shape ``size`` in place, keeping the leading values.

    Example:
        >>> jtorch.arange(4.0).resize_(2, 2)
        tensor([[0., 1.],
                [2., 3.]])
    """
    return _resize(self, size)


def resize_as_(self: Tensor, the_template: Tensor, *, memory_format=None) -> Tensor:
    """:func:`resize_` to the shape of ``the_template``.

    Example:
        >>> jtorch.arange(4.0).resize_as_(jtorch.zeros(2, 2)).shape
        torch.Size([2, 2])
    """
    return _resize(self, (the_template.shape,))


def _reshape_resize(self: Tensor, shape: tuple, name: str) -> Tensor:
    import warnings  # noqa: PLC0415

    warnings.warn(f"non-inplace {name} is deprecated", UserWarning, stacklevel=3)
    if math.prod(shape) != self.numel():
        raise RuntimeError(
            f"requested resize to {'x'.join(map(str, shape))} ({math.prod(shape)} elements in "
            f"total), but the given tensor has a size of {'x'.join(map(str, self.shape))} "
            f"({self.numel()} elements). autograd's resize can only change the shape of a given "
            "tensor, while preserving the number of elements. "
        )
    return movement.reshape(self, shape)


def resize(self: Tensor, *sizes) -> Tensor:
    """Deprecated out-of-place resize: a reshape that keeps the number of elements.

    Example:
        >>> jtorch.arange(4.0).resize(2, 2)
        tensor([[0., 1.],
                [2., 3.]])
    """
    from jtorch._creation import parse_size  # noqa: PLC0415

    return _reshape_resize(self, parse_size(sizes), "resize")


def resize_as(self: Tensor, tensor: Tensor) -> Tensor:
    """Deprecated out-of-place :func:`resize` to ``tensor``'s shape.

    Example:
        >>> jtorch.arange(4.0).resize_as(jtorch.zeros(2, 2)).shape
        torch.Size([2, 2])
    """
    return _reshape_resize(self, tuple(tensor.shape), "resize_as")


def apply_(self: Tensor, callable) -> Tensor:
    """Replace each element by ``callable(element)`` in place (CPU, Python speed).

    Example:
        >>> jtorch.tensor([1.0, 2.0]).apply_(lambda v: v * 10)
        tensor([10., 20.])
    """
    _require_cpu(self, "apply_")
    self._array[...] = np.vectorize(callable, otypes=[self._array.dtype])(self._array)
    self._bump()
    return self


def map_(self: Tensor, tensor: Tensor, callable) -> Tensor:
    """``self[i] = callable(self[i], tensor[i])`` in place (``tensor`` broadcast; CPU).

    Example:
        >>> jtorch.tensor([1.0, 2.0]).map_(jtorch.tensor([3.0, 4.0]), lambda a, b: a * b)
        tensor([3., 8.])
    """
    _require_cpu(self, "map_")
    fn = np.vectorize(callable, otypes=[self._array.dtype])
    self._array[...] = fn(self._array, np.broadcast_to(tensor._array, self._array.shape))
    self._bump()
    return self


def map2_(self: Tensor, x: Tensor, y: Tensor, callable) -> Tensor:
    """``self[i] = callable(self[i], x[i], y[i])`` in place (CPU).

    Example:
        >>> jtorch.ones(2).map2_(jtorch.ones(2), jtorch.ones(2), lambda a, b, c: a + b + c)
        tensor([3., 3.])
    """
    _require_cpu(self, "map2_")
    fn = np.vectorize(callable, otypes=[self._array.dtype])
    shape = self._array.shape
    self._array[...] = fn(
        self._array, np.broadcast_to(x._array, shape), np.broadcast_to(y._array, shape)
    )
    self._bump()
    return self


def _require_cpu(self: Tensor, name: str) -> None:
    if type(self._array) is not np.ndarray:
        raise TypeError(f"{name} is only implemented on CPU tensors")


def dim_order(self: Tensor, *, ambiguity_check=False) -> tuple:
    """The dimensions from outermost to innermost in memory (by decreasing stride).

    Example:
        >>> jtorch.ones(2, 3).t().dim_order()
        (1, 0)
    """
    strides = self.stride()
    return tuple(sorted(range(self.dim()), key=lambda d: -strides[d]))


# -- memory, storage and layouts -------------------------------------------------------------
def empty_strided(
    size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """An uninitialised (zero-filled) tensor with the given ``size`` and ``stride``.

    Example:
        >>> jtorch.empty_strided((2, 3), (1, 2)).stride()
        (1, 2)
    """
    from jtorch._creation import empty  # noqa: PLC0415

    size = tuple(size)
    extent = 0 if 0 in size else 1 + builtins.sum((n - 1) * s for n, s in zip(size, stride))
    storage = empty(extent, dtype=dtype, device=device)
    result = as_strided(storage, size, stride, 0).detach()
    return result.requires_grad_(True) if requires_grad else result


def new_empty_strided(
    self: Tensor, size, stride, *, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """:func:`empty_strided` with ``self``'s dtype and device by default.

    Example:
        >>> jtorch.ones(1, dtype=jtorch.int32).new_empty_strided((2,), (1,)).dtype
        torch.int32
    """
    return empty_strided(
        size,
        stride,
        dtype=dtype or self.dtype,
        device=device or self.device,
        requires_grad=requires_grad,
    )


def empty_permuted(
    size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """An uninitialised tensor of shape ``size`` whose memory is laid out in the order of
    ``physical_layout`` (outermost dimension first).

    Example:
        >>> jtorch.empty_permuted((2, 3), (1, 0)).stride()
        (1, 2)
    """
    from jtorch._creation import empty  # noqa: PLC0415

    size, order = tuple(size), tuple(physical_layout)
    if sorted(order) != list(range(len(size))):
        raise RuntimeError(
            f"Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}"
        )
    physical = empty(*(size[d] for d in order), dtype=dtype, device=device)
    result = movement.permute(physical, tuple(int(i) for i in np.argsort(order)))
    return result.requires_grad_(True) if requires_grad else result


_NO_SPARSE = "jtorch: sparse tensors are not supported"


def _sparse_unsupported(name: str):
    def unsupported(*args, **kwargs):
        raise NotImplementedError(f"{_NO_SPARSE} ({name})")

    unsupported.__name__ = unsupported.__qualname__ = name
    unsupported.__doc__ = f"Not supported: ``{name}`` needs sparse tensors, which jtorch lacks."
    return unsupported


# NOTE: constructors and ops of sparse layouts: jtorch tensors are always strided (dense)
_SPARSE_FUNCTIONS = """
sparse_coo_tensor sparse_csr_tensor sparse_csc_tensor sparse_bsr_tensor sparse_bsc_tensor
sparse_compressed_tensor smm hsmm dsmm hspmm sspaddmm saddmm spmm
""".split()
_SPARSE_METHODS = """
to_sparse to_sparse_coo to_sparse_csr to_sparse_csc to_sparse_bsr to_sparse_bsc coalesce
is_coalesced indices values crow_indices col_indices ccol_indices row_indices sparse_mask
sparse_resize_ sparse_resize_and_clear_
""".split()
globals().update({n: _sparse_unsupported(n) for n in _SPARSE_FUNCTIONS + _SPARSE_METHODS})
__all__ += _SPARSE_FUNCTIONS


def to_dense(self: Tensor, dtype=None, *, masked_grad=None) -> Tensor:
    """``self`` (jtorch tensors are dense already), cast to ``dtype`` when given.

    Example:
        >>> x = jtorch.ones(2); x.to_dense() is x
        True
    """
    return self if dtype is None else self.to(dtype)


def sparse_dim(self: Tensor) -> int:
    """0: a dense tensor has no sparse dimensions.

    Example:
        >>> jtorch.ones(2, 2).sparse_dim()
        0
    """
    return 0


def dense_dim(self: Tensor) -> int:
    """All dimensions of a dense tensor are dense.

    Example:
        >>> jtorch.ones(2, 2).dense_dim()
        2
    """
    return self.dim()


def is_pinned(self: Tensor, device=None) -> bool:
    """False: jtorch has no page-locked host memory.

    Example:
        >>> jtorch.ones(1).is_pinned()
        False
    """
    return False


def pin_memory(self: Tensor, device=None) -> Tensor:
    """torch copies to page-locked memory for faster GPU transfers; jtorch has none, so this
    raises without a GPU (as torch does) and returns ``self`` with one.

    Example:
        >>> jtorch.ones(1).pin_memory() if jtorch.cuda.is_available() else None
    """
    from jtorch import cuda  # noqa: PLC0415

    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    return self


def share_memory_(self: Tensor) -> Tensor:
    """A no-op returning ``self``: jtorch tensors are NumPy memory, which worker processes
    receive by pickling (so :func:`is_shared` stays False).

    Example:
        >>> x = jtorch.ones(1); x.share_memory_() is x
        True
    """
    return self


def is_shared(self: Tensor) -> bool:
    """False: jtorch tensors never live in shared memory (see :func:`share_memory_`).

    Example:
        >>> jtorch.ones(1).is_shared()
        False
    """
    return False


class UntypedStorage:
    """The bytes under a tensor (its base's memory), as ``torch.UntypedStorage`` shows them:
    size, data pointer, element access as uint8 and ``tolist``."""

    def __init__(self, array) -> None:
        self._array = array

    def _bytes(self):
        return self._array.reshape(-1).view(np.uint8)

    def nbytes(self) -> int:
        return self._array.nbytes

    size = __len__ = nbytes

    def element_size(self) -> int:
        return 1

    def data_ptr(self) -> int:
        return Tensor._make(self._array).data_ptr()

    @property
    def device(self):
        return Tensor._make(self._array).device

    def tolist(self) -> list:
        from jtorch.backend import to_numpy  # noqa: PLC0415

        return to_numpy(self._bytes()).tolist()

    def __getitem__(self, i):
        return int(self._bytes()[i])

    def __repr__(self) -> str:
        body = "\n".join(f" {v}" for v in self.tolist())
        head = f"[torch.storage.UntypedStorage(device={self.device}) of size {self.nbytes()}]"
        return f"{body}\n{head}" if body else head


def untyped_storage(self: Tensor) -> UntypedStorage:
    """The memory under ``self`` (its base's, for a view) as bytes.

    Example:
        >>> jtorch.ones(3).untyped_storage().nbytes()
        12
    """
    base = self._base if self._base is not None else self
    return UntypedStorage(base._array)


def set_(
    self: Tensor, source: Tensor | None = None, storage_offset: int = 0, size=None, stride=None
):
    """Make ``self`` share ``source``'s memory, shape and strides (or an empty tensor).

    Example:
        >>> x, y = jtorch.zeros(2), jtorch.ones(3)
        >>> x.set_(y); x.data_ptr() == y.data_ptr()
        tensor([1., 1., 1.])
        True
    """
    if self._requires_grad and self.grad_fn is None and source is not None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if source is None:
        self._array = self._xp().zeros((0,), self._array.dtype)
    elif size is not None:
        self._array = as_strided(source, size, stride, storage_offset)._array
    else:
        self._array = source._array
    self._bump()
    return self


def is_set_to(self: Tensor, tensor: Tensor) -> bool:
    """Whether both tensors view the same memory with the same shape and strides.

    Example:
        >>> x = jtorch.ones(2); x.is_set_to(x), x.is_set_to(x.clone())
        (True, False)
    """
    a, b = self._array, tensor._array
    return a.shape == b.shape and a.strides == b.strides and self.data_ptr() == tensor.data_ptr()


# NOTE: the top-level in-place forms of this module's own ops (torch.gcd_, torch.deg2rad_, ...)
_EXTRA_TOP_INPLACE = "deg2rad rad2deg gcd lcm ldexp".split()
globals().update({f"{n}_": make_inplace(globals()[n]) for n in _EXTRA_TOP_INPLACE})
__all__ += [f"{n}_" for n in _EXTRA_TOP_INPLACE] + ["resize_as_"]


# -- norms and histograms --------------------------------------------------------------------
def frobenius_norm(input: Tensor, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """The 2-norm of all values over ``dim`` (torch's deprecated spelling of
    ``linalg.vector_norm(input, 2, dim)``).

    Example:
        >>> jtorch.frobenius_norm(jtorch.ones(2, 2), (0, 1))
        tensor(2.)
    """
    from jtorch.linalg import vector_norm  # noqa: PLC0415

    dim = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dim) > 2:
        raise RuntimeError(f"Expected at most 2 dimensions, but got {len(dim)} dimensions instead.")
    result = vector_norm(input, 2, dim, keepdim)
    return result if out is None else out.copy_(result)


def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False, *, out=None) -> Tensor:
    """The sum of singular values of the matrices over ``dim`` (default: the last two).

    Example:
        >>> jtorch.nuclear_norm(jtorch.eye(3))
        tensor(3.)
    """
    from jtorch.linalg import matrix_norm  # noqa: PLC0415

    if isinstance(dim, bool):  # nuclear_norm(input, keepdim)
        dim, keepdim = None, dim
    if dim is None and input.dim() != 2:
        raise RuntimeError(
            f"Expected a tensor with 2 dimensions, but got a tensor with {input.dim()} "
            f"dimension{'' if input.dim() == 1 else 's'} instead."
        )
    result = matrix_norm(input, "nuc", (-2, -1) if dim is None else tuple(dim), keepdim)
    return result if out is None else out.copy_(result)


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of each slice of ``v`` along ``dim`` (kept as size-1 dims elsewhere), or
    of all of ``v`` when ``dim`` is -1.

    Example:
        >>> jtorch.norm_except_dim(jtorch.ones(2, 3), 2, 1)
        tensor([[1.4142, 1.4142, 1.4142]])
    """
    from jtorch.linalg import vector_norm  # noqa: PLC0415

    if dim == -1:
        return vector_norm(v, pow)
    dim = _wrap_dim(dim, v.dim())
    others = tuple(d for d in range(v.dim()) if d != dim)
    return vector_norm(v, pow, others, keepdim=True)


def histogramdd(input: Tensor, bins=10, *, range=None, weight=None, density: bool = False):
    """A D-dimensional histogram of the points in the rows of ``input`` (last dim D):
    ``(hist, bin_edges)`` with one edge tensor per dimension.

    Example:
        >>> r = jtorch.histogramdd(jtorch.tensor([[0.0, 0.0], [1.0, 1.0]]), bins=2)
        >>> r.hist
        tensor([[1., 0.],
                [0., 1.]])
    """
    from jtorch import return_types  # noqa: PLC0415
    from jtorch.backend import to_numpy  # noqa: PLC0415

    if input.dtype.category != dtypes.FLOAT:
        raise RuntimeError(
            "torch.histogramdd: input tensor and bins tensors should have the same dtype, but "
            f"got input {input.dtype} and bins {input.dtype}"
        )
    d = input.shape[-1]
    points = to_numpy(input._array).reshape(-1, d).astype(np.float64)
    if isinstance(bins, int):
        bins = [bins] * d
    edges_in = [to_numpy(b._array) if isinstance(b, Tensor) else int(b) for b in bins]
    ranges = None if range is None else [tuple(range[2 * i : 2 * i + 2]) for i in builtins.range(d)]
    if ranges is None and not all(isinstance(b, np.ndarray) for b in edges_in):
        lo = points.min(0) if len(points) else np.zeros(d)
        hi = points.max(0) if len(points) else np.zeros(d)
        ranges = [(a, b) if a != b else (a - 0.5, b + 0.5) for a, b in zip(lo, hi)]
    w = None if weight is None else to_numpy(weight._array).reshape(-1)
    hist, edges = np.histogramdd(points, edges_in, range=ranges, weights=w, density=density)
    xp, np_dtype = xp_of(input._array), input._array.dtype
    make = lambda a: Tensor._make(xp.asarray(a.astype(np_dtype)))  # noqa: E731
    result = return_types.structseq("histogramdd", ("hist", "bin_edges"))
    return result((make(hist), tuple(make(e) for e in edges)))


# -- samplers --------------------------------------------------------------------------------
def _numpy_rng(generator) -> np.random.Generator:
    """A NumPy generator seeded from the jtorch ``generator`` (so ``manual_seed`` reproduces)."""
    from jtorch.random import default_generator  # noqa: PLC0415

    return np.random.default_rng((generator or default_generator).words(4))


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson draws with rates ``input`` (same dtype; NumPy's sampler, not torch's stream).

    Example:
        >>> jtorch.poisson(jtorch.zeros(3))
        tensor([0., 0., 0.])
    """
    from jtorch.backend import to_numpy  # noqa: PLC0415

    rates = to_numpy(input._array)
    if (rates < 0).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    values = _numpy_rng(generator).poisson(rates).astype(input._array.dtype)
    return Tensor._make(xp_of(input._array).asarray(values))


def binomial(count: Tensor, prob: Tensor, generator=None) -> Tensor:
    """Binomial draws of ``count`` trials with success probability ``prob`` (NumPy's sampler).

    Example:
        >>> jtorch.binomial(jtorch.tensor([5.0, 0.0]), jtorch.tensor([1.0, 0.5]))
        tensor([5., 0.])
    """
    from jtorch.backend import to_numpy  # noqa: PLC0415

    if count.dtype.category != dtypes.FLOAT:
        raise elementwise._not_implemented("binomial_cpu", count)
    n, p = np.broadcast_arrays(to_numpy(count._array), to_numpy(prob._array))
    values = _numpy_rng(generator).binomial(n.astype(np.int64), p).astype(count._array.dtype)
    return Tensor._make(xp_of(count._array).asarray(values))


# -- torch's top-level (ATen) spellings of nn.functional ops ----------------------------------
# NOTE: torch.<op> takes ATen's arguments: ``reduction`` as an int (0 none, 1 mean, 2 sum), modes
# as ints, no keyword defaults that Python adds. Each maps onto jtorch.nn.functional.
_REDUCTIONS = ("none", "mean", "sum")


def _F():
    from jtorch.nn import functional  # noqa: PLC0415

    return functional


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias=None) -> Tensor:
    """``x1^T W x2 + b`` (as ``nn.functional.bilinear``).

    Example:
        >>> jtorch.bilinear(jtorch.ones(1, 2), jtorch.ones(1, 3), jtorch.ones(4, 2, 3)).shape
        torch.Size([1, 4])
    """
    return _F().bilinear(input1, input2, weight, bias)


def kl_div(input: Tensor, target: Tensor, reduction: int = 1, *, log_target: bool = False):
    """``nn.functional.kl_div`` with an int ``reduction`` (0 none, 1 mean, 2 sum).

    Example:
        >>> jtorch.kl_div(jtorch.zeros(2), jtorch.ones(2))
        tensor(0.)
    """
    import warnings  # noqa: PLC0415

    with warnings.catch_warnings():  # NOTE: the ATen op has no 'mean' deprecation warning
        warnings.simplefilter("ignore", UserWarning)
        return _F().kl_div(input, target, reduction=_REDUCTIONS[reduction], log_target=log_target)


def binary_cross_entropy_with_logits(
    input: Tensor, target: Tensor, weight=None, pos_weight=None, reduction: int = 1
) -> Tensor:
    """``nn.functional.binary_cross_entropy_with_logits`` with an int ``reduction``.

    Example:
        >>> jtorch.binary_cross_entropy_with_logits(jtorch.zeros(2), jtorch.ones(2))
        tensor(0.6931)
    """
    return _F().binary_cross_entropy_with_logits(
        input, target, weight, reduction=_REDUCTIONS[reduction], pos_weight=pos_weight
    )


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """``nn.functional.cosine_embedding_loss`` with an int ``reduction``.

    Example:
        >>> jtorch.cosine_embedding_loss(jtorch.ones(1, 2), jtorch.ones(1, 2), jtorch.ones(1))
        tensor(0.)
    """
    f = _F().cosine_embedding_loss
    return f(input1, input2, target, margin=margin, reduction=_REDUCTIONS[reduction])


def hinge_embedding_loss(
    input: Tensor, target: Tensor, margin: float = 1.0, reduction: int = 1
) -> Tensor:
    """``nn.functional.hinge_embedding_loss`` with an int ``reduction``.

    Example:
        >>> jtorch.hinge_embedding_loss(jtorch.tensor([0.5]), jtorch.tensor([-1.0]))
        tensor(0.5000)
    """
    f = _F().hinge_embedding_loss
    return f(input, target, margin=margin, reduction=_REDUCTIONS[reduction])


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0.0, reduction: int = 1
) -> Tensor:
    """``nn.functional.margin_ranking_loss`` with an int ``reduction``.

    Example:
        >>> jtorch.margin_ranking_loss(jtorch.tensor([1.0]), jtorch.tensor([2.0]), jtorch.ones(1))
        tensor(1.)
    """
    f = _F().margin_ranking_loss
    return f(input1, input2, target, margin=margin, reduction=_REDUCTIONS[reduction])


def poisson_nll_loss(
    input: Tensor, target: Tensor, log_input: bool, full: bool, eps: float, reduction: int
) -> Tensor:
    """``nn.functional.poisson_nll_loss`` with ATen's positional arguments.

    Example:
        >>> jtorch.poisson_nll_loss(jtorch.zeros(2), jtorch.zeros(2), True, False, 1e-8, 1)
        tensor(1.)
    """
    f = _F().poisson_nll_loss
    return f(input, target, log_input, full, eps=eps, reduction=_REDUCTIONS[reduction])


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: int = 1,
) -> Tensor:
    """``nn.functional.triplet_margin_loss`` with an int ``reduction``.

    Example:
        >>> a = jtorch.zeros(1, 2)
        >>> jtorch.triplet_margin_loss(a, a, a + 3.0)
        tensor(0.)
    """
    return _F().triplet_margin_loss(
        anchor, positive, negative, margin, p, eps, swap, reduction=_REDUCTIONS[reduction]
    )


def embedding(
    weight: Tensor,
    indices: Tensor,
    padding_idx: int = -1,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` at ``indices`` (ATen order: weight first; ``padding_idx`` -1 is none).

    Example:
        >>> jtorch.embedding(jtorch.eye(3), jtorch.tensor([2]))
        tensor([[0., 0., 1.]])
    """
    if sparse:
        raise NotImplementedError(f"{_NO_SPARSE} (embedding sparse=True)")
    pad = None if padding_idx < 0 else padding_idx
    return _F().embedding(indices, weight, pad, scale_grad_by_freq=scale_grad_by_freq)


def batch_norm(
    input: Tensor,
    weight,
    bias,
    running_mean,
    running_var,
    training: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``nn.functional.batch_norm`` with ATen's positional arguments.

    Example:
        >>> jtorch.batch_norm(jtorch.ones(2, 1), None, None, None, None, True, 0.1, 1e-5, False)
        tensor([[0.],
                [0.]])
    """
    return _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(
    input: Tensor,
    weight,
    bias,
    running_mean,
    running_var,
    use_input_stats: bool,
    momentum: float,
    eps: float,
    cudnn_enabled: bool,
) -> Tensor:
    """``nn.functional.instance_norm`` with ATen's positional arguments.

    Example:
        >>> x = jtorch.ones(1, 1, 2)
        >>> jtorch.instance_norm(x, None, None, None, None, True, 0.1, 1e-5, False)
        tensor([[[0., 0.]]])
    """
    return _F().instance_norm(
        input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps
    )


def native_layer_norm(input: Tensor, normalized_shape, weight, bias, eps: float) -> tuple:
    """``(layer_norm(input), mean, rstd)`` with the statistics kept over the normalised dims.

    Example:
        >>> out, mean, rstd = jtorch.native_layer_norm(jtorch.tensor([[1.0, 3.0]]), [2], None, None, 0.0)
        >>> out, mean
        (tensor([[-1.,  1.]]), tensor([[2.]]))
    """
    dims = tuple(range(input.dim() - len(normalized_shape), input.dim()))
    mean = input.detach().mean(dims, keepdim=True)
    rstd = elementwise.rsqrt(input.detach().var(dims, unbiased=False, keepdim=True) + eps)
    out = _F().layer_norm(input, list(normalized_shape), weight, bias, eps)
    return out, mean, rstd


def native_batch_norm(
    input: Tensor, weight, bias, running_mean, running_var, training: bool, momentum, eps
) -> tuple:
    """``(batch_norm(input), save_mean, save_invstd)``; the statistics are empty when not
    training (as torch on the CPU).

    Example:
        >>> x = jtorch.tensor([[1.0], [3.0]])
        >>> jtorch.native_batch_norm(x, None, None, None, None, True, 0.1, 0.0)[1]
        tensor([2.])
    """
    out = _F().batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)
    if not training:
        empty = Tensor._make(xp_of(input._array).zeros((0,), input._array.dtype))
        return out, empty, empty.clone()
    dims = (0,) + tuple(range(2, input.dim()))
    x = input.detach()
    mean = x.mean(dims)
    invstd = elementwise.rsqrt(x.var(dims, unbiased=False) + eps)
    return out, mean, invstd


def native_dropout(input: Tensor, p: float, train: bool | None) -> tuple:
    """``(dropout(input, p), keep_mask)``.

    Example:
        >>> jtorch.native_dropout(jtorch.ones(2), 0.0, True)
        (tensor([1., 1.]), tensor([True, True]))
    """
    if not train:
        return input.clone(), Tensor._make(xp_of(input._array).ones(input.shape, dtype=bool))
    from jtorch.ops.random import bernoulli  # noqa: PLC0415

    keep = bernoulli(elementwise.mul(input.detach(), 0) + (1 - p)).to(dtypes.bool)
    scale = 0.0 if p == 1 else 1 / (1 - p)
    return input * keep * scale, keep


def feature_dropout(input: Tensor, p: float, train: bool) -> Tensor:
    """Dropout of whole channels (dim 1) of ``input``, scaled by ``1/(1-p)``.

    Example:
        >>> jtorch.feature_dropout(jtorch.ones(1, 2, 2), 0.5, False)
        tensor([[[1., 1.],
                 [1., 1.]]])
    """
    if not train or p == 0:
        return input * 1
    from jtorch.ops.random import bernoulli  # noqa: PLC0415

    shape = input.shape[:2] + (1,) * (input.dim() - 2)
    keep = bernoulli(Tensor._make(xp_of(input._array).full(shape, 1 - p, input._array.dtype)))
    return input * keep * (0.0 if p == 1 else 1 / (1 - p))


def feature_dropout_(input: Tensor, p: float, train: bool) -> Tensor:
    """In-place :func:`feature_dropout`.

    Example:
        >>> jtorch.feature_dropout_(jtorch.ones(1, 2), 0.0, True)
        tensor([[1., 1.]])
    """
    return make_inplace(feature_dropout)(input, p, train)


def convolution(
    input: Tensor,
    weight: Tensor,
    bias,
    stride,
    padding,
    dilation,
    transposed: bool,
    output_padding,
    groups: int,
) -> Tensor:
    """Convolution of any dimension (1-3), plain or transposed, with ATen's arguments.

    Example:
        >>> x, w = jtorch.ones(1, 1, 3), jtorch.ones(1, 1, 2)
        >>> jtorch.convolution(x, w, None, [1], [0], [1], False, [0], 1)
        tensor([[[2., 2.]]])
    """
    n = input.dim() - 2
    F = _F()
    if transposed:
        fn = getattr(F, f"conv_transpose{n}d")
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    return getattr(F, f"conv{n}d")(input, weight, bias, stride, padding, dilation, groups)


def grid_sampler(
    input: Tensor, grid: Tensor, interpolation_mode: int, padding_mode: int, align_corners: bool
) -> Tensor:
    """``nn.functional.grid_sample`` with int modes (0 bilinear, 1 nearest, 2 bicubic; padding
    0 zeros, 1 border, 2 reflection).

    Example:
        >>> x = jtorch.ones(1, 1, 2, 2)
        >>> jtorch.grid_sampler(x, jtorch.zeros(1, 1, 1, 2), 0, 0, False)
        tensor([[[[1.]]]])
    """
    mode = ("bilinear", "nearest", "bicubic")[interpolation_mode]
    pad = ("zeros", "border", "reflection")[padding_mode]
    return _F().grid_sample(input, grid, mode, pad, align_corners)


def affine_grid_generator(theta: Tensor, size, align_corners: bool) -> Tensor:
    """``nn.functional.affine_grid`` with ATen's positional ``align_corners``.

    Example:
        >>> jtorch.affine_grid_generator(jtorch.eye(2, 3)[None], [1, 1, 1, 1], False)
        tensor([[[[0., 0.]]]])
    """
    return _F().affine_grid(theta, list(size), align_corners)


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: int = 1,
    zero_infinity: bool = False,
) -> Tensor:
    """``nn.functional.ctc_loss`` with an int ``reduction``.

    Example:
        >>> lp = jtorch.zeros(2, 1, 2).log_softmax(2)
        >>> jtorch.ctc_loss(lp, jtorch.tensor([[1]]), [2], [1], reduction=2)
        tensor(0.2877)
    """
    return _F().ctc_loss(
        log_probs,
        targets,
        input_lengths,
        target_lengths,
        blank,
        _REDUCTIONS[reduction],
        zero_infinity,
    )


def native_group_norm(
    input: Tensor, weight, bias, N: int, C: int, HxW: int, group: int, eps: float
) -> tuple:
    """``(group_norm(input), mean, rstd)`` with statistics of shape ``(N, group)``.

    Example:
        >>> x = jtorch.tensor([[[1.0, 3.0]]])
        >>> jtorch.native_group_norm(x, None, None, 1, 1, 2, 1, 0.0)[1]
        tensor([[2.]])
    """
    grouped = input.detach().reshape(N, group, -1)
    mean = grouped.mean(-1)
    rstd = elementwise.rsqrt(grouped.var(-1, unbiased=False) + eps)
    return _F().group_norm(input, group, weight, bias, eps), mean, rstd


def conv_tbc(input: Tensor, weight: Tensor, bias: Tensor, pad: int = 0) -> Tensor:
    """1-D convolution in time-batch-channel layout: ``input`` (T, B, C_in), ``weight``
    (K, C_in, C_out), ``bias`` (C_out).

    Example:
        >>> jtorch.conv_tbc(jtorch.ones(3, 1, 1), jtorch.ones(2, 1, 1), jtorch.zeros(1)).flatten()
        tensor([2., 2.])
    """
    out = _F().conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, padding=pad)
    return out.permute(2, 0, 1)


def embedding_renorm_(input: Tensor, indices: Tensor, max_norm: float, norm_type: float):
    """Rescale in place the rows of ``input`` at ``indices`` whose ``norm_type``-norm exceeds
    ``max_norm`` to that norm (no gradient, as torch).

    Example:
        >>> w = jtorch.tensor([[3.0, 4.0], [0.3, 0.4]])
        >>> jtorch.embedding_renorm_(w, jtorch.tensor([0, 1]), 1.0, 2.0)
        tensor([[0.6000, 0.8000],
                [0.3000, 0.4000]])
    """
    xp, w = xp_of(input._array), input._array
    rows = xp.unique(indices._array.reshape(-1))
    norms = xp.sum(xp.abs(w[rows]) ** norm_type, -1) ** (1.0 / norm_type)
    scale = xp.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0).astype(w.dtype)
    w[rows] *= scale[:, None]
    input._bump()
    return input


def grid_sampler_2d(input, grid, interpolation_mode: int, padding_mode: int, align_corners):
    """:func:`grid_sampler` for 4-D inputs.

    Example:
        >>> jtorch.grid_sampler_2d(jtorch.ones(1, 1, 2, 2), jtorch.zeros(1, 1, 1, 2), 0, 0, False)
        tensor([[[[1.]]]])
    """
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


def grid_sampler_3d(input, grid, interpolation_mode: int, padding_mode: int, align_corners):
    """:func:`grid_sampler` for 5-D inputs.

    Example:
        >>> x = jtorch.ones(1, 1, 2, 2, 2)
        >>> jtorch.grid_sampler_3d(x, jtorch.zeros(1, 1, 1, 1, 3), 0, 0, False).flatten()
        tensor([1.])
    """
    return grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


# -- control flow and futures (eager: jtorch has no graph capture) ----------------------------
def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``.

    Example:
        >>> jtorch.cond(jtorch.tensor(True), lambda x: x + 1, lambda x: x - 1, (jtorch.ones(1),))
        tensor([2.])
    """
    return true_fn(*operands) if bool(pred) else false_fn(*operands)


def while_loop(cond_fn, body_fn, carried_inputs) -> tuple:
    """Apply ``body_fn`` to the carried values while ``cond_fn`` of them holds.

    Example:
        >>> jtorch.while_loop(lambda i: i < 3, lambda i: (i + 1,), (jtorch.tensor(0),))
        (tensor(3),)
    """
    carried = tuple(carried_inputs)
    while bool(cond_fn(*carried)):
        out = body_fn(*carried)
        carried = tuple(out) if isinstance(out, (tuple, list)) else (out,)
    return carried


class Future:
    """The (already computed) result of :func:`fork`."""

    def __init__(self, value) -> None:
        self._value = value

    def wait(self):
        return self._value

    def done(self) -> bool:
        return True

    def value(self):
        return self._value


def fork(func, *args, **kwargs) -> Future:
    """Run ``func(*args, **kwargs)`` (eagerly) and return a :class:`Future` of its result.

    Example:
        >>> jtorch.wait(jtorch.fork(lambda x: x * 2, jtorch.ones(1)))
        tensor([2.])
    """
    return Future(func(*args, **kwargs))


def wait(future: Future):
    """The value of a :func:`fork` future.

    Example:
        >>> jtorch.wait(jtorch.fork(int, "3"))
        3
    """
    return future.wait()


def from_file(filename: str, shared=None, size: int = 0, *, dtype=None, **kwargs) -> Tensor:
    """The first ``size`` values stored in binary file ``filename`` as a 1-D tensor (``shared``
    is accepted; the values are read, not memory-mapped).

    Example:
        >>> import tempfile, os
        >>> path = os.path.join(tempfile.mkdtemp(), "v.bin")
        >>> _ = open(path, "wb").write(np.arange(3, dtype=np.float32).tobytes())
        >>> jtorch.from_file(path, size=2)
        tensor([0., 1.])
    """
    d = dtype or dtypes.get_default_dtype()
    values = np.fromfile(filename, dtype=d.np, count=size)
    if values.size < size:
        raise RuntimeError(
            f"unable to map file {filename}: file size is smaller than {size * d.itemsize} bytes"
        )
    return Tensor._make(values)


# -- Tensor-only odds and ends ---------------------------------------------------------------
def const_data_ptr(self: Tensor) -> int:
    """:meth:`Tensor.data_ptr` (torch's read-only spelling).

    Example:
        >>> x = jtorch.ones(1); x.const_data_ptr() == x.data_ptr()
        True
    """
    return self.data_ptr()


def as_subclass(self: Tensor, cls) -> Tensor:
    """``self`` as an instance of the Tensor subclass ``cls``: same memory, same graph.

    Example:
        >>> class Mine(jtorch.Tensor): pass
        >>> type(jtorch.ones(1).as_subclass(Mine)).__name__
        'Mine'
    """
    out = self.view_as(self)
    out.__class__ = cls
    return out


def module_load(self: Tensor, other: Tensor, assign: bool = False) -> Tensor:
    """What ``nn.Module.load_state_dict`` stores for parameter ``self`` given ``other``.

    Example:
        >>> jtorch.zeros(2).module_load(jtorch.ones(2))
        tensor([1., 1.])
    """
    return other.detach() if assign else self.copy_(other).detach()


class TypedStorage(UntypedStorage):
    """The elements under a tensor (its base's memory) as ``torch.TypedStorage`` shows them."""

    @property
    def dtype(self):
        return dtypes.from_np(self._array.dtype)

    def size(self) -> int:
        return self._array.size

    __len__ = size

    def element_size(self) -> int:
        return self._array.itemsize

    def tolist(self) -> list:
        from jtorch.backend import to_numpy  # noqa: PLC0415

        return to_numpy(self._array).reshape(-1).tolist()

    def __getitem__(self, i):
        return self._array.reshape(-1)[i].item()

    def __repr__(self) -> str:
        body = "\n".join(f" {v}" for v in self.tolist())
        head = (
            f"[torch.storage.TypedStorage(dtype={self.dtype}, device={self.device}) of size "
            f"{self.size()}]"
        )
        return f"{body}\n{head}" if body else head


def storage(self: Tensor) -> TypedStorage:
    """The elements under ``self`` (its base's, for a view); torch deprecates it for
    :meth:`untyped_storage`.

    Example:
        >>> jtorch.ones(2, 3).storage().size()
        6
    """
    base = self._base if self._base is not None else self
    return TypedStorage(base._array)


_SEGMENT_REDUCTIONS = {"sum": "sum", "prod": "prod", "mean": "mean", "max": "amax", "min": "amin"}
_SEGMENT_REDUCTIONS.update(amax="amax", amin="amin")
_SEGMENT_IDENTITY = {"sum": 0.0, "prod": 1.0, "mean": 0.0, "amax": -math.inf, "amin": math.inf}


def segment_reduce(
    data: Tensor,
    reduce: str,
    *,
    lengths=None,
    indices=None,
    offsets=None,
    axis: int = 0,
    unsafe: bool = False,
    initial=None,
) -> Tensor:
    """Reduce consecutive segments of ``data`` along ``axis`` (sizes ``lengths``, or the
    boundaries ``offsets``); an empty segment gives ``initial`` (or the reduction's identity,
    NaN for ``mean``).

    Example:
        >>> data = jtorch.tensor([1.0, 2.0, 3.0, 4.0, 5.0])
        >>> jtorch.segment_reduce(data, "sum", lengths=jtorch.tensor([2, 0, 3]))
        tensor([ 3.,  0., 12.])
    """
    from jtorch.backend import to_numpy  # noqa: PLC0415

    if reduce not in _SEGMENT_REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if indices is not None:
        raise RuntimeError("segment_reduce(): indices based reduction is not supported yet.")
    if lengths is None and offsets is None:
        raise RuntimeError("segment_reduce(): Either lengths or offsets must be defined.")
    given = lengths if lengths is not None else offsets
    axis = _wrap_dim(axis, data.dim())
    if axis != given.dim() - 1:
        what = "lengths" if lengths is not None else "offsets"
        raise RuntimeError(
            f"segment_reduce(): Expected axis to be the last dimension of {what} but got {axis}."
        )
    if given.dim() != 1:
        raise NotImplementedError("jtorch: segment_reduce takes 1-D lengths or offsets only")
    sizes = to_numpy(given._array).astype(np.int64)
    sizes = sizes if lengths is not None else np.diff(sizes)
    op = _SEGMENT_REDUCTIONS[reduce]
    xp = xp_of(data._array)
    kept = (1,) * (data.dim() - 1)
    index = Tensor._make(xp.asarray(np.repeat(np.arange(sizes.size), sizes).reshape((-1,) + kept)))
    fill = _SEGMENT_IDENTITY[op] if initial is None else initial
    base = Tensor._make(xp.full((sizes.size,) + data.shape[1:], fill, data._array.dtype))
    if op != "mean":
        return indexing.scatter_reduce(base, 0, index.expand(data.shape), data, op)
    # NOTE: torch's mean is (initial + sum) / count, and NaN for an empty segment without initial
    total = indexing.scatter_reduce(base, 0, index.expand(data.shape), data, "sum")
    counts = xp.asarray(np.maximum(sizes, 1).reshape((sizes.size,) + kept), data._array.dtype)
    out = total / Tensor._make(counts)
    if initial is None:
        empty = Tensor._make(xp.asarray(sizes == 0).reshape((sizes.size,) + kept))
        out = elementwise.where(empty, math.nan, out)
    return out
