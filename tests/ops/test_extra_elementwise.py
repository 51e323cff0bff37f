"""Fused arithmetic, integer math and top-level in-place functions of ops/extra against torch."""

import numpy as np
import pytest
from oracle import check, check_error, rand, randint, randn

X, Y, Z = randn(2, 3), randn(2, 3, seed=1), rand(2, 3, low=0.5, high=2.0, seed=2)
INTS = np.array([[12, -7, 0], [9, 21, 5]])
INTS2 = np.array([[18, 21, 4], [-6, 14, 0]])


@pytest.mark.parametrize("value", [1, 0.5])
def test_addcmul_addcdiv(value):
    check(lambda lib, x, a, b: lib.addcmul(x, a, b, value=value), X, Y, Z)
    check(lambda lib, x, a, b: lib.addcdiv(x, a, b, value=value), X, Y[0], Z)
    check(lambda lib, x, a, b: x.addcmul(a, b), X, Y, Z)


def test_addcmul_inplace_and_errors():
    check(lambda lib, x, a, b: x.clone().addcdiv_(a, b, value=2), X, Y, Z)
    check(lambda lib, x, a, b: lib.addcmul(x, a, b), INTS, INTS2, INTS, grad=False)
    check_error(lambda lib, x, a, b: lib.addcdiv(x, a, b), INTS, INTS2, INTS)


def test_addr():
    check(lambda lib, m, a, b: lib.addr(m, a, b), X, Y[0, :2], Y[1])
    check(lambda lib, m, a, b: m.addr(a, b, beta=0.5, alpha=2), X, Y[0, :2], Y[1])
    check(lambda lib, m, a, b: lib.addr(m, a, b, beta=0), X[0], Y[0, :2], Y[1, :3])
    check_error(lambda lib, m, a, b: lib.addr(m, a, b), X, Y[0, :2], Y)


def test_rsub_copysign():
    check(lambda lib, x, y: lib.rsub(x, y, alpha=2), X, Y)
    check(lambda lib, x: lib.rsub(x, 3), X)
    check(lambda lib, x, y: lib.copysign(x, y), X, Y)
    check(lambda lib, x: x.copysign(-2.0), X)
    check(lambda lib, x: lib.copysign(x, -1), INTS, grad=False)
    check(lambda lib, x, y: x.clone().copysign_(y), X, Y)


def test_angles():
    check(lambda lib, x: lib.deg2rad(x), X * 90)
    check(lambda lib, x: lib.rad2deg(x), X)
    check(lambda lib, x: (lib.deg2rad(x), lib.rad2deg(x)), INTS, grad=False)
    check(lambda lib, x: x.clone().deg2rad_(), X)


def test_frexp_ldexp():
    check(lambda lib, x: lib.frexp(x * 10), X)
    check(lambda lib, x: x.frexp()[0], X)
    check_error(lambda lib, x: lib.frexp(x), INTS)

    def frexp_out(lib, x):
        out = (lib.empty(0, dtype=x.dtype), lib.empty(0, dtype=lib.int32))
        result = lib.frexp(x, out=out)
        return tuple(result), result[0] is out[0]

    check(frexp_out, X, grad=False)
    check(lambda lib, x, a: lib.addcmul(x, a, a, out=lib.empty(0, dtype=x.dtype)), X, Y, grad=False)
    # torch's gradient is zero for negative integer exponents (2**e taken in integers), which
    # jtorch mirrors, so no numerical gradcheck there
    check(lambda lib, x, e: lib.ldexp(x, e), X, randint(-3, 3, 2, 3), gradcheck=False)
    check(lambda lib, x, e: lib.ldexp(x, e), X, Y)
    check(lambda lib, x: lib.ldexp(x, x), INTS[:, :2] % 5, grad=False)


def test_integer_math():
    check(lambda lib, a, b: (lib.gcd(a, b), lib.lcm(a, b)), INTS, INTS2, grad=False)
    check(lambda lib, a, b: a.clone().gcd_(b), INTS, INTS2, grad=False)
    check_error(lambda lib, a, b: lib.gcd(a, b), X, Y)


def test_heaviside_nextafter():
    x = np.array([-1.0, 0.0, 2.0, 0.0])
    check(lambda lib, x, v: lib.heaviside(x, v), x, np.array([0.5, 0.25, 1.0, 3.0]), grad=False)
    check_error(lambda lib, x, v: lib.heaviside(x, v), x, np.array([1, 2, 3, 4]))
    check(lambda lib, x, y: lib.nextafter(x, y) - x, X, Y, grad=False)
    check_error(lambda lib, a, b: lib.nextafter(a, b), INTS, INTS2)


def test_logaddexp():
    check(lambda lib, x, y: lib.logaddexp(x, y), X, Y)
    check(lambda lib, x, y: lib.logaddexp2(x, y[0]), X, Y)
    check_error(lambda lib, a, b: lib.logaddexp(a, b), INTS, INTS2)


@pytest.mark.parametrize("name", ["abs_", "exp_", "sigmoid_", "neg_", "trunc_", "square_"])
def test_top_level_inplace(name):
    check(lambda lib, x: getattr(lib, name)(x.clone()), X)


def test_top_level_inplace_args():
    check(lambda lib, x: lib.clamp_(x.clone(), -0.5, 0.5), X)
    check(lambda lib, x: lib.nan_to_num_(x.clone() / 0), X, grad=False)
    check(lambda lib, x, m, v: lib.addmv_(x.clone(), m, v), X[0, :2], Y, Z[0])
