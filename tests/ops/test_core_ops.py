"""The first ops against torch: arithmetic with promotion and broadcasting, views, reductions."""

import numpy as np
import pytest
from oracle import check, check_error, randn

import jtorch


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, y: x + y,
        lambda lib, x, y: lib.add(x, y, alpha=2),
        lambda lib, x, y: x - y,
        lambda lib, x, y: lib.sub(x, y, alpha=0.5),
        lambda lib, x, y: x * y,
        lambda lib, x, y: x / y,
        lambda lib, x, y: (x.exp() * y).sum(),
        lambda lib, x, y: (x * x) ** y,
    ],
)
def test_binary_broadcasting(fn):
    check(fn, randn(2, 3), randn(3, seed=1) + 3)


@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_scalar_operands(scalar):
    check(lambda lib, x: x * scalar + scalar - x / scalar, randn(4))
    if scalar is not True:  # torch refuses `True - tensor`
        check(lambda lib, x: scalar - x, randn(4))


def test_integer_promotion():
    ints = np.array([1, 2, 3], dtype=np.int32)
    check(lambda lib, x: x * 2.5, ints, grad=False)
    check(lambda lib, x: x / 2, ints, grad=False)
    check(lambda lib, x, y: x + y, ints, np.array([1, 2, 3], dtype=np.uint8), grad=False)
    check(
        lambda lib, x, y: x + y, np.array([1, 2], np.uint8), np.array([1, 2], np.int8), grad=False
    )


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.exp(),
        lambda lib, x: (x * x + 1).log(),
        lambda lib, x: (x * x + 1).sqrt(),
        lambda lib, x: x.tanh(),
        lambda lib, x: x.sigmoid(),
        lambda lib, x: -x,
        lambda lib, x: x**3,
        lambda lib, x: 2**x,
        lambda lib, x: x.sum(),
        lambda lib, x: x.sum(1),
        lambda lib, x: x.sum((0, 1), keepdim=True),
        lambda lib, x: x.mean(),
        lambda lib, x: x.mean(-1, keepdim=True),
        lambda lib, x: x.view(3, 2),
        lambda lib, x: x.reshape(-1),
        lambda lib, x: x.t().reshape(6),
        lambda lib, x: x.transpose(0, 1),
        lambda lib, x: x.permute(1, 0),
        lambda lib, x: x.T,
        lambda lib, x: x.view(2, 1, 3).expand(2, 4, 3),
        lambda lib, x: x.to(lib.float64),
        lambda lib, x: x.clone(),
    ],
)
def test_unary(fn):
    check(fn, randn(2, 3))


def test_inplace_through_view_reaches_base():
    check(lambda lib, x: _write_through_view(lib, x), randn(2, 3))


def _write_through_view(lib, x):
    y = x * 1
    y.t().mul_(x.t().exp())
    y.view(6).add_(2.0)
    return y


def test_errors_match_torch():
    check_error(lambda lib, x, y: x + y, randn(2, 3), randn(2), match="must match the size")
    check_error(lambda lib, x: x.view(4), randn(2, 3), match="invalid for input of size 6")
    check_error(lambda lib, x: x.sum(2), randn(2, 3), match="Dimension out of range")


def test_version_counter_error():
    x = jtorch.ones(3, requires_grad=True)
    y = x.exp()
    y.add_(1)
    with pytest.raises(
        RuntimeError,
        match="modified by an inplace operation.*output 0 of Exp, is at version 1; expected version 0",
    ):
        y.sum().backward()


def test_second_backward_error():
    x = jtorch.ones(3, requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.tolist() == [4.0, 4.0, 4.0]
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_leaf_inplace_error():
    x = jtorch.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x.add_(1)


def test_long_chain_no_recursion():
    x = jtorch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_inplace_view_ops():
    check(lambda lib, x: (x * 1).t_().unsqueeze_(0).squeeze_(0).transpose_(0, 1), randn(2, 3))
    check(lambda lib, x: (x * 2).swapaxes_(0, 1), randn(2, 3))
    y = jtorch.arange(6.0).view(2, 3)
    y.t_()
    assert y.shape == (3, 2) and y._version == 1
