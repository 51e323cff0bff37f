"""``torch.fft``: discrete Fourier transforms with autograd, on the array module's pocketfft.

Every transform is one of three primitives, as in ATen: complex-to-complex (``FftC2C``),
real-to-complex (``FftR2C``, optionally one-sided) and complex-to-real (``FftC2R``, the inverse of
a one-sided transform). Each carries a scaling that does not depend on the direction (none,
``1/sqrt(n)`` or ``1/n``), so the adjoint of a primitive is another primitive with the same
scaling: backward is written with the primitives and is differentiable again.

Example:
    >>> import jtorch
    >>> jtorch.fft.fft(jtorch.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from jtorch import backend, dtypes
from jtorch._tensor import Tensor, _wrap_dim
from jtorch.autograd.function import Function
from jtorch.backend import get_array_module as xp_of
from jtorch.ops._inplace import with_out
from jtorch.ops.complex_ops import conj_physical, lazy_conj
from jtorch.ops.elementwise import conj, real
from jtorch.ops.joining import roll
from jtorch.ops.nn import constant_pad_nd

__all__ = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2"]
__all__ += ["hfft2", "ihfft2", "fftn", "ifftn", "rfftn", "irfftn", "hfftn", "ihfftn"]
__all__ += ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]

_Dims = int | Sequence[int] | None

# The scaling of a primitive: "none", "sqrt" (1/sqrt(n)) or "n" (1/n), n the signal size.
# NumPy names the same scalings by the direction that carries no scaling.
_NP_NORM = {
    True: {"none": "backward", "sqrt": "ortho", "n": "forward"},
    False: {"none": "forward", "sqrt": "ortho", "n": "backward"},
}


def _complex_of(xp, dtype):
    return xp.result_type(dtype, xp.complex64)


class FftC2C(Function):
    @staticmethod
    def forward(ctx, x, dims, scale, forward):
        ctx.dims, ctx.scale, ctx.fwd = dims, scale, forward
        if not dims:
            return x.copy()
        xp = xp_of(x)
        transform = xp.fft.fftn if forward else xp.fft.ifftn
        return transform(x, axes=dims, norm=_NP_NORM[forward][scale]).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: the adjoint of a DFT is the DFT in the other direction with the same scaling.
        return FftC2C.apply(grad, dims=ctx.dims, scale=ctx.scale, forward=not ctx.fwd)


class FftR2C(Function):
    @staticmethod
    def forward(ctx, x, dims, scale, onesided):
        ctx.dims, ctx.scale, ctx.onesided = dims, scale, onesided
        ctx.last_size = x.shape[dims[-1]]
        xp = xp_of(x)
        half = xp.fft.rfftn(x, axes=dims, norm=_NP_NORM[True][scale])
        half = half.astype(_complex_of(xp, x.dtype), copy=False)
        return half if onesided else _two_sided(xp, half, dims[0], ctx.last_size)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: a one-sided transform is the full one with the upper half dropped, so its adjoint
        # zero-fills that half before the inverse transform (torch's fft_r2c_backward).
        if ctx.onesided:
            grad = _resize(grad, ctx.dims[-1:], (ctx.last_size,))
        return real(FftC2C.apply(grad, dims=ctx.dims, scale=ctx.scale, forward=False))


class FftC2R(Function):
    @staticmethod
    def forward(ctx, x, dims, scale, last_size):
        ctx.dims, ctx.scale = dims, scale
        xp = xp_of(x)
        sizes = [x.shape[d] for d in dims[:-1]] + [last_size]
        out = xp.fft.irfftn(x, s=sizes, axes=dims, norm=_NP_NORM[False][scale])
        return out.astype(x.real.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        # NOTE: the inverse of a one-sided transform reads each of the entries 1 .. n - h (h the
        # one-sided length) twice, once mirrored by Hermitian symmetry: their gradients double.
        g = FftR2C.apply(grad, dims=ctx.dims, scale=ctx.scale, onesided=True)
        last = ctx.dims[-1]
        doubled = grad.shape[last] - g.shape[last]
        if doubled > 0:
            weight = np.ones(g.shape[last], dtype=grad._array.dtype)
            weight[1 : 1 + doubled] = 2
            shape = [1] * g.dim()
            shape[last] = -1
            g = g * Tensor._make(grad._xp().asarray(weight.reshape(shape)))
        return g


def _two_sided(xp, half, dim: int, n: int):
    """The full transform of a real signal from its one-sided half, by Hermitian symmetry
    (``X[n - k] = conj(X[k])``)."""
    # NOTE: as ATen does (it only two-sides 1-d transforms); this also gives torch's signs of the
    # zero imaginary parts, which a complex transform of the real signal would not.
    shape = list(half.shape)
    shape[dim] = n
    out = xp.empty(shape, half.dtype)
    full, h = xp.moveaxis(out, dim, -1), half.shape[dim]
    full[..., :h] = xp.moveaxis(half, dim, -1)
    xp.conjugate(full[..., n - h : 0 : -1], out=full[..., h:])
    return out


# -- argument handling, as ATen's SpectralOps ----------------------------------------------


def _scale(norm: str | None, forward: bool) -> str:
    if norm is None or norm == "backward":
        return "none" if forward else "n"
    if norm == "forward":
        return "n" if forward else "none"
    if norm == "ortho":
        return "sqrt"
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _promote(x: Tensor, require_complex: bool = False) -> Tensor:
    """``x`` in a dtype the transforms support: float32/64 (or their complex types)."""
    d = x.dtype
    if d.is_complex:
        return x
    if not d.is_floating_point:
        d = dtypes.get_default_dtype()
    if d not in (dtypes.float32, dtypes.float64):
        raise RuntimeError(f"Unsupported dtype {d.scalar_name}")
    if require_complex:
        d = dtypes.complex64 if d == dtypes.float32 else dtypes.complex128
    return x if d == x.dtype else x.to(d)


def _wrap(dim: int, ndim: int) -> int:
    # NOTE: unlike most ops, the transforms do not treat a 0-d tensor as 1-d.
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim)


def _check_size(n: int) -> None:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _resize(x: Tensor, dims: Sequence[int], sizes: Sequence[int]) -> Tensor:
    """Crop or zero-pad ``x`` so that ``x.shape[dims[i]] == sizes[i]``."""
    pad = None
    for d, n in zip(dims, sizes):
        have = x.shape[d]
        if have > n:
            x = x.narrow(d, 0, n)
        elif have < n:
            pad = pad or [0] * (2 * x.dim())
            pad[2 * (x.dim() - 1 - d) + 1] = n - have
    return constant_pad_nd(x, pad) if pad else x


def _c2c(x: Tensor, n, dim: int, norm, forward: bool) -> Tensor:
    d = _wrap(dim, x.dim())
    n = x.shape[d] if n is None else n
    _check_size(n)
    x = _resize(x, (d,), (n,))
    return FftC2C.apply(x, dims=(d,), scale=_scale(norm, forward), forward=forward)


def _r2c(name: str, x: Tensor, n, dim: int, norm, forward: bool, onesided: bool) -> Tensor:
    if x.is_complex():
        raise RuntimeError(f"{name} expects a real input tensor, but got {x.dtype.scalar_name}")
    x = _promote(x)
    d = _wrap(dim, x.dim())
    n = x.shape[d] if n is None else n
    _check_size(n)
    x = _resize(x, (d,), (n,))
    # NOTE: there is no inverse r2c primitive: the inverse of a real signal is the conjugate of
    # the forward transform (with the inverse's scaling), as torch computes it.
    out = FftR2C.apply(x, dims=(d,), scale=_scale(norm, forward), onesided=onesided)
    return out if forward else lazy_conj(out)


def _c2r(x: Tensor, n, dim: int, norm, forward: bool) -> Tensor:
    x = _promote(x, require_complex=True)
    d = _wrap(dim, x.dim())
    n = 2 * (x.shape[d] - 1) if n is None else n
    _check_size(n)
    x = _resize(x, (d,), (n // 2 + 1,))
    if forward:
        x = conj(x)
    return FftC2R.apply(x, dims=(d,), scale=_scale(norm, forward), last_size=n)


def _as_list(ints) -> list:
    return [ints] if isinstance(ints, int) else list(ints)


def _shape_and_dims(x: Tensor, s, dim) -> tuple[list, list]:
    """torch's canonical (sizes, dims) of an n-dimensional transform."""
    ndim = x.dim()
    dims = None
    if dim is not None:
        dims = [_wrap(d, ndim) for d in _as_list(dim)]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        s = _as_list(s)
        if dims is not None and len(dims) != len(s):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        if len(s) > ndim:
            raise RuntimeError(
                f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions."
            )
        if dims is None:
            dims = list(range(ndim - len(s), ndim))
        sizes = [x.shape[d] if n == -1 else n for n, d in zip(s, dims)]
    else:
        dims = list(range(ndim)) if dims is None else dims
        sizes = [x.shape[d] for d in dims]
    for n in sizes:
        _check_size(n)
    return sizes, dims


def _c2r_shape_and_dims(name: str, x: Tensor, s, dim) -> tuple[list, list, int]:
    sizes, dims = _shape_and_dims(x, s, dim)
    if not sizes:
        raise RuntimeError(f"{name} must transform at least one axis")
    last = 2 * (x.shape[dims[-1]] - 1) if s is None or _as_list(s)[-1] == -1 else sizes[-1]
    _check_size(last)
    sizes[-1] = last // 2 + 1
    return sizes, dims, last


def _fftn_c2c(x: Tensor, s, dim, norm, forward: bool) -> Tensor:
    sizes, dims = _shape_and_dims(x, s, dim)
    x = _resize(_promote(x, require_complex=True), dims, sizes)
    return FftC2C.apply(x, dims=tuple(dims), scale=_scale(norm, forward), forward=forward)


def _real_only(name: str, x: Tensor) -> None:
    if x.is_complex():
        raise RuntimeError(
            f"{name} expects a real-valued input tensor, but got {x.dtype.scalar_name}"
        )


# -- one-dimensional transforms -------------------------------------------------------------


@with_out
def fft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``.

    Args:
        input: real or complex tensor (real inputs give the full, two-sided result).
        n: signal length: ``input`` is zero-padded or cropped to it along ``dim``.
        dim: the dimension to transform.
        norm: ``"backward"`` (no scaling, the default), ``"forward"`` (``1/n``) or ``"ortho"``.

    Returns:
        A complex tensor (complex64 for float32 input).

    Example:
        >>> jtorch.fft.fft(jtorch.tensor([1.0, 0.0, 0.0, 0.0]), norm="ortho")
        tensor([0.5000+0.j, 0.5000+0.j, 0.5000+0.j, 0.5000-0.j])
    """
    if input.is_complex():
        return _c2c(input, n, dim, norm, forward=True)
    return _r2c("fft", input, n, dim, norm, forward=True, onesided=False)


@with_out
def ifft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The one-dimensional inverse discrete Fourier transform (scaled by ``1/n`` by default).

    The arguments are :func:`fft`'s, as for the other one-dimensional transforms.

    Example:
        >>> jtorch.fft.ifft(jtorch.tensor([4.0, 0.0, 0.0, 0.0]))
        tensor([1.-0.j, 1.-0.j, 1.-0.j, 1.+0.j])
    """
    if input.is_complex():
        return _c2c(input, n, dim, norm, forward=False)
    return _r2c("ifft", input, n, dim, norm, forward=False, onesided=False)


@with_out
def rfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The Fourier transform of a real signal: the ``n // 2 + 1`` non-negative frequencies.

    Example:
        >>> jtorch.fft.rfft(jtorch.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    return _r2c("rfft", input, n, dim, norm, forward=True, onesided=True)


@with_out
def irfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of length ``n`` (default ``2 * (m - 1)``).

    Example:
        >>> jtorch.fft.irfft(jtorch.tensor([10.0 + 0j, -2 + 2j, -2 + 0j]))
        tensor([1., 2., 3., 4.])
    """
    return _c2r(input, n, dim, norm, forward=False)


@with_out
def hfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The Fourier transform of a Hermitian-symmetric signal given by its one-sided half.

    Example:
        >>> jtorch.fft.hfft(jtorch.tensor([1.0 + 0j, 2 + 0j, 3 + 0j]))
        tensor([ 8., -2.,  0., -2.])
    """
    return _c2r(input, n, dim, norm, forward=True)


@with_out
def ihfft(input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided inverse transform of a real signal.

    Example:
        >>> jtorch.fft.ihfft(jtorch.tensor([8.0, -2.0, 0.0, -2.0]))
        tensor([1.-0.j, 2.-0.j, 3.-0.j])
    """
    return _r2c("ihfft", input, n, dim, norm, forward=False, onesided=True)


# -- n-dimensional transforms ---------------------------------------------------------------


@with_out
def fftn(input: Tensor, s: _Dims = None, dim: _Dims = None, norm: str | None = None) -> Tensor:
    """The n-dimensional Fourier transform of ``input`` over several dims.

    Args:
        input: real or complex tensor.
        s: signal sizes: ``input`` is zero-padded or cropped to ``s[i]`` along ``dim[i]``
            (-1 keeps a size).
        dim: the dims to transform (default: all of them, or the last ``len(s)``).
        norm: ``"backward"`` (no scaling, the default), ``"forward"`` (``1/n``, ``n`` the
            number of transformed elements) or ``"ortho"``. The other n-dimensional transforms
            take the same arguments.

    Example:
        >>> jtorch.fft.fftn(jtorch.ones(2, 2))
        tensor([[4.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j]])
    """
    return _fftn_c2c(input, s, dim, norm, forward=True)


@with_out
def ifftn(input: Tensor, s: _Dims = None, dim: _Dims = None, norm: str | None = None) -> Tensor:
    """The n-dimensional inverse Fourier transform.

    Example:
        >>> jtorch.fft.ifftn(jtorch.tensor([[4.0, 0.0], [0.0, 0.0]]))
        tensor([[1.+0.j, 1.+0.j],
                [1.+0.j, 1.+0.j]])
    """
    return _fftn_c2c(input, s, dim, norm, forward=False)


@with_out
def rfftn(input: Tensor, s: _Dims = None, dim: _Dims = None, norm: str | None = None) -> Tensor:
    """The n-dimensional Fourier transform of a real signal, one-sided in the last dim.

    Example:
        >>> jtorch.fft.rfftn(jtorch.ones(2, 4)).shape
        torch.Size([2, 3])
    """
    _real_only("rfftn", input)
    sizes, dims = _shape_and_dims(input, s, dim)
    if not sizes:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _resize(_promote(input), dims, sizes)
    return FftR2C.apply(x, dims=tuple(dims), scale=_scale(norm, True), onesided=True)


@with_out
def irfftn(input: Tensor, s: _Dims = None, dim: _Dims = None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`rfftn`: a real signal (last dim ``2 * (m - 1)`` unless ``s``).

    Example:
        >>> jtorch.fft.irfftn(jtorch.fft.rfftn(jtorch.ones(2, 4)))
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """
    sizes, dims, last = _c2r_shape_and_dims("irfftn", input, s, dim)
    x = _resize(_promote(input, require_complex=True), dims, sizes)
    return FftC2R.apply(x, dims=tuple(dims), scale=_scale(norm, False), last_size=last)


@with_out
def hfftn(input: Tensor, s: _Dims = None, dim: _Dims = None, norm: str | None = None) -> Tensor:
    """The n-dimensional Fourier transform of a Hermitian-symmetric signal (a real result).

    Example:
        >>> jtorch.fft.hfftn(jtorch.ones(2, 2, dtype=jtorch.complex64))
        tensor([[4., 0.],
                [0., 0.]])
    """
    sizes, dims, last = _c2r_shape_and_dims("hfftn", input, s, dim)
    x = _resize(_promote(input, require_complex=True), dims, sizes)
    scale = _scale(norm, True)
    if len(dims) > 1:
        x = FftC2C.apply(x, dims=tuple(dims[:-1]), scale=scale, forward=True)
    return FftC2R.apply(conj(x), dims=(dims[-1],), scale=scale, last_size=last)


@with_out
def ihfftn(input: Tensor, s: _Dims = None, dim: _Dims = None, norm: str | None = None) -> Tensor:
    """The inverse of :func:`hfftn`: one-sided in the last dim.

    Example:
        >>> jtorch.fft.ihfftn(jtorch.tensor([[4.0, 0.0], [0.0, 0.0]]))
        tensor([[1.-0.j, 1.-0.j],
                [1.+0.j, 1.+0.j]])
    """
    if input.is_complex():
        raise RuntimeError(
            f"Only supports floating-point dtypes, but found: {input.dtype.scalar_name}"
        )
    sizes, dims = _shape_and_dims(input, s, dim)
    if not sizes:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = _resize(_promote(input), dims, sizes)
    scale = _scale(norm, False)
    out = FftR2C.apply(x, dims=(dims[-1],), scale=scale, onesided=True)
    if len(dims) == 1:
        return lazy_conj(out)
    return FftC2C.apply(conj_physical(out), dims=tuple(dims[:-1]), scale=scale, forward=False)


@with_out
def fft2(input: Tensor, s: _Dims = None, dim: _Dims = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`fftn` (over the last two dims by default).

    Example:
        >>> jtorch.fft.fft2(jtorch.ones(3, 2, 2)).shape
        torch.Size([3, 2, 2])
    """
    return _fftn_c2c(input, s, dim, norm, forward=True)


@with_out
def ifft2(input: Tensor, s: _Dims = None, dim: _Dims = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`ifftn` (over the last two dims by default).

    Example:
        >>> jtorch.fft.ifft2(jtorch.ones(2, 2)).real
        tensor([[1., 0.],
                [0., 0.]])
    """
    return _fftn_c2c(input, s, dim, norm, forward=False)


@with_out
def rfft2(input: Tensor, s: _Dims = None, dim: _Dims = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`rfftn` (over the last two dims by default).

    Example:
        >>> jtorch.fft.rfft2(jtorch.ones(2, 4)).shape
        torch.Size([2, 3])
    """
    return rfftn(input, s, dim, norm)


@with_out
def irfft2(
    input: Tensor, s: _Dims = None, dim: _Dims = (-2, -1), norm: str | None = None
) -> Tensor:
    """The two-dimensional :func:`irfftn` (over the last two dims by default).

    Example:
        >>> jtorch.fft.irfft2(jtorch.ones(2, 3)).shape
        torch.Size([2, 4])
    """
    return irfftn(input, s, dim, norm)


@with_out
def hfft2(input: Tensor, s: _Dims = None, dim: _Dims = (-2, -1), norm: str | None = None) -> Tensor:
    """The two-dimensional :func:`hfftn` (over the last two dims by default).

    Example:
        >>> jtorch.fft.hfft2(jtorch.ones(2, 3)).shape
        torch.Size([2, 4])
    """
    return hfftn(input, s, dim, norm)


@with_out
def ihfft2(
    input: Tensor, s: _Dims = None, dim: _Dims = (-2, -1), norm: str | None = None
) -> Tensor:
    """The two-dimensional :func:`ihfftn` (over the last two dims by default).

    Example:
        >>> jtorch.fft.ihfft2(jtorch.ones(2, 4)).shape
        torch.Size([2, 3])
    """
    return ihfftn(input, s, dim, norm)


# -- helpers --------------------------------------------------------------------------------


def _frequencies(name: str, count: int, n: int, d: float, dtype, device, requires_grad: bool):
    d_type = dtype or dtypes.get_default_dtype()
    if not (d_type.is_floating_point or d_type.is_complex):
        raise RuntimeError(f"{name} requires a floating point or complex dtype")
    if d_type.is_complex:
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{d_type.scalar_name}'")
    if count < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {count}: [{count}]")
    np_dtype = np.dtype(dtypes.to_np(d_type))
    k = np.arange(count, dtype=np.float64)
    if count == n:  # fftfreq: the upper half holds the negative frequencies
        k[(n + 1) // 2 :] -= n
    # NOTE: torch multiplies an exact arange by 1 / (n * d) in the result dtype; d = 0 gives
    # inf (and nan at frequency 0), as the C++ division does.
    with np.errstate(divide="ignore", invalid="ignore"):
        array = k.astype(np_dtype) * np_dtype.type(np.float64(1.0) / (n * d))
    t = Tensor._make(backend.xp_for(backend.as_device(device)).asarray(array))
    return t.requires_grad_(True) if requires_grad else t


@with_out
def fftfreq(
    n: int,
    d: float = 1.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The sample frequencies of :func:`fft` for a signal of ``n`` samples spaced ``d`` apart.

    Example:
        >>> jtorch.fft.fftfreq(5)
        tensor([ 0.0000,  0.2000,  0.4000, -0.4000, -0.2000])
    """
    return _frequencies("fftfreq", n, n, d, dtype, device, requires_grad)


@with_out
def rfftfreq(
    n: int,
    d: float = 1.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The sample frequencies of :func:`rfft` (the ``n // 2 + 1`` non-negative ones).

    Example:
        >>> jtorch.fft.rfftfreq(5, d=0.5)
        tensor([0.0000, 0.4000, 0.8000])
    """
    # NOTE: C++'s n / 2 truncates towards zero (rfftfreq(-1) has one element, as torch's).
    return _frequencies("rfftfreq", int(n / 2) + 1, n, d, dtype, device, requires_grad)


def _shifts(input: Tensor, dim, half) -> tuple[list, list]:
    dims = (
        list(range(input.dim())) if dim is None else [_wrap(d, input.dim()) for d in _as_list(dim)]
    )
    return [half(input.shape[d]) for d in dims], dims


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero frequency to the centre of ``dim`` (all dims by default).

    Example:
        >>> jtorch.fft.fftshift(jtorch.fft.fftfreq(4))
        tensor([-0.5000, -0.2500,  0.0000,  0.2500])
    """
    shifts, dims = _shifts(input, dim, lambda n: n // 2)
    return roll(input, shifts, dims)


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of :func:`fftshift`.

    Example:
        >>> jtorch.fft.ifftshift(jtorch.tensor([-0.5, -0.25, 0.0, 0.25]))
        tensor([ 0.0000,  0.2500, -0.5000, -0.2500])
    """
    shifts, dims = _shifts(input, dim, lambda n: (n + 1) // 2)
    return roll(input, shifts, dims)
