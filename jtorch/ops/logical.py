"""Comparisons, logical and bitwise ops, and value tests (isnan, isclose, ...).

None of these is differentiable: each returns a bool tensor (bitwise ops keep the integer
dtype), so they call the array module directly and record no node. Comparisons promote their
operands first, so ``int_tensor < 2.5`` compares as floats, as torch does.

Example:
    >>> import jtorch
    >>> x = jtorch.tensor([1, 2, 3])
    >>> (x >= 2) & (x != 3), jtorch.isclose(jtorch.tensor([1.0]), jtorch.tensor([1.0 + 1e-9]))
    (tensor([False,  True, False]), tensor([True]))
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.ops._broadcast import broadcast_shapes, promote
from jtorch.ops._inplace import with_out
from jtorch.ops.elementwise import _not_implemented, _pair, _type_name

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal"]
__all__ += ["not_equal", "equal", "allclose", "isclose", "isnan", "isinf", "isfinite"]
__all__ += ["isposinf", "isneginf", "isreal", "signbit", "logical_and", "logical_or"]
__all__ += ["logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor"]
__all__ += ["bitwise_not", "bitwise_left_shift", "bitwise_right_shift"]


def _array(x):
    return x._array if isinstance(x, Tensor) else x


def _xp(a, b):
    return (a if isinstance(a, Tensor) else b)._xp()


def _compare(ufunc: str, input, other) -> Tensor:
    a, b = _pair(input, other)
    if ufunc not in ("equal", "not_equal"):
        t = a if isinstance(a, Tensor) else b
        if t._array.dtype.kind == "c":
            raise _not_implemented(f"{_TORCH_NAME[ufunc]}_cpu", t)
    return Tensor._make(getattr(_xp(a, b), ufunc)(_array(a), _array(b)))


_TORCH_NAME = {"less": "lt", "less_equal": "le", "greater": "gt", "greater_equal": "ge"}


@with_out
def eq(input: Tensor, other) -> Tensor:
    """``input == other`` element-wise (after promotion).

    Example:
        >>> jtorch.eq(jtorch.tensor([1, 2]), 2.0)
        tensor([False,  True])
    """
    return _compare("equal", input, other)


@with_out
def ne(input: Tensor, other) -> Tensor:
    """``input != other`` element-wise.

    Example:
        >>> jtorch.ne(jtorch.tensor([1, 2]), 2)
        tensor([ True, False])
    """
    return _compare("not_equal", input, other)


@with_out
def lt(input: Tensor, other) -> Tensor:
    """``input < other`` element-wise.

    Example:
        >>> jtorch.lt(jtorch.tensor([1, 2]), 1.5)
        tensor([ True, False])
    """
    return _compare("less", input, other)


@with_out
def le(input: Tensor, other) -> Tensor:
    """``input <= other`` element-wise.

    Example:
        >>> jtorch.le(jtorch.tensor([1, 2]), 1)
        tensor([ True, False])
    """
    return _compare("less_equal", input, other)


@with_out
def gt(input: Tensor, other) -> Tensor:
    """``input > other`` element-wise.

    Example:
        >>> jtorch.gt(jtorch.tensor([1, 2]), 1)
        tensor([False,  True])
    """
    return _compare("greater", input, other)


@with_out
def ge(input: Tensor, other) -> Tensor:
    """``input >= other`` element-wise.

    Example:
        >>> jtorch.ge(jtorch.tensor([1, 2]), 2)
        tensor([False,  True])
    """
    return _compare("greater_equal", input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _operator_eq(self: Tensor, other):
    """``==``: like ``eq``, but an operand that is no tensor or number compares unequal."""
    try:
        return eq.__wrapped__(self, other)
    except TypeError:
        return NotImplemented


def _operator_ne(self: Tensor, other):
    try:
        return ne.__wrapped__(self, other)
    except TypeError:
        return NotImplemented


def equal(input: Tensor, other: Tensor) -> bool:
    """True if both tensors have the same shape and equal elements.

    Example:
        >>> jtorch.equal(jtorch.tensor([1, 2]), jtorch.tensor([1.0, 2.0]))
        True
    """
    if input._array.shape != other._array.shape:
        return False
    a, b = promote(input, other)
    return bool((a._array == b._array).all())


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` element-wise (equal infinities are close).

    Example:
        >>> jtorch.isclose(jtorch.tensor([1.0, 2.0]), jtorch.tensor([1.0 + 1e-7, 2.1]))
        tensor([ True, False])
    """
    if input._array.dtype != other._array.dtype:
        raise RuntimeError(
            f"{_type_name(input._array.dtype)} did not match {_type_name(other._array.dtype)}"
        )
    broadcast_shapes(input._array.shape, other._array.shape)
    a, b = input._array, other._array
    if a.dtype.kind == "b":
        return Tensor._make(a == b)
    return Tensor._make(input._xp().isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """True if every element of ``input`` is close to ``other`` (see ``isclose``).

    Example:
        >>> jtorch.allclose(jtorch.tensor([1.0]), jtorch.tensor([1.0 + 1e-9]))
        True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._array.all())


def _test(input: Tensor, ufunc: str, default: bool) -> Tensor:
    """``ufunc(input)`` for floating/complex tensors; ``default`` everywhere for the others."""
    a, xp = input._array, input._xp()
    if a.dtype.kind in "fc":
        return Tensor._make(getattr(xp, ufunc)(a))
    return Tensor._make(xp.full(a.shape, default))


def isnan(input: Tensor) -> Tensor:
    """Which elements are NaN.

    Example:
        >>> jtorch.isnan(jtorch.tensor([1.0, float("nan")]))
        tensor([False,  True])
    """
    return _test(input, "isnan", False)


def isinf(input: Tensor) -> Tensor:
    """Which elements are +-infinity.

    Example:
        >>> jtorch.isinf(jtorch.tensor([1.0, -float("inf")]))
        tensor([False,  True])
    """
    return _test(input, "isinf", False)


def isfinite(input: Tensor) -> Tensor:
    """Which elements are neither infinite nor NaN.

    Example:
        >>> jtorch.isfinite(jtorch.tensor([1.0, float("inf")]))
        tensor([ True, False])
    """
    return _test(input, "isfinite", True)


def _real_only(op: str, input: Tensor) -> None:
    if input._array.dtype.kind == "c":
        raise RuntimeError(f"{op} does not support complex inputs.")


@with_out
def isposinf(input: Tensor) -> Tensor:
    """Which elements are +infinity.

    Example:
        >>> jtorch.isposinf(jtorch.tensor([float("inf"), -float("inf")]))
        tensor([ True, False])
    """
    _real_only("isposinf", input)
    a = input._array
    return Tensor._make(
        a == float("inf") if a.dtype.kind == "f" else input._xp().zeros(a.shape, bool)
    )


@with_out
def isneginf(input: Tensor) -> Tensor:
    """Which elements are -infinity.

    Example:
        >>> jtorch.isneginf(jtorch.tensor([float("inf"), -float("inf")]))
        tensor([False,  True])
    """
    _real_only("isneginf", input)
    a = input._array
    return Tensor._make(
        a == -float("inf") if a.dtype.kind == "f" else input._xp().zeros(a.shape, bool)
    )


def isreal(input: Tensor) -> Tensor:
    """Which elements have a zero imaginary part (all of a real tensor's).

    Example:
        >>> jtorch.isreal(jtorch.tensor([1 + 0j, 1j]))
        tensor([ True, False])
    """
    a = input._array
    if a.dtype.kind == "c":
        return Tensor._make(a.imag == 0)
    return Tensor._make(input._xp().ones(a.shape, bool))


@with_out
def signbit(input: Tensor) -> Tensor:
    """Which elements have their sign bit set (``-0.0`` included).

    Example:
        >>> jtorch.signbit(jtorch.tensor([-0.0, 0.0, -2.0]))
        tensor([ True, False,  True])
    """
    _real_only("signbit", input)
    a = input._array
    if a.dtype.kind == "f":
        return Tensor._make(input._xp().signbit(a))
    return Tensor._make(a < 0)


def _logical(ufunc: str, input: Tensor, other: Tensor) -> Tensor:
    if not isinstance(other, Tensor):
        raise TypeError(
            f"{ufunc}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}"
        )
    if input._xp() is not other._xp():
        promote(input, other)  # raises torch's device error
    return Tensor._make(getattr(input._xp(), ufunc)(input._array, other._array))


@with_out
def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise logical AND (nonzero is true).

    Example:
        >>> jtorch.logical_and(jtorch.tensor([1, 0, 2]), jtorch.tensor([True, True, False]))
        tensor([ True, False, False])
    """
    return _logical("logical_and", input, other)


@with_out
def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise logical OR.

    Example:
        >>> jtorch.logical_or(jtorch.tensor([1, 0]), jtorch.tensor([0, 0]))
        tensor([ True, False])
    """
    return _logical("logical_or", input, other)


@with_out
def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """Element-wise logical XOR.

    Example:
        >>> jtorch.logical_xor(jtorch.tensor([1, 0]), jtorch.tensor([1, 1]))
        tensor([False,  True])
    """
    return _logical("logical_xor", input, other)


@with_out
def logical_not(input: Tensor) -> Tensor:
    """Element-wise logical NOT.

    Example:
        >>> jtorch.logical_not(jtorch.tensor([0.0, 2.0]))
        tensor([ True, False])
    """
    return Tensor._make(input._xp().logical_not(input._array))


def _bitwise(ufunc: str, kernel: str, input, other, allow_bool: bool = True) -> Tensor:
    a, b = promote(input, other)
    t = a if isinstance(a, Tensor) else b
    kind = t._array.dtype.kind
    if kind not in "iu" and not (allow_bool and kind == "b"):
        raise _not_implemented(f"{kernel}_cpu", t)
    return Tensor._make(getattr(t._xp(), ufunc)(_array(a), _array(b)))


@with_out
def bitwise_and(input, other) -> Tensor:
    """Bitwise AND of integer or bool tensors (``&``).

    Example:
        >>> jtorch.bitwise_and(jtorch.tensor([12, 10]), 6)
        tensor([4, 2])
    """
    return _bitwise("bitwise_and", "bitwise_and", input, other)


@with_out
def bitwise_or(input, other) -> Tensor:
    """Bitwise OR of integer or bool tensors (``|``).

    Example:
        >>> jtorch.bitwise_or(jtorch.tensor([12, 10]), 6)
        tensor([14, 14])
    """
    return _bitwise("bitwise_or", "bitwise_or", input, other)


@with_out
def bitwise_xor(input, other) -> Tensor:
    """Bitwise XOR of integer or bool tensors (``^``).

    Example:
        >>> jtorch.bitwise_xor(jtorch.tensor([True, False]), jtorch.tensor([True, True]))
        tensor([False,  True])
    """
    return _bitwise("bitwise_xor", "bitwise_xor", input, other)


@with_out
def bitwise_left_shift(input, other) -> Tensor:
    """``input << other`` for integer tensors (shifts past the width give 0).

    Example:
        >>> jtorch.bitwise_left_shift(jtorch.tensor([1, 3]), 2)
        tensor([ 4, 12])
    """
    return _bitwise("left_shift", "lshift", input, other, allow_bool=False)


@with_out
def bitwise_right_shift(input, other) -> Tensor:
    """``input >> other`` for integer tensors (arithmetic shift: the sign is kept).

    Example:
        >>> jtorch.bitwise_right_shift(jtorch.tensor([16, -16]), 2)
        tensor([ 4, -4])
    """
    return _bitwise("right_shift", "rshift", input, other, allow_bool=False)


@with_out
def bitwise_not(input: Tensor) -> Tensor:
    """Bitwise NOT of an integer tensor (logical NOT of a bool one).

    Example:
        >>> jtorch.bitwise_not(jtorch.tensor([0, 5])), jtorch.bitwise_not(jtorch.tensor([True]))
        (tensor([-1, -6]), tensor([False]))
    """
    if input._array.dtype.kind not in "iub":
        raise _not_implemented("bitwise_not_cpu", input)
    return Tensor._make(input._xp().invert(input._array))


def _operator_invert(self: Tensor) -> Tensor:
    """``~tensor``: ``bitwise_not`` with the TypeError torch gives for floating tensors."""
    if self._array.dtype.kind not in "iub":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return bitwise_not(self)
