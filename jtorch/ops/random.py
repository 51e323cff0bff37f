"""Random sampling with torch's CPU numbers: the same seed gives the same tensors as torch.

Every sampler draws torch's mt19937 words in bulk from a :class:`jtorch.random.Generator` and
applies the transform of ATen's CPU kernels (``DistributionsHelper.h``,
``native/cpu/DistributionTemplates.h``, ``avx_mathfun.h``) vectorised with NumPy, in torch's
order and with torch's roundings (including the FMAs its AVX2 build contracts):

- uniform: float32/float16 take the low 24/11 bits of one 32-bit draw, float64 the low 53 bits of
  a 64-bit draw (two 32-bit draws, the first one high); ``x * (to - from) + from`` as one FMA.
- normal: 16 or more contiguous float32/float64 elements use ``normal_fill`` (all uniforms
  first, Box-Muller on pairs ``i, i + 8`` of each block of 16, the last block redrawn when the
  size is not a multiple of 16; float32 uses the AVX2 Cephes polynomials); smaller or strided
  tensors use scalar Box-Muller in double whose second value is cached in the generator.
- integers: ``val % range + from`` from one 32-bit draw (a 64-bit draw for ranges >= 2**32).
- randperm: torch's Fisher-Yates with ``random() % (n - i)``; multinomial: inverse CDF with
  replacement, ``argmax/topk(p / Exp(1))`` without.

Not bit-exact (statistically right and deterministic under ``manual_seed``): float16 normals
of 16+ elements, and on Intel CPUs ``bernoulli_(float p)``, where torch's Intel build switches
to MKL's stream (AMD and other CPUs use the default kernel reproduced here). CUDA tensors are
sampled with CuPy's generator.

Example:
    >>> import jtorch
    >>> _ = jtorch.manual_seed(0)
    >>> jtorch.randn(2, 3)
    tensor([[ 1.5410, -0.2934, -2.1788],
            [ 0.5684, -1.0845, -1.3986]])
"""

from __future__ import annotations

import math

import numpy as np

from jtorch import backend, dtypes
from jtorch._creation import empty_like, parse_size, zeros_like
from jtorch._tensor import Tensor
from jtorch.autograd.function import Function
from jtorch.ops._inplace import make_inplace, with_out, write_into
from jtorch.random import Generator, default_generator

__all__ = [
    "rand",
    "randn",
    "randint",
    "randperm",
    "rand_like",
    "randn_like",
    "randint_like",
    "normal",
    "bernoulli",
    "multinomial",
]

_F32, _F64, _F16 = np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)
_DIGITS = {_F32: 24, _F64: 53, _F16: 11}  # std::numeric_limits<T>::digits
# c10's type names, as torch's bounds errors print them.
_C_NAMES = {
    "uint8": "unsigned char",
    "int8": "signed char",
    "int16": "short int",
    "int32": "int",
    "int64": "long int",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
    "bool": "bool",
}


def _gen(generator: Generator | None) -> Generator:
    return default_generator if generator is None else generator


def _type_name(np_dtype) -> str:
    """torch's ScalarType name (``Long``, ``Float``) for NotImplementedError messages."""
    return dtypes.from_np(np_dtype).scalar_name


def _require_float(np_dtype, kernel: str, kinds: str = "f") -> None:
    if np_dtype.kind not in kinds:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(np_dtype)}'")


def _require_float_or_complex(np_dtype, kernel: str) -> None:
    _require_float(np_dtype, kernel, "fc")


# -- exact FMAs ---------------------------------------------------------------------------------
_TIE_MASK, _TIE = np.uint64(0x1FFFFFFF), np.uint64(0x10000000)


def _fma32(a, b, c, sums: list | None = None) -> np.ndarray:
    """float32 ``a * b + c`` rounded once, as the FMA instructions torch's AVX2 kernels use.

    With a ``sums`` list, the float64 sum is appended to it and the double-rounding check left
    to the caller (:func:`_any_tie` over all of them, then an exact rerun if needed).
    """
    s = np.multiply(a, b, dtype=np.float64)  # exact: 24 + 24 bits
    s += c
    if sums is not None:
        sums.append(s)
        return s.astype(np.float32)
    # NOTE: rounding the float64 sum to float32 rounds twice; that differs from one rounding
    # only when the sum lands exactly on a float32 tie and was itself inexact (then nudge it
    # toward the exact value, i.e. round to odd). Ties are rare, so check them first.
    tie = np.bitwise_and(s.view(np.uint64), _TIE_MASK) == _TIE
    if np.count_nonzero(tie):
        p = np.multiply(a, b, dtype=np.float64)
        bb = s - p
        err = (p - (s - bb)) + (c - bb)
        fix = tie & (err != 0)
        s = np.where(fix, np.nextafter(s, np.copysign(np.inf, err)), s)
    return s.astype(np.float32)


def _any_tie(sums: list) -> bool:
    """Whether any float64 sum of deferred :func:`_fma32` calls lies on a float32 tie."""
    flat = np.concatenate(sums, axis=None).view(np.uint64)
    return bool(np.count_nonzero(np.bitwise_and(flat, _TIE_MASK) == _TIE))


def _fma64(a, b, c) -> np.ndarray:
    """float64 ``a * b + c`` with one rounding (double-double error-free transforms)."""
    a, b, c = np.asarray(a, np.float64), np.asarray(b, np.float64), np.asarray(c, np.float64)
    p = a * b
    # NOTE: Veltkamp splitting gives the product's exact low part e (p + e == a * b) without a
    # hardware FMA; TwoSum gives the sum's (s + es == p + c). Only the final add rounds.
    ta, tb = 134217729.0 * a, 134217729.0 * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    es = (p - (s - bb)) + (c - bb)
    return s + (es + e)


def _affine(x: np.ndarray, scale: float, shift: float) -> np.ndarray:
    """torch's ``x * scale + shift`` (one FMA) in x's float dtype."""
    if scale == 1 and shift == 0:
        return x
    if x.dtype == _F64:
        return _fma64(x, scale, shift)
    return _fma32(x, np.float32(scale), np.float32(shift))


# -- torch's uniform draws ------------------------------------------------------------------------
def _uniform01(g: Generator, n: int, np_dtype) -> np.ndarray:
    """``uniform_real_distribution<T>(0, 1)``: float64 for doubles, else float32 (acc type)."""
    if np_dtype == _F64:
        return (g.words64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
    # NOTE: float16 draws 24 bits too (torch computes it in float and rounds the result).
    return (g.words(n) & np.uint64(2**24 - 1)).astype(np.float32) * np.float32(2.0**-24)


def _uniform_values(g: Generator, n: int, np_dtype, low: float, high: float) -> np.ndarray:
    x = _uniform01(g, n, np_dtype)
    if np_dtype == _F64:
        return _affine(x, high - low, low)
    lo, hi = np.array([low, high]).astype(np_dtype)  # from/to are cast to scalar_t first
    return _affine(x, np.float32(hi - lo), np.float32(lo)).astype(np_dtype)


# -- normal: float32 AVX2 path (avx_mathfun.h's Cephes log256_ps/sincos256_ps with FMAs) ----------
_LOG_P = (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
          1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1, -2.4999993993e-1,
          3.3333331174e-1)  # fmt: skip
_F = np.float32


def _log256(x: np.ndarray, sums: list | None = None) -> np.ndarray:
    """avx_mathfun's ``log256_ps`` for x in (0, 1], bit for bit (``sums``: see _fma32)."""
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7E).astype(np.float32)
    x = ((bits & ~0x7F800000) | 0x3F000000).view(np.float32)  # mantissa in [0.5, 1)
    small = x < _F(0.707106781186547524)
    e = e - small.astype(np.float32)
    x = (x - _F(1)) + np.where(small, x, _F(0))
    z = x * x
    y = _F(_LOG_P[0])
    for p in _LOG_P[1:]:
        y = _fma32(y, x, _F(p), sums)
    y = _fma32(y * x, z, e * _F(-2.12194440e-4), sums)
    # NOTE: the last two FMAs have exact products (a power of two; a 7-bit integer times a
    # 9-bit constant), so a float32 multiply and add round the same.
    y = z * _F(-0.5) + y
    return e * _F(0.693359375) + (x + y)


def _sincos256(x: np.ndarray, sums: list | None = None) -> tuple[np.ndarray, np.ndarray]:
    """avx_mathfun's ``sincos256_ps`` for 0 <= x < 2 pi, bit for bit (``sums``: see _fma32)."""
    j = (x * _F(1.27323954473516)).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(np.float32)
    # NOTE: y <= 8 (4 bits) and the first two Cody-Waite constants have 8 and 11 bits: their
    # FMAs have exact products, so a float32 multiply and add round the same.
    x = y * _F(-0.78515625) + x
    x = y * _F(-2.4187564849853515625e-4) + x
    x = _fma32(y, _F(-3.77489497744594108e-8), x, sums)
    sign_sin = (j & 4) << 29
    sign_cos = (~(j - 2) & 4) << 29
    poly_sin = (j & 2) == 0
    z = x * x
    yc = _fma32(_F(2.443315711809948e-5), z, _F(-1.388731625493765e-3), sums)
    yc = _fma32(yc, z, _F(4.166664568298827e-2), sums)
    yc = _fma32(yc * z, z, -(z * _F(0.5)), sums) + _F(1)
    ys = _fma32(_F(-1.9515295891e-4), z, _F(8.3321608736e-3), sums)
    ys = _fma32(ys, z, _F(-1.6666654611e-1), sums)
    ys = _fma32(ys * z, x, x, sums)
    s = np.where(poly_sin, ys, yc)
    c = np.where(poly_sin, yc, ys)
    return (s.view(np.int32) ^ sign_sin).view(np.float32), (c.view(np.int32) ^ sign_cos).view(
        np.float32
    )


def _box_muller_16(u: np.ndarray) -> None:
    """``normal_fill_16`` in place on rows of 16 uniforms: pairs (j, j + 8) become
    (r cos, r sin)."""
    u1, u2 = 1 - u[:, :8], u[:, 8:]
    if u.dtype == _F32:
        theta = _F(2.0 * math.pi) * u2
        sums: list = []  # NOTE: one tie check for all FMAs; ties (~2**-29 each) force a rerun
        log, (sin, cos) = _log256(u1, sums), _sincos256(theta, sums)
        if _any_tie(sums):
            log, (sin, cos) = _log256(u1), _sincos256(theta)
        radius = np.sqrt(_F(-2) * log)
    else:
        radius = np.sqrt(-2 * np.log(u1))
        theta = (2.0 * math.pi) * u2.astype(np.float64)
        sin, cos = np.sin(theta).astype(u.dtype), np.cos(theta).astype(u.dtype)
    np.multiply(radius, cos, out=u[:, :8])
    np.multiply(radius, sin, out=u[:, 8:])


# NOTE: Box-Muller runs over blocks of this many values: their temporaries stay in the cache
# and in the allocator's pools (large NumPy temporaries are fresh, page-faulting mappings).
_NORMAL_CHUNK = 1 << 15


def _normal_fill(g: Generator, n: int, np_dtype, mean: float, std: float) -> np.ndarray:
    work = _F64 if np_dtype == _F64 else _F32
    data = _uniform01(g, n, work)
    body = n - n % 16
    if body != n:  # torch redraws the last 16 values: transform them with the rest
        data = np.concatenate([data[:body], _uniform01(g, 16, work)])
    for start in range(0, len(data), _NORMAL_CHUNK):
        _box_muller_16(data[start : start + _NORMAL_CHUNK].reshape(-1, 16))
    if body != n:
        data = np.concatenate([data[: n - 16], data[body:]])
    return _affine(data, std, mean).astype(np_dtype, copy=False)


def _standard_normal_scalar(g: Generator, n: int) -> np.ndarray:
    """n values of ``normal_distribution<double>``: Box-Muller pairs, the spare cached in g."""
    out = np.empty(n)
    start = 0
    if n and g.next_normal is not None:
        out[0], g.next_normal, start = g.next_normal, None, 1
    m = n - start
    pairs = (m + 1) // 2
    u = _uniform01(g, 2 * pairs, _F64)
    radius = np.sqrt(-2.0 * np.log1p(-u[1::2]))
    theta = (2.0 * math.pi) * u[0::2]
    vals = np.empty(2 * pairs)
    vals[0::2], vals[1::2] = radius * np.cos(theta), radius * np.sin(theta)
    out[start:] = vals[:m]
    if m % 2:
        g.next_normal = float(vals[-1])
    return out


def _normal_values(g, n, np_dtype, mean, std, contiguous: bool = True) -> np.ndarray:
    if contiguous and n >= 16:
        return _normal_fill(g, n, np_dtype, mean, std)
    return _affine(_standard_normal_scalar(g, n), std, mean).astype(np_dtype)


# -- integers -------------------------------------------------------------------------------------
def _from_to_values(g: Generator, n: int, np_dtype, span: int, low: int) -> np.ndarray:
    """``uniform_int_from_to_distribution``: ``(val % span) + low`` wrapped to int64, cast."""
    # NOTE: torch takes a 64-bit draw for spans >= 2**28 (to keep the modulo's skew small).
    v = g.words64(n) if span >= 2**28 else g.words(n)
    return ((v % np.uint64(span)) + np.uint64(low % 2**64)).view(np.int64).astype(np_dtype)


def _full_range_mod(np_dtype) -> tuple[int, bool]:
    """``uniform_int_distribution<T>``'s modulus and whether it draws 64 bits (random_())."""
    if np_dtype.kind == "f":
        return 2 ** _DIGITS[np_dtype] + 1, np_dtype == _F64
    if np_dtype.kind == "b":
        return 2, False
    return int(np.iinfo(np_dtype).max) + 1, np_dtype.itemsize == 8


def _float_bounds(low: int, high: int | None, np_dtype) -> tuple[int, int | None]:
    """torch's update_from/update_to: move integer bounds onto values the float type holds."""
    digits = _DIGITS[np_dtype]

    def shift(v: int) -> int:
        n = max(abs(v).bit_length() - 1, 0)
        return 1 << (n - digits + 1) if n >= digits else 0

    cast = np.array([low + 1, (high or 1) - 1], np.float64).astype(np_dtype).astype(np.float64)
    if int(cast[0]) < low:
        low = int(cast[0]) + shift(low + 1)
    if high is not None and int(cast[1]) >= high:
        high = int(cast[1]) - shift(high - 1)
    return low, high


def _check_range(low: int, to_inc: int, np_dtype) -> None:
    name = _C_NAMES.get(np_dtype.name, np_dtype.name)
    if np_dtype.kind == "f":
        fmax = float(np.finfo(np_dtype).max)
        lo, hi = -fmax, fmax
    elif np_dtype.kind == "b":
        lo, hi = 0, 1
    else:
        lo, hi = int(np.iinfo(np_dtype).min), int(np.iinfo(np_dtype).max)
    for value, what in ((low, "from"), (to_inc, "to - 1")):
        if not lo <= value <= hi:
            raise RuntimeError(f"{what} is out of bounds for {name}")


def _random_values(g: Generator, n: int, np_dtype, low, high) -> np.ndarray:
    """What ``random_(low, high)`` draws (``low=None``: ``random_()``'s full range)."""
    if low is None:
        mod, wide = _full_range_mod(np_dtype)
        v = g.words64(n) if wide else g.words(n)
        return (v % np.uint64(mod)).astype(np_dtype)
    if high is not None:
        if low >= high:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        if np_dtype.kind == "f":
            low, high = _float_bounds(low, high, np_dtype)
        _check_range(low, high - 1, np_dtype)
        return _from_to_values(g, n, np_dtype, high - low, low)
    if low == -(2**63):  # [int64 min, int64 max]: the whole 64-bit draw
        return g.words64(n).view(np.int64).astype(np_dtype)
    if np_dtype.kind == "f":
        to_inc = min(2 ** _DIGITS[np_dtype], 2**63 - 1)
        low, _ = _float_bounds(low, None, np_dtype)
    else:
        to_inc = 1 if np_dtype.kind == "b" else int(np.iinfo(np_dtype).max)
    _check_range(low, to_inc, np_dtype)
    return _from_to_values(g, n, np_dtype, to_inc - low + 1, low)


# -- autograd: sampled values have zero gradient, under torch's node names ------------------------
class _ZeroGrad:
    """Forward returns the sampled ``values``; every input gets a zero gradient (as in torch)."""

    @staticmethod
    def forward(ctx, *inputs, values):
        return values

    @staticmethod
    def backward(ctx, grad):
        return tuple(zeros_like(grad) if need else None for need in ctx.needs_input_grad)


_NODE_NAMES = {
    "Uniform": "UniformBackward0",
    "Normal": "NormalBackward0",
    "NormalTensorFloat": "NormalBackward1",
    "NormalFloatTensor": "NormalBackward2",
    "NormalTensorTensor": "NormalBackward3",
    "Bernoulli": "BernoulliBackward0",
    "BernoulliTensor": "BernoulliBackward1",
    "BernoulliScalar": "BernoulliBackward2",
    "RandomFromTo": "RandomBackward0",
    "RandomTo": "RandomBackward1",
    "Random": "RandomBackward2",
    "Exponential": "ExponentialBackward0",
    "Geometric": "GeometricBackward0",
    "LogNormal": "LogNormalBackward0",
    "Cauchy": "CauchyBackward0",
}
_NODES = {
    name: type(name, (_ZeroGrad, Function), {"node_name": node, "__module__": __name__})
    for name, node in _NODE_NAMES.items()
}


def _in_iteration_order(flat: np.ndarray, like) -> np.ndarray:
    """Values drawn in torch's TensorIterator order (memory order) laid out in ``like``'s shape."""
    if like.flags.c_contiguous:
        return flat.reshape(like.shape)
    perm = sorted(range(like.ndim), key=lambda d: -abs(like.strides[d]))
    out = np.empty(like.shape, flat.dtype)
    np.transpose(out, perm)[...] = flat.reshape([like.shape[d] for d in perm])
    return out


def _sampled(self: Tensor, values: np.ndarray, node: str) -> Tensor:
    return _NODES[node].apply(self, values=values)


_sample_into = make_inplace(_sampled)


def _fill(self: Tensor, node: str, draw, *, generator, cuda=None) -> Tensor:
    """Overwrite ``self`` with ``draw(gen, n, np_dtype, contiguous)`` in torch's order."""
    arr = self._array
    if arr.dtype.kind == "c":
        # NOTE: torch samples a complex tensor through its real view (view_as_real): real and
        # imaginary parts interleaved, in that view's iteration order.
        real = arr[..., None].view(arr.real.dtype)
        values = _draw(real, draw, generator, cuda).view(arr.dtype)[..., 0]
    else:
        values = _draw(arr, draw, generator, cuda)
    return _sample_into(self, values, node)


def _draw(arr, draw, generator, cuda) -> np.ndarray:
    if type(arr) is not np.ndarray:
        return cuda(_gen(generator).cupy_state(), arr.shape, arr.dtype)
    flat = draw(_gen(generator), arr.size, arr.dtype, arr.flags.c_contiguous)
    return _in_iteration_order(flat, arr)


# -- in-place samplers (Tensor methods) -----------------------------------------------------------
def uniform_(self: Tensor, from_: float = 0, to: float = 1, *, generator=None, **kw) -> Tensor:
    """Fill with uniform values in ``[from, to)`` (torch's numbers under the same seed).

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(3).uniform_(-1, 1)
        tensor([-0.0075,  0.5364, -0.8230])
    """
    from_ = kw.pop("from", from_)
    _require_float_or_complex(self._array.dtype, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={_num(from_)} > "
            f"to={_num(to)}"
        )
    return _fill(
        self,
        "Uniform",
        lambda g, n, d, c: _uniform_values(g, n, d, from_, to),
        generator=generator,
        cuda=lambda rs, shape, d: rs.uniform(from_, to, shape).astype(d),
    )


def _num(x) -> str:
    """A number as torch's C++ prints it (``1``, not ``1.0``)."""
    return f"{x:g}" if isinstance(x, float) else str(x)


def normal_(self: Tensor, mean: float = 0, std: float = 1, *, generator=None) -> Tensor:
    """Fill with normal values (torch's Box-Muller, bit for bit).

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(2).normal_(10, 2)
        tensor([13.0820,  9.4131])
    """
    _require_float_or_complex(self._array.dtype, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    if self._array.dtype.kind == "c":  # real and imaginary parts each have half the variance
        std = std / math.sqrt(2)
    return _fill(
        self,
        "Normal",
        lambda g, n, d, c: _normal_values(g, n, d, mean, std, c),
        generator=generator,
        cuda=lambda rs, shape, d: rs.normal(mean, std, shape).astype(d),
    )


_UNSET = object()


def random_(self: Tensor, from_=_UNSET, to=_UNSET, *, generator=None, **kw) -> Tensor:
    """Fill with integers: ``random_()`` over the dtype's range, ``random_(to)`` in ``[0, to)``,
    ``random_(from, to)`` in ``[from, to)`` (``to=None``: up to the dtype's maximum).

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(4, dtype=jtorch.long).random_(10)
        tensor([4, 9, 3, 0])
    """
    if "from" in kw:
        from_, to = kw.pop("from"), None if to is _UNSET else to
    if from_ is _UNSET:
        from_, to, node = None, None, "Random"
    elif to is _UNSET:
        from_, to, node = 0, from_, "RandomTo"
    else:
        node = "RandomFromTo"
    low, high = (None if from_ is None else int(from_)), (None if to is None else int(to))
    return _fill(
        self,
        node,
        lambda g, n, d, c: _random_values(g, n, d, low, high),
        generator=generator,
        cuda=lambda rs, shape, d: rs.randint(low or 0, high or 2**31, shape).astype(d),
    )


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 draws, 1 with probability ``p`` (a number or a tensor of probabilities).

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(5).bernoulli_(0.5)
        tensor([0., 0., 1., 0., 0.])
    """
    if isinstance(p, Tensor):
        probs = p._array
        _require_float(probs.dtype, "bernoulli_tensor_cpu_p_")
        probs = np.broadcast_to(backend.to_numpy(probs), self.shape)

        def draw(g, n, d, c):
            u = _uniform01(g, n, _F64 if probs.dtype == _F64 else _F32)
            return (u < _in_order_flat(probs, self._array)).astype(d)

        return _fill(
            self,
            "BernoulliTensor",
            draw,
            generator=generator,
            cuda=lambda rs, shape, d: (rs.random_sample(shape) < p._array).astype(d),
        )
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    return _fill(
        self,
        "BernoulliScalar",
        lambda g, n, d, c: (_uniform01(g, n, _F64) < p).astype(d),
        generator=generator,
        cuda=lambda rs, shape, d: (rs.random_sample(shape) < p).astype(d),
    )


def _in_order_flat(values: np.ndarray, like: np.ndarray) -> np.ndarray:
    """``values`` (shaped like ``like``) read in ``like``'s TensorIterator order."""
    if like.flags.c_contiguous:
        return values.reshape(-1)
    perm = sorted(range(like.ndim), key=lambda d: -abs(like.strides[d]))
    return np.transpose(values, perm).reshape(-1)


def _continuous(self: Tensor, kind: str) -> None:
    if self._array.dtype.kind != "f":
        raise RuntimeError(
            f"{kind} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {_type_name(self._array.dtype)}"
        )


def _host_draw(transform):
    """A CUDA sampler that runs the CPU transform on the host (the CuPy generator seeds it)."""

    def cuda(rs, shape, d):
        g = Generator().manual_seed(int(rs.randint(0, 2**31)))
        return backend.move(transform(g, math.prod(shape), d, True).reshape(shape), _CUDA)

    return cuda


_CUDA = backend.device("cuda")


def exponential_(self: Tensor, lambd: float = 1, *, generator=None) -> Tensor:
    """Fill with exponential values of rate ``lambd``: ``-log1p(-u) / lambd``.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(3).exponential_()
        tensor([3.5083, 1.2304, 0.6150])
    """
    _continuous(self, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")

    def draw(g, n, d, c):
        return ((-1.0 / lambd) * np.log1p(-_uniform01(g, n, _F64))).astype(d)

    return _fill(self, "Exponential", draw, generator=generator, cuda=_host_draw(draw))


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with geometric draws (trials to the first success): ``ceil(log(u) / log1p(-p))``.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(3).geometric_(0.5)
        tensor([1., 1., 2.])
    """
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")

    def draw(g, n, d, c):
        return np.ceil(np.log(_uniform01(g, n, _F64)) / math.log1p(-p)).astype(d)

    return _fill(self, "Geometric", draw, generator=generator, cuda=_host_draw(draw))


def log_normal_(self: Tensor, mean: float = 1, std: float = 2, *, generator=None) -> Tensor:
    """Fill with ``exp(N(mean, std))`` values (torch's scalar Box-Muller, cache included).

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(2).log_normal_(0, 1)
        tensor([4.6692, 0.7457])
    """
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")

    def draw(g, n, d, c):
        return np.exp(_affine(_standard_normal_scalar(g, n), std, mean)).astype(d)

    return _fill(self, "LogNormal", draw, generator=generator, cuda=_host_draw(draw))


def cauchy_(self: Tensor, median: float = 0, sigma: float = 1, *, generator=None) -> Tensor:
    """Fill with Cauchy values: ``median + sigma * tan(pi * (u - 0.5))``.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.empty(2).cauchy_()
        tensor([10.5977,  0.7648])
    """
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")

    def draw(g, n, d, c):
        t = np.tan(math.pi * (_uniform01(g, n, _F64) - 0.5))
        return _fma64(sigma, t, median).astype(d)

    return _fill(self, "Cauchy", draw, generator=generator, cuda=_host_draw(draw))


# -- factories ------------------------------------------------------------------------------------
def _size(name: str, shape: tuple, size) -> tuple:
    if size is not None:
        shape = (size,)
    if not shape:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (), but expected one "
            "of:\n * (tuple of ints size, *, torch.Generator generator, ...)"
        )
    return parse_size(shape)


def _new(shape, dtype, device, out) -> Tensor:
    """An empty tensor to sample into: ``out`` (resized) or a fresh one."""
    if out is not None:
        if tuple(out.shape) != tuple(shape):
            out._array = out._xp().empty(shape, out._array.dtype)
        return out
    d = dtypes.to_np(dtype or dtypes.get_default_dtype())
    return Tensor._make(backend.xp_for(backend.as_device(device)).empty(shape, d))


def _done(t: Tensor, requires_grad: bool) -> Tensor:
    return t.requires_grad_(True) if requires_grad else t


def rand(
    *shape,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Uniform values in ``[0, 1)``, the numbers torch gives under the same seed.

    Example:
        >>> _ = jtorch.manual_seed(42); jtorch.rand(2, 2)
        tensor([[0.8823, 0.9150],
                [0.3829, 0.9593]])
    """
    t = _new(_size("rand", shape, size), dtype, device, out)
    return _done(uniform_(t, 0, 1, generator=generator), requires_grad)


def randn(
    *shape,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Standard normal values, the numbers torch gives under the same seed.

    Example:
        >>> _ = jtorch.manual_seed(42); jtorch.randn(3)
        tensor([0.3367, 0.1288, 0.2345])
    """
    t = _new(_size("randn", shape, size), dtype, device, out)
    return _done(normal_(t, 0, 1, generator=generator), requires_grad)


def randint(
    *args,
    size=None,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    low=None,
    high=None,
) -> Tensor:
    """Integers in ``[low, high)`` of shape ``size``: ``randint(high, size)`` or
    ``randint(low, high, size)``; int64 unless ``dtype``.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.randint(3, 10, (2, 3))
        tensor([[7, 6, 3],
                [5, 4, 5]])
    """
    args = list(args)
    if size is None and args:
        size = args.pop()
    if high is None:
        high = args.pop() if args else None
    if low is None:
        low = args.pop() if args else 0
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: 'high' and 'size'")
    if not isinstance(size, (tuple, list)) and not hasattr(size, "__len__"):
        raise TypeError(
            f"randint(): argument 'size' (position 2) must be tuple of ints, not "
            f"{type(size).__name__}"
        )
    t = _new(parse_size((size,)), dtype or dtypes.int64, device, out)
    return _done(random_(t, int(low), int(high), generator=generator), requires_grad)


def randperm(
    n: int,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """A random permutation of ``0 .. n-1`` (torch's Fisher-Yates, so torch's permutation).

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.randperm(6)
        tensor([2, 5, 3, 0, 1, 4])
    """
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    d = dtypes.to_np(dtype or dtypes.int64)
    if d.kind == "b":
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    dev = backend.as_device(device if out is None else out.device)
    if dev.type == "cuda":
        perm = _gen(generator).cupy_state().permutation(n).astype(d)
    else:
        perm = np.asarray(_fisher_yates(_gen(generator), n), dtype=d)
    t = Tensor._make(perm)
    if out is not None:
        if tuple(out.shape) != (n,):
            out._array = out._xp().empty((n,), out._array.dtype)
        write_into(out, t)
        t = out
    return _done(t, requires_grad)


def _fisher_yates(g: Generator, n: int) -> list:
    # NOTE: torch's CPU randperm (n < 2**32 / 20) swaps r[i] with r[i + random() % (n - i)];
    # the draws come in bulk, the swaps are inherently sequential.
    r = list(range(n))
    if n < 2:
        return r
    steps = (g.words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
    for i, z in enumerate(steps):
        j = i + z
        r[i], r[j] = r[j], r[i]
    return r


def rand_like(
    input: Tensor,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """``rand`` with ``input``'s shape, dtype and device: ``empty_like(input).uniform_()``, so
    the layout and the order values are drawn in are torch's."""
    made = empty_like(input, dtype=dtype, device=device, memory_format=memory_format)
    return uniform_(made, generator=generator).requires_grad_(requires_grad)


def randn_like(
    input: Tensor,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """``randn`` with ``input``'s shape, dtype and device: ``empty_like(input).normal_()``.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.randn_like(jtorch.zeros(3, 2).t())
        tensor([[ 1.5410, -2.1788, -1.0845],
                [-0.2934,  0.5684, -1.3986]])
    """
    made = empty_like(input, dtype=dtype, device=device, memory_format=memory_format)
    return normal_(made, generator=generator).requires_grad_(requires_grad)


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """``randint`` with ``input``'s shape, dtype and device: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.randint_like(jtorch.zeros(3), 10)
        tensor([4., 9., 3.])
    """
    if high is None:
        low, high = 0, low
    made = empty_like(input, dtype=dtype, device=device, memory_format=memory_format)
    return random_(made, low, high, generator=generator).requires_grad_(requires_grad)


_NORMAL_OVERLOADS = (
    "normal() received an invalid combination of arguments - got ({}), but expected one of:\n"
    " * (Tensor mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (Tensor mean, float std = 1, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, Tensor std, *, torch.Generator generator = None, Tensor out = None)\n"
    " * (float mean, float std, tuple of ints size, *, torch.Generator generator = None, "
    "Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, torch.device "
    "device = None, bool pin_memory = False, bool requires_grad = False)\n"
)


def normal(
    mean,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
) -> Tensor:
    """Normal samples: elementwise ``N(mean, std)`` for tensor means/stds (broadcast), or of
    shape ``size`` for two numbers.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.normal(jtorch.tensor([0.0, 10.0]), 1.0)
        tensor([1.5410, 9.7066])
        >>> jtorch.normal(2.0, 3.0, (2,))
        tensor([-4.5364,  3.7053])
    """
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_t or std_t):
        if size is None:
            got = ", ".join(type(a).__name__ for a in (mean, std))
            raise TypeError(_NORMAL_OVERLOADS.format(got))
        t = _new(parse_size((size,)), dtype, device, out)
        return _done(normal_(t, mean, std, generator=generator), requires_grad)
    if std_t and (backend.to_numpy(std._array) < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_t and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")
    ref = mean if mean_t else std
    shape = np.broadcast_shapes(mean.shape, std.shape) if mean_t and std_t else ref.shape
    z = normal_(
        _new(shape, ref.dtype, ref.device, None), 0, 1 if std_t else std, generator=generator
    )
    # NOTE: torch draws N(0, 1) (N(0, std) for a number std), then mul_(std) and add_(mean) as
    # separate roundings.
    values = z._array * std._array if std_t else z._array
    values = values + (mean._array if mean_t else mean)
    if mean_t and std_t:
        node = "NormalTensorTensor"
    else:
        node = "NormalTensorFloat" if mean_t else "NormalFloatTensor"
    result = _NODES[node].apply(mean, std, values=values.astype(z._array.dtype, copy=False))
    if out is not None:
        if tuple(out.shape) != tuple(shape):
            out._array = out._xp().empty(shape, out._array.dtype)
        write_into(out, result)
        return out
    return result


def bernoulli(input: Tensor, p: float | None = None, *, generator=None, out=None) -> Tensor:
    """0/1 draws with probabilities ``input`` (or the number ``p``), in ``input``'s dtype.

    Example:
        >>> _ = jtorch.manual_seed(0); jtorch.bernoulli(jtorch.tensor([0.1, 0.9, 0.5]))
        tensor([0., 1., 1.])
    """
    if p is not None:
        return bernoulli_(zeros_like(input), p, generator=generator)
    probs = input._array
    _require_float(probs.dtype, "bernoulli_tensor_cpu_p_")
    host = backend.to_numpy(probs)
    if not ((host >= 0) & (host <= 1)).all():
        raise RuntimeError(
            "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
            "message be improved?  If so, please report an enhancement request to PyTorch.)"
        )
    if type(probs) is not np.ndarray:
        rs = _gen(generator).cupy_state()
        values = (rs.random_sample(probs.shape) < probs).astype(probs.dtype)
    else:
        u = _uniform01(_gen(generator), probs.size, _F64 if probs.dtype == _F64 else _F32)
        values = (u.reshape(probs.shape) < probs).astype(probs.dtype)
    result = _NODES["Bernoulli"].apply(input, values=values)
    if out is not None:
        write_into(out, result)
        return out
    return result


def _check_multinomial(probs: np.ndarray, num_samples: int, replacement: bool, dtype) -> None:
    if probs.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if probs.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {_type_name(dtype)}"
        )
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > probs.shape[-1]:
        raise RuntimeError(
            "cannot sample n_sample > prob_dist.size(-1) samples without replacement"
        )
    if probs.shape[-1] > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")


@with_out
def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator=None
) -> Tensor:
    """Category indices drawn from the rows of ``input`` (unnormalised probabilities).

    Without replacement (or for one sample) torch takes ``topk(p / Exp(1))``; with replacement
    it inverts each row's normalised cumulative sum at ``uniform<double>`` draws.

    Example:
        >>> _ = jtorch.manual_seed(0)
        >>> jtorch.multinomial(jtorch.tensor([0.1, 0.6, 0.3]), 4, replacement=True)
        tensor([2, 2, 1, 2])
    """
    probs = backend.to_numpy(input._array)
    _check_multinomial(probs, num_samples, replacement, probs.dtype)
    g = _gen(generator)
    rows = probs.reshape(-1, probs.shape[-1])
    if not replacement or num_samples == 1:
        if not (np.isfinite(probs) & (probs >= 0)).all():
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = ((-1.0) * np.log1p(-_uniform01(g, probs.size, _F64))).astype(probs.dtype)
        keys = rows / q.reshape(rows.shape)
        # NOTE: descending order, first index first among ties (torch's argmax / topk).
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        acc = _F64 if probs.dtype == _F64 else _F32
        bad = ~(rows >= 0) | ~np.isfinite(rows)
        if bad.any():
            v = rows.ravel()[np.argmax(bad.ravel())]
            what = "probability entry < 0" if not v >= 0 else "probability entry = infinity or NaN"
            raise RuntimeError(f"invalid multinomial distribution (encountering {what})")
        # NOTE: torch accumulates each row sequentially in the input's float type (add.accumulate
        # does the same), normalises by the total and pins the last bucket to 1.
        cum = np.add.accumulate(rows.astype(acc), axis=1)
        total = cum[:, -1:]
        if (total <= 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cum /= total
        cum[:, -1] = 1
        u = _uniform01(g, rows.shape[0] * num_samples, _F64).reshape(rows.shape[0], -1)
        idx = np.stack([np.searchsorted(c, r, side="left") for c, r in zip(cum, u)])
    idx = idx.astype(np.int64).reshape(probs.shape[:-1] + (num_samples,))
    return Tensor._make(backend.move(idx, input.device))
