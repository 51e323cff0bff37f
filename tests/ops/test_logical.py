"""Comparisons, logical/bitwise ops and value tests against torch: values, dtypes, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randint, randn

import jtorch

X = randn(2, 3)
Y = randn(3, seed=2)
INTS = randint(-5, 6, 2, 3)
SMALL = randint(0, 4, 3, seed=3)
BOOLS = np.array([[True, False, True], [False, False, True]])
SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.5, -2.0])

COMPARISONS = "eq ne lt le gt ge greater greater_equal less less_equal not_equal".split()


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparisons(name):
    check(lambda lib, x, y: getattr(lib, name)(x, y), X, Y, grad=False)
    check(lambda lib, x, y: getattr(x, name)(y.round()), X.round(), Y, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 0.5), X, grad=False)
    check(lambda lib, x, y: getattr(lib, name)(x, y), INTS, X, grad=False)
    check(lambda lib, x, y: getattr(lib, name)(x, y), INTS, SMALL, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 2.5), INTS, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, True), BOOLS, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, 1.5), SPECIAL, grad=False)
    check(lambda lib, x: getattr(lib, name)(x, lib.tensor(0.5, dtype=lib.float64)), X, grad=False)


@pytest.mark.parametrize("name", COMPARISONS)
def test_comparison_inplace_and_out(name):
    check(lambda lib, x, y: getattr(x * 1, name + "_")(y), X, Y, grad=False)
    check(lambda lib, x: getattr(x.clone(), name + "_")(0), INTS, grad=False)
    check(
        lambda lib, x, y: getattr(lib, name)(x, y, out=lib.empty(0, dtype=lib.bool)),
        X,
        Y,
        grad=False,
    )
    check(lambda lib, x, y: getattr(lib, name)(x, y, out=lib.empty(2, 3)), X, Y, grad=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: x == y,
        lambda lib, x, y: x != y,
        lambda lib, x, y: x < y,
        lambda lib, x, y: x <= y,
        lambda lib, x, y: x > y,
        lambda lib, x, y: x >= y,
        lambda lib, x, y: 0.5 < x,
        lambda lib, x, y: 0.5 >= x,
        lambda lib, x, y: 0 == x,
        lambda lib, x, y: (x > 0) & (y < 0),
        lambda lib, x, y: (x > 0) | (y < 0),
        lambda lib, x, y: (x > 0) ^ (y < 0),
        lambda lib, x, y: ~(x > y),
        lambda lib, x, y: True & (x > 0),
        lambda lib, x, y: (x > 0) | False,
    ],
)
def test_operators(fn):
    check(fn, X, Y, grad=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: x & y,
        lambda lib, x, y: x | y,
        lambda lib, x, y: x ^ y,
        lambda lib, x, y: x << y,
        lambda lib, x, y: x >> y,
        lambda lib, x, y: 1 << y,
        lambda lib, x, y: 100 >> y,
        lambda lib, x, y: 6 & x,
        lambda lib, x, y: 6 | x,
        lambda lib, x, y: 6 ^ x,
        lambda lib, x, y: ~x,
        lambda lib, x, y: x << 70,
        lambda lib, x, y: x >> 70,
        lambda lib, x, y: lib.bitwise_and(x, True),
        lambda lib, x, y: lib.bitwise_or(x, y, out=lib.empty(0, dtype=lib.int64)),
        lambda lib, x, y: lib.bitwise_not(x),
        lambda lib, x, y: lib.bitwise_left_shift(x, 2),
        lambda lib, x, y: lib.bitwise_right_shift(x, y),
        lambda lib, x, y: x.clone().bitwise_xor_(y),
        lambda lib, x, y: x.clone().bitwise_left_shift_(1),
        lambda lib, x, y: x.clone().bitwise_not_(),
        lambda lib, x, y: lib.bitwise_and(x.to(lib.int8), y.to(lib.uint8)),
    ],
)
def test_bitwise_integers(fn):
    check(fn, INTS, SMALL, grad=False)


def test_bitwise_bools_and_inplace_operators():
    check(lambda lib, x, y: (x & y, x | y, x ^ y, ~x), BOOLS, BOOLS[::-1].copy(), grad=False)

    def ops(lib, x, y):
        x &= y
        x |= 12
        x ^= 3
        x <<= 2
        x >>= 1
        return x

    check(ops, INTS.copy(), SMALL, grad=False)


@pytest.mark.parametrize(
    "fn,inputs,match",
    [
        (lambda lib, x: x & x, (X,), "bitwise_and_cpu"),
        (lambda lib, x: lib.bitwise_or(x, 1.5), (INTS,), "bitwise_or_cpu"),
        (lambda lib, x: lib.bitwise_xor(x, x), (X,), "bitwise_xor_cpu"),
        (lambda lib, x: x << 1, (X,), "lshift_cpu"),
        (lambda lib, x: x >> x, (BOOLS,), "rshift_cpu"),
        (lambda lib, x: ~x, (X,), "only implemented on integer and Boolean"),
        (lambda lib, x: lib.bitwise_not(x), (X,), "bitwise_not_cpu"),
        (lambda lib, x: x < 1j, (X,), None),
        (lambda lib, x: lib.logical_and(x, 2), (X,), "must be Tensor"),
        (
            lambda lib, x: lib.isclose(x, x.double()),
            (X.astype("float32"),),
            "Float did not match Double",
        ),
        (lambda lib, x: lib.isposinf(x.to(lib.complex64)), (X,), "does not support complex"),
        (lambda lib, x: x > x[:, :2], (X,), "must match the size"),
        (lambda lib, x: lib.isnan(x, out=x), (X,), None),
    ],
)
def test_errors(fn, inputs, match):
    check_error(fn, *inputs, match=match)


def test_complex_comparisons():
    z = X.astype(np.complex128)
    check(lambda lib, x: x == x, z, grad=False)
    check(lambda lib, x: x != 1, z, grad=False)
    check_error(lambda lib, x: x.lt(1), z, match="lt_cpu")


@pytest.mark.parametrize("name", ["logical_and", "logical_or", "logical_xor"])
def test_logical_binary(name):
    check(lambda lib, x, y: getattr(lib, name)(x, y), X.round(), Y.round(), grad=False)
    check(lambda lib, x, y: getattr(lib, name)(x, y), INTS, BOOLS, grad=False)
    check(lambda lib, x, y: getattr(x * 1, name + "_")(y), X.round(), Y.round(), grad=False)
    check(lambda lib, x, y: getattr(lib, name)(x, y, out=lib.empty(2, 3)), INTS, X, grad=False)


@pytest.mark.parametrize(
    "data", [X.round(), INTS, BOOLS, SPECIAL], ids=["float", "int", "bool", "special"]
)
@pytest.mark.parametrize(
    "name",
    ["logical_not", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "signbit"],
)
def test_value_tests(name, data):
    check(lambda lib, x: getattr(lib, name)(x), data, grad=False)
    check(lambda lib, x: getattr(x, name)(), data, grad=False)


def test_value_tests_complex():
    z = np.array([1 + 0j, 2j, np.nan + 0j, np.inf - 1j])
    for name in ("isnan", "isinf", "isfinite", "isreal", "logical_not"):
        check(lambda lib, x, name=name: getattr(lib, name)(x), z, grad=False)
    check(lambda lib, x: lib.isposinf(x, out=lib.empty(0, dtype=lib.bool)), SPECIAL, grad=False)
    check(lambda lib, x: lib.signbit(x, out=lib.empty(7, dtype=lib.bool)), SPECIAL, grad=False)
    check(lambda lib, x: x.clone().logical_not_(), SPECIAL, grad=False)


def test_isclose_allclose_equal():
    a = np.array([1.0, 2.0, np.nan, np.inf, -np.inf, 1e-9])
    b = np.array([1.0 + 1e-6, 2.1, np.nan, np.inf, np.inf, 0.0])
    check(lambda lib, x, y: lib.isclose(x, y), a, b, grad=False)
    check(lambda lib, x, y: lib.isclose(x, y, equal_nan=True), a, b, grad=False)
    check(lambda lib, x, y: lib.isclose(x, y, rtol=0.1, atol=0.0), a, b, grad=False)
    check(lambda lib, x, y: x.isclose(y[None], 1e-3, 1e-3), a, b, grad=False)
    check(lambda lib, x, y: lib.isclose(x, y), INTS, INTS + 1, grad=False)
    check(lambda lib, x, y: lib.isclose(x, y), BOOLS, BOOLS[::-1].copy(), grad=False)
    check(lambda lib, x, y: lib.allclose(x, y), a, b, grad=False)
    check(
        lambda lib, x, y: x.allclose(y, rtol=0.1, atol=1.0, equal_nan=True),
        a[:2],
        b[:2],
        grad=False,
    )
    check(lambda lib, x: lib.allclose(x, x + 1e-9), X, grad=False)
    check(lambda lib, x, y: lib.equal(x, y), X, X.copy(), grad=False)
    check(lambda lib, x, y: x.equal(y), X, Y, grad=False)
    check(lambda lib, x, y: lib.equal(x, y), INTS, INTS.astype(np.float64), grad=False)
    check(lambda lib, x, y: lib.equal(x, y), a, a.copy(), grad=False)


def test_eq_with_foreign_objects():
    t = jtorch.tensor([1, 2])
    assert (t == None) is False  # noqa: E711
    assert (t != None) is True  # noqa: E711
    assert (t == "a") is False
    assert t in [t]
    assert {t: 1}[t] == 1  # __hash__ is identity


def test_non_differentiable_results():
    x = jtorch.tensor([1.0, -2.0], requires_grad=True)
    for y in (x > 0, x == x, x.isnan(), jtorch.isclose(x, x), jtorch.logical_not(x), x.signbit()):
        assert y.dtype is jtorch.bool and not y.requires_grad and y.grad_fn is None
