"""Joining, splitting and rearranging ops against torch: values, grads, grad_fn names, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randint, randn, torch

import jtorch


def _name(t) -> str:
    return type(t.grad_fn).__name__


def _names(out) -> list:
    return [_name(t) for t in out] if isinstance(out, (tuple, list)) else [_name(out)]


ONE = [
    lambda lib, x: lib.cat([x, x * 2], 1),
    lambda lib, x: lib.concat([x, x[:1]], dim=0),
    lambda lib, x: lib.concatenate([x[:, :1], x], -2 + 1),
    lambda lib, x: lib.cat([x, lib.tensor([]), x]),
    lambda lib, x: lib.stack([x, x * 3], 1),
    lambda lib, x: lib.stack([x[0], x[1]], -1),
    lambda lib, x: lib.hstack([x, x]),
    lambda lib, x: lib.hstack([x[0], x[1, :2]]),
    lambda lib, x: lib.vstack([x, x[0]]),
    lambda lib, x: lib.dstack([x, x]),
    lambda lib, x: lib.column_stack([x[0], x[1]]),
    lambda lib, x: lib.column_stack([x, x[:, 0]]),
    lambda lib, x: x.split(2),
    lambda lib, x: x.split(2, dim=1),
    lambda lib, x: lib.split(x, [1, 2], 0),
    lambda lib, x: x.chunk(2, 1),
    lambda lib, x: x.chunk(5),
    lambda lib, x: x.tensor_split(2),
    lambda lib, x: x.tensor_split([1, 3], dim=1),
    lambda lib, x: lib.tensor_split(x, lib.tensor(3), 1),
    lambda lib, x: x.unbind(),
    lambda lib, x: lib.unbind(x, -1),
    lambda lib, x: x.flip(0),
    lambda lib, x: x.flip(0, 1),
    lambda lib, x: lib.flip(x, dims=(-1,)),
    lambda lib, x: lib.fliplr(x),
    lambda lib, x: lib.flipud(x),
    lambda lib, x: x.roll(2),
    lambda lib, x: x.roll(1, 0),
    lambda lib, x: lib.roll(x, (1, -2), (0, 1)),
    lambda lib, x: x.rot90(),
    lambda lib, x: x.rot90(2),
    lambda lib, x: lib.rot90(x, -1, [1, 0]),
    lambda lib, x: lib.diag(x),
    lambda lib, x: lib.diag(x, 1),
    lambda lib, x: lib.diag(x, -2),
    lambda lib, x: x[0].diag(),
    lambda lib, x: lib.diag(x[1], -1),
    lambda lib, x: lib.diag_embed(x),
    lambda lib, x: lib.diag_embed(x, 1, 0, 2),
    lambda lib, x: lib.diag_embed(x, -1, -1, 0),
    lambda lib, x: lib.diagflat(x),
    lambda lib, x: lib.diagflat(x[0], -1),
    lambda lib, x: x.tril(),
    lambda lib, x: x.triu(1),
    lambda lib, x: lib.tril(x, -1),
    lambda lib, x: x.repeat(2, 1),
    lambda lib, x: x.repeat(2, 1, 3),
    lambda lib, x: x[0].repeat(2, 2),
    lambda lib, x: x.tile(2),
    lambda lib, x: lib.tile(x, (2, 1, 2)),
    lambda lib, x: x.repeat_interleave(2),
    lambda lib, x: x.repeat_interleave(3, 1),
    lambda lib, x: x.repeat_interleave(lib.tensor([1, 0, 2]), dim=0),
    lambda lib, x: lib.repeat_interleave(x, lib.tensor([2]), dim=1),
    lambda lib, x: x[0].broadcast_to(2, 3, 4),
    lambda lib, x: lib.broadcast_to(x[:, :1], (3, 4)),
    lambda lib, x: lib.broadcast_tensors(x, x[0], x[:, :1]),
    lambda lib, x: lib.meshgrid(x[0], x[1, :2], indexing="ij"),
    lambda lib, x: lib.meshgrid([x[0], x[1, :2], x[2, :3]], indexing="xy"),
    lambda lib, x: lib.block_diag(x, x[0], x[1, 1]),
    lambda lib, x: lib.atleast_1d(x[0, 0]),
    lambda lib, x: lib.atleast_1d(x, x[0, 0]),
    lambda lib, x: lib.atleast_2d(x[0, 0]),
    lambda lib, x: lib.atleast_2d([x[0], x]),
    lambda lib, x: lib.atleast_3d(x[0, 0]),
    lambda lib, x: lib.atleast_3d(x[0]),
    lambda lib, x: lib.atleast_3d(x),
    lambda lib, x: lib.hsplit(x, 2),
    lambda lib, x: x.hsplit([1, 3]),
    lambda lib, x: lib.hsplit(x[0], 2),
    lambda lib, x: lib.vsplit(x, [2]),
    lambda lib, x: lib.dsplit(x.view(3, 1, 4), 4),
]


@pytest.mark.parametrize("fn", ONE)
def test_ops_match_torch(fn):
    check(fn, randn(3, 4))
    xj = jtorch.tensor(randn(3, 4), requires_grad=True)
    xt = torch.tensor(randn(3, 4), requires_grad=True)
    assert _names(fn(jtorch, xj)) == _names(fn(torch, xt))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.cat([x, x]),
        lambda lib, x: x.unbind(1),
        lambda lib, x: x.split(1),
        lambda lib, x: x.chunk(2),
        lambda lib, x: x.flip(0),
        lambda lib, x: x.repeat(2, 1),
    ],
)
def test_empty_inputs(fn):
    check(fn, randn(0, 3), gradcheck=False)  # nothing to differentiate numerically
    assert _names(fn(jtorch, jtorch.zeros(0, 3, requires_grad=True))) == _names(
        fn(torch, torch.zeros(0, 3, requires_grad=True))
    )


def test_integer_and_promoting_inputs():
    a, b = randint(0, 5, 2, 3), randn(2, 3)
    check(lambda lib, a, b: lib.cat([a, b]), a, b)
    check(lambda lib, a, b: lib.stack([b, a], 2), a, b)
    check(lambda lib, a: lib.cat([a, a.to(lib.int32)], 1), a, grad=False)
    check(lambda lib, a: lib.block_diag(a, a.to(lib.uint8)), a, grad=False)
    check(lambda lib, a: (a.flip(1), a.roll(1), a.tril(), a.repeat(2, 2)), a, grad=False)
    # NOTE: no numerical gradcheck through a float32 round trip
    check(lambda lib, b: lib.cat([b.float(), b]), b, gradcheck=False)


def test_indices_helpers():
    for args in [(3, 3), (4, 3, 1), (3, 5, -1), (0, 2)]:
        check(lambda lib, a=args: lib.tril_indices(*a), grad=False)
        check(lambda lib, a=args: lib.triu_indices(*a), grad=False)
    check(lambda lib: lib.tril_indices(3, 3, dtype=lib.int32), grad=False)
    check(lambda lib: lib.repeat_interleave(lib.tensor([2, 0, 3])), grad=False)


def test_split_outputs_are_views_with_one_node():
    x = jtorch.tensor(randn(4, 3), requires_grad=True) * 1
    parts = x.split(2)
    assert all(p._base is x for p in parts)
    assert parts[0].grad_fn is parts[1].grad_fn
    assert parts[0]._output_nr == 0 and parts[1]._output_nr == 1
    base = jtorch.zeros(4)
    a, b = base.split(2)
    a.add_(1.0)  # not recording: writes reach the base
    assert base.tolist() == [1.0, 1.0, 0.0, 0.0] and base._version == b._version == 1
    rows = base.view(2, 2).unbind()
    rows[1][0] = 5.0
    assert base.tolist() == [1.0, 1.0, 5.0, 0.0]


def test_only_some_split_outputs_used():
    check(lambda lib, x: x.split(2)[1] * 3, randn(5, 2))
    check(lambda lib, x: x.unbind(1)[2].exp(), randn(2, 4))
    check(lambda lib, x: x.chunk(3)[0].sum() + x.chunk(3)[2].sum(), randn(6))


def test_inplace_on_multi_output_view_errors():
    check_error(lambda lib, x: (x.requires_grad_() * 1).split(2)[0].mul_(2), randn(4))
    check_error(lambda lib, x: (x.requires_grad_() * 1).unbind()[1].zero_(), randn(2, 2))


def test_tensor_split_views_can_be_written():
    def f(lib, x):
        y = x * 1
        y.tensor_split(2)[1].mul_(3)
        return y

    check(f, randn(5))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.cat([]),
        lambda lib, x: lib.cat([x, x[0]]),
        lambda lib, x: lib.cat([x, x[:, :2]]),
        lambda lib, x: lib.cat([x, x], 2),
        lambda lib, x: lib.cat([x[0, 0], x[0, 0]]),
        lambda lib, x: lib.stack([x, x[:2]]),
        lambda lib, x: lib.stack([x, x], 3),
        lambda lib, x: x.split([1, 1]),
        lambda lib, x: x.chunk(0),
        lambda lib, x: x.unbind(2),
        lambda lib, x: x.flip(0, 0),
        lambda lib, x: lib.fliplr(x[0]),
        lambda lib, x: x.roll((1, 2), 0),
        lambda lib, x: x.rot90(1, (0, 0)),
        lambda lib, x: x[0].rot90(),
        lambda lib, x: x.rot90(1, (0, 1, 2)),
        lambda lib, x: lib.diag(x[None]),
        lambda lib, x: x[0].tril(),
        lambda lib, x: x.repeat(2),
        lambda lib, x: x.repeat_interleave(lib.tensor([1, 2]), 0),
        lambda lib, x: lib.block_diag(x[None]),
        lambda lib, x: lib.broadcast_tensors(x, x[:2]),
        lambda lib, x: lib.meshgrid(x, x, indexing="ij"),
        lambda lib, x: lib.diag_embed(x, 0, 1, 1),
        lambda lib, x: lib.hsplit(x, 3),
        lambda lib, x: lib.hsplit(x[0, 0], 1),
        lambda lib, x: lib.vsplit(x[0], 1),
        lambda lib, x: lib.dsplit(x, 2),
    ],
)
def test_errors(fn):
    check_error(fn, randn(3, 4, dtype="float32"))


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="indexing argument"):
        jtorch.meshgrid(jtorch.arange(2), jtorch.arange(3))


def test_out_argument():
    out = jtorch.empty(0)
    jtorch.cat([jtorch.ones(2), jtorch.zeros(1)], out=out)
    assert out.tolist() == [1.0, 1.0, 0.0]
    np.testing.assert_array_equal(
        jtorch.stack([jtorch.ones(2)] * 2, out=jtorch.empty(2, 2)).numpy(), np.ones((2, 2))
    )


@pytest.mark.parametrize(
    "op",
    [
        lambda lib, x: lib.cat([x, x * x], 1),
        lambda lib, x: lib.stack([x, x * x]),
        lambda lib, x: lib.stack(x.split(1)),
        lambda lib, x: lib.stack(x.unbind(1), 1),
        lambda lib, x: lib.diag_embed(x),
        lambda lib, x: lib.diag(x),
        lambda lib, x: x.repeat(2, 3),
        lambda lib, x: x.roll(1, 1).flip(0).rot90(),
        lambda lib, x: lib.block_diag(x, x[0]),
        lambda lib, x: x.tril(),
    ],
)
def test_double_backward(op):
    def f(lib, x):
        (g,) = lib.autograd.grad((op(lib, x) ** 3).sum(), x, create_graph=True)
        return g

    check(f, randn(3, 4), gradcheck=False)
