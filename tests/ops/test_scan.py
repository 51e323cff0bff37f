"""Scans against torch: values, dtypes, exact gradients with zeros, ties/NaN indices, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randint, randn

import jtorch

X = randn(3, 4, 5)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.cumsum(0),
        lambda lib, x: lib.cumsum(x, -1, dtype=lib.float64),
        lambda lib, x: x.cumprod(1),
        lambda lib, x: x.cumprod(-1),
        lambda lib, x: x.cummax(1),
        lambda lib, x: lib.cummin(x, dim=-1),
        lambda lib, x: x.logcumsumexp(2),
        lambda lib, x: lib.logcumsumexp(x, 0),
    ],
)
def test_scans(fn):
    check(fn, X)


def test_cumprod_with_zeros():
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.0, 0.0, 3.0, 2.0], [1.0, 2.0, -1.0, 0.5]])
    check(lambda lib, x: x.cumprod(1), x)
    check(lambda lib, x: x.cumprod(0), x)
    check(lambda lib, x: x.cumprod(0), np.array(0.0))


def test_cumprod_double_backward():
    check(lambda lib, x: lib.autograd.grad((x.cumprod(1) ** 2).sum(), x, create_graph=True), X)
    before_zero = np.array([[1.5, 0.7, 2.0, 0.0], [0.7, 1.2, -1.0, 2.0]])
    check(lambda lib, x: lib.autograd.grad(x.cumprod(1).sum(), x, create_graph=True), before_zero)


@pytest.mark.xfail(strict=True, reason="d(grad_k)/dx_z for k after a zero z is taken as 0")
def test_cumprod_double_backward_after_zero():
    x = np.array([[1.5, 0.0, 2.0, -1.0], [0.7, 1.2, 0.0, 2.0]])
    check(lambda lib, x: lib.autograd.grad(x.cumprod(1).sum(), x, create_graph=True), x)


def test_cummax_ties_and_nan():
    ties = np.array([1.0, 3.0, 3.0, 2.0, 3.0])
    check(lambda lib, x: (x.cummax(0), x.cummin(0)), ties, gradcheck=False)
    n = np.nan
    check(lambda lib, x: (x.cummax(0), x.cummin(0)), np.array([1.0, n, 3.0, n, 5.0]), grad=False)


def test_integer_inputs():
    i = randint(-3, 4, 3, 4)
    check(lambda lib, x: (x.cumsum(0), x.cumprod(1), x.cummax(1), x.cummin(0)), i)
    check(lambda lib, x: (x.cumsum(0), x.cumprod(0)), i.astype("int32"))
    check(lambda lib, x: (x.cumsum(0), x.cummax(0)), np.array([True, False, True]))


def test_zero_dim_and_empty():
    check(lambda lib, x: (x.cumsum(0), x.cumprod(-1), x.cummax(0), x.logcumsumexp(0)), randn())
    e = np.zeros((0, 3))
    check(lambda lib, x: (x.cumsum(0), x.cumprod(1), x.cummin(0), x.logcumsumexp(1)), e)


def test_logcumsumexp_stable():
    check(lambda lib, x: x.logcumsumexp(0), np.array([-1000.0, 0.0, 1000.0]), gradcheck=False)


def test_grad_fn_names():
    x = jtorch.tensor(X, requires_grad=True)
    names = {
        "CumsumBackward0": x.cumsum(0),
        "CumprodBackward0": x.cumprod(0),
        "CummaxBackward0": x.cummax(0).values,
        "CumminBackward0": x.cummin(0).values,
        "LogcumsumexpBackward0": x.logcumsumexp(0),
        "SubBackward0": x.diff(),
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name


def test_scan_errors():
    check_error(lambda lib, x: x.cumsum(3), X, match="Dimension out of range")
    check_error(lambda lib, x: x.cummax(-4), X, match="Dimension out of range")
    check_error(lambda lib, x: x.logcumsumexp(0), np.array([1, 2]), match="not implemented")
    check_error(lambda lib, x: x.diff(), np.array(1.0), match="at least one-dimensional")
    check_error(lambda lib, x: x.diff(-1), np.array([1.0, 2.0]), match="non-negative")


def test_diff():
    check(lambda lib, x: x.diff(), X)
    check(lambda lib, x: x.diff(2, dim=0), X)
    check(lambda lib, x: x.diff(n=5), np.array([1.0, 2.0]))
    check(lambda lib, x: x.diff(), randint(0, 9, 6), grad=False)
    check(lambda lib, x: x.diff(), np.array([True, False, False]), grad=False)


def test_diff_prepend_append():
    if not hasattr(jtorch, "cat"):
        pytest.skip("diff with prepend/append needs cat (joining family) not there yet")
    check(lambda lib, x, p: x.diff(dim=0, prepend=p, append=p), randn(3, 2), randn(1, 2, seed=2))
    check_error(lambda lib, x, p: x.diff(dim=0, append=p), randn(2, 2), randn(2), match="same")
