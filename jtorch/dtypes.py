"""dtype objects, the default dtype, and torch's type-promotion rules.

Example:
    >>> import jtorch
    >>> jtorch.promote_types(jtorch.uint8, jtorch.int8)
    torch.int16
    >>> jtorch.result_type(jtorch.tensor([1, 2], dtype=jtorch.int32), 2.5)
    torch.float32
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "dtype",
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex32",
    "complex64",
    "complex128",
    "half",
    "float",
    "double",
    "short",
    "int",
    "long",
    "cfloat",
    "cdouble",
    "chalf",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "can_cast",
    "finfo",
    "iinfo",
]

_builtin_bool, _builtin_int, _builtin_float = bool, int, float

# Categories order the kinds of numbers: a higher category always wins in promotion.
BOOL, INT, FLOAT, COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type; prints as torch does (``torch.float32``).

    Example:
        >>> jtorch.float32.is_floating_point, jtorch.float32.itemsize
        (True, 4)
    """

    __slots__ = ("name", "np", "category", "itemsize", "is_signed", "_legacy")

    def __init__(self, name: str, np_dtype, category: int, itemsize: int, legacy: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype) if np_dtype is not None else None
        self.category = category
        self.itemsize = itemsize
        self.is_signed = name not in ("bool", "uint8")
        self._legacy = legacy

    @property
    def scalar_name(self) -> str:
        """torch's ScalarType name, as its messages spell it (``Float``, ``Long``, ``Bool``)."""
        return self._legacy.removesuffix("Tensor")

    @property
    def is_floating_point(self) -> _builtin_bool:
        return self.category == FLOAT

    @property
    def is_complex(self) -> _builtin_bool:
        return self.category == COMPLEX

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64, complex32: float16}.get(self, self)

    def to_complex(self) -> dtype:
        return {float32: complex64, float64: complex128, float16: complex32}.get(self, self)

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name  # pickles as the module attribute, like torch's dtypes


bool = dtype("bool", np.bool_, BOOL, 1, "BoolTensor")  # noqa: A001
uint8 = dtype("uint8", np.uint8, INT, 1, "ByteTensor")
int8 = dtype("int8", np.int8, INT, 1, "CharTensor")
int16 = dtype("int16", np.int16, INT, 2, "ShortTensor")
int32 = dtype("int32", np.int32, INT, 4, "IntTensor")
int64 = dtype("int64", np.int64, INT, 8, "LongTensor")
float16 = dtype("float16", np.float16, FLOAT, 2, "HalfTensor")
# NOTE: NumPy has no bfloat16 or complex32; the objects exist so code naming them imports,
# and creating a tensor of either raises a TypeError that says so (see to_np).
bfloat16 = dtype("bfloat16", None, FLOAT, 2, "BFloat16Tensor")
float32 = dtype("float32", np.float32, FLOAT, 4, "FloatTensor")
float64 = dtype("float64", np.float64, FLOAT, 8, "DoubleTensor")
complex32 = dtype("complex32", None, COMPLEX, 4, "ComplexHalfTensor")
complex64 = dtype("complex64", np.complex64, COMPLEX, 8, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, COMPLEX, 16, "ComplexDoubleTensor")

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
chalf, cfloat, cdouble = complex32, complex64, complex128

ALL = (bool, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64)
ALL += (complex32, complex64, complex128)
_FROM_NP = {d.np: d for d in ALL if d.np is not None}
_FROM_NP_TYPE = {d.np.type: d for d in ALL if d.np is not None}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(half=half, float=float32, double=float64, short=int16, int=int32, long=int64)
_BY_NAME.update(cfloat=complex64, cdouble=complex128, chalf=complex32)

_default = [float32]


def from_np(np_dtype) -> dtype:
    """The jtorch dtype of a NumPy dtype (TypeError for ones torch has no match for)."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        found = _FROM_NP_TYPE.get(getattr(np_dtype, "type", np_dtype))
        if found is None:
            raise TypeError(
                f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types "
                "are: float64, float32, float16, complex64, complex128, int64, int32, int16, "
                "int8, uint8, and bool."
            ) from None
        return found


def to_np(d: dtype):
    """The NumPy dtype that stores ``d``."""
    if d.np is None:
        raise TypeError(
            f"jtorch: {d} is not supported by the NumPy backend (NumPy has no such type); "
            "use torch.float16 or torch.float32 instead"
        )
    return d.np


def by_name(name: str) -> dtype:
    return _BY_NAME[name.replace("torch.", "")]


def get_default_dtype() -> dtype:
    """The dtype of new floating point tensors (float32 unless changed).

    Example:
        >>> jtorch.get_default_dtype()
        torch.float32
    """
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the dtype of new floating point tensors (float32 or float64, as torch allows).

    Example:
        >>> jtorch.set_default_dtype(jtorch.float64); jtorch.tensor(1.5).dtype
        torch.float64
        >>> jtorch.set_default_dtype(jtorch.float32)
    """
    if d not in (float32, float64, float16, bfloat16):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_complex() -> dtype:
    return complex128 if _default[0] is float64 else complex64


def promote_types(a: dtype, b: dtype) -> dtype:
    """The smallest dtype that both ``a`` and ``b`` convert to without losing their category.

    Example:
        >>> jtorch.promote_types(jtorch.int64, jtorch.float16)
        torch.float16
    """
    if a is b:
        return a
    if a.category != b.category:
        hi, lo = (a, b) if a.category > b.category else (b, a)
        if hi.category == COMPLEX and lo.category == FLOAT:
            return hi if hi.itemsize >= 2 * lo.itemsize else lo.to_complex()
        return hi
    if bfloat16 in (a, b):
        other = b if a is bfloat16 else a
        return float32 if other is float16 else (other if other.itemsize > 2 else bfloat16)
    if complex32 in (a, b):
        return b if a is complex32 else a
    return _FROM_NP[np.promote_types(a.np, b.np)]


def can_cast(from_: dtype, to: dtype) -> _builtin_bool:
    """Whether torch allows an in-place/out= cast from ``from_`` to ``to`` (no category drop).

    Example:
        >>> jtorch.can_cast(jtorch.double, jtorch.float), jtorch.can_cast(jtorch.float, jtorch.int)
        (True, False)
    """
    return from_.category <= to.category


def scalar_dtype(x) -> dtype:
    """The dtype torch gives a Python number when it is turned into a tensor."""
    if isinstance(x, _builtin_bool):
        return bool
    if isinstance(x, _builtin_int):
        return int64
    if isinstance(x, complex):
        return default_complex()
    return _default[0]


class _ResultState:
    """torch's ResultTypeState: dimensioned tensors > 0-dim tensors > Python scalars."""

    __slots__ = ("dim", "zero", "wrapped")

    def __init__(self) -> None:
        self.dim = self.zero = self.wrapped = None

    def update(self, x) -> None:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim == 0:
                self.zero = d if self.zero is None else promote_types(self.zero, d)
            else:
                self.dim = d if self.dim is None else promote_types(self.dim, d)
        else:
            d = scalar_dtype(x)
            self.wrapped = d if self.wrapped is None else promote_types(self.wrapped, d)


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    if higher is None:
        return lower
    if lower is None or higher.category > lower.category:
        return higher
    if higher.category == lower.category:
        return higher
    if lower.category == COMPLEX and higher.category == FLOAT:
        return higher.to_complex()
    return lower if higher.category != BOOL else promote_types(higher, lower)


def result_type(*operands) -> dtype:
    """The dtype torch computes for an op on ``operands`` (tensors and Python scalars).

    Example:
        >>> jtorch.result_type(jtorch.tensor([1], dtype=jtorch.uint8), jtorch.tensor(1))
        torch.uint8
    """
    state = _ResultState()
    for x in operands:
        state.update(x)
    return _combine(state.dim, _combine(state.zero, state.wrapped))


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo``.

    Example:
        >>> jtorch.finfo(jtorch.float32).eps
        1.1920928955078125e-07
    """

    def __init__(self, type: dtype | None = None) -> None:  # noqa: A002
        d = type or _default[0]
        if d.name == "bfloat16":  # NOTE: limits only: NumPy has no bfloat16 to compute with
            self.dtype, self.bits, self.eps, self.resolution = "bfloat16", 16, 2.0**-7, 0.01
            self.max = (2 - 2.0**-7) * 2.0**127
            self.min, self.tiny = -self.max, 2.0**-126
        else:
            info = np.finfo(to_np(d))
            self.dtype, self.bits = info.dtype.name, info.bits  # complex: its real part's
            self.eps, self.max, self.min, self.tiny = (
                _builtin_float(v) for v in (info.eps, info.max, info.min, info.tiny)
            )
            self.resolution = 10.0**-info.precision  # NOTE: NumPy's is rounded to the dtype
        self.smallest_normal = self.tiny

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )


class iinfo:
    """Machine limits of an integer dtype, as ``torch.iinfo``.

    Example:
        >>> jtorch.iinfo(jtorch.int8).max
        127
    """

    def __init__(self, type: dtype) -> None:  # noqa: A002
        info = np.iinfo(to_np(type))
        self.dtype, self.bits, self.max, self.min = (
            type.name,
            info.bits,
            _builtin_int(info.max),
            _builtin_int(info.min),
        )

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"
