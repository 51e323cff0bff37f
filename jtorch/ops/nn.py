"""Fused neural-network primitives: activations, softmax, losses, normalisation, embedding, padding.

Each is one Function whose forward runs on arrays (numerically stable, one pass where possible)
and whose backward is written with Tensor ops, with torch's ``grad_fn`` names
(``ReluBackward0``, ``LogSoftmaxBackward0``, ``NllLossBackward0``, ``NativeLayerNormBackward0``,
...). ``jtorch.nn.functional`` builds the public layer API on these.

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    >>> y = jtorch.log_softmax(x, 1); y
    tensor([[-2.4076, -1.4076, -0.4076]], grad_fn=<LogSoftmaxBackward0>)
"""

from __future__ import annotations

import math

import numpy as np

from jtorch import _parallel as parallel
from jtorch import dtypes
from jtorch._runtime import warn_outside
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.autograd.grad_mode import STATE, no_grad
from jtorch.backend import get_array_module as xp_of
from jtorch.backend import where
from jtorch.ops._broadcast import float_operand, promote
from jtorch.ops.elementwise import _erf, _expm1, _sigmoid

__all__ = [
    "relu",
    "relu_",
    "threshold",
    "threshold_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "rrelu",
    "rrelu_",
    "prelu",
    "hardshrink",
    "softmax",
    "log_softmax",
    "dropout",
    "dropout_",
    "alpha_dropout",
    "alpha_dropout_",
    "feature_alpha_dropout",
    "feature_alpha_dropout_",
    "layer_norm",
    "group_norm",
    "constant_pad_nd",
    "cosine_similarity",
    "pairwise_distance",
    "rms_norm",
]


def _const(array) -> Tensor:
    return Tensor._make(array)


def _softplus(xp, x):
    """``log(1 + exp(x))`` without overflow, as ``max(x, 0) + log1p(exp(-|x|))``.

    NOTE: NumPy's log1p takes about 15 ns an element here, its log 2: for ``u`` in [0, 1],
    ``log(1 + u) * u / ((1 + u) - 1)`` is log1p to an ulp or two (Goldberg), and just ``u``
    where ``1 + u`` rounds to 1.
    """
    u = xp.exp(-xp.abs(x))
    w = 1 + u
    d = w - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        r = xp.log(w) * (u / d)
    return xp.clip(x, 0, math.inf) + where(d == 0, u, r)


# -- element-wise activations ------------------------------------------------------------------
class _Pointwise:
    """Mixin for ``y = f(x)`` activations: subclasses define ``f``, ``df`` and, when ``df`` is
    not piecewise constant, ``d2f`` (then backward is a ``<Name>BackwardBackward0`` node, so
    double backward works); all three are array functions ``(xp, x, **attrs)``."""

    Grad: type[Function] | None = None

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "d2f" in cls.__dict__:
            base = cls._Node.__name__.removesuffix("0")
            cls.Grad = type(
                cls.__name__ + "Grad",
                (_PointwiseGrad, Function),
                {"node_name": base + "Backward0", "act": cls},
            )

    @staticmethod
    def forward(ctx, x, **attrs):
        ctx.retain_inputs(0)
        ctx.attrs = attrs
        return ctx.fn.f(xp_of(x), x, **attrs)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_inputs
        act = ctx.fn
        if act.Grad is not None:
            return act.Grad.apply(grad, x, **ctx.attrs)
        return grad * _const(act.df(xp_of(x._array), x._array, **ctx.attrs))


class _PointwiseGrad:
    """``grad * f'(x)`` as a node of its own (the backward of a smooth activation)."""

    act: type

    @staticmethod
    def forward(ctx, grad, x, **attrs):
        ctx.retain_inputs(0, 1)
        ctx.attrs = attrs
        return grad * ctx.fn.act.df(xp_of(x), x, **attrs)

    @staticmethod
    def backward(ctx, gg):
        grad, x = ctx.saved_inputs
        act = ctx.fn.act
        g_grad = act.Grad.apply(gg, x, **ctx.attrs) if ctx.needs_input_grad[0] else None
        g_x = None
        if ctx.needs_input_grad[1]:
            # NOTE: f'' enters as a constant: exact for second order, not beyond.
            g_x = gg * grad * _const(act.d2f(xp_of(x._array), x._array, **ctx.attrs))
        return g_grad, g_x


def _mask(x, cond):
    return cond.astype(x.dtype)


class Relu(_Pointwise, Function):
    @staticmethod
    def f(xp, x):
        if x.dtype.kind == "f":  # NOTE: clip keeps -0.0 as torch does, and is 4x faster
            return parallel.clip(x, 0, math.inf)
        return xp.maximum(x, 0)

    @staticmethod
    def df(xp, x):
        return _mask(x, parallel.binary(xp.greater, x, x.dtype.type(0)))


class Threshold(_Pointwise, Function):
    @staticmethod
    def f(xp, x, threshold, value):
        return where(x > threshold, x, x.dtype.type(value))

    @staticmethod
    def df(xp, x, threshold, value):
        return _mask(x, x > threshold)


class Hardtanh(_Pointwise, Function):
    @staticmethod
    def f(xp, x, min_val, max_val):
        return xp.clip(x, x.dtype.type(min_val), x.dtype.type(max_val))

    @staticmethod
    def df(xp, x, min_val, max_val):
        return _mask(x, (x > min_val) & (x < max_val))


class LeakyRelu(_Pointwise, Function):
    @staticmethod
    def f(xp, x, negative_slope):
        return where(x > 0, x, x * x.dtype.type(negative_slope))

    @staticmethod
    def df(xp, x, negative_slope):
        return where(x > 0, x.dtype.type(1), x.dtype.type(negative_slope))


class Hardshrink(_Pointwise, Function):
    @staticmethod
    def f(xp, x, lambd):
        return where(xp.abs(x) > lambd, x, x.dtype.type(0))

    @staticmethod
    def df(xp, x, lambd):
        return _mask(x, xp.abs(x) > lambd)


class Softshrink(_Pointwise, Function):
    @staticmethod
    def f(xp, x, lambd):
        return where(xp.abs(x) > lambd, x - xp.sign(x) * x.dtype.type(lambd), x.dtype.type(0))

    @staticmethod
    def df(xp, x, lambd):
        return _mask(x, xp.abs(x) > lambd)


class Hardsigmoid(_Pointwise, Function):
    @staticmethod
    def f(xp, x):
        return xp.clip(x / 6 + x.dtype.type(0.5), 0, 1).astype(x.dtype, copy=False)

    @staticmethod
    def df(xp, x):
        # NOTE: torch's backward multiplies by the float32 constant 1.0f / 6.0f.
        return _mask(x, (x > -3) & (x < 3)) * x.dtype.type(np.float32(1) / np.float32(6))


class Hardswish(_Pointwise, Function):
    @staticmethod
    def f(xp, x):
        return x * xp.clip(x + 3, 0, 6).astype(x.dtype, copy=False) / 6

    @staticmethod
    def df(xp, x):
        mid = x / 3 + x.dtype.type(0.5)
        return where(x < -3, x.dtype.type(0), where(x <= 3, mid, x.dtype.type(1)))

    @staticmethod
    def d2f(xp, x):
        return _mask(x, (x > -3) & (x < 3)) / 3


def _elu_arg(xp, x, input_scale):
    """``min(x, 0) * input_scale``, the argument of ELU's exponential (clip: NumPy's minimum
    with a scalar is 4x slower)."""
    return xp.clip(x, -math.inf, 0) * input_scale


class Elu(_Pointwise, Function):
    """``scale * (x if x > 0 else alpha * (exp(input_scale * x) - 1))`` (elu, selu, celu)."""

    @staticmethod
    def f(xp, x, alpha, scale, input_scale):
        neg = alpha * _expm1(xp, _elu_arg(xp, x, input_scale))
        return (scale * where(x > 0, x, neg)).astype(x.dtype, copy=False)

    @staticmethod
    def df(xp, x, alpha, scale, input_scale):
        neg = (scale * alpha * input_scale) * xp.exp(_elu_arg(xp, x, input_scale))
        return where(x > 0, x.dtype.type(scale), neg).astype(x.dtype, copy=False)

    @staticmethod
    def d2f(xp, x, alpha, scale, input_scale):
        neg = (scale * alpha * input_scale**2) * xp.exp(_elu_arg(xp, x, input_scale))
        return where(x > 0, x.dtype.type(0), neg).astype(x.dtype, copy=False)


class Celu(Elu):
    # NOTE: torch's celu backward uses 1 / alpha.toFloat() (float32 alpha) as the input scale.
    @staticmethod
    def df(xp, x, alpha, scale, input_scale):
        return Elu.df(xp, x, alpha, scale, 1.0 / float(np.float32(alpha)))

    @staticmethod
    def d2f(xp, x, alpha, scale, input_scale):
        return Elu.d2f(xp, x, alpha, scale, 1.0 / float(np.float32(alpha)))


def _gelu_parts(xp, x, approximate):
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        u1 = k * (1 + 3 * 0.044715 * x * x)
        t = xp.tanh(k * (x + 0.044715 * x**3))
        return t, u1
    return _erf(xp, x / math.sqrt(2)), xp.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


class Gelu(_Pointwise, Function):
    @staticmethod
    def f(xp, x, approximate):
        return (0.5 * x * (1 + _gelu_parts(xp, x, approximate)[0])).astype(x.dtype, copy=False)

    @staticmethod
    def df(xp, x, approximate):
        a, b = _gelu_parts(xp, x, approximate)
        if approximate == "tanh":
            out = 0.5 * (1 + a) + 0.5 * x * (1 - a * a) * b
        else:
            out = 0.5 * (1 + a) + x * b
        return out.astype(x.dtype, copy=False)

    @staticmethod
    def d2f(xp, x, approximate):
        a, b = _gelu_parts(xp, x, approximate)
        if approximate == "tanh":
            u2 = math.sqrt(2 / math.pi) * 6 * 0.044715 * x
            out = (1 - a * a) * (b + 0.5 * x * (u2 - 2 * a * b * b))
        else:
            out = b * (2 - x * x)
        return out.astype(x.dtype, copy=False)


class Silu(_Pointwise, Function):
    @staticmethod
    def f(xp, x):
        return x * _sigmoid(xp, x)

    @staticmethod
    def df(xp, x):
        s = _sigmoid(xp, x)
        return s * (1 + x * (1 - s))

    @staticmethod
    def d2f(xp, x):
        s = _sigmoid(xp, x)
        return s * (1 - s) * (2 + x * (1 - 2 * s))


class Mish(_Pointwise, Function):
    @staticmethod
    def f(xp, x):
        return x * xp.tanh(_softplus(xp, x))

    @staticmethod
    def df(xp, x):
        t, s = xp.tanh(_softplus(xp, x)), _sigmoid(xp, x)
        return t + x * s * (1 - t * t)

    @staticmethod
    def d2f(xp, x):
        t, s = xp.tanh(_softplus(xp, x)), _sigmoid(xp, x)
        return s * (1 - t * t) * (2 + x * ((1 - s) - 2 * t * s))


class Softplus(_Pointwise, Function):
    @staticmethod
    def f(xp, x, beta, threshold):
        bx = x * beta
        return where(bx > threshold, x, _softplus(xp, bx) / beta).astype(x.dtype, copy=False)

    @staticmethod
    def df(xp, x, beta, threshold):
        bx = x * beta
        return where(bx > threshold, x.dtype.type(1), _sigmoid(xp, bx))

    @staticmethod
    def d2f(xp, x, beta, threshold):
        bx = x * beta
        s = _sigmoid(xp, bx)
        return where(bx > threshold, x.dtype.type(0), beta * s * (1 - s))


class LogSigmoid(_Pointwise, Function):
    @staticmethod
    def f(xp, x):
        return -_softplus(xp, -x)

    @staticmethod
    def df(xp, x):
        return _sigmoid(xp, -x)

    @staticmethod
    def d2f(xp, x):
        s = _sigmoid(xp, x)
        return -s * (1 - s)


class Glu(Function):
    """``a * sigmoid(b)`` for the halves ``a, b`` of ``x`` along ``dim``."""

    @staticmethod
    def forward(ctx, x, dim):
        xp = xp_of(x)
        a, b = xp.split(x, 2, axis=dim)
        ctx.retain_inputs(0)
        ctx.dim = dim
        return a * _sigmoid(xp, b)

    @staticmethod
    def backward(ctx, grad):
        from jtorch.ops.joining import cat  # noqa: PLC0415

        (x,) = ctx.saved_inputs
        half = x.shape[ctx.dim] // 2
        a, b = x.narrow(ctx.dim, 0, half), x.narrow(ctx.dim, half, half)
        s = b.sigmoid()
        ga = grad * s
        return cat([ga, ga * a * (1 - s)], ctx.dim)


def _activation(cls, input: Tensor, inplace: bool = False, **attrs) -> Tensor:
    if inplace:
        from jtorch.ops._inplace import make_inplace  # noqa: PLC0415

        return make_inplace(lambda t: cls.apply(t, **attrs))(input)
    return cls.apply(float_operand(input) if cls is not Relu else input, **attrs)


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)`` element-wise.

    Example:
        >>> jtorch.relu(jtorch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    return Relu.apply(input)


def relu_(input: Tensor) -> Tensor:
    """In-place :func:`relu`."""
    return _activation(Relu, input, True)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``input`` where ``input > threshold``, else ``value``.

    Example:
        >>> jtorch.threshold(jtorch.tensor([0.5, 2.0]), 1.0, -1.0)
        tensor([-1.,  2.])
    """
    return _activation(Threshold, input, inplace, threshold=threshold, value=value)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place :func:`threshold`."""
    return _activation(Threshold, input, True, threshold=threshold, value=value)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU with the self-normalising constants.

    Example:
        >>> jtorch.selu(jtorch.tensor([1.0]))
        tensor([1.0507])
    """
    return _activation(Elu, input, inplace, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def selu_(input: Tensor) -> Tensor:
    """In-place :func:`selu`."""
    return selu(input, True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Example:
        >>> jtorch.celu(jtorch.tensor([-1.0]), 2.0)
        tensor([-0.7869])
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _activation(Celu, input, inplace, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place :func:`celu`."""
    return celu(input, alpha, True)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``input`` where ``|input| > lambd``, else 0.

    Example:
        >>> jtorch.hardshrink(jtorch.tensor([0.2, -1.0]))
        tensor([ 0., -1.])
    """
    return Hardshrink.apply(float_operand(input), lambd=lambd)


class RreluWithNoise(Function):
    """Leaky ReLU whose negative slope is ``noise`` (sampled per element in training)."""

    @staticmethod
    def forward(ctx, x, noise):
        ctx.noise = noise
        return x * noise

    @staticmethod
    def backward(ctx, grad):
        return grad * _const(ctx.noise), None


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomised leaky ReLU: negative slopes ~ U(lower, upper) in training, their mean in eval.

    Example:
        >>> jtorch.rrelu(jtorch.tensor([-3.0, 1.0]), 0.1, 0.3)
        tensor([-0.6000,  1.0000])
    """
    xp = xp_of(input._array)
    if training:
        slope = xp.asarray(_empty_like(input).uniform_(lower, upper)._array)
    else:
        slope = input._array.dtype.type((lower + upper) / 2)
    noise = where(input._array >= 0, input._array.dtype.type(1), slope)
    noise = noise.astype(input._array.dtype, copy=False)
    if inplace:
        from jtorch.ops._inplace import make_inplace  # noqa: PLC0415

        return make_inplace(lambda t: RreluWithNoise.apply(t, noise))(input)
    return RreluWithNoise.apply(input, noise)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training=False):
    """In-place :func:`rrelu`."""
    return rrelu(input, lower, upper, training, True)


def _empty_like(t: Tensor) -> Tensor:
    return Tensor._make(xp_of(t._array).empty_like(t._array))


class PreluKernel(Function):
    """``x if x > 0 else w * x`` with ``w`` per channel (dim 1) or shared."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.retain_inputs(0, 1)
        wb = _channel_view(w, x.ndim)
        return where(x > 0, x, wb * x)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_inputs
        pos = _const(_mask(x._array, x._array > 0))
        wb = w.reshape(_channel_view(w._array, x.ndim).shape)
        gx = grad * (pos + (1 - pos) * wb) if ctx.needs_input_grad[0] else None
        gw = None
        if ctx.needs_input_grad[1]:
            full = grad * x * (1 - pos)
            dims = tuple(d for d in range(x.ndim) if w.numel() == 1 or d != 1)
            gw = full.sum(dims).reshape(w.shape) if dims else full.reshape(w.shape)
        return gx, gw


def _channel_view(w, ndim: int):
    if w.size == 1 or ndim < 2:
        return w.reshape(())
    return w.reshape((-1,) + (1,) * (ndim - 2))


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """Parametric ReLU: ``max(0, x) + weight * min(0, x)``, ``weight`` per channel.

    Example:
        >>> jtorch.prelu(jtorch.tensor([-2.0, 1.0]), jtorch.tensor([0.25]))
        tensor([-0.5000,  1.0000])
    """
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() != 1 and weight.numel() != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{weight.numel()} and channel size = {channels}."
        )
    return PreluKernel.apply(input, weight)


# -- softmax -----------------------------------------------------------------------------------
class Softmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.retain_outputs(0)
        xp = xp_of(x)
        e = xp.exp(x - x.max(axis=dim, keepdims=True))
        e /= e.sum(axis=dim, keepdims=True)
        return e

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        gy = grad * y
        return gy - y * gy.sum(ctx.dim, keepdim=True)


class LogSoftmax(Function):
    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        ctx.retain_outputs(0)
        xp = xp_of(x)
        shifted = x - x.max(axis=dim, keepdims=True)
        shifted -= xp.log(xp.exp(shifted).sum(axis=dim, keepdims=True))
        return shifted

    @staticmethod
    def backward(ctx, grad):
        (y,) = ctx.saved_outputs
        if STATE.enabled:
            return grad - y.exp() * grad.sum(ctx.dim, keepdim=True)
        g, xp = grad._array, xp_of(grad._array)  # no graph: on arrays, two temporaries fewer
        out = xp.exp(y._array)
        out *= g.sum(ctx.dim, keepdims=True)
        return _const(xp.subtract(g, out, out=out))


def _softmax_input(input: Tensor, dim, dtype) -> tuple[Tensor, int]:
    if dtype is not None:
        input = input.to(dtype)
    elif input._array.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"softmax_lastdim_kernel_impl\" not implemented for '{input.dtype.scalar_name}'"
        )
    return input, _wrap_dim(dim, input._array.ndim)


def softmax(input: Tensor, dim: int, dtype: dtypes.dtype | None = None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``, computed stably.

    Example:
        >>> jtorch.softmax(jtorch.tensor([1.0, 1.0]), 0)
        tensor([0.5000, 0.5000])
    """
    x, d = _softmax_input(input, dim, dtype)
    return Softmax.apply(x, dim=d)


def log_softmax(input: Tensor, dim: int, dtype: dtypes.dtype | None = None) -> Tensor:
    """``log(softmax(x, dim))`` without the cancellation of taking it in two steps.

    Example:
        >>> jtorch.log_softmax(jtorch.tensor([0.0, 0.0]), 0)
        tensor([-0.6931, -0.6931])
    """
    x, d = _softmax_input(input, dim, dtype)
    return LogSoftmax.apply(x, dim=d)


# -- losses ------------------------------------------------------------------------------------
REDUCTIONS = ("none", "mean", "sum")


def check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


class NllLoss(Function):
    """Negative log likelihood: ``-w[t] * x[t]`` (class dim 1, or 0 for an unbatched input)."""

    hidden_inputs = (1,)

    @staticmethod
    def forward(ctx, x, target, weight, reduction, ignore_index):
        xp = xp_of(x)
        axis = 0 if x.ndim == 1 else 1
        if weight is None and x.ndim == 2 and target.size:
            lo, hi = target.min(), target.max()  # NOTE: usually enough to know all rows count
            every = 0 <= lo and hi < x.shape[1] and not lo <= ignore_index <= hi
        else:
            every = False
        if every:  # all weights 1: no masks, and the mean divides by the row count
            idx = (xp.arange(target.shape[0]), target)
            w, count = x.dtype.type(1), x.dtype.type(target.shape[0])
        else:
            valid = target != ignore_index
            t = where(valid, target, 0)
            bad = (t < 0) | (t >= x.shape[axis])
            if bad.any():
                raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
            # NOTE: one fancy index for 2-D input; take_along_axis costs ~10 us more
            idx = (xp.arange(t.shape[0]), t) if x.ndim == 2 else xp.expand_dims(t, axis)
            w = valid.astype(x.dtype) if weight is None else weight[t] * valid
            count = None
        if type(idx) is tuple:
            picked = x[idx]
        else:
            picked = xp.take_along_axis(x, idx, axis).squeeze(axis)
        losses = -picked * w
        denom = 1
        if reduction == "mean":
            denom = w.sum() if count is None else count
        ctx.saved = (idx, w, axis, x.shape, reduction, denom)
        if reduction == "none":
            return losses
        return xp.asarray(losses.sum() / denom, dtype=x.dtype)  # 0/0: nan, silently as torch

    @staticmethod
    def backward(ctx, grad):
        idx, w, axis, shape, reduction, denom = ctx.saved
        xp = xp_of(idx[1] if type(idx) is tuple else idx)
        coef = xp.zeros(shape, w.dtype)
        if type(idx) is tuple:
            coef[idx] = -w / denom
        else:
            xp.put_along_axis(coef, idx, xp.expand_dims(-w / denom, axis), axis)
        if reduction == "none":
            grad = grad.unsqueeze(axis)
        if not STATE.enabled and grad._array.ndim == 0:  # no graph: scale the array in place
            coef *= grad._array
            return _const(coef), None
        return grad * _const(coef), None


def nll_loss(input, target, weight=None, ignore_index: int = -100, reduction: str = "mean"):
    """The negative log likelihood loss of log-probabilities ``input`` for class ``target``."""
    check_reduction(reduction)
    if target._array.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {target.dtype.scalar_name}"
        )
    xs, ts = input._array.shape, target._array.shape
    if len(xs) >= 2 and (len(ts) < 1 or xs[0] != ts[0]):
        raise ValueError(
            f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
            f"({target.shape[0] if target.dim() else 0})."
        )
    spatial = (xs[0],) + xs[2:]
    if len(xs) == 4:  # NOTE: torch's nll_loss2d and its texts (the missing parenthesis too)
        if len(ts) != 3:
            raise RuntimeError(
                "only batches of spatial targets supported (3D tensors) but got targets of "
                f"dimension: {len(ts)}"
            )
        if ts != spatial:
            raise RuntimeError(f"size mismatch (got input: {list(xs)} , target: {list(ts)}")
    elif len(xs) >= 3 and ts != spatial:
        raise RuntimeError(f"Expected target size {list(spatial)}, got {list(ts)}")
    check_weight_dtype(weight, input)
    w = None if weight is None else weight._array
    return NllLoss.apply(input, target, weight=w, reduction=reduction, ignore_index=ignore_index)


def check_weight_dtype(weight: Tensor | None, input: Tensor) -> None:
    """torch's class-weighted losses want the weight in the input's dtype."""
    if weight is not None and weight.dtype != input.dtype:
        raise RuntimeError(
            f"expected scalar type {input.dtype.scalar_name} but found {weight.dtype.scalar_name}"
        )


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """Apply a loss reduction ('none', 'mean' or 'sum')."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


class _PairLoss:
    """Mixin for losses of ``(input, target)`` given element-wise by ``f(d, **attrs)`` of the
    difference ``d = x - t``, with derivative ``df(d)`` (piecewise, so taken as a constant)."""

    @staticmethod
    def forward(ctx, x, t, reduction, **attrs):
        d = x - t
        ctx.retain_inputs(0, 1)
        ctx.reduction, ctx.attrs, ctx.n = reduction, attrs, d.size
        loss = ctx.fn.f(xp_of(d), d, **attrs).astype(d.dtype, copy=False)
        if reduction == "none":
            return loss
        return loss.mean() if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_inputs
        if ctx.reduction == "mean":
            grad = grad / ctx.n
        d = x - t
        g = grad * ctx.fn.grad(d, **ctx.attrs)
        return (g if ctx.needs_input_grad[0] else None), (-g if ctx.needs_input_grad[1] else None)


class MseLoss(_PairLoss, Function):
    @staticmethod
    def f(xp, d):
        return d * d

    @staticmethod
    def grad(d):
        return 2 * d


class HuberLoss(_PairLoss, Function):
    @staticmethod
    def f(xp, d, delta):
        a = xp.abs(d)
        return where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))

    @staticmethod
    def grad(d, delta):
        xp, a = xp_of(d._array), d._array
        inside = _mask(a, xp.abs(a) < delta)
        return d * _const(inside) + _const((1 - inside) * delta * xp.sign(a))


class SmoothL1Loss(_PairLoss, Function):
    @staticmethod
    def f(xp, d, beta):
        a = xp.abs(d)
        if beta == 0:
            return a
        return where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)

    @staticmethod
    def grad(d, beta):
        xp, a = xp_of(d._array), d._array
        inside = _mask(a, xp.abs(a) < beta)
        outside = _const((1 - inside) * xp.sign(a))
        return outside if beta == 0 else d * _const(inside / beta) + outside


def pair_loss(cls, input: Tensor, target: Tensor, reduction: str, **attrs) -> Tensor:
    """Run a ``_PairLoss`` after torch's checks (and broadcast warning)."""
    check_reduction(reduction)
    warn_size(input, target)
    x, t = promote(input, target)
    return cls.apply(x, t, reduction=reduction, **attrs)


def warn_size(input: Tensor, target: Tensor) -> None:
    """torch's warning for a loss whose target's shape differs from its input's."""
    if target.shape != input.shape:
        warn_outside(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size."
        )


class BinaryCrossEntropy(Function):
    @staticmethod
    def forward(ctx, x, t, weight, reduction):
        xp = xp_of(x)
        if ((x < 0) | (x > 1)).any():
            raise RuntimeError("all elements of input should be between 0 and 1")
        ctx.retain_inputs(0, 1)
        ctx.weight, ctx.reduction, ctx.n = weight, reduction, x.size
        with np.errstate(divide="ignore"):
            logx = xp.maximum(xp.log(x), -100)
            log1mx = xp.maximum(xp.log1p(-x), -100)
        loss = -(t * logx + (1 - t) * log1mx)
        if weight is not None:
            loss = loss * weight
        loss = loss.astype(x.dtype, copy=False)
        if reduction == "none":
            return loss
        return loss.mean() if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_inputs
        if ctx.reduction == "mean":
            grad = grad / ctx.n
        if ctx.weight is not None:
            grad = grad * _const(ctx.weight)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            gx = grad * (x - t) / threshold((1 - x) * x, 1e-12, 1e-12)
        if ctx.needs_input_grad[1]:
            gt = grad * ((1 - x).log() - x.log())  # NOTE: unclamped, as torch (inf at 0 and 1)
        return gx, gt


def binary_cross_entropy(input, target, weight=None, reduction: str = "mean") -> Tensor:
    """``-w * (t * log(x) + (1 - t) * log(1 - x))`` with logs clamped at -100."""
    check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}) is deprecated. Please ensure they have the same size."
        )
    if target.dtype != input.dtype:
        raise RuntimeError(
            f"Found dtype {target.dtype.scalar_name} but expected {input.dtype.scalar_name}"
        )
    if weight is not None:  # NOTE: torch broadcasts the weight to the target's shape first
        from jtorch.ops.extra import broadcast_shapes  # noqa: PLC0415

        broadcast_shapes(target.shape, weight.shape)
    w = None if weight is None else xp_of(input._array).broadcast_to(weight._array, input.shape)
    return BinaryCrossEntropy.apply(input, target, weight=w, reduction=reduction)


class BinaryCrossEntropyWithLogits(Function):
    @staticmethod
    def forward(ctx, x, t, weight, pos_weight, reduction):
        xp = xp_of(x)
        ctx.retain_inputs(0, 1)
        ctx.attrs = (weight, pos_weight, reduction, x.size)
        sp = _softplus(xp, -x)
        if pos_weight is not None:
            loss = (1 - t) * x + (1 + (pos_weight - 1) * t) * sp
        else:
            loss = (1 - t) * x + sp
        if weight is not None:
            loss = loss * weight
        # NOTE: torch computes (1 - t).mul_(x)...: the loss has the target's dtype
        loss = loss.astype(t.dtype, copy=False)
        if reduction == "none":
            return loss
        return loss.mean() if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, grad):
        x, t = ctx.saved_inputs
        weight, pos_weight, reduction, n = ctx.attrs
        if reduction == "mean":
            grad = grad / n
        if weight is not None:
            grad = grad * _const(weight)
        pw = None if pos_weight is None else _const(pos_weight)
        gx = gt = None
        if ctx.needs_input_grad[0]:
            s = x.sigmoid()
            gx = grad * (s - t if pw is None else (1 + (pw - 1) * t) * s - pw * t)
        if ctx.needs_input_grad[1]:
            gt = grad * (-x if pw is None else -x - (pw - 1) * LogSigmoid.apply(x))
        return gx, gt


def binary_cross_entropy_with_logits(
    input, target, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None
) -> Tensor:
    """BCE of ``sigmoid(input)`` computed stably from the logits; ``pos_weight`` scales positives.

    Example:
        >>> jtorch.nn.functional.binary_cross_entropy_with_logits(jtorch.tensor([0.0]), jtorch.tensor([1.0]))
        tensor(0.6931)
    """
    check_reduction(reduction)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})"
        )
    if not target.dtype.is_floating_point:
        raise RuntimeError(
            f"result type {input.dtype.scalar_name} can't be cast to the desired output type "
            f"{target.dtype.scalar_name}"
        )
    w = None if weight is None else weight._array
    pw = None if pos_weight is None else pos_weight._array
    return BinaryCrossEntropyWithLogits.apply(
        input, target, weight=w, pos_weight=pw, reduction=reduction
    )


class SoftMarginLoss(Function):
    hidden_inputs = (1,)

    @staticmethod
    def forward(ctx, x, y, reduction):
        ctx.retain_inputs(0, 1)
        ctx.reduction, ctx.n = reduction, x.size
        loss = _softplus(xp_of(x), -x * y).astype(x.dtype, copy=False)
        if reduction == "none":
            return loss
        return loss.mean() if reduction == "mean" else loss.sum()

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_inputs
        if ctx.reduction == "mean":
            grad = grad / ctx.n
        s = grad * (-x * y).sigmoid()
        return (-s * y if ctx.needs_input_grad[0] else None), (
            -s * x if ctx.needs_input_grad[1] else None
        )


# -- normalisation -----------------------------------------------------------------------------
def _normalize_backward(x: Tensor, gxhat: Tensor, dims: tuple, eps: float):
    """Gradient of ``(x - mean) / sqrt(var + eps)`` over ``dims`` given the grad of the result,
    in Tensor ops (so it is itself differentiable); also returns ``xhat``."""
    mu = x.mean(dims, keepdim=True)
    xc = x - mu
    rstd = ((xc * xc).mean(dims, keepdim=True) + eps) ** -0.5
    xhat = xc * rstd
    gx = rstd * (
        gxhat - gxhat.mean(dims, keepdim=True) - xhat * (gxhat * xhat).mean(dims, keepdim=True)
    )
    return gx, xhat


def _moments(xp, x, axes: tuple, eps: float):
    mean = x.mean(axis=axes, keepdims=True)
    xc = x - mean
    var = (xc * xc).mean(axis=axes, keepdims=True)
    return xc, mean, var, 1 / xp.sqrt(var + eps)


class NativeLayerNorm(Function):
    @staticmethod
    def forward(ctx, x, w, b, ndim, eps):
        xp = xp_of(x)
        axes = tuple(range(x.ndim - ndim, x.ndim))
        ctx.retain_inputs(0, 1)
        ctx.axes, ctx.eps = axes, eps
        xc, _, _, rstd = _moments(xp, x, axes, eps)
        y = xc * rstd
        if w is not None:
            y *= w
        if b is not None:
            y += b
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_inputs
        need = ctx.needs_input_grad
        gxhat = grad * w if isinstance(w, Tensor) else grad
        gx, xhat = _normalize_backward(x, gxhat, ctx.axes, ctx.eps)
        lead = tuple(range(x.dim() - len(ctx.axes)))
        gw = (grad * xhat).sum(lead) if need[1] and lead else (grad * xhat if need[1] else None)
        gb = (grad.sum(lead) if lead else grad) if need[2] else None
        return (gx if need[0] else None), gw, gb


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5, *_) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims, then scale and shift.

    Example:
        >>> jtorch.layer_norm(jtorch.tensor([[1.0, 3.0]]), (2,))
        tensor([[-1.0000,  1.0000]])
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if tuple(input.shape[input.dim() - len(shape) :]) != shape or input.dim() < len(shape):
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    return NativeLayerNorm.apply(float_operand(input), weight, bias, ndim=len(shape), eps=eps)


class NativeGroupNorm(Function):
    @staticmethod
    def forward(ctx, x, w, b, groups, eps):
        xp = xp_of(x)
        ctx.retain_inputs(0, 1)
        ctx.groups, ctx.eps = groups, eps
        xg = x.reshape(x.shape[0], groups, -1)
        xc, _, _, rstd = _moments(xp, xg, (2,), eps)
        y = (xc * rstd).reshape(x.shape)
        cshape = (-1,) + (1,) * (x.ndim - 2)
        if w is not None:
            y = y * w.reshape(cshape)
        if b is not None:
            y = y + b.reshape(cshape)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_inputs
        need = ctx.needs_input_grad
        n, c = x.shape[0], x.shape[1]
        cshape = (c,) + (1,) * (x.dim() - 2)
        gxhat = grad * w.reshape(cshape) if isinstance(w, Tensor) else grad
        gx, xhat = _normalize_backward(
            x.reshape(n, ctx.groups, -1), gxhat.reshape(n, ctx.groups, -1), (2,), ctx.eps
        )
        other = tuple(d for d in range(x.dim()) if d != 1)
        gw = (grad * xhat.reshape(x.shape)).sum(other) if need[1] else None
        gb = grad.sum(other) if need[2] else None
        return (gx.reshape(x.shape) if need[0] else None), gw, gb


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5) -> Tensor:
    """Normalise each group of ``C / num_groups`` channels per sample, then an affine per channel.

    Example:
        >>> jtorch.group_norm(jtorch.tensor([[1.0, 3.0]]), 1)
        tensor([[-1.0000,  1.0000]])
    """
    if input.dim() < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(input.shape)} and num_groups={num_groups}"
        )
    return NativeGroupNorm.apply(float_operand(input), weight, bias, groups=num_groups, eps=eps)


class NativeBatchNorm(Function):
    """Batch normalisation over every dim but 1, with batch statistics (``training``) or the
    given ``mean``/``var`` arrays (eval)."""

    @staticmethod
    def forward(ctx, x, w, b, mean, var, training, eps):
        xp = xp_of(x)
        axes = (0,) + tuple(range(2, x.ndim))
        cshape = (1, -1) + (1,) * (x.ndim - 2)
        ctx.retain_inputs(0, 1)
        ctx.axes, ctx.eps, ctx.training = axes, eps, training
        if training:
            xc, _, _, rstd = _moments(xp, x, axes, eps)
        else:
            rstd = (1 / xp.sqrt(var.reshape(cshape) + eps)).astype(x.dtype, copy=False)
            xc = x - mean.reshape(cshape)
            ctx.stats = (mean.reshape(cshape).astype(x.dtype, copy=False), rstd)
        y = xc * rstd
        if w is not None:
            y = y * w.reshape(cshape)
        if b is not None:
            y = y + b.reshape(cshape)
        return y.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_inputs
        need = ctx.needs_input_grad
        cshape = (1, -1) + (1,) * (x.dim() - 2)
        gxhat = grad * w.reshape(cshape) if isinstance(w, Tensor) else grad
        if ctx.training:
            gx, xhat = _normalize_backward(x, gxhat, ctx.axes, ctx.eps)
        else:
            mean, rstd = (_const(a) for a in ctx.stats)
            gx, xhat = gxhat * rstd, (x - mean) * rstd
        gw = (grad * xhat).sum(ctx.axes) if need[1] else None
        gb = grad.sum(ctx.axes) if need[2] else None
        return (gx if need[0] else None), gw, gb


def batch_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation (``torch.nn.functional.batch_norm``'s argument order); updates the
    running statistics in place when training.

    Example:
        >>> jtorch.nn.functional.batch_norm(jtorch.tensor([[1.0], [3.0]]), None, None, training=True)
        tensor([[-1.0000],
                [ 1.0000]])
    """
    x = float_operand(input)
    if training and x.numel() // x.shape[1] == 1:
        raise ValueError(
            "Expected more than 1 value per channel when training, got input size "
            f"{x.shape!r}".replace("jtorch.", "torch.")
        )
    _check_batch_norm_sizes(x, running_mean, running_var, weight, bias, training)
    if training:
        if running_mean is not None or running_var is not None:
            _update_running_stats(x._array, running_mean, running_var, momentum)
        mean = var = None
    else:
        mean, var = running_mean._array, running_var._array
    return NativeBatchNorm.apply(x, weight, bias, mean=mean, var=var, training=training, eps=eps)


def _check_batch_norm_sizes(x: Tensor, running_mean, running_var, weight, bias, training) -> None:
    """torch's checks: running statistics in eval mode, one value per channel everywhere."""
    n = x._array.shape[1] if x._array.ndim > 1 else 1
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):  # fmt: skip
        if t is None:
            if not training and name.startswith("running"):
                raise RuntimeError(f"{name} must be defined in evaluation mode")
        elif t.numel() != n:
            raise RuntimeError(f"{name} should contain {n} elements not {t.numel()}")


def _update_running_stats(x, running_mean, running_var, momentum) -> None:
    axes = (0,) + tuple(range(2, x.ndim))
    n = x.size // x.shape[1]
    mean = x.mean(axis=axes)
    var = x.var(axis=axes) * (n / (n - 1))
    with no_grad():
        for buf, stat in ((running_mean, mean), (running_var, var)):
            if buf is not None:
                a = buf._array
                a *= 1 - momentum
                a += (momentum * stat).astype(a.dtype, copy=False)
                buf._bump()


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample over its spatial dims (batch norm on a
    ``(1, N*C, ...)`` view, as torch computes it).

    Example:
        >>> jtorch.nn.functional.instance_norm(jtorch.tensor([[[1.0, 3.0]]]))
        tensor([[[-1.0000,  1.0000]]])
    """
    n, c = input.shape[0], input.shape[1]
    x = input.reshape(1, n * c, *input.shape[2:])
    rm = rv = None
    if running_mean is not None:
        rm = Tensor._make(xp_of(running_mean._array).tile(running_mean._array, n))
        rv = Tensor._make(xp_of(running_var._array).tile(running_var._array, n))
    w = None if weight is None else weight.repeat(n) if n > 1 else weight
    b = None if bias is None else bias.repeat(n) if n > 1 else bias
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if running_mean is not None and use_input_stats:
        with no_grad():
            running_mean._array[...] = rm._array.reshape(n, c).mean(0)
            running_var._array[...] = rv._array.reshape(n, c).mean(0)
            running_mean._bump()
            running_var._bump()
    return out.reshape(input.shape)


def rms_norm(input, normalized_shape, weight=None, eps: float | None = None) -> Tensor:
    """``x / sqrt(mean(x^2) + eps) * weight`` over the last ``len(normalized_shape)`` dims.

    Example:
        >>> jtorch.rms_norm(jtorch.tensor([[3.0, 4.0]]), (2,))
        tensor([[0.8485, 1.1314]])
    """
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    if eps is None:
        eps = dtypes.finfo(input.dtype).eps
    dims = tuple(range(-len(shape), 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps) ** -0.5
    return out * weight if weight is not None else out


# -- embedding ---------------------------------------------------------------------------------
class Embedding(Function):
    hidden_inputs = (1,)

    @staticmethod
    def forward(ctx, weight, indices, padding_idx, scale_grad_by_freq):
        ctx.indices, ctx.n = indices, weight.shape[0]
        ctx.padding_idx, ctx.scale = padding_idx, scale_grad_by_freq
        return weight[indices]

    @staticmethod
    def backward(ctx, grad):
        return EmbeddingDenseBackward.apply(
            grad, indices=ctx.indices, n=ctx.n, padding_idx=ctx.padding_idx, scale=ctx.scale
        ), None


class EmbeddingDenseBackward(Function):
    """Scatter-add of row gradients into a ``(num_embeddings, dim)`` gradient."""

    @staticmethod
    def forward(ctx, grad, indices, n, padding_idx, scale):
        xp = xp_of(grad)
        ctx.indices = indices
        flat = indices.reshape(-1)
        rows = grad.reshape(flat.size, -1)
        if scale:
            counts = xp.bincount(flat, minlength=n)
            rows = rows / counts[flat][:, None]
        if padding_idx is not None:
            rows = rows * (flat != padding_idx)[:, None]
        out = xp.zeros((n, rows.shape[1]), grad.dtype)
        xp.add.at(out, flat, rows)
        ctx.rows_scale = None if not (scale or padding_idx is not None) else (scale, padding_idx)
        return out

    @staticmethod
    def backward(ctx, gg):
        # NOTE: linear in grad: its gradient gathers rows back (padding rows get no gradient).
        out = Embedding.apply(gg, ctx.indices, padding_idx=None, scale_grad_by_freq=False)
        if ctx.rows_scale is not None:
            scale, padding_idx = ctx.rows_scale
            flat = ctx.indices
            xp = xp_of(flat)
            factor = xp.ones(flat.shape, gg._array.dtype)
            if scale:
                counts = xp.bincount(flat.reshape(-1), minlength=gg.shape[0])
                factor = factor / counts[flat]
            if padding_idx is not None:
                factor = factor * (flat != padding_idx)
            out = out * _const(factor[..., None])
        return out


def embedding(
    input,
    weight,
    padding_idx=None,
    max_norm=None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Rows of ``weight`` selected by the integer tensor ``input``.

    Example:
        >>> jtorch.nn.functional.embedding(jtorch.tensor([1]), jtorch.tensor([[0.0], [5.0]]))
        tensor([[5.]])
    """
    idx = input._array
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    n = weight.shape[0]
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)"
        )
    if idx.size and (idx.min() < -n or idx.max() >= n) or (idx.size and idx.min() < 0):
        raise IndexError("index out of range in self")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    if max_norm is not None:
        embedding_renorm_(weight, input, max_norm, norm_type)
    return Embedding.apply(
        weight, input, padding_idx=padding_idx, scale_grad_by_freq=scale_grad_by_freq
    )


def embedding_renorm_(weight: Tensor, input: Tensor, max_norm: float, norm_type: float):
    """Rescale, in place, the rows of ``weight`` used by ``input`` to norm at most ``max_norm``."""
    xp = xp_of(weight._array)
    rows = xp.unique(input._array.reshape(-1))
    w = weight._array
    norms = (xp.abs(w[rows]) ** norm_type).sum(-1) ** (1 / norm_type)
    scale = where(norms > max_norm, max_norm / (norms + 1e-7), 1).astype(w.dtype)
    w[rows] *= scale[:, None]
    weight._bump()
    return weight


# -- padding -----------------------------------------------------------------------------------
class ConstantPadNd(Function):
    @staticmethod
    def forward(ctx, x, pad, value):
        xp = xp_of(x)
        ctx.pad = pad
        widths = [(0, 0)] * x.ndim
        slices = [slice(None)] * x.ndim
        for i in range(len(pad) // 2):
            d = x.ndim - 1 - i
            lo, hi = pad[2 * i], pad[2 * i + 1]
            widths[d] = (max(lo, 0), max(hi, 0))
            slices[d] = slice(max(-lo, 0), x.shape[d] - max(-hi, 0))
        out = x[tuple(slices)]
        if any(w != (0, 0) for w in widths):
            out = xp.pad(out, widths, constant_values=value)
        return out.copy() if out.base is not None else out

    @staticmethod
    def backward(ctx, grad):
        return ConstantPadNd.apply(grad, pad=tuple(-p for p in ctx.pad), value=0)


def constant_pad_nd(input: Tensor, pad, value: float = 0) -> Tensor:
    """Pad (or crop, for negative sizes) the last ``len(pad) // 2`` dims with ``value``.

    Example:
        >>> jtorch.constant_pad_nd(jtorch.tensor([1.0]), (1, 2))
        tensor([0., 1., 0., 0.])
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2 or len(pad) // 2 > input.dim():
        raise RuntimeError(
            f"Length of pad must be even but instead it equals {len(pad)}"
            if len(pad) % 2
            else "Length of pad should be no more than twice the number of dimensions of the "
            f"input. Pad length is {len(pad)}while the input has {input.dim()}dimensions."
        )  # NOTE: torch's text, spaces missing as in torch
    return ConstantPadNd.apply(input, pad=pad, value=value)


def _pad_index(xp, size: int, lo: int, hi: int, mode: str):
    i = xp.arange(-lo, size + hi)
    if mode == "reflect":
        period = 2 * (size - 1)
        i = xp.abs((i + period * (lo // max(period, 1) + 1)) % max(period, 1)) if period else i * 0
        return where(i >= size, period - i, i)
    if mode == "replicate":
        return xp.clip(i, 0, size - 1)
    return i % size  # circular


class _IndexPad:
    """Mixin: pad by gathering the last dims with index arrays (reflect, replicate, circular)."""

    @staticmethod
    def forward(ctx, x, index):
        ctx.index, ctx.shape = index, x.shape
        xp = xp_of(x)
        for d, idx in index:
            x = xp.take(x, idx, axis=d)
        return x

    @staticmethod
    def backward(ctx, grad):
        return PadScatter.apply(grad, index=ctx.index, shape=ctx.shape, gather=ctx.fn)


class PadScatter(Function):
    """Backward of an index pad: gradients of repeated positions are summed."""

    @staticmethod
    def forward(ctx, grad, index, shape, gather):
        ctx.index, ctx.gather = index, gather
        xp = xp_of(grad)
        for d, idx in reversed(index):
            moved = xp.moveaxis(grad, d, 0)
            out = xp.zeros((shape[d],) + moved.shape[1:], grad.dtype)
            xp.add.at(out, idx, moved)
            grad = xp.moveaxis(out, 0, d)
        return grad

    @staticmethod
    def backward(ctx, gg):
        return ctx.gather.apply(gg, index=ctx.index)


INDEX_PADS = {
    (mode, nd): type(f"{name}Pad{nd}D", (_IndexPad, Function), {})
    for mode, name in (("reflect", "Reflection"), ("replicate", "Replication"))
    for nd in (1, 2, 3)
}


class CircularPad(_IndexPad, Function):
    pass


def index_pad(input: Tensor, pad: tuple, mode: str) -> Tensor:
    """Reflect / replicate / circular padding of the last ``len(pad) // 2`` dims."""
    xp = xp_of(input._array)
    nd = len(pad) // 2
    index = []
    for i in range(nd):
        d = input.dim() - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        size = input.shape[d]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {d} of input "
                f"{list(input.shape)}"
            )
        if mode == "circular" and (lo > size or hi > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        index.append((d, _pad_index(xp, size, lo, hi, mode)))
    cls = CircularPad if mode == "circular" else INDEX_PADS[mode, nd]
    return cls.apply(input, index=tuple(index))


# -- similarity --------------------------------------------------------------------------------
def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``x1 . x2 / (max(|x1|, eps) * max(|x2|, eps))`` along ``dim``.

    Example:
        >>> jtorch.cosine_similarity(jtorch.tensor([[1.0, 0.0]]), jtorch.tensor([[1.0, 1.0]]))
        tensor([0.7071])
    """
    x1, x2 = promote(x1, x2)

    def unit(x):
        n = x.norm(2, dim, keepdim=True)
        low = n._array < eps
        if low.any():  # NOTE: torch clamps the norms in place under no_grad: grads pass through
            n = n + _const(where(low, eps - n._array, 0).astype(n._array.dtype))
        return x / n

    return (unit(x1) * unit(x2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """``||x1 - x2 + eps||_p`` over the last dim.

    Example:
        >>> jtorch.pairwise_distance(jtorch.tensor([[3.0, 0.0]]), jtorch.tensor([[0.0, 4.0]]), eps=0)
        tensor([5.])
    """
    return (x1 - x2 + eps).norm(p, -1, keepdim=keepdim)


# -- dropout -----------------------------------------------------------------------------------
def check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _bernoulli_mask(input: Tensor, shape: tuple, keep: float) -> Tensor:
    from jtorch import empty  # noqa: PLC0415

    return empty(shape, dtype=input.dtype, device=input.device).bernoulli_(keep)


def _apply_mask(input: Tensor, mask: Tensor, inplace: bool) -> Tensor:
    return input.mul_(mask) if inplace else input * mask


def dropout(input: Tensor, p: float = 0.5, train: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` (train).

    Example:
        >>> jtorch.dropout(jtorch.ones(3), 0.5, False)
        tensor([1., 1., 1.])
    """
    check_p(p)
    if not train or p == 0:
        return input
    if p == 1:
        return _apply_mask(input, _const(xp_of(input._array).zeros_like(input._array)), inplace)
    mask = _bernoulli_mask(input, tuple(input.shape), 1 - p)
    return _apply_mask(input, mask.div_(1 - p), inplace)


def dropout_(input: Tensor, p: float = 0.5, train: bool = True) -> Tensor:
    """In-place :func:`dropout`."""
    return dropout(input, p, train, True)


def feature_dropout(input: Tensor, p: float, train: bool, inplace: bool = False) -> Tensor:
    """Dropout of whole channels (dim 1 of a batched input, dim 0 of an unbatched one)."""
    check_p(p)
    if not train or p == 0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    if p == 1:
        mask = _const(xp_of(input._array).zeros(shape, input._array.dtype))
    else:
        mask = _bernoulli_mask(input, shape, 1 - p).div_(1 - p)
    return _apply_mask(input, mask, inplace)


_ALPHA = _SELU_ALPHA * _SELU_SCALE


def _alpha_dropout(input: Tensor, p: float, train: bool, shape, inplace: bool) -> Tensor:
    check_p(p)
    if not train or p == 0:
        return input
    if p == 1:
        return input * 0 if not inplace else input.mul_(0)
    keep = _bernoulli_mask(input, shape, 1 - p)
    a = 1 / math.sqrt((_ALPHA**2 * p + 1) * (1 - p))
    b = (keep - 1) * (_ALPHA * a) + _ALPHA * a * p
    keep = keep * a
    if inplace:
        return input.mul_(keep).add_(b)
    return input * keep + b


def alpha_dropout(input: Tensor, p: float = 0.5, train: bool = False, inplace=False) -> Tensor:
    """Dropout that keeps the self-normalising mean and variance (for SELU networks).

    Example:
        >>> jtorch.alpha_dropout(jtorch.ones(2), 0.5, False)
        tensor([1., 1.])
    """
    return _alpha_dropout(input, p, train, tuple(input.shape), inplace)


def alpha_dropout_(input: Tensor, p: float = 0.5, train: bool = False) -> Tensor:
    """In-place :func:`alpha_dropout`."""
    return alpha_dropout(input, p, train, True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, train: bool = False, inplace=False):
    """:func:`alpha_dropout` of whole channels.

    Example:
        >>> jtorch.feature_alpha_dropout(jtorch.ones(1, 2), 0.5, False)
        tensor([[1., 1.]])
    """
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    return _alpha_dropout(input, p, train, shape, inplace)


def feature_alpha_dropout_(input: Tensor, p: float = 0.5, train: bool = False) -> Tensor:
    """In-place :func:`feature_alpha_dropout`."""
    return feature_alpha_dropout(input, p, train, True)
