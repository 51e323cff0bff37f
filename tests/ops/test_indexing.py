"""Indexing against torch: getitem/setitem, gather/scatter, index_*, masked_*, fill_/copy_."""

import numpy as np
import pytest
from oracle import check, check_error, rand, randint, randn, torch

import jtorch

L = np.int64


def _name(t) -> str:
    return type(t.grad_fn).__name__


def _mask(*shape, seed=0):
    return randn(*shape, seed=seed) > 0


GETITEM = [
    lambda lib, x: x[1],
    lambda lib, x: x[-1, 2],
    lambda lib, x: x[1:3],
    lambda lib, x: x[:],
    lambda lib, x: x[:, :],
    lambda lib, x: x[...],
    lambda lib, x: x[()],
    lambda lib, x: x[::2, 1::2, -3:],
    lambda lib, x: x[None],
    lambda lib, x: x[0, None, ..., None],
    lambda lib, x: x[..., 1],
    lambda lib, x: x[:, -1:0],
    lambda lib, x: x[5:],
    lambda lib, x: x[[0, 2, 0]],
    lambda lib, x: x[[2, 0], :, [1, 1]],
    lambda lib, x: x[:, [0, 1], [4, 3]],
    lambda lib, x: x[0, :, [0, 1]],
    lambda lib, x: x[[[0, 1], [1, 2]]],
    lambda lib, x: x[np.array([[0, 1], [1, 2]])],
    lambda lib, x: x[1:, [3, 0, 3]],
    lambda lib, x: x[True],
    lambda lib, x: x[False],
    lambda lib, x: x[None, [1], ..., 2],
    lambda lib, x: x[lib.tensor(1)],
    lambda lib, x: x[np.int64(2), 1],
    lambda lib, x: x[lib.tensor([1, -1])],
    lambda lib, x: x[lib.tensor([[0], [2]]), lib.tensor([1, 2])],
    lambda lib, x: x[[0, 1], 1:3, [1, 2]],
]


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("fn", GETITEM)
def test_getitem(fn):
    check(fn, randn(3, 4, 5))
    xj, xt = jtorch.tensor(randn(3, 4, 5), requires_grad=True), torch.tensor(randn(3, 4, 5))
    yj, yt = fn(jtorch, xj), fn(torch, xt.requires_grad_())
    assert _name(yj) == _name(yt)
    assert (yj._base is xj) == (yt._base is xt)


@pytest.mark.parametrize(
    "mask",
    [_mask(3), _mask(3, 4), _mask(3, 4, 5), np.zeros((3, 4), bool)],
)
def test_bool_masks(mask):
    check(lambda lib, x, m: x[m], randn(3, 4, 5), mask)
    check(lambda lib, x, m: x[m, 1:], randn(3, 4, 5), mask.reshape(3, -1)[:, 0])
    check(lambda lib, x, m: x[..., m], randn(3, 4, 5), _mask(5, seed=mask.ndim))


def test_repeated_indices_accumulate():
    check(lambda lib, x, i: x[i], randn(4, 2), np.array([0, 3, 0, 0, 1], L))
    check(lambda lib, x, i: x[:, i] * x[i, 0], randn(4, 4), np.array([[1, 1], [2, 1]], L))


def test_integer_and_bool_tensors():
    x = randint(0, 10, 3, 4)
    check(lambda lib, x: x[1:, [0, 0]], x, grad=False)
    check(lambda lib, x: x[..., 0], (x > 4), grad=False)


def test_basic_views_share_memory_and_version():
    x = jtorch.zeros(3, 4)
    v = x[1]
    assert v._base is x
    v[2] = 5.0
    assert x[1, 2].item() == 5.0
    assert x._version == v._version == 1
    s = x[:, 1:3]
    s += 1
    assert x.sum().item() == 11.0 and x._version == 2
    x[[0]] = 7.0  # advanced: a copy of the values is not a view
    c = x[[0]]
    assert c._base is None and c[0, 0].item() == 7.0
    c[0, 0] = -1.0
    assert x[0, 0].item() == 7.0


SETITEM = [
    (lambda y, v: y.__setitem__(1, v), (4, 5)),
    (lambda y, v: y.__setitem__((slice(None), 2), v), (5,)),
    (lambda y, v: y.__setitem__((Ellipsis, slice(1, 4, 2)), v), (3, 4, 2)),
    (lambda y, v: y.__setitem__((0, slice(None), None), v), (4, 1, 5)),
    (lambda y, v: y.__setitem__(([0, 2],), v), (5,)),
    (lambda y, v: y.__setitem__((0, slice(None), [1, 3]), v), (4, 2)),
    (lambda y, v: y.__setitem__((slice(1, None), [0, 1], [2, 3]), v), (2,)),
    (lambda y, v: y.__setitem__(Ellipsis, v), ()),
]


@pytest.mark.parametrize("setter, vshape", SETITEM)
def test_setitem_grads(setter, vshape):
    def f(lib, x, v):
        y = x * 1.0
        setter(y, v)
        return y * y

    check(f, randn(3, 4, 5), randn(*vshape, seed=2))

    def scalar(lib, x):
        y = x * 2
        setter(y, 2.5)
        return y

    check(scalar, randn(3, 4, 5))


def test_setitem_grad_fn_names():
    for setter, vshape in SETITEM:
        names = []
        for lib in (jtorch, torch):
            y = lib.tensor(randn(3, 4, 5), requires_grad=True) * 1
            setter(y, lib.tensor(randn(*vshape)))
            names.append(_name(y))
        assert names[0] == names[1]


def test_setitem_casts_and_broadcasts():
    for lib in (jtorch, torch):
        x = lib.zeros(3, 4, dtype=lib.int64)
        x[0] = 2.7
        x[1:, 1:3] = lib.tensor([[1.9, -3.2]])
        x[[2, 2], [0, 3]] = lib.tensor([5, 6])
        x[lib.tensor([[True, False, False, True]] * 3)] = lib.tensor(-1.5)
        if lib is jtorch:
            ours = x.numpy().copy()
        else:
            np.testing.assert_array_equal(ours, x.numpy())


def test_setitem_mask_without_comparisons():
    m = _mask(3, 4)
    for lib in (jtorch, torch):
        x = lib.tensor(randn(3, 4))
        x[lib.tensor(m)] = 0.0
        x[:, lib.tensor(m[0])] = lib.tensor(-1.0)
        if lib is jtorch:
            ours = x.numpy().copy()
    np.testing.assert_array_equal(ours, x.numpy())


def test_inplace_on_view_of_nonleaf_requires_grad():
    def f(lib, x, w):
        y = x * 2
        row = y[1]
        row.mul_(w)
        y[0, :2] = y[2, 1:]
        y[:, [0]] += 1
        return y

    check(f, randn(3, 3), randn(3, seed=3))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x[5],
        lambda lib, x: x[0, 0, 0, 0],
        lambda lib, x: x[:, 7],
        lambda lib, x: x[-4],
        lambda lib, x: x[lib.tensor([5])],
        lambda lib, x: x[1.5],
        lambda lib, x: x[lib.tensor([1.0])],
        lambda lib, x: x[::-1],
        lambda lib, x: x[lib.ones(2, dtype=lib.bool)],
        lambda lib, x: x[(0, 1), (0, 1, 2)],
        lambda lib, x: x[0, 0, 0][0],
        lambda lib, x: x.__setitem__(0, lib.ones(3)),
        lambda lib, x: x.__setitem__([0, 1], lib.ones(3)),
        lambda lib, x: x.__setitem__((slice(None), [0, 1]), lib.ones(3)),
        lambda lib, x: x.__setitem__(0, 1j),
        lambda lib, x: x.__setitem__(0, [1.0] * 5),
        lambda lib, x: x.__setitem__(0, np.ones(5)),
    ],
)
def test_index_errors(fn):
    check_error(fn, randn(3, 4, 5))


def test_writes_into_leaves_under_no_grad():
    for lib in (jtorch, torch):
        w = lib.zeros(2, 3, requires_grad=True)
        with lib.no_grad():
            w[0] = 1.0
            w[1, [0, 2]] = 2.0
            w[:, 1].fill_(3.0)
            w.index_fill_(1, lib.tensor([2]), 4.0)
            w.diagonal().copy_(lib.tensor([5.0, 6.0]))
        if lib is jtorch:
            ours = w.detach().numpy().copy()
    np.testing.assert_array_equal(ours, w.detach().numpy())


def test_setitem_on_leaf_requiring_grad_errors():
    for setter, _ in SETITEM:
        check_error(lambda lib, x, f=setter: f(x.requires_grad_(), 1.0), randn(3, 4, 5))
    check_error(lambda lib, x: x.requires_grad_().fill_(1.0), randn(3))
    check_error(lambda lib, x: x.requires_grad_()[0].zero_(), randn(3))


def _idx(*shape, high, seed=0):
    return randint(0, high, *shape, seed=seed)


def _unique_idx():
    # NOTE: scatter with repeated targets keeps one arbitrary source value, so its gradient
    # (torch's too) disagrees with numerical differentiation; these targets are distinct.
    return np.argsort(rand(3, 4, 5), axis=1)[:, :2]


OPS = [
    (lambda lib, x, i: x.index_select(1, i), [_idx(5, high=4)]),
    (lambda lib, x, i: lib.index_select(x, 0, i), [_idx(2, high=3)]),
    (lambda lib, x, i: x.take(i), [_idx(2, 3, high=60)]),
    (lambda lib, x, i: lib.take_along_dim(x, i, 1), [_idx(3, 2, 1, high=4)]),
    (lambda lib, x, i: lib.take_along_dim(x, i), [_idx(7, high=60)]),
    (lambda lib, x, i: x.gather(2, i), [_idx(3, 2, 6, high=5)]),
    (lambda lib, x, i: lib.gather(x, 0, i), [_idx(2, 4, 5, high=3)]),
    (lambda lib, x, i, s: x.scatter(1, i, s), [_unique_idx(), randn(3, 2, 5)]),
    (lambda lib, x, i: x.scatter(2, i, 1.5), [_idx(3, 4, 2, high=5)]),
    (lambda lib, x, i, s: x.scatter_add(0, i, s), [_idx(4, 4, 5, high=3), randn(4, 4, 5)]),
    (lambda lib, x, i, s: x.index_add(1, i, s, alpha=2), [_idx(6, high=4), randn(3, 6, 5)]),
    (lambda lib, x, i, s: x.index_copy(0, i, s), [np.array([2, 0], L), randn(2, 4, 5)]),
    (lambda lib, x, i: x.index_fill(2, i, -1.0), [_idx(3, high=5)]),
    (lambda lib, x, i, v: x.index_fill(1, i, v), [_idx(2, high=4), randn()]),
    (lambda lib, x, i, v: x.index_put((i,), v), [np.array([2, 0], L), randn(5)]),
    (lambda lib, x, i, v: x.index_put((i,), v, True), [_idx(4, high=3), randn(4, 4, 5)]),
    (
        lambda lib, x, i, j, v: lib.index_put(x, (i, j), v, accumulate=True),
        [_idx(6, high=3), _idx(6, high=4, seed=1), randn(6, 5)],
    ),
    (lambda lib, x, m: x.masked_fill(m, 0.5), [_mask(4, 5)]),
    (lambda lib, x, m, v: x.masked_fill(m, v), [_mask(3, 1, 5), randn()]),
    (lambda lib, x, m: x.masked_select(m), [_mask(4, 5)]),
    (lambda lib, x, m: x[0].masked_select(m), [_mask(3, 4, 5)]),
    (lambda lib, x, m, s: x.masked_scatter(m, s), [_mask(4, 5), randn(70)]),
    (lambda lib, x, m, s: x.masked_scatter(m, s), [_mask(3, 4, 5), randn(6, 10)]),
    (lambda lib, x, i, s: x.put(i, s), [np.array([5, 0, 59], L), randn(3)]),
    (lambda lib, x, i, s: x.put(i, s, accumulate=True), [_idx(2, 2, high=60), randn(2, 2)]),
]


@pytest.mark.parametrize("fn, extra", OPS)
def test_index_ops(fn, extra):
    check(fn, randn(3, 4, 5), *extra)
    xj = jtorch.tensor(randn(3, 4, 5), requires_grad=True)
    xt = torch.tensor(randn(3, 4, 5), requires_grad=True)
    ej = [jtorch.tensor(e) if isinstance(e, np.ndarray) else e for e in extra]
    et = [torch.tensor(e) if isinstance(e, np.ndarray) else e for e in extra]
    assert _name(fn(jtorch, xj, *ej)) == _name(fn(torch, xt, *et))


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    idx = _idx(4, 3, high=3)

    def f(lib, x, s, i):
        return x.scatter_reduce(0, i, s, reduce, include_self=include_self)

    # NOTE: distinct values (no ties) keep amax/amin gradients unambiguous; 0.5..1.5 keeps prod
    # away from zero.
    check(f, rand(3, 3, low=0.5, high=1.5), rand(4, 3, low=0.5, high=1.5, seed=1), idx)
    check(f, randint(-5, 5, 3, 3), randint(-5, 5, 4, 3, seed=1), idx, grad=False)


def test_scatter_reduce_ties_and_zeros():
    idx = np.array([[0, 1], [0, 1], [1, 1]], L)
    x = np.array([[1.0, 2.0], [3.0, 0.0]])
    src = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    for reduce in ("amax", "amin", "prod"):
        check(
            lambda lib, x, s, i, r=reduce: x.scatter_reduce(0, i, s, r),
            x,
            src,
            idx,
            gradcheck=False,
        )


def test_scatter_source_larger_than_index():
    i = _idx(2, 2, high=3)
    for fn in (lambda x, i, s: x.scatter(0, i, s), lambda x, i, s: x.scatter_add(1, i, s)):
        check(lambda lib, x, i, s, f=fn: f(x, i, s), randn(3, 4), i, randn(3, 3), grad=False)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
def test_scatter_legacy_reduce():
    idx = _idx(2, 3, high=3)
    for reduce in ("add", "multiply"):
        check(
            lambda lib, x, i, s, r=reduce: x.scatter(0, i, s, reduce=r),
            randn(3, 3),
            idx,
            randn(2, 3),
            grad=False,
        )


def test_inplace_variants():
    def f(lib, x, i, s, m, j):
        y = x * 1
        y.index_add_(0, i, s)
        y.index_fill_(1, i[:1], 2.0)
        y.masked_fill_(m, -1.0)
        y.scatter_(1, j, s[:, :2])
        y.scatter_add_(0, i.view(-1, 1).expand(-1, 3)[:3], s)
        y.index_put_((i[:2],), s[0], accumulate=True)
        y.index_copy_(0, i[:1], s[:1])
        return y

    j = np.array([[0, 1], [2, 0], [1, 2]], L)
    check(f, randn(4, 3), np.array([1, 2, 0], L), randn(3, 3), _mask(4, 3), j)


def test_nonzero_argwhere():
    x = randint(-1, 2, 3, 4)
    check(lambda lib, x: lib.nonzero(x), x, grad=False)
    check(lambda lib, x: x.nonzero(as_tuple=True), x, grad=False)
    check(lambda lib, x: lib.argwhere(x), x, grad=False)
    check(lambda lib, x: lib.nonzero(x, as_tuple=True), np.array(3), grad=False)
    check(lambda lib, x: lib.nonzero(x), randn(2, 3) > 0, grad=False)


def test_fill_zero_copy():
    def f(lib, x, v, s):
        y = x * 2
        y[0].fill_(3.0)
        y[1].fill_(v)
        y[2].zero_()
        y[:, 1].copy_(s)
        return y

    check(f, randn(4, 3), randn(), randn(4, seed=1))
    for lib in (jtorch, torch):
        y = lib.tensor(randn(2, 2), requires_grad=True) * 1
        names = [_name(y.clone().fill_(1.0)), _name(y.clone().fill_(lib.tensor(1.0)))]
        names += [_name(y.clone().zero_()), _name(y.clone().copy_(y))]
        if lib is jtorch:
            ours = names
    assert ours == names


def test_copy_broadcast_cast_and_grad():
    check(lambda lib, x, s: (x * 1).copy_(s), randn(3, 4), randn(4, seed=1))
    check(lambda lib, x, s: (x * 1).copy_(s), randn(3, 4), randn(4, seed=1, dtype="float32"))
    x = jtorch.zeros(2, 2, dtype=jtorch.int32)
    x.copy_(jtorch.tensor([1.7, -2.2]))
    assert x.tolist() == [[1, -2], [1, -2]] and x._version == 1


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: lib.gather(x, 0, lib.zeros(2, dtype=lib.long)),
        lambda lib, x: lib.gather(x, 0, lib.zeros(2, 5, dtype=lib.long)),
        lambda lib, x: lib.gather(x, 0, lib.full((2, 2), 5, dtype=lib.long)),
        lambda lib, x: lib.gather(x, 0, lib.zeros(2, 2)),
        lambda lib, x: x.scatter(0, lib.full((2, 2), 5, dtype=lib.long), x),
        lambda lib, x: x.scatter(0, lib.zeros(2, 5, dtype=lib.long), x),
        lambda lib, x: x.scatter(0, lib.zeros(2, 2, dtype=lib.long), x.double()),
        lambda lib, x: x.scatter_add(0, lib.zeros(4, 4, dtype=lib.long), x),
        lambda lib, x: x.scatter_reduce(0, lib.zeros(2, 2, dtype=lib.long), x, "foo"),
        lambda lib, x: x.index_select(0, lib.tensor([5])),
        lambda lib, x: x.index_select(0, lib.tensor([[0]])),
        lambda lib, x: x.index_select(0, lib.tensor([0.0])),
        lambda lib, x: x.take(lib.tensor([12])),
        lambda lib, x: x.take(lib.tensor([-13])),
        lambda lib, x: x.index_add(0, lib.tensor([0]), lib.ones(2, 4)),
        lambda lib, x: x.index_add(0, lib.tensor([5]), lib.ones(1, 4)),
        lambda lib, x: x.index_copy(0, lib.tensor([5]), lib.ones(1, 4)),
        lambda lib, x: x.index_fill(0, lib.tensor([5]), 1.0),
        lambda lib, x: x.index_fill(0, lib.tensor([0]), lib.ones(2)),
        lambda lib, x: x.index_put((lib.tensor([5]),), lib.tensor(1.0)),
        lambda lib, x: x.index_put((lib.tensor([0]),), lib.tensor(1.0, dtype=lib.float64)),
        lambda lib, x: x.index_put((lib.tensor([0]),), lib.ones(3)),
        lambda lib, x: x.masked_fill(lib.ones(3, 4), 1.0),
        lambda lib, x: x.masked_fill(lib.ones(3, 4, dtype=lib.bool), lib.ones(2)),
        lambda lib, x: x.masked_select(lib.ones(3, 4)),
        lambda lib, x: x.masked_scatter(lib.ones(3, 4, dtype=lib.bool), lib.ones(2)),
        lambda lib, x: x.masked_scatter(lib.ones(3, 4, dtype=lib.bool), x.double()),
        lambda lib, x: x.put(lib.tensor([20]), lib.tensor([1.0])),
        lambda lib, x: x.put(lib.tensor([1, 2]), lib.tensor([1.0])),
        lambda lib, x: x.clone().fill_(lib.ones(2)),
        lambda lib, x: lib.zeros(3).copy_(lib.ones(2)),
        lambda lib, x: lib.zeros(3).copy_(lib.ones(2, 3)),
    ],
)
def test_op_errors(fn):
    check_error(fn, randn(3, 4, dtype="float32"))


def test_setitem_value_requiring_grad_into_plain_tensor():
    def f(lib, v):
        z = lib.zeros(3, 4, dtype=v.dtype)
        z[1] = v
        z[:, [0, 2]] = v[:2].reshape(1, 2) * 2
        return z

    check(f, randn(4))


def test_augmented_assignment_and_iteration():
    def f(lib, x, v):
        y = x * 1
        y[1:] += v
        y[[0, 0]] += v
        y[..., 1] *= 2
        return lib.stack([r * i for i, r in enumerate(y)])

    check(f, randn(3, 4), randn(4, seed=1))


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda lib, x: (x[None], x[...], x[()], x[None, None]), ()),
        (lambda lib, x: x[[]], (3, 2)),
        (lambda lib, x: x[:, []], (3, 2)),
        (lambda lib, x: x[0:0], (3, 2)),
        (lambda lib, x: x[lib.tensor([], dtype=lib.long)], (3, 2)),
        (lambda lib, x: x[1:2, None, 0], (3, 2)),
        (lambda lib, x: x[:, 1], (0, 3)),
    ],
)
def test_index_edge_cases(fn, shape):
    check(fn, randn(*shape), gradcheck=0 not in shape)


def test_list_as_tuple_warns_like_torch():
    x = jtorch.zeros(3, 4)
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        assert x[[0, slice(None)]].shape == (4,)


@pytest.mark.parametrize(
    "op",
    [
        lambda lib, x, i: x[i],
        lambda lib, x, i: x[:, i[:2]],
        lambda lib, x, i: x.index_select(0, i),
        lambda lib, x, i: x.gather(0, i.view(-1, 1).expand(-1, 4)),
        lambda lib, x, i: x.take(i),
        lambda lib, x, i: x.index_add(0, i, x[:3]),
        lambda lib, x, i: x.index_put((i,), x[0], accumulate=True),
        lambda lib, x, i: x.scatter_add(0, i.view(-1, 1).expand(-1, 4), x[:3] * x[:3]),
        lambda lib, x, i: x.masked_fill(lib.tensor([[True, False, True, False]]), 0.5),
        lambda lib, x, i: x.put(i, x[0, :3]),
        lambda lib, x, i: x.masked_scatter(lib.ones(3, 4, dtype=lib.bool), x.flip(0)),
    ],
)
def test_double_backward(op):
    def f(lib, x, i):
        (g,) = lib.autograd.grad((op(lib, x, i) ** 3).sum(), x, create_graph=True)
        return g

    check(f, randn(3, 4), np.array([2, 0, 2], L), gradcheck=False)
