"""Reductions against torch: values, dtypes, grads (ties, zeros, NaN), overloads and errors."""

import math

import numpy as np
import pytest
from oracle import check, check_error, randint, randn

import jtorch

X = randn(3, 4, 5)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.nansum(),
        lambda lib, x: x.nansum((0, 2), keepdim=True),
        lambda lib, x: lib.nanmean(x, -1),
        lambda lib, x: x.prod(),
        lambda lib, x: x.prod(1, keepdim=True),
        lambda lib, x: x.prod(-1, dtype=lib.float64),
        lambda lib, x: x.max(),
        lambda lib, x: x.max(1),
        lambda lib, x: x.max(dim=-1, keepdim=True),
        lambda lib, x: lib.max(x, 0, True),
        lambda lib, x: x.min(),
        lambda lib, x: x.min(2),
        lambda lib, x: x.amax(),
        lambda lib, x: x.amax((0, 2)),
        lambda lib, x: x.amin(-1, keepdim=True),
        lambda lib, x: x.aminmax(),
        lambda lib, x: lib.aminmax(x, dim=1, keepdim=True),
        lambda lib, x: x.var(),
        lambda lib, x: x.var(1),
        lambda lib, x: x.var(1, True, True),
        lambda lib, x: x.var(False),
        lambda lib, x: x.var((0, 2), correction=0),
        lambda lib, x: x.std(),
        lambda lib, x: x.std(-1, unbiased=False, keepdim=True),
        lambda lib, x: x.std(dim=None, correction=2),
        lambda lib, x: lib.std_mean(x, 1),
        lambda lib, x: lib.var_mean(x, (0, 1), keepdim=True, correction=0),
        lambda lib, x: lib.std_mean(x),
        lambda lib, x: x.logsumexp(1),
        lambda lib, x: lib.logsumexp(x, (0, 2), keepdim=True),
        lambda lib, x: x.norm(),
        lambda lib, x: x.norm(dim=1),
        lambda lib, x: x.norm(p=1, dim=(0, 2), keepdim=True),
        lambda lib, x: x.norm(p=math.inf, dim=-1),
        lambda lib, x: x.norm(p=-math.inf),
        lambda lib, x: x.norm(p=3, dim=1),
        lambda lib, x: x.norm(p=1.5),
        lambda lib, x: x.norm(p=0.5, dim=0),
        lambda lib, x: x.norm(p="fro", dim=(1, 2)),
        lambda lib, x: lib.norm(x, 0),
    ],
)
def test_reductions(fn):
    check(fn, X)


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, math.inf, 0])
def test_dist_broadcasts(p):
    # NOTE: torch's p=0 gradient is undefined (autograd.grad refuses it); jtorch's is None
    check(lambda lib, x, y: x.dist(y, p), randn(3, 4), randn(4, seed=3), grad=p != 0)


def test_nuclear_norm_needs_linalg():
    if not hasattr(jtorch.Tensor, "movedim"):
        pytest.skip("linalg.matrix_norm needs movedim (movement family) not there yet")
    check(lambda lib, x: x.norm(p="nuc"), randn(3, 4))


def test_sum_mean_forms():
    check(lambda lib, x: x.sum(()), X)
    check(lambda lib, x: x.mean((-1, 0)), X)
    check(lambda lib, x: x.sum(0), np.array(3.0))
    check(lambda lib, x: x.sum(dtype=lib.float64), X)


def test_binary_max_min_need_elementwise():
    if not hasattr(jtorch, "maximum"):
        pytest.skip("maximum (elementwise family) not there yet")
    check(lambda lib, x, y: x.max(y), randn(3, 4), randn(4, seed=2))
    check(lambda lib, x, y: lib.min(x, y), randn(3, 4), randn(4, seed=2))


def test_ties_share_gradient():
    ties = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    for fn in (
        lambda lib, x: x.max(),
        lambda lib, x: x.amax(1),
        lambda lib, x: x.amin((0, 1)),
        lambda lib, x: lib.aminmax(x, dim=0),
        lambda lib, x: x.norm(p=math.inf, dim=1),
    ):
        check(fn, ties, gradcheck=False)


def test_prod_with_zeros():
    x = np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, 2.0, -1.0], [0.0, 4.0, 0.5]])
    check(lambda lib, x: x.prod(1), x)
    check(lambda lib, x: x.prod(0, keepdim=True), x)
    check(lambda lib, x: x.prod(), np.array([2.0, 0.0, 3.0]))
    check(lambda lib, x: x.prod(), x)


def test_prod_double_backward():
    for data in ([1.5, 2.0, -3.0], [1.5, 0.0, -3.0]):
        outs = []
        for lib in (jtorch, pytest.importorskip("torch")):
            x = lib.tensor(data, dtype=lib.float64, requires_grad=True)
            (g,) = lib.autograd.grad(x.prod(), x, create_graph=True)
            (gg,) = lib.autograd.grad((g * lib.tensor([1.0, 2.0, 3.0])).sum(), x)
            outs.append(gg.numpy())
        np.testing.assert_allclose(*outs, atol=1e-12)


def test_nan_handling():
    x = np.array([[1.0, np.nan, 2.0], [0.5, -1.0, 3.0]])
    # NOTE: no numerical gradcheck with NaN in the input: finite differences are NaN everywhere
    check(lambda lib, x: x.nansum(1), x, gradcheck=False)
    check(lambda lib, x: x.nanmean(), x, gradcheck=False)
    check(lambda lib, x: x.max(1), x, grad=False)
    check(lambda lib, x: x.max(), x, gradcheck=False)
    check(lambda lib, x: (x.amax(1), x.argmax(1), x.argmin()), x, grad=False)


def test_logsumexp_stable():
    x = np.array([[1000.0, 1000.0], [-np.inf, -np.inf], [-1000.0, 3.0]])
    check(lambda lib, x: x.logsumexp(1), x, gradcheck=False)
    # NOTE: an integer input gives float32: compare with float32 tolerance
    check(lambda lib, x: x.logsumexp(0), np.array([1, 2, 3]), grad=False, atol=1e-6, rtol=1e-6)


def test_integer_inputs():
    i = randint(-3, 4, 3, 4)
    for fn in (
        lambda lib, x: x.nansum(0),
        lambda lib, x: x.prod(1),
        lambda lib, x: x.max(),
        lambda lib, x: x.max(1),
        lambda lib, x: x.amin(0),
        lambda lib, x: x.aminmax(),
        lambda lib, x: (x.argmax(), x.argmin(1, keepdim=True), x.argmax(keepdim=True)),
        lambda lib, x: (x.all(), x.any(1), x.all((0, 1), keepdim=True)),
        lambda lib, x: (x.count_nonzero(), x.count_nonzero(0), x.count_nonzero((0, 1))),
    ):
        check(fn, i, grad=False)
    for dtype in ("int32", "uint8", "bool"):
        check(lambda lib, x: (x.prod(), x.sum(), x.all(), x.any(0), x.max(0)), i.astype(dtype))


def test_zero_dim_and_empty():
    s = np.array(2.5)
    check(lambda lib, x: (x.max(0), x.amax(-1), x.argmax(0), x.argmax(keepdim=True)), s)
    check(lambda lib, x: (x.min(0, keepdim=True), x.logsumexp(0), x.prod(0)), s)
    e = np.zeros((0, 3))
    check(lambda lib, x: (x.max(1), x.amax(1), x.argmin(1), x.logsumexp(1)), e, grad=False)
    check(lambda lib, x: (x.sum(0), x.prod(0), x.all(), x.any(0), x.norm()), e, grad=False)
    check(lambda lib, x: lib.aminmax(x, dim=1), e, grad=False)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: x.max(),
        lambda lib, x: x.min(0),
        lambda lib, x: x.amax(),
        lambda lib, x: x.amin(0),
        lambda lib, x: x.argmax(),
        lambda lib, x: x.argmin(0),
        lambda lib, x: lib.aminmax(x),
        lambda lib, x: lib.aminmax(x, dim=0),
        lambda lib, x: x.norm(p=math.inf),
        lambda lib, x: x.norm(p=math.inf, dim=0),
    ],
)
def test_empty_errors(fn):
    check_error(fn, np.zeros((0, 3)), match="identity|non-zero size|numel")


def test_errors():
    check_error(lambda lib, x: x.sum(3), X, match="Dimension out of range")
    check_error(lambda lib, x: x.max(-4), X, match="Dimension out of range")
    check_error(lambda lib, x: x.amax((0, 0)), X, match="dim 0 appears multiple times")
    check_error(lambda lib, x: x.std(), np.array([1, 2]), match="floating point")
    check_error(lambda lib, x: x.nanmean(), np.array([1, 2]), match="nanmean")
    check_error(lambda lib, x: x.mean(), np.array([1, 2]), match="could not infer")
    check_error(lambda lib, x: x.norm(), np.array([1, 2]), match="vector_norm")
    check_error(lambda lib, x: x.prod((0, 1)), X)


def test_std_zero_gradient_and_dof_warning():
    c = np.ones((2, 3))
    check(lambda lib, x: x.std(1), c, gradcheck=False)
    check(lambda lib, x: x.norm(dim=1), np.zeros((2, 3)), gradcheck=False)
    with pytest.warns(UserWarning, match="degrees of freedom"):
        jtorch.tensor([1.0]).var()


def test_grad_fn_names():
    x = jtorch.tensor(X, requires_grad=True)
    names = {
        "SumBackward1": x.sum(0),
        "NansumBackward0": x.nansum(),
        "DivBackward0": x.nanmean(),
        "ProdBackward0": x.prod(),
        "ProdBackward1": x.prod(0),
        "MaxBackward1": x.max(),
        "MaxBackward0": x.max(0).values,
        "MinBackward0": x.min(0)[0],
        "AmaxBackward0": x.amax(0),
        "AminBackward0": x.amin(),
        "AminmaxBackward0": x.aminmax().max,
        "StdBackward0": x.std(),
        "VarBackward0": x.var(0),
        "StdMeanBackward0": jtorch.std_mean(x)[1],
        "VarMeanBackward0": jtorch.var_mean(x, 0)[0],
        "LogsumexpBackward0": x.logsumexp(0),
        "LinalgVectorNormBackward0": x.norm(p=3),
        "DistBackward0": x.dist(x),
    }
    for name, y in names.items():
        assert y.grad_fn.name() == name


def test_max_double_backward():
    check(lambda lib, x: lib.autograd.grad((x.max(1)[0] ** 3).sum(), x, create_graph=True), X)
