"""Pooling against torch 2.13: max (indices), avg (divisor rules), adaptive, lp, unpool."""

import numpy as np
import pytest
from oracle import check, check_error, randn, torch

import jtorch
import jtorch.ops.conv


def F(lib):
    """``lib.nn.functional``."""
    return lib.nn.functional


X1, X2, X3 = (2, 3, 9), (2, 2, 7, 6), (1, 2, 4, 5, 4)

MAX = [
    (1, X1, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (1, X1[1:], dict(kernel_size=2)),
    (2, X2, dict(kernel_size=3, stride=2, padding=1)),
    (2, X2, dict(kernel_size=(3, 2), stride=(2, 1), padding=1, dilation=(2, 1), ceil_mode=True)),
    (2, X2[1:], dict(kernel_size=2)),
    (3, X3, dict(kernel_size=2, stride=(1, 2, 2), padding=(1, 0, 1))),
]


@pytest.mark.parametrize("nd,shape,kw", MAX)
def test_max_pool(nd, shape, kw):
    check(lambda lib, x: getattr(F(lib), f"max_pool{nd}d")(x, **kw), randn(*shape))
    check(
        lambda lib, x: getattr(F(lib), f"max_pool{nd}d")(x, **kw, return_indices=True),
        randn(*shape),
    )


def test_max_pool_ties_and_grad_fn():
    x = np.ones((1, 1, 4, 4))
    check(lambda lib, x: F(lib).max_pool2d(x, 3, 1, return_indices=True), x, gradcheck=False)
    x = jtorch.randn(1, 2, 4, 4, requires_grad=True)
    assert F(jtorch).max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F(jtorch).max_pool1d(x[0], 2).grad_fn.name() == "SqueezeBackward1"
    assert F(jtorch).max_pool3d(x, 2).grad_fn.name() == "MaxPool3DWithIndicesBackward0"
    assert F(jtorch).avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert F(jtorch).avg_pool3d(x, 2).grad_fn.name() == "AvgPool3DBackward0"
    assert F(jtorch).adaptive_max_pool2d(x, 2).grad_fn.name() == "AdaptiveMaxPool2DBackward0"
    assert jtorch.ops.conv.max_pool1d_with_indices(x[0], 2)[1].dtype == jtorch.int64


AVG = [
    (1, X1, dict(kernel_size=4, stride=3, padding=2, ceil_mode=True, count_include_pad=False)),
    (2, X2, dict(kernel_size=3, stride=2, padding=1)),
    (2, X2, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (2, X2, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (2, X2, dict(kernel_size=(2, 3), divisor_override=5)),
    (2, X2[1:], dict(kernel_size=2, padding=1)),
    (3, X3, dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
]


@pytest.mark.parametrize("nd,shape,kw", AVG)
def test_avg_pool(nd, shape, kw):
    check(lambda lib, x: getattr(F(lib), f"avg_pool{nd}d")(x, **kw), randn(*shape))


@pytest.mark.parametrize("nd,shape,size", [(1, X1, 4), (2, X2, (3, 4)), (2, X2[1:], (None, 4)),
                                           (3, X3, (3, 2, 3))])  # fmt: skip
def test_adaptive_pools(nd, shape, size):
    check(lambda lib, x: getattr(F(lib), f"adaptive_avg_pool{nd}d")(x, size), randn(*shape))
    check(lambda lib, x: getattr(F(lib), f"adaptive_max_pool{nd}d")(x, size, return_indices=True),
          randn(*shape))  # fmt: skip


def test_adaptive_max_pool_upsampling_windows():
    check(lambda lib, x: F(lib).adaptive_max_pool2d(x, (5, 4), return_indices=True), randn(1, 3, 3))


@pytest.mark.parametrize("nd,shape", [(1, X1), (2, X2), (3, (1, 2, 4, 6, 4))])
def test_max_unpool(nd, shape):
    y, i = getattr(torch.nn.functional, f"max_pool{nd}d")(
        torch.tensor(randn(*shape)), 2, return_indices=True
    )
    size = shape[2:]
    check(lambda lib, y, i: getattr(F(lib), f"max_unpool{nd}d")(y, i, 2, output_size=size),
          y.numpy(), i.numpy())  # fmt: skip
    check(
        lambda lib, y, i: getattr(F(lib), f"max_unpool{nd}d")(y[0], i[0], 2), y.numpy(), i.numpy()
    )


def test_lp_pool():
    x = np.abs(randn(2, 2, 4, 6)) + 0.1
    check(lambda lib, x: F(lib).lp_pool2d(x, 2, (2, 3)), x)
    check(lambda lib, x: F(lib).lp_pool1d(x, 3, 2, ceil_mode=True), x[0])
    check(lambda lib, x: F(lib).lp_pool2d(x, float("inf"), 2), x)


def test_pool_double_backward():
    x = jtorch.tensor(randn(1, 1, 4, 4), requires_grad=True)
    for fn in (
        lambda x: F(jtorch).max_pool2d(x, 3, 1),
        lambda x: F(jtorch).avg_pool2d(x, 3, 1, 1),
        lambda x: F(jtorch).adaptive_max_pool2d(x, 3),
    ):
        (g,) = jtorch.autograd.grad(fn(x).pow(2).sum(), x, create_graph=True)
        (gg,) = jtorch.autograd.grad(g.pow(2).sum(), x)
        assert gg.shape == x.shape
    # against torch for the max pool: scatter/gather pair
    xt = torch.tensor(randn(1, 1, 4, 4), requires_grad=True)
    (gt,) = torch.autograd.grad(torch.nn.functional.max_pool2d(xt, 3, 1).pow(2).sum(), xt,
                                create_graph=True)  # fmt: skip
    (ggt,) = torch.autograd.grad(gt.pow(2).sum(), xt)
    (g,) = jtorch.autograd.grad(F(jtorch).max_pool2d(x, 3, 1).pow(2).sum(), x, create_graph=True)
    (gg,) = jtorch.autograd.grad(g.pow(2).sum(), x)
    np.testing.assert_allclose(gg.numpy(), ggt.numpy())


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda lib, x: F(lib).max_pool2d(x, 2, padding=2), (1, 2, 5, 5)),
        (lambda lib, x: F(lib).max_pool2d(x, 2), (5,)),
        (lambda lib, x: F(lib).max_pool2d(x, (2, 2, 2)), (1, 2, 5, 5)),
        (lambda lib, x: F(lib).max_pool2d(x, 2, stride=0), (1, 2, 5, 5)),
        (lambda lib, x: F(lib).max_pool2d(x, 6), (1, 2, 5, 5)),
        (lambda lib, x: F(lib).avg_pool2d(x, 6), (1, 2, 5, 5)),
        (lambda lib, x: F(lib).max_pool1d(x, 2), (5,)),
        (lambda lib, x: F(lib).avg_pool1d(x, 2), (5,)),
        (lambda lib, x: F(lib).max_pool3d(x, 2), (2, 5, 5)),
        (lambda lib, x: F(lib).adaptive_avg_pool2d(x, 2), (5,)),
        (lambda lib, x: F(lib).adaptive_max_pool2d(x, 2), (5,)),
        (lambda lib, x: F(lib).adaptive_avg_pool2d(x, (2, 2, 2)), (1, 2, 5, 5)),
    ],
)
def test_pool_errors(fn, shape):
    x = randn(*shape)
    with pytest.raises(RuntimeError) as theirs:
        fn(torch, torch.tensor(x))
    with pytest.raises(RuntimeError) as ours:
        fn(jtorch, jtorch.tensor(x))
    assert str(ours.value) == str(theirs.value)


def test_unpool_errors():
    y, i = torch.nn.functional.max_pool2d(torch.tensor(randn(2, 5, 5)), 2, return_indices=True)
    check_error(lambda lib, y, i: F(lib).max_unpool2d(y, i * 10, 2), y.numpy(), i.numpy(),
                match="Found an invalid max index")  # fmt: skip
    check_error(lambda lib, y, i: F(lib).max_unpool2d(y, i, 2, output_size=(9, 9)), y.numpy(),
                i.numpy(), match="invalid output_size")  # fmt: skip


@pytest.mark.parametrize(
    "cls, args, kwargs, shape",
    [
        ("MaxPool1d", (3, 2, 1), {}, X1),
        ("MaxPool2d", (3,), dict(stride=2, ceil_mode=True), X2),
        ("MaxPool3d", (2,), {}, X3),
        ("AvgPool1d", (3,), dict(padding=1, count_include_pad=False), X1),
        ("AvgPool2d", (2,), dict(divisor_override=3), X2),
        ("AvgPool3d", (2,), dict(stride=1), X3),
        ("AdaptiveAvgPool1d", (4,), {}, X1),
        ("AdaptiveAvgPool2d", ((3, None),), {}, X2),
        ("AdaptiveAvgPool3d", (2,), {}, X3),
        ("AdaptiveMaxPool1d", (4,), {}, X1),
        ("AdaptiveMaxPool2d", (3,), dict(return_indices=True), X2),
        ("AdaptiveMaxPool3d", (2,), {}, X3),
        ("LPPool1d", (2, 3), dict(stride=2), X1),
        ("LPPool2d", (2, 2), {}, X2),
        ("LPPool3d", (1, 2), {}, X3),
    ],
)
def test_pool_modules(cls, args, kwargs, shape):
    x = np.abs(randn(*shape)) + 0.1 if cls.startswith("LP") else randn(*shape)
    check(lambda lib, x: getattr(lib.nn, cls)(*args, **kwargs)(x), x)
    assert repr(getattr(jtorch.nn, cls)(*args, **kwargs)) == repr(
        getattr(torch.nn, cls)(*args, **kwargs)
    )


@pytest.mark.parametrize("nd,shape", [(1, X1), (2, X2), (3, (1, 2, 4, 6, 4))])
def test_unpool_modules(nd, shape):
    def fn(lib, x):
        y, i = getattr(lib.nn, f"MaxPool{nd}d")(2, return_indices=True)(x)
        return getattr(lib.nn, f"MaxUnpool{nd}d")(2)(y, i, output_size=x.shape)

    check(fn, randn(*shape))
    assert repr(jtorch.nn.MaxUnpool2d(2, 1)) == repr(torch.nn.MaxUnpool2d(2, 1))


def test_max_pool_nan_wins_like_torch():
    x = randn(1, 1, 4, 4)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = x[0, 0, 3, 3] = np.nan
    check(lambda lib, x: F(lib).max_pool2d(x, 2, return_indices=True), x, grad=False)
