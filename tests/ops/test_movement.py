"""View ops against torch: values, grads, grad_fn names, view semantics, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randn, torch

import jtorch


def _name(t) -> str:
    return type(t.grad_fn).__name__


VIEWS = [
    lambda lib, x: x.flatten(),
    lambda lib, x: x.flatten(1),
    lambda lib, x: lib.flatten(x, 0, 1),
    lambda lib, x: x.flatten(1, 1),
    lambda lib, x: x.transpose(0, 2).flatten(),
    lambda lib, x: x.unflatten(1, (2, 2)),
    lambda lib, x: x.unflatten(-1, (-1, 1)),
    lambda lib, x: x[:1].squeeze(),
    lambda lib, x: x[:1].squeeze(0),
    lambda lib, x: x.squeeze(1),
    lambda lib, x: x[:1, :, :1].squeeze((0, 2)),
    lambda lib, x: x.unsqueeze(0),
    lambda lib, x: x.unsqueeze(-1),
    lambda lib, x: lib.unsqueeze(x, 2),
    lambda lib, x: x.swapaxes(0, 2),
    lambda lib, x: lib.swapdims(x, 1, -1),
    lambda lib, x: x.movedim(0, 2),
    lambda lib, x: lib.moveaxis(x, (0, 1), (2, 0)),
    lambda lib, x: x.narrow(1, 1, 2),
    lambda lib, x: x.narrow(0, -2, 2),
    lambda lib, x: x.select(1, -1),
    lambda lib, x: lib.select(x, 2, 3),
    lambda lib, x: x.diagonal(),
    lambda lib, x: x.diagonal(1, 1, 2),
    lambda lib, x: x.diagonal(-1, -1, 0),
    lambda lib, x: x.diagonal(7),
    lambda lib, x: x.unfold(2, 2, 1),
    lambda lib, x: x.unfold(1, 2, 2),
    lambda lib, x: x.unfold(2, 3, 2),
    lambda lib, x: x.unfold(0, 3, 1),
    lambda lib, x: x.reshape(12, 5),
]


@pytest.mark.parametrize("fn", VIEWS)
def test_views_match_torch(fn):
    check(fn, randn(3, 4, 5))
    xj = jtorch.tensor(randn(3, 4, 5), requires_grad=True)
    xt = torch.tensor(randn(3, 4, 5), requires_grad=True)
    yj, yt = fn(jtorch, xj), fn(torch, xt)
    assert _name(yj) == _name(yt)
    assert (yj._base is not None) == (yt._base is not None)


def test_zero_dim_views():
    check(lambda lib, x: x.flatten(), randn())
    check(lambda lib, x: x.squeeze(0), randn())
    check(lambda lib, x: x.unsqueeze(0), randn())
    check(lambda lib, x: x.unfold(0, 1, 1), randn())


def test_view_as_real_and_complex():
    check(lambda lib, x: lib.view_as_complex(x), randn(3, 2))
    check(lambda lib, x: lib.view_as_real(lib.view_as_complex(x)) * 2, randn(3, 2))
    z = jtorch.tensor(np.array([1 + 2j, 3 - 1j]))
    r = jtorch.view_as_real(z)
    r[0, 1] = 9.0
    assert z.tolist() == [1 + 9j, 3 - 1j]


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.diagonal(1, 0, 2),
        lambda lib, x: x.select(0, 1),
        lambda lib, x: x.narrow(2, 1, 3),
        lambda lib, x: x.unfold(2, 2, 2),
        lambda lib, x: x.squeeze(),
        lambda lib, x: x.unsqueeze(1),
        lambda lib, x: x.movedim(0, 1),
        lambda lib, x: x.flatten(1),
    ],
)
def test_writes_through_views_reach_base(fn):
    x = jtorch.tensor(np.zeros((3, 4, 5)))
    v = fn(jtorch, x)
    assert np.shares_memory(v.numpy(), x.numpy())
    v.fill_(1.0)
    xt = torch.zeros(3, 4, 5)
    fn(torch, xt).fill_(1.0)
    np.testing.assert_array_equal(x.numpy(), xt.numpy())
    assert x._version == v._version == 1


def test_inplace_on_view_of_nonleaf_grad():
    def f(lib, x):
        y = x * 2
        y.diagonal().mul_(3)
        y.select(1, 0).add_(y.narrow(1, 1, 1).squeeze(1))
        return y.unfold(1, 2, 1).sum(-1)

    check(f, randn(3, 3))


def test_higher_order_through_view_backward():
    def f(lib, x):
        (g,) = lib.autograd.grad((x.select(0, 1) ** 3).sum(), x, create_graph=True)
        return g

    check(f, randn(3, 2), gradcheck=False)

    def h(lib, x):
        (g,) = lib.autograd.grad((x.unfold(0, 2, 1) ** 2).sum(), x, create_graph=True)
        return g

    check(h, randn(5), gradcheck=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.squeeze(5),
        lambda lib, x: x.unsqueeze(4),
        lambda lib, x: x.narrow(0, 2, 2),
        lambda lib, x: x.select(0, 3),
        lambda lib, x: x.diagonal(0, 0, 0),
        lambda lib, x: x.unfold(2, 6, 1),
        lambda lib, x: x.unfold(2, 2, 0),
        lambda lib, x: x.unflatten(1, (3, -1)),
        lambda lib, x: x.flatten(2, 1),
        lambda lib, x: x.movedim((0, 1), (1,)),
        lambda lib, x: x.squeeze((0, 0)),
        lambda lib, x: lib.view_as_real(x),
        lambda lib, x: lib.view_as_complex(x),
        lambda lib, x: x[0, 0, 0].select(0, 0),
        lambda lib, x: x[0, 0, 0].narrow(0, 0, 1),
    ],
)
def test_errors(fn):
    check_error(fn, randn(3, 4, 5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, s: lib.select_scatter(x, s[0], 0, 1),
        lambda lib, x, s: lib.select_scatter(x, s[:, 0], 1, -1),
        lambda lib, x, s: lib.slice_scatter(x, s[:2], 0, 1, 3),
        lambda lib, x, s: lib.slice_scatter(x, s[:, ::2], dim=1, step=2),
        lambda lib, x, s: lib.diagonal_scatter(x, s[0, :3]),
        lambda lib, x, s: x.diagonal_scatter(s[0, :3], 1),
    ],
)
def test_view_scatters(fn):
    check(fn, randn(3, 4), randn(3, 4, seed=1))
    xj, sj = (jtorch.tensor(randn(3, 4), requires_grad=True) for _ in range(2))
    xt, st = (torch.tensor(randn(3, 4), requires_grad=True) for _ in range(2))
    assert _name(fn(jtorch, xj, sj)) == _name(fn(torch, xt, st))


def test_view_scatter_size_error():
    check_error(lambda lib, x: lib.select_scatter(x, x, 0, 0), randn(3, 4))


def test_t_and_transpose_views():
    check(lambda lib, x: x.t(), randn(3, 4))
    check(lambda lib, x: x.t() * 2, randn(4))
    check(lambda lib, x: (x.T, x.mT, lib.t(x)), randn(2, 3))
    check_error(lambda lib, x: x.t(), randn(2, 3, 4))
