"""Sets, constructors, windows, strided views, *_copy variants, storage and sparse stubs of
ops/extra against torch."""

import numpy as np
import pytest
from oracle import check, check_error, randint, randn, torch

import jtorch

X = randn(3, 4)
V = randn(5, seed=2)
IDX = randint(-5, 12, 2, 3)


def test_isin():
    a, b = randint(0, 6, 3, 4), np.array([1, 3, 9])
    check(lambda lib, a, b: lib.isin(a, b), a, b, grad=False)
    check(lambda lib, a, b: lib.isin(a, b, invert=True), a, b, grad=False)
    check(lambda lib, a: (lib.isin(a, 3), lib.isin(2, a)), a, grad=False)


def test_unravel_index():
    check(lambda lib, i: lib.unravel_index(i, (2, 3)), IDX, grad=False)
    check(lambda lib, i: lib.unravel_index(i, 7), IDX, grad=False)
    check_error(lambda lib, i: lib.unravel_index(i.float(), (2, 3)), IDX)
    check_error(lambda lib, i: lib.unravel_index(i, (2, -3)), IDX)


def _gradcheck(fn, *arrays):
    """jtorch's numerical gradient check alone, where torch's own backward is broken."""
    inputs = tuple(jtorch.tensor(a, requires_grad=True) for a in arrays)
    assert jtorch.autograd.gradcheck(fn, inputs)


def test_vander():
    # NOTE: torch's vander backward fails (its cumprod input is modified in place), so values are
    # compared with torch and gradients checked numerically
    check(lambda lib, x: lib.vander(x), V, grad=False)
    check(lambda lib, x: lib.vander(x, N=3, increasing=True), V, grad=False)
    check(lambda lib, x: lib.vander(x, N=0), V, grad=False)
    _gradcheck(lambda x: jtorch.vander(x), V)
    _gradcheck(lambda x: jtorch.vander(x, 3, increasing=True), V)
    check(lambda lib, x: lib.vander(x, 4), np.array([1, 2, -3], dtype=np.int32), grad=False)
    check_error(lambda lib, x: lib.vander(x), X)
    check_error(lambda lib, x: lib.vander(x, N=-1), V)


@pytest.mark.parametrize(
    "name", ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]
)
def test_windows(name):
    for n in (0, 1, 2, 7):
        for periodic in (True, False):
            f64 = lambda lib, n=n, p=periodic: getattr(lib, name)(n, p, dtype=lib.float64)  # noqa: E731
            check(f64, grad=False)
            # float32 windows: float32 tolerances (torch evaluates the formula in float32)
            f32 = lambda lib, n=n, p=periodic: getattr(lib, name)(n, p)  # noqa: E731
            check(f32, grad=False, atol=1e-6, rtol=1e-5)
    check_error(lambda lib: getattr(lib, name)(5, dtype=lib.int64))
    check_error(lambda lib: getattr(lib, name)(-1))


def test_window_parameters():
    check(lambda lib: lib.hamming_window(6, False, 0.6, 0.3, dtype=lib.float64), grad=False)
    check(lambda lib: lib.kaiser_window(6, True, 5.0, dtype=lib.float64), grad=False)


@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
def test_index_reduce(reduce):
    index = np.array([0, 2, 0, 1, 2])
    check(lambda lib, x, s, i: lib.index_reduce(x, 1, i, s, reduce), X[:, :3], randn(3, 5), index)
    check(
        lambda lib, x, s, i: x.index_reduce(0, i, s, reduce, include_self=False),
        X,
        randn(5, 4, seed=4),
        np.array([0, 2, 0, 1, 2]),
    )
    check(lambda lib, x, s, i: x.clone().index_reduce_(0, i, s, reduce), X, randn(2, 4), index[:2])
    check_error(lambda lib, x, s, i: x.index_reduce(0, i, s, "sum"), X, randn(2, 4), index[:2])


def test_nonzero_static_fill():
    a = np.array([[0, 3, 0], [2, 0, 1]])
    for size in (0, 2, 5):
        check(lambda lib, a, size=size: lib.nonzero_static(a, size=size), a, grad=False)
    check(lambda lib, a: a.nonzero_static(size=4, fill_value=9), a, grad=False)
    check(lambda lib, x: lib.fill(x, 2.5), X)
    check(lambda lib, a: lib.fill(a, 7), a, grad=False)


def test_buffers_and_predicates():
    buf = bytearray(np.arange(6, dtype=np.float32).tobytes())
    check(lambda lib: lib.frombuffer(buf, dtype=lib.float32, count=3, offset=4), grad=False)
    y = jtorch.from_dlpack(torch.arange(3))
    assert y.tolist() == [0, 1, 2] and y.dtype == jtorch.int64
    x = jtorch.ones(2)
    assert jtorch.from_dlpack(jtorch.to_dlpack(x)).tolist() == [1.0, 1.0]
    check(lambda lib, x: (lib.is_same_size(x, x), lib.is_same_size(x, x[0])), X, grad=False)
    check(lambda lib, x: (lib.is_signed(x), lib.is_signed(x.byte()), x.is_nonzero()), V[:1])
    check_error(lambda lib, x: x.is_nonzero(), V)
    check(lambda lib, x: (lib.is_inference(x), lib.get_device(x), lib.is_distributed(x)), V)
    check(lambda lib, x: (lib.detach(x), lib.detach_(x * 1)), V)
    assert jtorch.typename(jtorch.ones(1)) == torch.typename(torch.ones(1)) == "torch.FloatTensor"
    assert jtorch.typename(3) == torch.typename(3)


def test_shapes():
    check(lambda lib, x: lib.ravel(x.t()), X)
    check(lambda lib, x, y: x.reshape_as(y), X, randn(2, 6))
    check(lambda lib, x: x.sum_to_size(1, 4), X)
    check(lambda lib, x: x.sum_to_size((3, 1)), X)
    check(lambda lib, x: x.sum_to_size(4), X)
    check_error(lambda lib, x: x.sum_to_size(5), X)
    check(lambda lib, x: lib.split_with_sizes(x, [1, 3], 1), X)
    check_error(lambda lib, x: x.split_with_sizes([1, 1]), X)
    check(lambda lib, x: (lib.unsafe_split(x, 2, 1), x.unsafe_chunk(3)), X)
    check(lambda lib, x: lib.unsafe_split_with_sizes(x, [2, 1]), X)
    check(lambda lib, x, y: lib.row_stack([x, y]), X, randn(4))


def test_as_strided():
    check(lambda lib, x: lib.as_strided(x, (2, 2), (1, 2)), V)
    check(lambda lib, x: lib.as_strided(x, (3, 3), (1, 1), 1), randn(6))  # overlapping
    check(lambda lib, x: x[1:].as_strided((2,), (2,)), V)
    check(lambda lib, x: lib.as_strided_copy(x, (2, 2), (2, 1), 1), randn(6))
    # NOTE: torch's as_strided_scatter gives the input the gradient of the overwritten elements
    # (its own gradcheck fails); jtorch's gradient is checked numerically
    check(lambda lib, x, s: lib.as_strided_scatter(x, s, (2,), (2,), 1), V, randn(2), grad=False)
    _gradcheck(lambda x, s: jtorch.as_strided_scatter(x, s, (2,), (2,), 1), V, randn(2))
    check(lambda lib, x: x.clone().as_strided_((2, 2), (1, 2)) * 1, V)
    check_error(lambda lib, x: lib.as_strided(x, (3, 3), (2, 2)), V)
    x = jtorch.arange(6.0)
    v = x.as_strided((2, 2), (2, 1))
    v.add_(10)
    assert x.tolist() == [10.0, 11.0, 12.0, 13.0, 4.0, 5.0]


def test_copies():
    check(lambda lib, x: lib.view_copy(x, (2, 6)), X)
    check(lambda lib, x: lib.t_copy(x), X)
    check(lambda lib, x: lib.transpose_copy(x, 0, 1), X)
    check(lambda lib, x: lib.permute_copy(x, (1, 0)), X)
    check(lambda lib, x: lib.expand_copy(x[:1], (2, 4)), X)
    check(lambda lib, x: (lib.squeeze_copy(x[:1]), lib.unsqueeze_copy(x, 1)), X)
    check(lambda lib, x: lib.diagonal_copy(x, 1), X)
    check(lambda lib, x: lib.select_copy(x, 1, 2), X)
    check(lambda lib, x: lib.slice_copy(x, 1, 1, None, 2), X)
    check(lambda lib, x: (lib.split_copy(x, 2), lib.unbind_copy(x, 1)), X)
    check(lambda lib, x: lib.split_with_sizes_copy(x, [3, 1], 1), X)
    check(lambda lib, x: lib.unfold_copy(x, 1, 2, 1), X)
    check(lambda lib, x: lib.alias_copy(x), X)
    check(lambda lib, x: lib.detach_copy(x), X, grad=False)
    check(lambda lib, x: lib.narrow_copy(x, 1, 1, 2), X)
    check(lambda lib, x: x.narrow_copy(0, 1, 2), X)


def test_fill_diagonal():
    check(lambda lib, x: x.clone().fill_diagonal_(2.0), X)
    check(lambda lib, x: x.clone().fill_diagonal_(-1.0, wrap=True), randn(7, 3))
    check(lambda lib, x: x.clone().fill_diagonal_(0.5), randn(7, 3))
    check(lambda lib, x: x.clone().fill_diagonal_(3.0), randn(3, 3, 3))
    check_error(lambda lib, x: x.fill_diagonal_(1.0), V)
    check_error(lambda lib, x: x.fill_diagonal_(1.0), randn(2, 3, 2))


def test_resize_set_apply():
    check(lambda lib, x: x.detach().clone().resize_(2, 3), X, grad=False)
    check(lambda lib, x: x.detach().clone().resize_as_(x[0]), X, grad=False)
    check(lambda lib, x: lib.resize_as_(x.detach().clone(), x[:2]), X, grad=False)
    check_error(lambda lib, x: x.requires_grad_().resize_(2), V)
    with pytest.warns(UserWarning, match="non-inplace resize is deprecated"):
        check(lambda lib, x: (x.resize(2, 6), x.resize_as(x.t())), X)
    with pytest.warns(UserWarning):
        check_error(lambda lib, x: x.resize(5), X)
    check(lambda lib, x: x.clone().apply_(lambda v: v * 2 + 1), V, grad=False)
    check(lambda lib, x, y: x.clone().map_(y, lambda a, b: a - b), X, randn(4), grad=False)
    check(lambda lib, x: x.clone().map2_(x, x, lambda a, b, c: a * b + c), V, grad=False)
    check(lambda lib, x: (x.dim_order(), x.t().dim_order()), X, grad=False)
    check(lambda lib, x: (x.clone().set_(x).shape, x.is_set_to(x), x.is_set_to(x.clone())), V)


def test_empty_layouts():
    check(lambda lib: lib.empty_strided((2, 3), (1, 2)).stride(), grad=False)
    check(lambda lib: str(lib.empty_strided((2, 3), (1, 2), dtype=lib.int32).dtype), grad=False)
    check(lambda lib, x: x.new_empty_strided((2,), (3,)).shape, X, grad=False)
    check(lambda lib: lib.empty_permuted((2, 3, 4), (2, 0, 1)).stride(), grad=False)
    check(lambda lib: lib.empty_permuted((2, 3), (1, 0)).shape, grad=False)


def test_storage_and_sparse():
    x = jtorch.arange(3.0)
    assert x.untyped_storage().nbytes() == 12 and x[1:].untyped_storage().nbytes() == 12
    assert x.untyped_storage().data_ptr() == x.data_ptr()
    assert x.untyped_storage().tolist() == torch.arange(3.0).untyped_storage().tolist()
    assert not x.is_pinned() and not x.is_shared() and x.share_memory_() is x
    assert x.to_dense() is x and x.sparse_dim() == 0 and x.dense_dim() == 1
    for call in (lambda: x.to_sparse(), lambda: jtorch.sparse_coo_tensor([[0]], [1.0], (2,))):
        with pytest.raises(NotImplementedError, match="sparse tensors are not supported"):
            call()
    if not jtorch.cuda.is_available():
        check_error(lambda lib, x: x.pin_memory(), V)


def test_norms_histogramdd():
    check(lambda lib, x: lib.frobenius_norm(x, (0, 1)), X)
    check(lambda lib, x: lib.frobenius_norm(x, 1, True), X)
    check(lambda lib, x: lib.nuclear_norm(x), X)
    check(lambda lib, x: lib.nuclear_norm(x, (1, 2), True), randn(2, 3, 3))
    check(lambda lib, x: lib.norm_except_dim(x, 2, 1), X)
    check(lambda lib, x: lib.norm_except_dim(x, 3, -1), X)
    pts = np.random.default_rng(0).random((20, 2))
    check(lambda lib, p: lib.histogramdd(p, bins=3), pts, grad=False)
    check(
        lambda lib, p: lib.histogramdd(p, bins=[2, 4], range=[0.0, 1.0, 0.0, 1.0]), pts, grad=False
    )
    w = np.random.default_rng(1).random(20)
    check(lambda lib, p, w: lib.histogramdd(p, 3, weight=w, density=True), pts, w, grad=False)
    check(
        lambda lib, p, e: lib.histogramdd(p, bins=[e, e]),
        pts,
        np.array([0.0, 0.3, 1.0]),
        grad=False,
    )
