"""Sorting and order statistics against torch: values, indices, grads, NaN order, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randint, randn

import jtorch

X = randn(3, 4, 5)  # no ties, so torch's index choices are defined


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.sort(),
        lambda lib, x: x.sort(0, True),
        lambda lib, x: lib.sort(x, dim=1, descending=False, stable=True),
        lambda lib, x: x.argsort(1, descending=True),
        lambda lib, x: lib.argsort(x, stable=True),
        lambda lib, x: x.msort(),
        lambda lib, x: x.topk(2),
        lambda lib, x: x.topk(3, 0, largest=False),
        lambda lib, x: lib.topk(x, 1, dim=1, sorted=True),
        lambda lib, x: x.topk(0),
        lambda lib, x: x.kthvalue(2),
        lambda lib, x: x.kthvalue(3, 1, keepdim=True),
        lambda lib, x: x.median(),
        lambda lib, x: x.median(1),
        lambda lib, x: x.median(-1, keepdim=True),
        lambda lib, x: x.nanmedian(),
        lambda lib, x: x.nanmedian(0),
    ],
)
def test_order_statistics(fn):
    check(fn, X)


def test_mode():
    x = np.array([[1.0, 2.0, 2.0, 3.0, 3.0], [5.0, 5.0, 1.0, 1.0, 2.0], [4.0, 0.5, 0.5, 0.5, 4.0]])
    check(lambda lib, x: x.mode(), x, gradcheck=False)
    check(lambda lib, x: x.mode(0, keepdim=True), x, gradcheck=False)
    check(lambda lib, x: x.mode(), randint(0, 3, 4, 6), grad=False)
    check(lambda lib, x: x.mode(0), X)  # all distinct: the smallest value, its only index


def test_nan_order():
    n = np.nan
    x = np.array([[3.0, n, 1.0, n, 2.0], [n, 1.0, n, 3.0, 0.5]])
    check(lambda lib, x: (x.sort(), x.sort(descending=True), x.argsort(1)), x, grad=False)
    check(lambda lib, x: (x.topk(2), x.topk(2, largest=False)), x, grad=False)
    long_rows = randn(2, 40)  # the argpartition path
    long_rows[0, 17] = long_rows[1, 5] = n  # one NaN a row: NaN ties are unordered in torch
    check(lambda lib, x: (x.topk(3), x.topk(5, largest=False)), long_rows, grad=False)
    check(lambda lib, x: x.topk(4, 0), randn(30, 3))
    check(lambda lib, x: (x.median(), x.median(1), x.nanmedian(), x.nanmedian(1)), x, grad=False)
    allnan = np.array([[n, 1.0, n], [n, n, n]])
    check(lambda lib, x: (x.nanmedian(1), x.nanmedian(), x.median(0)), allnan, grad=False)
    # NOTE: no numerical gradcheck with NaN in the input: finite differences are NaN everywhere
    check(lambda lib, x: x.median(), x, gradcheck=False)


def test_even_median_ties_share_gradient():
    check(lambda lib, x: x.median(), np.array([1.0, 4.0, 2.0, 2.0, 3.0, 5.0]), gradcheck=False)


def test_stable_descending_keeps_order_of_equals():
    x = np.array([2.0, 1.0, 2.0, 3.0, 1.0, 2.0])
    check(lambda lib, x: lib.sort(x, descending=True, stable=True), x, gradcheck=False)
    check(lambda lib, x: lib.sort(x, stable=True), x, gradcheck=False)


def test_integer_and_bool_inputs():
    i = randint(-5, 50, 4, 6)
    check(lambda lib, x: (x.sort(1), x.topk(2), x.kthvalue(3), x.median(), x.median(0)), i)
    check(lambda lib, x: x.sort(), np.array([True, False, True]))


def test_zero_dim_and_empty():
    s = np.array(2.5)
    check(lambda lib, x: (x.sort(0), x.topk(1), x.kthvalue(1), x.median(0), x.mode(0)), s)
    e = np.zeros((0, 3))
    check(lambda lib, x: (x.sort(0), x.topk(0, 0), x.median(1), x.kthvalue(1, 1)), e, grad=False)
    check(lambda lib, x: (x.median(), x.nanmedian(), x.mode(1), x.argsort()), e, grad=False)


def test_order_errors():
    check_error(lambda lib, x: x.topk(6), X, match="selected index k out of range")
    check_error(lambda lib, x: x.topk(-1), X, match="selected index k out of range")
    check_error(lambda lib, x: x.kthvalue(0), X, match="selected number k out of range")
    check_error(lambda lib, x: x.kthvalue(4, 0), X, match="for dimension 0")
    check_error(lambda lib, x: x.sort(3), X, match="Dimension out of range")
    check_error(lambda lib, x: x.median(0), np.zeros((0, 2)), match="non-zero size")
    check_error(lambda lib, x: x.mode(0), np.zeros((0, 2)), match="non-zero size")
    check_error(lambda lib, x: x.median(), np.array([True]), match="median_cpu")


def test_grad_fn_names():
    x = jtorch.tensor(X, requires_grad=True)
    names = {
        "SortBackward0": x.sort()[0],
        "TopkBackward0": x.topk(2).values,
        "KthvalueBackward0": x.kthvalue(2).values,
        "MedianBackward0": x.median(),
        "MedianBackward1": x.median(0).values,
        "NanmedianBackward0": x.nanmedian(),
        "NanmedianBackward1": x.nanmedian(0).values,
        "ModeBackward0": x.mode().values,
        "Unique2Backward0": x.unique(),
        "UniqueDimBackward0": x.unique(dim=0),
        "UniqueConsecutiveBackward0": x.unique_consecutive(),
        "NotImplemented": jtorch.histogram(x, 3).hist,
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name


def test_sort_double_backward():
    check(lambda lib, x: lib.autograd.grad((x.sort(1)[0] ** 3).sum(), x, create_graph=True), X)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.unique(),
        lambda lib, x: x.unique(return_inverse=True, return_counts=True),
        lambda lib, x: lib.unique(x, sorted=False, return_counts=True),
        lambda lib, x: x.unique(dim=0, return_inverse=True, return_counts=True),
        lambda lib, x: x.unique(dim=-1, return_inverse=True),
        lambda lib, x: x.unique_consecutive(),
        lambda lib, x: x.unique_consecutive(return_inverse=True, return_counts=True),
        lambda lib, x: x.unique_consecutive(return_counts=True, dim=0),
        lambda lib, x: lib.unique_consecutive(x, return_inverse=True, dim=1),
    ],
)
def test_unique(fn):
    x = np.array([[1, 1, 2, 2], [1, 1, 2, 2], [0, 5, 5, 1], [3, 3, 3, 3]])
    check(fn, x, grad=False)
    check(fn, x.astype("float64"), grad=False)


def test_unique_has_no_derivative():
    for lib in (jtorch, pytest.importorskip("torch")):
        x = lib.tensor([3.0, 1.0, 3.0], requires_grad=True)
        for y in (x.unique(), x.unique_consecutive()):
            with pytest.raises(NotImplementedError, match="the derivative for"):
                y.sum().backward()
        for y in (lib.histogram(x, 2).hist, lib.tensor([0, 2, 0]).bincount(x)):
            with pytest.raises(RuntimeError, match="derivative for aten::"):
                y.sum().backward()


def test_histograms():
    x = randn(50, seed=4)
    w = np.abs(randn(50, seed=5))
    check(lambda lib, x: x.histc(), x, grad=False)
    check(lambda lib, x: lib.histc(x, bins=7, min=-1, max=1.5), x, grad=False)
    check(lambda lib, x: x.histc(3), np.array([5.0]), grad=False)
    check(lambda lib, x: x.histogram(6), x, grad=False)
    check(lambda lib, x: lib.histogram(x, 5, range=(-1.0, 1.0), density=True), x, grad=False)
    check(lambda lib, x, w: lib.histogram(x, 4, weight=w), x, w, grad=False)
    check(lambda lib, x, w: x.histogram(w.sort().values, weight=w, density=True), x, w, grad=False)
    check_error(lambda lib, x: x.histc(-1), x, match="bins must be > 0")
    check_error(lambda lib, x: x.histc(3, 2, 1), x, match="max must be larger than min")
    check_error(lambda lib, x: x.histc(3), np.array([1, 2]), match="not implemented for 'Long'")


def test_bincount():
    i = np.array([1, 2, 1, 5, 0, 2])
    check(lambda lib, x: (x.bincount(), x.bincount(minlength=9)), i, grad=False)
    check(lambda lib, x, w: x.bincount(w), i, randn(6), grad=False)
    check(lambda lib, x, w: x.bincount(w, minlength=8), i, randn(6), grad=False)
    check(lambda lib, x, w: lib.bincount(x, w), i, np.arange(6), grad=False)
    check(lambda lib, x: x.bincount(), np.zeros(0, np.int64), grad=False)
    check_error(lambda lib, x: x.bincount(), np.array([1, -2]), match="non-negative integral")
    check_error(lambda lib, x: x.bincount(), np.array([[1, 2]]), match="non-negative integral")


def test_searchsorted_bucketize():
    seq = np.array([1.0, 3.0, 5.0, 7.0])
    vals = np.array([[3.0, 6.0, 9.0], [0.0, 1.0, 7.0]])
    rows = np.array([[1.0, 3.0, 5.0, 7.0], [2.0, 4.0, 6.0, 8.0]])
    for kw in ({}, {"right": True}, {"side": "right"}, {"out_int32": True}):
        check(lambda lib, s, v, kw=kw: lib.searchsorted(s, v, **kw), seq, vals, grad=False)
        check(lambda lib, s, v, kw=kw: lib.searchsorted(s, v, **kw), rows, vals, grad=False)
        if "side" not in kw:
            check(lambda lib, v, b, kw=kw: lib.bucketize(v, b, **kw), vals, seq, grad=False)
    check(lambda lib, s: lib.searchsorted(s, 4.0), seq, grad=False)
    check(lambda lib, b: lib.bucketize(3, b), seq, grad=False)
    check(lambda lib, s: lib.searchsorted(s, s), np.array([1, 3, 5]), grad=False)
    unsorted, sorter = np.array([5.0, 1.0, 3.0]), np.array([1, 2, 0])
    check(lambda lib, s, p: lib.searchsorted(s, 4.0, sorter=p), unsorted, sorter, grad=False)
    check_error(lambda lib, s, v: lib.searchsorted(s, v), rows[:1], vals[0], match="boundaries")
    check_error(lambda lib, v, b: lib.bucketize(v, b), vals, rows, match="1 dimension")
    check_error(lambda lib, s: lib.searchsorted(s, s, right=True, side="left"), seq)
