"""Convolution, pooling, resampling and rearrangement: the spatial layer primitives.

Every spatial op is one N-d implementation on strided window views:
``_windows(x, kernel, out, stride, dilation)`` is ``x[..., k*dilation + o*stride]`` as a view of
shape ``(..., *kernel, *out)``. Convolution copies it once into columns (im2col) and does one
batched GEMM; its adjoint (the input gradient, and transposed convolution) is a GEMM followed by
col2im, a loop over kernel offsets of strided slice additions. Pooling reduces over the window
axes; the separable resamplers (upsampling, adaptive average pooling) contract one small matrix
per spatial dim. Each backward is written with these same Functions, so double backward works.

These are ``torch.nn.functional`` functions; ``__all__`` lists only those torch also has at top
level (``torch.conv2d``, ``torch.max_pool2d``, ...).

Example:
    >>> import jtorch
    >>> from jtorch.ops import conv as F
    >>> x = jtorch.ones(1, 1, 4, 4, requires_grad=True)
    >>> y = F.conv2d(x, jtorch.ones(2, 1, 3, 3), padding=1)
    >>> y.shape, y.grad_fn.name()
    (torch.Size([1, 2, 4, 4]), 'ConvolutionBackward0')
    >>> F.max_pool2d(y, 2)[0, 0]
    tensor([[9., 9.],
            [9., 9.]], grad_fn=<SelectBackward0>)
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d"]
__all__ += ["conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d"]
__all__ += ["max_pool1d_with_indices", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d"]
__all__ += ["pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle"]


# -- array helpers ------------------------------------------------------------------------------
def _pad(x, pads: tuple, value=0):
    """``x`` with its trailing dims padded by ``(lo, hi)`` pairs of ``value`` (``x`` if none)."""
    if not any(lo or hi for lo, hi in pads):
        return x
    nb = x.ndim - len(pads)
    shape = x.shape[:nb] + tuple(s + lo + hi for s, (lo, hi) in zip(x.shape[nb:], pads))
    out = xp_of(x).full(shape, value, dtype=x.dtype)
    out[(...,) + tuple(slice(lo, lo + s) for s, (lo, _) in zip(x.shape[nb:], pads))] = x
    return out


def _windows(x, kernel: tuple, out: tuple, stride: tuple, dilation: tuple, kernel_last=False):
    """View of ``x (..., *S)`` as ``(..., *kernel, *out)``: element ``x[..., k*d + o*s]``."""
    nb = x.ndim - len(kernel)
    st = x.strides[nb:]
    k_part = (tuple(kernel), tuple(a * d for a, d in zip(st, dilation)))
    o_part = (tuple(out), tuple(a * s for a, s in zip(st, stride)))
    first, second = (o_part, k_part) if kernel_last else (k_part, o_part)
    return xp_of(x).lib.stride_tricks.as_strided(
        x, x.shape[:nb] + first[0] + second[0], x.strides[:nb] + first[1] + second[1]
    )


def _out_size(size: int, k: int, s: int, lo: int, hi: int, d: int) -> int:
    return (size + lo + hi - d * (k - 1) - 1) // s + 1


def _im2col(x, kernel: tuple, stride, pads, dilation, groups: int, out: tuple | None = None):
    """Columns ``(N, groups, C/groups * prod(kernel), L)`` of ``x (N, C, *S)`` (one copy)."""
    xpad = _pad(x, pads)
    if out is None:
        out = tuple(
            _out_size(s, k, st, 0, 0, d)
            for s, k, st, d in zip(xpad.shape[2:], kernel, stride, dilation)
        )
    cols = _windows(xpad, kernel, out, stride, dilation)
    return cols.reshape(x.shape[0], groups, -1, math.prod(out)), out


def _col2im(cols, stride, pads, dilation, size: tuple):
    """Adjoint of ``_windows``: add ``cols (*lead, *K, *out)`` into a ``(*lead, *size)`` array."""
    nd = len(size)
    nb = cols.ndim - 2 * nd
    kernel, out = cols.shape[nb : nb + nd], cols.shape[nb + nd :]
    padded = tuple(
        max(s + lo + hi, (o - 1) * st + d * (k - 1) + 1)
        for s, (lo, hi), o, st, d, k in zip(size, pads, out, stride, dilation, kernel)
    )
    buf = xp_of(cols).zeros(cols.shape[:nb] + padded, dtype=cols.dtype)
    lead = (slice(None),) * nb
    # NOTE: one strided slice addition per kernel offset (9 for 3x3): no np.add.at, whose
    # unbuffered scatter is an order of magnitude slower.
    for offs in itertools.product(*(range(k) for k in kernel)):
        dst = tuple(
            slice(k * d, k * d + st * (o - 1) + 1, st)
            for k, d, st, o in zip(offs, dilation, stride, out)
        )
        buf[lead + dst] += cols[lead + offs]
    if not any(lo for lo, _ in pads) and padded == tuple(size):
        return buf
    crop = tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, size))
    return xp_of(buf).ascontiguousarray(buf[lead + crop])


def _conv_adjoint(y, w, stride, pads, dilation, groups: int, size: tuple):
    """Transposed convolution: the adjoint of ``conv(., w)`` applied to ``y (N, O, *out)``."""
    n, o = y.shape[:2]
    kernel = w.shape[2:]
    wm = w.reshape(groups, o // groups, -1).swapaxes(1, 2)
    cols = xp_of(y).matmul(wm, y.reshape(n, groups, o // groups, -1))
    cols = cols.reshape((n, w.shape[1] * groups) + kernel + y.shape[2:])
    return _col2im(cols, stride, pads, dilation, size)


# -- convolution --------------------------------------------------------------------------------
class Convolution(Function):
    """``conv(x, w) + b`` (or its transpose): im2col and one batched GEMM; grads are convs."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, transposed=False, size=None):
        ctx.args = (stride, pads, dilation, groups)
        ctx.transposed = transposed
        ctx.retain_inputs(0, 1)
        if transposed:
            y = _conv_adjoint(x, w, stride, pads, dilation, groups, size)
        else:
            cols, out = _im2col(x, w.shape[2:], stride, pads, dilation, groups, size)
            if ctx.needs_input_grad[1]:
                ctx.cols = cols  # NOTE: the weight grad reuses the columns (no second im2col)
            o = w.shape[0]
            y = xp_of(x).matmul(w.reshape(groups, o // groups, -1), cols)
            y = y.reshape((x.shape[0], o) + out)
        if b is not None:
            y += b.reshape((-1,) + (1,) * (y.ndim - 2))
        return y

    @staticmethod
    def backward(ctx, grad):
        x, w = ctx.saved_inputs
        stride, pads, dilation, groups = ctx.args
        need = ctx.needs_input_grad
        args = dict(stride=stride, pads=pads, dilation=dilation, groups=groups)
        gx = gw = gb = None
        size = tuple(x.shape[2:])
        if ctx.transposed:
            if need[0]:
                gx = Convolution.apply(grad, w, None, **args, size=size)
            if need[1]:
                gw = ConvWeight.apply(grad, x, kernel=tuple(w.shape[2:]), **args)
        else:
            if need[0]:
                gx = Convolution.apply(grad, w, None, **args, transposed=True, size=size)
            if need[1]:
                cols = getattr(ctx, "cols", None)
                gw = ConvWeight.apply(x, grad, kernel=tuple(w.shape[2:]), **args, cols=cols)
        if need[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


class ConvWeight(Function):
    """Weight gradient ``gw[o, c, k] = sum_{n,l} g[n, o, l] * im2col(x)[n, c, k, l]``."""

    @staticmethod
    def forward(ctx, x, g, kernel, stride, pads, dilation, groups, cols=None):
        ctx.args = (stride, pads, dilation, groups)
        ctx.retain_inputs(0, 1)
        if cols is None:
            cols, _ = _im2col(x, kernel, stride, pads, dilation, groups, g.shape[2:])
        n, o = g.shape[:2]
        gw = xp_of(g).matmul(g.reshape(n, groups, o // groups, -1), cols.swapaxes(2, 3)).sum(0)
        return gw.reshape((o, x.shape[1] // groups) + tuple(kernel))

    @staticmethod
    def backward(ctx, grad):
        x, g = ctx.saved_inputs
        stride, pads, dilation, groups = ctx.args
        args = dict(stride=stride, pads=pads, dilation=dilation, groups=groups)
        need = ctx.needs_input_grad
        gx = gg = None
        if need[0]:
            gx = Convolution.apply(g, grad, None, **args, transposed=True, size=tuple(x.shape[2:]))
        if need[1]:
            gg = Convolution.apply(x, grad, None, **args, size=tuple(g.shape[2:]))
        return gx, gg


def _tuple_arg(value, nd: int, name: str) -> tuple:
    t = tuple(value) if isinstance(value, (tuple, list)) else (value,) * nd
    if len(t) == 1:
        t = t * nd
    if len(t) != nd:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {nd} values to match the "
            f"convolution dimensions, but got {name}={list(t)}"
        )
    return t


def _type_name(a) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long"}.get(
        a.dtype.name, a.dtype.name
    )


def _conv_checks(name, nd, input, weight, bias, groups, transposed):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
            f"of size: {list(input.shape)}"
        )
    if input.ndim == nd + 1:
        input = input.unsqueeze(0)
    x, w = input._array, weight._array
    if w.ndim != nd + 2:
        raise RuntimeError(
            f"Expected {nd + 2}-dimensional weight for {nd + 2}-dimensional input "
            f"{list(x.shape)}, but got {w.ndim}-dimensional weight of size {list(w.shape)} instead"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(x)} but found {_type_name(w)}")
    if transposed:
        if x.shape[1] != w.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {list(w.shape)}, expected input"
                f"{list(x.shape)} to have {w.shape[0]} channels, but got {x.shape[1]} channels "
                "instead"
            )
        out_channels = w.shape[1] * groups
    else:
        if w.shape[0] % groups:
            raise RuntimeError(
                f"Given groups={groups}, expected weight to be divisible by {groups} at dimension "
                f"0, but got weight of size [{list(w.shape)}] instead"
            )
        if x.shape[1] != w.shape[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
                f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
                "channels instead"
            )
        out_channels = w.shape[0]
    if bias is not None:
        if bias.ndim != 1 or bias.shape[0] != out_channels:
            raise RuntimeError(
                f"Given weight of size {list(w.shape)}, expected bias to be 1-dimensional with "
                f"{out_channels} elements, but got bias of size {list(bias.shape)} instead"
            )
        if bias._array.dtype != x.dtype:
            raise RuntimeError(
                f"Input type ({_type_name(x).lower()}) and bias type "
                f"({_type_name(bias._array).lower()}) should be the same"
            )
    return input


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    batched = input.ndim == nd + 2
    input = _conv_checks(name, nd, input, weight, bias, groups, False)
    stride = _tuple_arg(stride, nd, "stride")
    dilation = _tuple_arg(dilation, nd, "dilation")
    kernel = weight.shape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            pads = tuple((t // 2, t - t // 2) for t in total)
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    else:
        pads = tuple((p, p) for p in _tuple_arg(padding, nd, "padding"))
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(lo < 0 for lo, _ in pads):
        raise RuntimeError("negative padding is not supported")
    padded = [s + lo + hi for s, (lo, hi) in zip(input.shape[2:], pads)]
    eff = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < k for p, k in zip(padded, eff)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel "
            f"size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual input "
            "size"
        )
    y = Convolution.apply(input, weight, bias, stride=stride, pads=pads, dilation=dilation,
                          groups=groups)  # fmt: skip
    return y if batched else y.squeeze(0)


def _conv_transpose(
    name, nd, input, weight, bias, stride, padding, output_padding, groups, dilation
) -> Tensor:
    batched = input.ndim == nd + 2
    input = _conv_checks(name, nd, input, weight, bias, groups, True)
    stride = _tuple_arg(stride, nd, "stride")
    dilation = _tuple_arg(dilation, nd, "dilation")
    padding = _tuple_arg(padding, nd, "padding")
    output_padding = _tuple_arg(output_padding, nd, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        dims = ("depth", "height", "width")[3 - nd :]
        parts = [
            " ".join(f"{what}_{dim}: {v}" for dim, v in zip(dims, vals))
            for what, vals in (("output_padding", output_padding), ("stride", stride),
                               ("dilation", dilation))
        ]  # fmt: skip
        raise RuntimeError(
            "output padding must be smaller than either stride or dilation, but got "
            + " ".join(parts)
        )
    kernel = weight.shape[2:]
    size = tuple(
        (s - 1) * st - 2 * p + d * (k - 1) + op + 1
        for s, st, p, d, k, op in zip(input.shape[2:], stride, padding, dilation, kernel,
                                      output_padding)
    )  # fmt: skip
    if any(s <= 0 for s in size):
        raise RuntimeError(f"Given input size per channel: {list(input.shape[2:])}. Calculated "
                           f"output size per channel: {list(size)}. Output size is too small")  # fmt: skip
    y = Convolution.apply(input, weight, bias, stride=stride, pads=tuple((p, p) for p in padding),
                          dilation=dilation, groups=groups, transposed=True, size=size)  # fmt: skip
    return y if batched else y.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-d convolution (cross-correlation) over ``input (N, C, L)`` or ``(C, L)``.

    Example:
        >>> jtorch.conv1d(jtorch.ones(1, 1, 5), jtorch.ones(1, 1, 3), padding=1)
        tensor([[[2., 3., 3., 3., 2.]]])
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-d convolution: ``input (N, C, H, W)``, ``weight (O, C/groups, kH, kW)``.

    ``padding`` is an int, a tuple, ``'valid'`` or ``'same'``.

    Example:
        >>> jtorch.conv2d(jtorch.ones(1, 1, 3, 3), jtorch.ones(1, 1, 2, 2))
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-d convolution over ``input (N, C, D, H, W)``.

    Example:
        >>> jtorch.conv3d(jtorch.ones(1, 1, 2, 2, 2), jtorch.ones(1, 1, 2, 2, 2)).flatten()
        tensor([8.])
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """1-d transposed convolution (the gradient of conv1d), ``weight (C, O/groups, k)``.

    Example:
        >>> jtorch.conv_transpose1d(jtorch.ones(1, 1, 3), jtorch.ones(1, 1, 2), stride=2)
        tensor([[[1., 1., 1., 1., 1., 1.]]])
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """2-d transposed convolution ("deconvolution"), ``weight (C, O/groups, kH, kW)``.

    Example:
        >>> jtorch.conv_transpose2d(jtorch.ones(1, 1, 2, 2), jtorch.ones(1, 1, 2, 2))
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    return _conv_transpose("conv_transpose2d", 2, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)  # fmt: skip


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """3-d transposed convolution, ``weight (C, O/groups, kD, kH, kW)``.

    Example:
        >>> jtorch.conv_transpose3d(jtorch.ones(1, 1, 1, 1, 1), jtorch.ones(1, 2, 2, 2, 2)).shape
        torch.Size([1, 2, 2, 2, 2])
    """
    return _conv_transpose("conv_transpose3d", 3, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)  # fmt: skip


# -- max pooling and unpooling ------------------------------------------------------------------
def _plane_flat(plane: int, idx, nb: int):
    """Flat indices into ``(*lead, *S)`` of per-plane flat ``idx (*lead, *out)``, ``nb`` leads."""
    base = xp_of(idx).arange(math.prod(idx.shape[:nb]), dtype=idx.dtype)
    return (idx + base.reshape(idx.shape[:nb] + (1,) * (idx.ndim - nb)) * plane).reshape(-1)


class PlaneScatterAdd(Function):
    """``out[n, c].flat[idx[n, c, i]] += g[n, c, i]``: the backward of max pooling."""

    @staticmethod
    def forward(ctx, g, idx, size, nd, unique=False):
        ctx.retain_inputs(1)
        ctx.nd = nd
        xp = xp_of(g)
        flat = _plane_flat(math.prod(size[-nd:]), idx, len(size) - nd)
        if unique:  # NOTE: non-overlapping windows: each input element gets at most one grad
            out = xp.zeros(math.prod(size), dtype=g.dtype)
            out[flat] = g.reshape(-1)
        else:
            out = xp.bincount(flat, weights=g.reshape(-1), minlength=math.prod(size))
        return out.astype(g.dtype, copy=False).reshape(size)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved_inputs
        return PlaneGather.apply(grad, idx, nd=ctx.nd), None


class PlaneGather(Function):
    """``out[n, c, i] = x[n, c].flat[idx[n, c, i]]`` (max pooling's double backward)."""

    @staticmethod
    def forward(ctx, x, idx, nd):
        ctx.retain_inputs(1)
        ctx.size, ctx.nd = x.shape, nd
        flat = _plane_flat(math.prod(x.shape[-nd:]), idx, x.ndim - nd)
        return x.reshape(-1)[flat].reshape(idx.shape)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved_inputs
        return PlaneScatterAdd.apply(grad, idx, size=ctx.size, nd=ctx.nd), None


class _MaxPool:
    """Max over windows with the argmax as torch's per-plane flat index (int64)."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out):
        xp = xp_of(x)
        nd = len(kernel)
        nb = x.ndim - nd
        low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        win = _windows(_pad(x, pads, low), kernel, out, stride, dilation, kernel_last=True)
        win = win.reshape(x.shape[:nb] + tuple(out) + (-1,))
        arg = win.argmax(-1)
        y = xp.take_along_axis(win, arg[..., None], -1)[..., 0]
        idx = xp.zeros(arg.shape, dtype=xp.int64)
        for j, kj in enumerate(xp.unravel_index(arg, kernel)):
            o = xp.arange(out[j]).reshape((-1,) + (1,) * (nd - 1 - j))
            idx *= x.shape[nb + j]
            idx += o * stride[j] - pads[j][0] + kj * dilation[j]
        ctx.size, ctx.nd = x.shape, nd
        ctx.unique = all(d * (k - 1) < s for k, s, d in zip(kernel, stride, dilation))
        ctx.retain_outputs(1)
        return y, idx

    @staticmethod
    def backward(ctx, grad, _):
        (idx,) = ctx.saved_outputs
        return PlaneScatterAdd.apply(grad, idx, size=ctx.size, nd=ctx.nd, unique=ctx.unique)


class MaxPool2DWithIndices(_MaxPool, Function):
    pass


class MaxPool3DWithIndices(_MaxPool, Function):
    pass


def _pool_geometry(name, nd, input, kernel_size, stride, padding, dilation, ceil_mode):
    """Checked (kernel, stride, pads, dilation, out) of a pooling op, torch's rules and errors."""

    def tup(v, what):
        t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
        if len(t) not in (1, nd):
            raise RuntimeError(
                f"{name}: {what} must either be a single int, or a tuple of "
                f"{('', 'two', 'three')[nd - 1]} ints"
            )
        return t * nd if len(t) == 1 else t

    kernel = tup(kernel_size, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else tup(stride, "stride")
    pad, dilation = tup(padding, "padding"), tup(dilation, "dilation")
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    for p, k, d in zip(pad, kernel, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(
                "pad should be at most half of effective kernel size, but got pad="
                f"{p}, kernel_size={k} and dilation={d}"
            )
    sizes = input.shape[-nd:]
    out = []
    for s, k, st, p, d in zip(sizes, kernel, stride, pad, dilation):
        span = s + 2 * p - d * (k - 1) - 1
        o = (-(-span // st) if ceil_mode else span // st) + 1
        if ceil_mode and (o - 1) * st >= s + p:
            o -= 1
        out.append(o)
    if any(o <= 0 for o in out):
        c = input.shape[-nd - 1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, (c,) + tuple(sizes)))}). Calculated output "
            f"size: ({'x'.join(map(str, [c] + out))}). Output size is too small"
        )
    pads = tuple(
        (p, max((o - 1) * st + d * (k - 1) + 1 - s - p, 0))
        for p, o, st, d, k, s in zip(pad, out, stride, dilation, kernel, sizes)
    )
    return kernel, stride, pads, dilation, tuple(out)


def _check_pool_input(input: Tensor, nd: int, message: str) -> None:
    if input.ndim not in (nd + 1, nd + 2) or 0 in input.shape[-nd - 1 :]:
        raise RuntimeError(message)


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    dims = ("", "3D or 4D", "4D or 5D")[nd - 1]
    _check_pool_input(input, nd, f"non-empty {dims} (batch mode) tensor expected for input")
    geo = _pool_geometry(f"max_pool{nd}d", nd, input, kernel_size, stride, padding, dilation,
                         ceil_mode)  # fmt: skip
    fn = MaxPool2DWithIndices if nd == 2 else MaxPool3DWithIndices
    y, idx = fn.apply(input, kernel=geo[0], stride=geo[1], pads=geo[2], dilation=geo[3],
                      out=geo[4])  # fmt: skip
    return (y, idx) if return_indices else y


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """1-d max pooling over ``(N, C, L)`` (torch computes it as a 2-d pool of height 1).

    Example:
        >>> jtorch.max_pool1d(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
        tensor([[3., 2.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
            f"input, but got:{list(input.shape)}"
        )
    one = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,)  # noqa: E731
    stride = None if stride is None or stride == [] else (1,) + one(stride)
    y = _max_pool(2, input.unsqueeze(-2), (1,) + one(kernel_size), stride, (0,) + one(padding),
                  (1,) + one(dilation), ceil_mode, return_indices)  # fmt: skip
    if return_indices:
        return y[0].squeeze(-2), y[1].squeeze(-2)
    return y.squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):  # fmt: skip
    """``max_pool1d`` returning ``(values, indices)``.

    Example:
        >>> jtorch.max_pool1d_with_indices(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)[1]
        tensor([[1, 2]])
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """2-d max pooling over ``(N, C, H, W)``; ``return_indices`` gives flat per-plane argmaxes.

    Example:
        >>> jtorch.max_pool2d(jtorch.arange(16.0).view(1, 4, 4), 2)
        tensor([[[ 5.,  7.],
                 [13., 15.]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """3-d max pooling over ``(N, C, D, H, W)``.

    Example:
        >>> jtorch.max_pool3d(jtorch.arange(8.0).view(1, 2, 2, 2), 2).flatten()
        tensor([7.])
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):  # fmt: skip
    """``max_pool2d`` returning ``(values, indices)``.

    Example:
        >>> max_pool2d_with_indices(jtorch.arange(4.0).view(1, 1, 2, 2), 2)[1]
        tensor([[[[3]]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):  # fmt: skip
    """``max_pool3d`` returning ``(values, indices)``.

    Example:
        >>> max_pool3d_with_indices(jtorch.arange(8.0).view(1, 2, 2, 2), 2)[1].flatten()
        tensor([7])
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode, True)


class _MaxUnpool:
    """``out[n, c].flat[idx] = x`` into zeros of ``size`` (assignment: last write wins)."""

    @staticmethod
    def forward(ctx, x, idx, size, nd):
        ctx.retain_inputs(1)
        ctx.nd = nd
        out = xp_of(x).zeros(math.prod(size), dtype=x.dtype)
        out[_plane_flat(math.prod(size[-nd:]), idx, len(size) - nd)] = x.reshape(-1)
        return out.reshape(size)

    @staticmethod
    def backward(ctx, grad):
        (idx,) = ctx.saved_inputs
        return PlaneGather.apply(grad, idx, nd=ctx.nd), None


class MaxUnpool2D(_MaxUnpool, Function):
    pass


class MaxUnpool3D(_MaxUnpool, Function):
    pass


def _unpool_size(input, nd, kernel_size, stride, padding, output_size) -> tuple:
    def tup(v):
        t = tuple(v) if isinstance(v, (tuple, list)) else (v,)
        return t * nd if len(t) == 1 else t

    kernel = tup(kernel_size)
    stride = kernel if stride is None else tup(stride)
    padding = tup(padding)
    default = [(input.shape[-nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(nd)]  # fmt: skip
    if output_size is None:
        return tuple(default)
    output_size = list(output_size)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(
            f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
            f"length of '{len(output_size)}'"
        )
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(
                f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})'
            )
    return tuple(output_size)


def _max_unpool(nd, input, indices, size) -> Tensor:
    if tuple(input.shape) != tuple(indices.shape):
        raise RuntimeError(
            f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}"
            f") but got indices tensor with shape: {list(indices.shape)}"
        )
    plane, idx = math.prod(size), indices._array
    bad = xp_of(idx).flatnonzero((idx < 0) | (idx >= plane))
    if bad.size:
        bad = int(idx.reshape(-1)[bad[0]])
        raise RuntimeError(f"Found an invalid max index: {bad} (output volumes are of size "
                           f"{'x'.join(map(str, size))}")  # fmt: skip
    fn = MaxUnpool2D if nd == 2 else MaxUnpool3D
    return fn.apply(input, indices, size=tuple(input.shape[:-nd]) + tuple(size), nd=nd)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool1d``: put each value at its index, zeros elsewhere.

    Example:
        >>> y, i = jtorch.max_pool1d(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2, return_indices=True)
        >>> max_unpool1d(y, i, 2)
        tensor([[0., 3., 2., 0.]])
    """
    size = _unpool_size(input, 1, kernel_size, stride, padding, output_size)
    return _max_unpool(2, input.unsqueeze(-1), indices.unsqueeze(-1), size + (1,)).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool2d`` given its indices.

    Example:
        >>> y, i = jtorch.max_pool2d(jtorch.arange(4.0).view(1, 1, 2, 2), 2, return_indices=True)
        >>> max_unpool2d(y, i, 2)
        tensor([[[[0., 0.],
                  [0., 3.]]]])
    """
    size = _unpool_size(input, 2, kernel_size, stride, padding, output_size)
    return _max_unpool(2, input, indices, size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool3d`` given its indices.

    Example:
        >>> y, i = jtorch.max_pool3d(jtorch.ones(1, 2, 2, 2), 2, return_indices=True)
        >>> max_unpool3d(y, i, 2).sum()
        tensor(1.)
    """
    size = _unpool_size(input, 3, kernel_size, stride, padding, output_size)
    return _max_unpool(3, input, indices, size)


# -- average and power pooling ------------------------------------------------------------------
class _AvgPool:
    """Window sums divided by a constant ``div`` array (torch's divisor rules, precomputed)."""

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, div):
        ctx.geo = (kernel, stride, pads, div)
        ctx.size = x.shape[-len(kernel) :]
        nd = len(kernel)
        nb = x.ndim - nd
        win = _windows(_pad(x, pads), kernel, div.shape, stride, (1,) * nd)
        y = win.sum(axis=tuple(range(nb, nb + nd)))
        y /= div
        return y

    @staticmethod
    def backward(ctx, grad):
        kernel, stride, pads, div = ctx.geo
        return AvgPoolBackward.apply(grad, kernel=kernel, stride=stride, pads=pads, div=div,
                                     size=ctx.size)  # fmt: skip


class AvgPool2D(_AvgPool, Function):
    pass


class AvgPool3D(_AvgPool, Function):
    pass


class AvgPoolBackward(Function):
    """Adjoint of average pooling: spread ``grad / div`` over each window (col2im)."""

    @staticmethod
    def forward(ctx, g, kernel, stride, pads, div, size):
        ctx.geo = (kernel, stride, pads, div)
        g = g / div
        nd = len(kernel)
        lead, out = g.shape[:-nd], g.shape[-nd:]
        cols = xp_of(g).broadcast_to(g.reshape(lead + (1,) * nd + out), lead + tuple(kernel) + out)
        return _col2im(cols, stride, pads, (1,) * len(kernel), tuple(size))

    @staticmethod
    def backward(ctx, grad):
        kernel, stride, pads, div = ctx.geo
        fn = AvgPool2D if len(kernel) == 2 else AvgPool3D
        return fn.apply(grad, kernel=kernel, stride=stride, pads=pads, div=div)


def _avg_pool(nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor):
    dims = ("", "3D or 4D", "4D or 5D")[nd - 1]
    _check_pool_input(input, nd, f"non-empty {dims} (batch mode) tensor expected for input")
    x = input
    kernel, stride, pads, _, out = _pool_geometry(
        f"avg_pool{nd}d", nd, x, kernel_size, stride, padding, 1, ceil_mode
    )
    if divisor is not None and divisor == 0:
        raise RuntimeError("divisor must be not zero")
    xp = xp_of(x._array)
    div = np.ones(out)
    for j, (s, k, st, (p, _), o) in enumerate(zip(x.shape[-nd:], kernel, stride, pads, out)):
        start = np.arange(o) * st - p
        end = np.minimum(start + k, s + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, s)
        div = div * (end - start).reshape((-1,) + (1,) * (nd - 1 - j))
    if divisor is not None:
        div = np.full(out, float(divisor))
    div = xp.asarray(div, dtype=x._array.dtype)
    fn = AvgPool2D if nd == 2 else AvgPool3D
    return fn.apply(x, kernel=kernel, stride=stride, pads=pads, div=div)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True) -> Tensor:  # fmt: skip
    """1-d average pooling over ``(N, C, L)`` (a 2-d pool of height 1, as torch).

    Example:
        >>> jtorch.avg_pool1d(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
        tensor([[2., 1.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
            "'self' (while checking arguments for avg_pool1d)"
        )
    one = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,)  # noqa: E731
    stride = None if stride is None else (1,) + one(stride)
    y = _avg_pool(2, input.unsqueeze(-2), (1,) + one(kernel_size), stride, (0,) + one(padding),
                  ceil_mode, count_include_pad, None)  # fmt: skip
    return y.squeeze(-2)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None) -> Tensor:  # fmt: skip
    """2-d average pooling over ``(N, C, H, W)``.

    Example:
        >>> avg_pool2d(jtorch.arange(16.0).view(1, 4, 4), 2)
        tensor([[[ 2.5000,  4.5000],
                 [10.5000, 12.5000]]])
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)  # fmt: skip


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None) -> Tensor:  # fmt: skip
    """3-d average pooling over ``(N, C, D, H, W)``.

    Example:
        >>> avg_pool3d(jtorch.arange(8.0).view(1, 2, 2, 2), 2).flatten()
        tensor([3.5000])
    """
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)  # fmt: skip


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode) -> Tensor:
    import jtorch  # noqa: PLC0415  (the elementwise and activation families, at call time)

    pool = (None, avg_pool1d, avg_pool2d, avg_pool3d)[nd]
    if norm_type == math.inf:
        return (None, max_pool1d, max_pool2d, max_pool3d)[nd](
            input.abs(), kernel_size, stride, 0, 1, ceil_mode
        )
    out = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    kernel = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * nd
    scale = math.prod(kernel)
    return (jtorch.sign(out) * jtorch.relu(jtorch.abs(out))).mul(scale).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """Power-average pooling: ``(sum over the window of x**p) ** (1/p)``.

    Example:
        >>> lp_pool1d(jtorch.tensor([[3.0, 4.0]]), 2, 2)
        tensor([[5.]])
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """2-d power-average pooling.

    Example:
        >>> lp_pool2d(jtorch.ones(1, 2, 2), 1, 2)
        tensor([[[4.]]])
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """3-d power-average pooling.

    Example:
        >>> lp_pool3d(jtorch.ones(1, 2, 2, 2), 1, 2).flatten()
        tensor([8.])
    """
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)
