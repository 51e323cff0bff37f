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
import warnings

import numpy as np

from jtorch import _parallel as parallel
from jtorch._tensor import Tensor
from jtorch.amp.autocast_mode import ACTIVE as _AUTOCAST
from jtorch.amp.autocast_mode import autocast_args
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops.matmul import _CPP

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


def _geometry(x, kernel: tuple, stride, pads, dilation, out: tuple | None):
    """``x`` padded, and the output size (given, or what the window fits)."""
    xpad = _pad(x, pads)
    if out is None:
        out = tuple(
            _out_size(s, k, st, 0, 0, d)
            for s, k, st, d in zip(xpad.shape[2:], kernel, stride, dilation)
        )
    return xpad, tuple(out)


def _columns(xpad, kernel: tuple, out: tuple, stride, dilation, groups: int):
    """im2col: columns ``(n, groups, C/groups * prod(kernel), L)`` of padded ``xpad`` (a copy)."""
    cols = _windows(xpad, kernel, out, stride, dilation)
    return cols.reshape(xpad.shape[0], groups, -1, math.prod(out))


def _by_chunks(xp, n: int, per_sample: int, work: int, body):
    """``body(lo, hi)`` over the batch in chunks whose temporaries stay near 1 MiB (in cache, and
    never a whole batch of columns at once), one range of chunks per thread. Returns the sum of
    what ``body`` returned, in batch order (for reductions; None if nothing was returned).

    NOTE: convolution's columns are ``prod(kernel)`` times the input: materialising them for a
    whole batch made a ConvNet step peak at 2.3x torch's memory.
    """
    step = max(1, (1 << 20) // max(1, per_sample)) if xp is np else n
    sums: dict = {}

    def run(lo: int, hi: int) -> None:
        sums[lo] = _total(body(s, min(hi, s + step)) for s in range(lo, hi, step))

    parallel.parallel_for(n, work, run) if xp is np else run(0, n)
    return _total(sums[k] for k in sorted(sums))


def _total(parts):
    """The sum of the parts that are not None, in order, added in place into the first one."""
    total = None
    for part in parts:
        if part is None:
            continue
        if total is None:
            total = part
        else:
            total += part
    return total


def _conv_forward(x, w, b, stride, pads, dilation, groups: int, out: tuple | None):
    """``conv(x, w) + b`` as im2col, a GEMM and the bias per chunk of samples: ``(N, O, *out)``."""
    xp = xp_of(x)
    n, o = x.shape[0], w.shape[0]
    xpad, out = _geometry(x, w.shape[2:], stride, pads, dilation, out)
    wm = w.reshape(groups, o // groups, -1)
    y = xp.empty((n, groups, o // groups, math.prod(out)), xp.result_type(x, w))
    bias = None if b is None else b.reshape(groups, o // groups, 1)

    def body(lo: int, hi: int) -> None:
        cols = _columns(xpad[lo:hi], w.shape[2:], out, stride, dilation, groups)
        xp.matmul(wm, cols, out=y[lo:hi])
        if bias is not None:  # NOTE: while the chunk's output is still in cache
            y[lo:hi] += bias

    per_sample = wm.shape[2] * groups * y.shape[3] * y.itemsize
    _by_chunks(xp, n, per_sample, y.size * wm.shape[2] // 8, body)
    return y.reshape((n, o) + out)


def _conv_weight_grad(x, g, kernel: tuple, stride, pads, dilation, groups: int):
    """``gw[o, c, k] = sum_{n,l} g[n, o, l] * im2col(x)[n, c, k, l]``, columns rebuilt per chunk."""
    xp = xp_of(g)
    n, o = g.shape[:2]
    xpad, out = _geometry(x, kernel, stride, pads, dilation, g.shape[2:])
    gm = g.reshape(n, groups, o // groups, -1)
    ck = x.shape[1] // groups * math.prod(kernel)

    def body(lo: int, hi: int):
        cols = _columns(xpad[lo:hi], kernel, out, stride, dilation, groups)
        return xp.matmul(gm[lo:hi], cols.swapaxes(2, 3)).sum(0)

    per_sample = ck * groups * gm.shape[3] * g.itemsize
    total = _by_chunks(xp, n, per_sample, gm.size * ck // 8, body)
    if total is None:  # an empty batch
        total = xp.zeros((groups, o // groups, ck), xp.result_type(x, g))
    return total.reshape((o, x.shape[1] // groups) + tuple(kernel))


def _col2im(cols, stride, pads, dilation, size: tuple):
    """Adjoint of ``_windows``: add ``cols (*lead, *K, *out)`` into a ``(*lead, *size)`` array."""
    nd = len(size)
    nb = cols.ndim - 2 * nd
    kernel, out = cols.shape[nb : nb + nd], cols.shape[nb + nd :]
    padded = _padded_extent(size, pads, out, stride, dilation, kernel)
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
    return xp_of(buf).ascontiguousarray(buf[lead + _crop(pads, size)])


def _padded_extent(size: tuple, pads, out: tuple, stride, dilation, kernel) -> tuple:
    """The padded input extent that ``out`` windows reach (at least ``size`` plus the pads)."""
    return tuple(
        max(s + lo + hi, (o - 1) * st + d * (k - 1) + 1)
        for s, (lo, hi), o, st, d, k in zip(size, pads, out, stride, dilation, kernel)
    )


def _crop(pads, size: tuple) -> tuple:
    """The slices of a padded extent that hold the unpadded ``size``."""
    return tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, size))


def _conv_adjoint(y, w, stride, pads, dilation, groups: int, size: tuple):
    """Transposed convolution: the adjoint of ``conv(., w)`` applied to ``y (N, O, *out)``,
    a GEMM and a col2im per chunk of samples."""
    xp = xp_of(y)
    n, o = y.shape[:2]
    kernel = w.shape[2:]
    wm = w.reshape(groups, o // groups, -1).swapaxes(1, 2)
    ym = y.reshape(n, groups, o // groups, -1)
    out = xp.empty((n, w.shape[1] * groups) + tuple(size), xp.result_type(y, w))
    stride1 = all(st == 1 for st in stride)

    def body(lo: int, hi: int) -> None:
        if stride1:
            out[lo:hi] = _adjoint_stride1(y[lo:hi], wm, kernel, pads, dilation, size)
        else:
            cols = xp.matmul(wm, ym[lo:hi])
            cols = cols.reshape((hi - lo, out.shape[1]) + kernel + y.shape[2:])
            out[lo:hi] = _col2im(cols, stride, pads, dilation, size)

    per_sample = wm.shape[1] * groups * ym.shape[3] * y.itemsize
    _by_chunks(xp, n, per_sample, ym.size * wm.shape[1] // 8, body)
    return out


def _adjoint_stride1(y, wm, kernel: tuple, pads, dilation, size: tuple):
    """The stride-1 adjoint on flattened padded planes: one contiguous slice addition per offset.

    NOTE: ``y`` is first widened to the padded row pitch (zeros in the extra columns), so the
    columns of a kernel offset land in the flat padded buffer as one run at a fixed shift
    instead of one short row per output row (3x faster col2im for 16x16 planes). The widened
    columns are ``W^T @ 0``: exact zeros for finite weights.
    """
    xp = xp_of(y)
    n, o = y.shape[:2]
    out = y.shape[2:]
    padded = _padded_extent(size, pads, out, (1,) * len(size), dilation, kernel)
    pitch = [math.prod(padded[j + 1 :]) for j in range(len(size))]
    if out[1:] != padded[1:]:
        wide = xp.zeros((n, o, out[0]) + padded[1:], y.dtype)
        wide[(...,) + tuple(slice(0, q) for q in out[1:])] = y
        y = wide
    run = out[0] * pitch[0]
    cols = xp.matmul(wm, y.reshape(n, wm.shape[0], o // wm.shape[0], run))
    cols = cols.reshape(n, -1, math.prod(kernel), run)
    shifts = [
        sum(i * d * p for i, d, p in zip(offs, dilation, pitch))
        for offs in itertools.product(*(range(k) for k in kernel))
    ]
    plane = math.prod(padded)
    buf = xp.zeros((n, cols.shape[1], max(plane, shifts[-1] + run)), y.dtype)
    for k, sh in enumerate(shifts):
        buf[:, :, sh : sh + run] += cols[:, :, k]
    buf = buf[:, :, :plane].reshape((n, -1) + padded)
    return buf[(slice(None), slice(None)) + _crop(pads, size)]


# -- convolution --------------------------------------------------------------------------------
class Convolution(Function):
    """``conv(x, w) + b`` (or its transpose): im2col and GEMMs by chunks of samples; grads are
    convs."""

    node_name = "ConvolutionBackward0"

    @staticmethod
    def forward(ctx, x, w, b, stride, pads, dilation, groups, transposed=False, size=None):
        ctx.args = (stride, pads, dilation, groups)
        ctx.transposed = transposed
        ctx.retain_inputs(0, 1)
        if not transposed:
            return _conv_forward(x, w, b, stride, pads, dilation, groups, size)
        y = _conv_adjoint(x, w, stride, pads, dilation, groups, size)
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
                gw = ConvWeight.apply(x, grad, kernel=tuple(w.shape[2:]), **args)
        if need[2]:
            gb = grad.sum((0,) + tuple(range(2, grad.ndim)))
        return gx, gw, gb


class ConvWeight(Function):
    """Weight gradient ``gw[o, c, k] = sum_{n,l} g[n, o, l] * im2col(x)[n, c, k, l]``."""

    @staticmethod
    def forward(ctx, x, g, kernel, stride, pads, dilation, groups):
        ctx.args = (stride, pads, dilation, groups)
        ctx.retain_inputs(0, 1)
        return _conv_weight_grad(x, g, kernel, stride, pads, dilation, groups)

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
    if not transposed and bias is not None and bias._array.dtype != x.dtype:  # NOTE: bias first
        raise RuntimeError(
            f"Input type ({_CPP[x.dtype.name]}) and bias type ({_CPP[bias._array.dtype.name]}) "
            "should be the same"
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
    return input


def _conv(name, nd, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    if _AUTOCAST[0]:
        input, weight, bias = autocast_args("lower", input, weight, bias)
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
    if _AUTOCAST[0]:
        input, weight, bias = autocast_args("lower", input, weight, bias)
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
        >>> conv1d(jtorch.ones(1, 1, 5), jtorch.ones(1, 1, 3), padding=1)
        tensor([[[2., 3., 3., 3., 2.]]])
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-d convolution: ``input (N, C, H, W)``, ``weight (O, C/groups, kH, kW)``.

    ``padding`` is an int, a tuple, ``'valid'`` or ``'same'``.

    Example:
        >>> conv2d(jtorch.ones(1, 1, 3, 3), jtorch.ones(1, 1, 2, 2))
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-d convolution over ``input (N, C, D, H, W)``.

    Example:
        >>> conv3d(jtorch.ones(1, 1, 2, 2, 2), jtorch.ones(1, 1, 2, 2, 2)).flatten()
        tensor([8.])
    """
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """1-d transposed convolution (the gradient of conv1d), ``weight (C, O/groups, k)``.

    Example:
        >>> conv_transpose1d(jtorch.ones(1, 1, 3), jtorch.ones(1, 1, 2), stride=2)
        tensor([[[1., 1., 1., 1., 1., 1.]]])
    """
    return _conv_transpose("conv_transpose1d", 1, input, weight, bias, stride, padding,
                           output_padding, groups, dilation)  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """2-d transposed convolution ("deconvolution"), ``weight (C, O/groups, kH, kW)``.

    Example:
        >>> conv_transpose2d(jtorch.ones(1, 1, 2, 2), jtorch.ones(1, 1, 2, 2))
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
        >>> conv_transpose3d(jtorch.ones(1, 1, 1, 1, 1), jtorch.ones(1, 2, 2, 2, 2)).shape
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


def _max_buffers(xp, views: list, dtype) -> tuple:
    """``_running_max``'s outputs for ``views``: the max, and the offset index (int8 below 128
    offsets)."""
    shape = views[0].shape
    return xp.empty(shape, dtype), xp.empty(shape, xp.int8 if len(views) < 128 else xp.int64)


def _running_max(xp, views: list, y, arg, nan: bool) -> None:
    """Element-wise max of ``views`` into ``y`` and the index of the first max into ``arg`` (of
    the last NaN if ``nan``, as torch).

    NOTE: a running max over the kernel offsets' strided views: no window copy and no argmax
    along a tiny axis. Boolean-masked writes are slow, so the index is a running maximum of
    ``k * better`` (k only grows, so it ends at the last offset that improved the max).
    """
    y[...] = views[0]
    arg[...] = 0
    better, step = xp.empty(y.shape, bool), xp.empty(y.shape, arg.dtype)
    for k, v in enumerate(views[1:], 1):
        xp.greater(v, y, out=better)
        if nan:
            better |= xp.isnan(v)
        xp.maximum(arg, xp.multiply(better, k, out=step), out=arg)
        xp.maximum(y, v, out=y)


class _MaxPool:
    """Max over windows with the argmax as torch's per-plane flat index (int64)."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, kernel, stride, pads, dilation, out):
        xp = xp_of(x)
        nd = len(kernel)
        nb = x.ndim - nd
        low = -xp.inf if x.dtype.kind == "f" else xp.iinfo(x.dtype).min
        win = _windows(_pad(x, pads, low), kernel, out, stride, dilation)
        lead = (slice(None),) * nb
        views = [win[lead + off] for off in itertools.product(*(range(k) for k in kernel))]
        plane = [math.prod(x.shape[nb + j + 1 :]) for j in range(nd)]
        offsets = itertools.product(*(range(k) for k in kernel))
        koff = xp.asarray(
            [sum(o * d * p for o, d, p in zip(off, dilation, plane)) for off in offsets]
        )
        base = 0
        for j in range(nd):
            o = xp.arange(out[j]) * stride[j] - pads[j][0]
            base = base + o.reshape((-1,) + (1,) * (nd - 1 - j)) * plane[j]
        y, arg = _max_buffers(xp, views, x.dtype)
        idx = xp.empty(y.shape, xp.int64)

        def run(lo: int, hi: int, nan: bool = False) -> None:
            _running_max(xp, [v[lo:hi] for v in views], y[lo:hi], arg[lo:hi], nan)
            xp.add(koff[arg[lo:hi]], base, out=idx[lo:hi])

        rows = y.shape[0]
        parallel.parallel_for(rows, 2 * len(views) * y.size, run) if xp is np else run(0, rows)
        if x.dtype.kind == "f" and xp.isnan(y).any():
            run(0, rows, nan=True)
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
    if name == "max_pool1d" and out[-1] <= 0:  # NOTE: torch's own 1-d kernel and its text
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out[-1]}")
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


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
              name: str | None = None):  # fmt: skip
    dims = ("", "3D or 4D", "4D or 5D")[nd - 1]
    _check_pool_input(input, nd, f"non-empty {dims} (batch mode) tensor expected for input")
    geo = _pool_geometry(name or f"max_pool{nd}d", nd, input, kernel_size, stride, padding,
                         dilation, ceil_mode)  # fmt: skip
    fn = MaxPool2DWithIndices if nd == 2 else MaxPool3DWithIndices
    y, idx = fn.apply(input, kernel=geo[0], stride=geo[1], pads=geo[2], dilation=geo[3],
                      out=geo[4])  # fmt: skip
    return (y, idx) if return_indices else y


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """1-d max pooling over ``(N, C, L)`` (torch computes it as a 2-d pool of height 1).

    Example:
        >>> max_pool1d(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
        tensor([[3., 2.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
            f"input, but got:{list(input.shape)}"
        )
    one = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v,)  # noqa: E731
    stride = None if stride is None or stride == [] else (1,) + one(stride)
    # NOTE: without indices torch runs its own 1-d kernel, whose size error differs
    y = _max_pool(2, input.unsqueeze(-2), (1,) + one(kernel_size), stride, (0,) + one(padding),
                  (1,) + one(dilation), ceil_mode, return_indices,
                  None if return_indices else "max_pool1d")  # fmt: skip
    if return_indices:
        return y[0].squeeze(-2), y[1].squeeze(-2)
    return y.squeeze(-2)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):  # fmt: skip
    """``max_pool1d`` returning ``(values, indices)``.

    Example:
        >>> max_pool1d_with_indices(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)[1]
        tensor([[1, 2]])
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """2-d max pooling over ``(N, C, H, W)``; ``return_indices`` gives flat per-plane argmaxes.

    Example:
        >>> max_pool2d(jtorch.arange(16.0).view(1, 4, 4), 2)
        tensor([[[ 5.,  7.],
                 [13., 15.]]])
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """3-d max pooling over ``(N, C, D, H, W)``.

    Example:
        >>> max_pool3d(jtorch.arange(8.0).view(1, 2, 2, 2), 2).flatten()
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
        >>> y, i = max_pool1d(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2, return_indices=True)
        >>> max_unpool1d(y, i, 2)
        tensor([[0., 3., 2., 0.]])
    """
    size = _unpool_size(input, 1, kernel_size, stride, padding, output_size)
    return _max_unpool(2, input.unsqueeze(-1), indices.unsqueeze(-1), size + (1,)).squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool2d`` given its indices.

    Example:
        >>> y, i = max_pool2d(jtorch.arange(4.0).view(1, 1, 2, 2), 2, return_indices=True)
        >>> max_unpool2d(y, i, 2)
        tensor([[[[0., 0.],
                  [0., 3.]]]])
    """
    size = _unpool_size(input, 2, kernel_size, stride, padding, output_size)
    return _max_unpool(2, input, indices, size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool3d`` given its indices.

    Example:
        >>> y, i = max_pool3d(jtorch.ones(1, 2, 2, 2), 2, return_indices=True)
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
        >>> avg_pool1d(jtorch.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
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


# -- separable resampling: upsampling and adaptive average pooling ------------------------------
def _contract(x, m, axis: int):
    """``x`` with dim ``axis`` replaced by ``m @ x`` along it (``m`` is ``(out, in)``)."""
    xp = xp_of(x)
    if axis == x.ndim - 1:
        return xp.matmul(x, m.T)
    lead, rest = x.shape[:axis], x.shape[axis + 1 :]
    y = xp.matmul(m, x.reshape(lead + (x.shape[axis], math.prod(rest))))
    return y.reshape(lead + (m.shape[0],) + rest)


class _Resample:
    """``x`` contracted with one ``(out, in)`` matrix per trailing dim; the adjoint transposes."""

    @staticmethod
    def forward(ctx, x, mats):
        ctx.mats = mats
        for j, m in enumerate(mats):
            x = _contract(x, m, x.ndim - len(mats) + j)
        return x

    @staticmethod
    def backward(ctx, grad):
        return ResampleBackward.apply(grad, mats=tuple(m.T for m in ctx.mats))


class ResampleBackward(_Resample, Function):
    pass


# NOTE: one Function per torch grad_fn name; the math is the same separable contraction.
_RESAMPLE = {
    name: type(name, (_Resample, Function), {"__module__": __name__})
    for name in (
        "UpsampleNearest1D UpsampleNearest2D UpsampleNearest3D UpsampleNearestExact1D "
        "UpsampleNearestExact2D UpsampleNearestExact3D UpsampleLinear1D UpsampleBilinear2D "
        "UpsampleBicubic2D UpsampleTrilinear3D AdaptiveAvgPool2D AdaptiveAvgPool3D"
    ).split()
}


def _cubic_weights(t):
    a = -0.75  # torch's bicubic constant

    def near(x):  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return (far(t + 1), near(t), near(1 - t), far(2 - t))


def _interp_matrix(mode: str, n_in: int, n_out: int, scale, align_corners, dtype):
    """The ``(n_out, n_in)`` matrix of 1-d interpolation, with torch's index arithmetic."""
    dst = np.arange(n_out)
    m = np.zeros((n_out, n_in), dtype)
    if mode in ("nearest", "nearest-exact"):
        # NOTE: torch computes nearest indices in float32 (floorf), whatever the dtype
        sc = np.float32(1.0 / scale) if scale else np.float32(n_in) / np.float32(n_out)
        if mode == "nearest-exact":
            src = np.floor(((dst + 0.5) * np.float64(sc)).astype(np.float32))
        elif n_out == n_in:
            src = dst
        else:
            src = np.floor(dst.astype(np.float32) * sc)
        m[dst, np.minimum(src.astype(np.int64), n_in - 1)] = 1
        return m
    op = np.dtype(dtype).type  # torch's opmath type: the input's float type
    if align_corners:
        sc = op(n_in - 1) / op(n_out - 1) if n_out > 1 else op(0)
        real = sc * dst.astype(dtype)
    else:
        sc = op(1.0 / scale) if scale else op(n_in) / op(n_out)
        real = sc * (dst.astype(dtype) + op(0.5)) - op(0.5)
    if mode != "cubic":
        real = np.maximum(real, 0)
    i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
    lam = np.clip(real - i0, 0, 1).astype(dtype)
    if mode == "cubic":
        for j, w in enumerate(_cubic_weights(lam)):
            np.add.at(m, (dst, np.clip(i0 - 1 + j, 0, n_in - 1)), w)
    else:
        np.add.at(m, (dst, i0), 1 - lam)
        np.add.at(m, (dst, i0 + (i0 < n_in - 1)), lam)
    return m


def _resample(name: str, input: Tensor, mats: list) -> Tensor:
    xp = xp_of(input._array)
    return _RESAMPLE[name].apply(input, mats=tuple(xp.asarray(m) for m in mats))


_MODES = {
    "nearest": ("UpsampleNearest{}D", "nearest", (1, 2, 3)),
    "nearest-exact": ("UpsampleNearestExact{}D", "nearest-exact", (1, 2, 3)),
    "linear": ("UpsampleLinear1D", "linear", (1,)),
    "bilinear": ("UpsampleBilinear2D", "linear", (2,)),
    "trilinear": ("UpsampleTrilinear3D", "linear", (3,)),
    "bicubic": ("UpsampleBicubic2D", "cubic", (2,)),
}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False) -> Tensor:  # fmt: skip
    """Resize ``(N, C, *spatial)`` to ``size`` or by ``scale_factor``, as torch's interpolate.

    Modes: nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area.

    Example:
        >>> interpolate(jtorch.tensor([[[1.0, 2.0]]]), scale_factor=2, mode="linear")
        tensor([[[1.0000, 1.2500, 1.7500, 2.0000]]])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | "
                "bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    nd = input.ndim - 2
    in_sizes = list(input.shape[2:])
    scales = None
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {in_sizes} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size "
                    "in (o1, o2, ...,oK) format."
                )
            out = [int(s) for s in size]
        else:
            out = [int(size)] * nd
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {in_sizes} and scale_factor of shape "
                    f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                    "format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * nd
        out = [int(s * f) for s, f in zip(in_sizes, scales)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None
    if antialias:
        raise NotImplementedError("jtorch's interpolate has no antialias mode")
    if mode == "area" and nd in (1, 2, 3):
        return (None, adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd](input, out)
    if mode in _MODES and nd in _MODES[mode][2]:
        name, kind, _ = _MODES[mode]
        dtype = input._array.dtype
        mats = [
            _interp_matrix(kind, n_in, n_out, scales[j] if scales else None, align_corners, dtype)
            for j, (n_in, n_out) in enumerate(zip(in_sizes, out))
        ]
        return _resample(name.format(nd), input, mats)
    need = {"linear": 3, "bilinear": 4, "trilinear": 5}.get(mode)
    if need is not None and input.ndim in (3, 4, 5):
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {need}D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
        "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
        f" (got {mode})"
    )


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None) -> Tensor:
    """Deprecated alias of ``interpolate``.

    Example:
        >>> upsample(jtorch.ones(1, 1, 2), scale_factor=2).shape
        torch.Size([1, 1, 4])
    """
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='nearest')``.

    Example:
        >>> upsample_nearest(jtorch.ones(1, 1, 2, 2), scale_factor=2).shape
        torch.Size([1, 1, 4, 4])
    """
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None) -> Tensor:
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``.

    Example:
        >>> upsample_bilinear(jtorch.ones(1, 1, 2, 2), size=3).shape
        torch.Size([1, 1, 3, 3])
    """
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def _adaptive_sizes(name: str, nd: int, input: Tensor, output_size, colon: str = "") -> list:
    if isinstance(output_size, (tuple, list)) and input.ndim <= len(output_size):
        # NOTE: torch.nn.functional's _list_with_default, before the kernel's own check
        raise ValueError(f"Input dimension should be at least {len(output_size) + 1}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got{colon} {list(input.shape)}"
        )
    out = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size] * nd
    if len(out) != nd:
        raise RuntimeError(f"{name}: output_size must be {nd}")
    return [s if o is None else int(o) for o, s in zip(out, input.shape[-nd:])]


def _adaptive_bounds(n_in: int, n_out: int):
    o = np.arange(n_out)
    return (o * n_in) // n_out, -(-((o + 1) * n_in) // n_out)


def _adaptive_avg(nd: int, input: Tensor, output_size) -> Tensor:
    out = _adaptive_sizes(f"adaptive_avg_pool{nd}d", nd, input, output_size)
    mats = []
    for n_in, n_out in zip(input.shape[-nd:], out):
        start, end = _adaptive_bounds(n_in, n_out)
        cols = np.arange(n_in)
        inside = (cols >= start[:, None]) & (cols < end[:, None])
        mats.append((inside / (end - start)[:, None]).astype(input._array.dtype))
    return _resample(f"AdaptiveAvgPool{nd}D", input, mats)


def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Average pooling to a fixed output length (a 2-d pool of height 1, as torch).

    Example:
        >>> adaptive_avg_pool1d(jtorch.tensor([[1.0, 2.0, 3.0]]), 2)
        tensor([[1.5000, 2.5000]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
            "'self' (while checking arguments for adaptive_avg_pool1d)"
        )
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    return _adaptive_avg(2, input.unsqueeze(-2), (1, size)).squeeze(-2)


def adaptive_avg_pool2d(input, output_size) -> Tensor:
    """Average pooling to a fixed ``(H, W)`` (``None`` keeps that input size).

    Example:
        >>> adaptive_avg_pool2d(jtorch.arange(16.0).view(1, 4, 4), 1)
        tensor([[[7.5000]]])
    """
    return _adaptive_avg(2, input, output_size)


def adaptive_avg_pool3d(input, output_size) -> Tensor:
    """Average pooling to a fixed ``(D, H, W)``.

    Example:
        >>> adaptive_avg_pool3d(jtorch.arange(8.0).view(1, 2, 2, 2), 1).flatten()
        tensor([3.5000])
    """
    return _adaptive_avg(3, input, output_size)


class _AdaptiveMaxPool:
    """Max over torch's adaptive windows (clipped index grids), with per-plane flat indices."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, out):
        xp = xp_of(x)
        nd = len(out)
        nb = x.ndim - nd
        ctx.size, ctx.nd = x.shape, nd
        ctx.retain_outputs(1)
        if 0 in out:  # NOTE: an empty output has no windows
            shape = x.shape[:nb] + tuple(out)
            return xp.empty(shape, x.dtype), xp.empty(shape, xp.int64)
        grids, flat = [], 0
        for j, (n_in, n_out) in enumerate(zip(x.shape[nb:], out)):
            start, end = _adaptive_bounds(n_in, n_out)
            # NOTE: short windows repeat their last element: harmless for max, and argmax keeps
            # the first occurrence, so the index is the genuine one.
            pos = np.minimum(start[:, None] + np.arange((end - start).max()), end[:, None] - 1)
            shape = [1] * (2 * nd)
            shape[2 * j : 2 * j + 2] = pos.shape
            grids.append(xp.asarray(pos.reshape(shape)))
            flat = flat * n_in + grids[-1]
        perm = tuple(range(nb)) + tuple(nb + 2 * j for j in range(nd))
        perm += tuple(nb + 2 * j + 1 for j in range(nd))
        win = (
            x[(Ellipsis,) + tuple(grids)].transpose(perm).reshape(x.shape[:nb] + tuple(out) + (-1,))
        )
        arg = win.argmax(-1)[..., None]
        y = xp.take_along_axis(win, arg, -1)[..., 0]
        flat = flat.transpose(perm[nb:] and tuple(p - nb for p in perm[nb:]))
        flat = xp.broadcast_to(flat.reshape(tuple(out) + (-1,)), win.shape)
        idx = xp.take_along_axis(flat, arg, -1)[..., 0].astype(xp.int64)
        return y, idx

    @staticmethod
    def backward(ctx, grad, _):
        (idx,) = ctx.saved_outputs
        return PlaneScatterAdd.apply(grad, idx, size=ctx.size, nd=ctx.nd)


class AdaptiveMaxPool2D(_AdaptiveMaxPool, Function):
    pass


class AdaptiveMaxPool3D(_AdaptiveMaxPool, Function):
    pass


def _adaptive_max(nd: int, input: Tensor, output_size, return_indices: bool):
    out = _adaptive_sizes(f"adaptive_max_pool{nd}d", nd, input, output_size, ":")
    fn = AdaptiveMaxPool2D if nd == 2 else AdaptiveMaxPool3D
    y, idx = fn.apply(input, out=tuple(out))
    return (y, idx) if return_indices else y


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length (a 2-d pool of height 1, as torch).

    Example:
        >>> adaptive_max_pool1d(jtorch.tensor([[1.0, 3.0, 2.0]]), 2)
        tensor([[3., 3.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got: {list(input.shape)}"
        )
    size = output_size[0] if isinstance(output_size, (tuple, list)) else output_size
    y = _adaptive_max(2, input.unsqueeze(-2), (1, size), True)
    y = (y[0].squeeze(-2), y[1].squeeze(-2))
    return y if return_indices else y[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(H, W)``; ``return_indices`` gives flat per-plane argmaxes.

    Example:
        >>> adaptive_max_pool2d(jtorch.arange(16.0).view(1, 4, 4), 1)
        tensor([[[15.]]])
    """
    return _adaptive_max(2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max pooling to a fixed ``(D, H, W)``.

    Example:
        >>> adaptive_max_pool3d(jtorch.arange(8.0).view(1, 2, 2, 2), 1).flatten()
        tensor([7.])
    """
    return _adaptive_max(3, input, output_size, return_indices)


# -- rearrangements: pixel and channel shuffles, unfold/fold -----------------------------------
class PixelShuffle(Function):
    """``(*, C*r*r, H, W) -> (*, C, H*r, W*r)``."""

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        *lead, c, h, w = x.shape
        nb = len(lead)
        y = x.reshape((*lead, c // (r * r), r, r, h, w))
        y = y.transpose(tuple(range(nb + 1)) + tuple(nb + i for i in (3, 1, 4, 2)))
        return y.reshape((*lead, c // (r * r), h * r, w * r))

    @staticmethod
    def backward(ctx, grad):
        return PixelUnshuffle.apply(grad, r=ctx.r)


class PixelUnshuffle(Function):
    """``(*, C, H*r, W*r) -> (*, C*r*r, H, W)``."""

    @staticmethod
    def forward(ctx, x, r):
        ctx.r = r
        *lead, c, h, w = x.shape
        nb = len(lead)
        y = x.reshape((*lead, c, h // r, r, w // r, r))
        y = y.transpose(tuple(range(nb + 1)) + tuple(nb + i for i in (2, 4, 1, 3)))
        return y.reshape((*lead, c * r * r, h // r, w // r))

    @staticmethod
    def backward(ctx, grad):
        return PixelShuffle.apply(grad, r=ctx.r)


def _check_shuffle_input(name: str, input: Tensor) -> None:
    if input.ndim < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange ``(*, C*r^2, H, W)`` into ``(*, C, H*r, W*r)`` (sub-pixel convolution).

    Example:
        >>> pixel_shuffle(jtorch.arange(4.0).view(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    _check_shuffle_input("pixel_shuffle", input)
    r = upscale_factor
    if input.shape[-3] % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square "
            f"of upscale_factor, but input.size(-3)={input.shape[-3]} is not divisible by {r * r}"
        )
    return PixelShuffle.apply(input, r=r)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Inverse of ``pixel_shuffle``: ``(*, C, H*r, W*r)`` into ``(*, C*r^2, H, W)``.

    Example:
        >>> pixel_unshuffle(jtorch.arange(4.0).view(1, 1, 2, 2), 2).flatten()
        tensor([0., 1., 2., 3.])
    """
    _check_shuffle_input("pixel_unshuffle", input)
    r = downscale_factor
    for what, dim in (("height", -2), ("width", -1)):
        if input.shape[dim] % r:
            raise RuntimeError(
                f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but "
                f"input.size({dim})={input.shape[dim]} is not divisible by {r}"
            )
    return PixelUnshuffle.apply(input, r=r)


class ChannelShuffle(Function):
    """``(N, g*k, *) -> (N, k*g, *)``: channel ``i*k + j`` moves to ``j*g + i``."""

    @staticmethod
    def forward(ctx, x, groups):
        n, c = x.shape[:2]
        ctx.back = c // groups
        y = x.reshape((n, groups, c // groups) + x.shape[2:]).swapaxes(1, 2)
        return y.reshape(x.shape)

    @staticmethod
    def backward(ctx, grad):
        return ChannelShuffle.apply(grad, groups=ctx.back)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``groups`` groups (ShuffleNet).

    Example:
        >>> channel_shuffle(jtorch.arange(4.0).view(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")  # fmt: skip
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    return ChannelShuffle.apply(input, groups=groups)


native_channel_shuffle = channel_shuffle


class Im2Col(Function):
    """``unfold``: sliding blocks of ``(N, C, H, W)`` as columns ``(N, C*kh*kw, L)``."""

    @staticmethod
    def forward(ctx, x, kernel, dilation, pads, stride):
        ctx.geo = (kernel, dilation, pads, stride, x.shape[-2:])
        xpad = _pad(x, pads)
        out = tuple(
            _out_size(s, k, st, 0, 0, d)
            for s, k, st, d in zip(xpad.shape[-2:], kernel, stride, dilation)
        )
        cols = _windows(xpad, kernel, out, stride, dilation)
        return cols.reshape(x.shape[:-3] + (-1, math.prod(out)))

    @staticmethod
    def backward(ctx, grad):
        kernel, dilation, pads, stride, size = ctx.geo
        return Col2Im.apply(grad, size=size, kernel=kernel, dilation=dilation, pads=pads,
                            stride=stride)  # fmt: skip


class Col2Im(Function):
    """``fold``: sum columns ``(N, C*kh*kw, L)`` back into ``(N, C, H, W)``."""

    @staticmethod
    def forward(ctx, cols, size, kernel, dilation, pads, stride):
        ctx.geo = (kernel, dilation, pads, stride)
        out = tuple(
            _out_size(s, k, st, lo, hi, d)
            for s, k, st, (lo, hi), d in zip(size, kernel, stride, pads, dilation)
        )
        cols = cols.reshape(cols.shape[:-2] + (-1,) + tuple(kernel) + out)
        return _col2im(cols, stride, pads, dilation, tuple(size))

    @staticmethod
    def backward(ctx, grad):
        kernel, dilation, pads, stride = ctx.geo
        return Im2Col.apply(grad, kernel=kernel, dilation=dilation, pads=pads, stride=stride)


def _pair(v) -> tuple:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding blocks (im2col): ``(N, C, H, W) -> (N, C*kh*kw, L)``.

    Example:
        >>> unfold(jtorch.arange(9.0).view(1, 1, 3, 3), 2)[0]
        tensor([[0., 1., 3., 4.],
                [1., 2., 4., 5.],
                [3., 4., 6., 7.],
                [4., 5., 7., 8.]])
    """
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"Input Error: Only 3D or 4D input Tensors are supported (got {input.ndim}D)"
        )
    kernel, dilation, padding, stride = map(_pair, (kernel_size, dilation, padding, stride))
    spatial = tuple(input.shape[-2:])
    blocks = tuple(
        _out_size(s, k, st, p, p, d)
        for s, k, st, p, d in zip(spatial, kernel, stride, padding, dilation)
    )
    if any(b < 1 for b in blocks):
        raise RuntimeError(
            f"Given input with spatial size {spatial}, kernel_size={kernel}, dilation={dilation}, "
            f"padding={padding}, calculated shape of the array of sliding blocks as {blocks}, but "
            "its components must be at least one."
        )
    return Im2Col.apply(input, kernel=kernel, dilation=dilation,
                        pads=tuple((p, p) for p in padding), stride=stride)  # fmt: skip


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding blocks back into an image (col2im): ``(N, C*kh*kw, L) -> (N, C, H, W)``.

    Example:
        >>> x = jtorch.ones(1, 1, 3, 3)
        >>> fold(unfold(x, 2), (3, 3), 2)[0, 0]
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    if input.ndim not in (2, 3):
        raise RuntimeError(
            "Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
            f"{input.ndim}D)"
        )
    x = input
    kernel, size = _pair(kernel_size), _pair(output_size)
    dilation, stride = _pair(dilation), _pair(stride)
    pads = tuple((p, p) for p in _pair(padding))
    k = math.prod(kernel)
    if x.shape[-2] % k:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size({x.ndim - 2})={x.shape[-2]} and kernel_size=({kernel[0]}, {kernel[1]})."
        )
    blocks = [_out_size(s, kk, st, lo, hi, d)
              for s, kk, st, (lo, hi), d in zip(size, kernel, stride, pads, dilation)]  # fmt: skip
    if x.shape[-1] != math.prod(blocks):
        raise RuntimeError(
            f"Given output_size=({size[0]}, {size[1]}), kernel_size=({kernel[0]}, {kernel[1]}), "
            f"dilation=({dilation[0]}, {dilation[1]}), padding=({pads[0][0]}, {pads[1][0]}), "
            f"stride=({stride[0]}, {stride[1]}), expected size of input's dimension 2 to match "
            f"the calculated number of sliding blocks {blocks[0]} * {blocks[1]} = "
            f"{math.prod(blocks)}, but got input.size({x.ndim - 1})={x.shape[-1]}."
        )
    return Col2Im.apply(x, size=size, kernel=kernel, dilation=dilation, pads=pads, stride=stride)


# -- fractional max pooling (Graham, 2014) and the *_with_indices spellings ----------------------
def _fractional_starts(xp, samples, n_in: int, n_out: int, k: int):
    """torch's ``generate_intervals``: window starts per plane, in the samples' dtype as torch.

    NOTE: torch computes ``int((i + u) * alpha) - int(u * alpha)`` in the input's float type, so
    the float32 arithmetic (not float64) decides where the windows fall.
    """
    t = samples.dtype.type
    if n_out > 1:
        alpha = t(n_in - k) / t(n_out - 1)
        i = xp.arange(n_out - 1, dtype=samples.dtype)
        u = samples[..., None]
        seq = ((i + u) * alpha).astype(xp.int64) - (u * alpha).astype(xp.int64)
        last = xp.full(samples.shape + (1,), n_in - k, dtype=xp.int64)
        return xp.concatenate([seq, last], axis=-1)
    return xp.full(samples.shape + (n_out,), n_in - k, dtype=xp.int64)


class _FractionalMaxPool:
    """Max over pseudo-random windows (starts drawn from ``samples (N, C, nd)``), with per-plane
    flat argmax indices; the first maximum wins, a NaN always wins (as torch's loop)."""

    differentiable_outputs = (0,)

    @staticmethod
    def forward(ctx, x, samples, kernel, out):
        xp = xp_of(x)
        nd = len(kernel)
        ctx.size, ctx.nd = x.shape, nd
        unbatched = x.ndim == nd + 1
        if unbatched:
            x = x[None]
        sizes = x.shape[-nd:]
        # NOTE: torch's sample order is (W, H) in 2-d and (T, H, W) in 3-d.
        order = (1, 0) if nd == 2 else (0, 1, 2)
        flat = 0
        for j in range(nd):
            starts = _fractional_starts(xp, samples[: x.shape[0], :, order[j]], sizes[j],
                                        out[j], kernel[j])  # fmt: skip
            shape = starts.shape[:2] + tuple(out[j] if m == j else 1 for m in range(nd))
            flat = flat * sizes[j] + starts.reshape(shape)
        plane = [math.prod(sizes[j + 1 :]) for j in range(nd)]
        offsets = [
            sum(o * p for o, p in zip(off, plane))
            for off in itertools.product(*(range(k) for k in kernel))
        ]
        xf = x.reshape(x.shape[:2] + (-1,))
        views = [xp.take_along_axis(xf, (flat + o).reshape(xf.shape[:2] + (-1,)), -1)
                 for o in offsets]  # fmt: skip
        y, arg = _max_buffers(xp, views, x.dtype)
        _running_max(xp, views, y, arg, nan=x.dtype.kind == "f")
        idx = xp.asarray(offsets, dtype=xp.int64)[arg] + flat.reshape(xf.shape[:2] + (-1,))
        ctx.retain_outputs(1)
        shape = x.shape[1 if unbatched else 0 : 2] + tuple(out)
        return y.reshape(shape), idx.reshape(shape)

    @staticmethod
    def backward(ctx, grad, _):
        (idx,) = ctx.saved_outputs
        return PlaneScatterAdd.apply(grad, idx, size=ctx.size, nd=ctx.nd), None


class FractionalMaxPool2D(_FractionalMaxPool, Function):
    pass


class FractionalMaxPool3D(_FractionalMaxPool, Function):
    pass


def _fractional_max_pool(nd: int, input: Tensor, kernel_size, output_size, output_ratio,
                         _random_samples) -> tuple[Tensor, Tensor]:  # fmt: skip
    from jtorch.ops.random import rand  # noqa: PLC0415

    name, count = f"fractional_max_pool{nd}d", ("", "", "", " three")[nd]
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        # NOTE: as torch, the 2-d function takes len() of the ratio (a bare float is a TypeError)
        if nd == 2 and len(output_ratio) > 2:
            raise ValueError(
                f"{name} requires output_ratio to either be a single Int or tuple of Ints."
            )
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,)
        ratio = ratio * nd if len(ratio) == 1 else ratio
        output_size = [int(input.size(j - nd) * r) for j, r in enumerate(ratio)]
    if _random_samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype,
                               device=input.device)  # fmt: skip
    kernel = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * nd
    out = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(kernel) != nd:
        raise RuntimeError(
            f"{name}: kernel_size must either be a single Int or tuple of{count} Ints"
        )
    if len(out) != nd:
        raise RuntimeError(
            f"{name}: output_size must either be a single Int or tuple of{count} Ints"
        )
    where = f"{name}()" if nd == 2 else f"{name}_out()"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}"
        )
    for i in range(1, input.dim()):
        if input.shape[i] <= 0:
            raise RuntimeError(
                f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                f"got{list(input.shape)} with dimension {i} being empty."
            )
    names = ("height", "width") if nd == 2 else ("time", "height", "width")
    for o, k, s, what in zip(out, kernel, input.shape[-nd:], names):
        # NOTE: torch's 3-d check is strict (a window may not end at the last element)
        if o + k - 1 > s or (nd == 3 and o + k - 1 == s):
            raise RuntimeError(f"{where}: pool {what} {k} too large relative to input {what} {s}")
    samples = _random_samples
    if samples.dtype != input.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batched = input.dim() == nd + 2
    n, c = (input.shape[0], input.shape[1]) if batched else (1, input.shape[0])
    if samples.shape[0] < n:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != c:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}."
        )
    fn = FractionalMaxPool2D if nd == 2 else FractionalMaxPool3D
    return fn.apply(input, samples, kernel=kernel, out=out)


def fractional_max_pool2d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):  # fmt: skip
    """2-d fractional max pooling, returning ``(output, indices)`` (per-plane flat indices).

    ``_random_samples (N, C, 2)`` in ``[0, 1)`` place the windows (drawn with ``rand`` when
    not given, as torch draws them).

    Example:
        >>> x = jtorch.arange(16.0).view(1, 1, 4, 4)
        >>> fractional_max_pool2d_with_indices(x, 2, output_size=2,
        ...     _random_samples=jtorch.full((1, 1, 2), 0.5))[1]
        tensor([[[[ 5,  7],
                  [13, 15]]]])
    """
    return _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):  # fmt: skip
    """2-d fractional max pooling (``return_indices=True`` also returns the argmax indices).

    Example:
        >>> x = jtorch.arange(16.0).view(1, 1, 4, 4)
        >>> fractional_max_pool2d(x, 2, output_size=2, _random_samples=jtorch.full((1, 1, 2), 0.5))
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    y = _fractional_max_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return y if return_indices else y[0]


def fractional_max_pool3d_with_indices(input: Tensor, kernel_size, output_size=None,
                                       output_ratio=None, return_indices: bool = False,
                                       _random_samples: Tensor | None = None):  # fmt: skip
    """3-d fractional max pooling, returning ``(output, indices)``; samples ``(N, C, 3)``.

    Example:
        >>> x = jtorch.arange(27.0).view(1, 1, 3, 3, 3)
        >>> fractional_max_pool3d_with_indices(x, 2, output_size=1)[1].flatten()
        tensor([26])
    """
    return _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(input: Tensor, kernel_size, output_size=None, output_ratio=None,
                          return_indices: bool = False, _random_samples: Tensor | None = None):  # fmt: skip
    """3-d fractional max pooling (``return_indices=True`` also returns the argmax indices).

    Example:
        >>> fractional_max_pool3d(jtorch.arange(27.0).view(1, 1, 3, 3, 3), 2, output_size=1)
        tensor([[[[[26.]]]]])
    """
    y = _fractional_max_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return y if return_indices else y[0]


def adaptive_max_pool1d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool1d`` that always returns ``(output, indices)``.

    Example:
        >>> adaptive_max_pool1d_with_indices(jtorch.tensor([[1.0, 3.0, 2.0]]), 2)[1]
        tensor([[1, 1]])
    """
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool2d`` that always returns ``(output, indices)``.

    Example:
        >>> adaptive_max_pool2d_with_indices(jtorch.arange(4.0).view(1, 2, 2), 1)[1]
        tensor([[[3]]])
    """
    return _adaptive_max(2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices: bool = False):
    """``adaptive_max_pool3d`` that always returns ``(output, indices)``.

    Example:
        >>> adaptive_max_pool3d_with_indices(jtorch.arange(8.0).view(1, 2, 2, 2), 1)[1].flatten()
        tensor([7])
    """
    return _adaptive_max(3, input, output_size, True)
