"""Convolutions against torch 2.13: values, input/weight/bias grads, double backward, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randn, to_numpy, torch

import jtorch
import jtorch.ops.conv


def F(lib):
    """jtorch's functional conv ops, or torch.nn.functional."""
    return jtorch.ops.conv if lib is jtorch else torch.nn.functional


CONV = [
    (1, (2, 4, 7), (6, 2, 3), dict(stride=2, padding=1, groups=2)),
    (1, (3, 5), (2, 3, 2), dict(padding="same", dilation=2)),
    (2, (2, 3, 6, 5), (4, 3, 3, 2), dict(stride=(2, 1), padding=(1, 2), dilation=(1, 2))),
    (2, (1, 2, 5, 5), (2, 2, 3, 3), dict(padding="same")),
    (2, (1, 2, 5, 4), (2, 1, 2, 2), dict(padding="valid", groups=2)),
    (2, (2, 5, 5), (3, 2, 2, 2), {}),  # unbatched
    (3, (1, 2, 4, 3, 4), (2, 2, 2, 2, 3), dict(stride=(1, 2, 1), padding=1)),
]


@pytest.mark.parametrize("nd,xs,ws,kw", CONV)
def test_conv(nd, xs, ws, kw):
    check(
        lambda lib, x, w, b: getattr(F(lib), f"conv{nd}d")(x, w, b, **kw),
        randn(*xs),
        randn(*ws, seed=1),
        randn(ws[0], seed=2),
    )
    check(lambda lib, x, w: getattr(F(lib), f"conv{nd}d")(x, w, **kw), randn(*xs), randn(*ws))


TRANSPOSED = [
    (1, (2, 4, 5), (4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    (2, (1, 4, 3, 4), (4, 1, 3, 2), dict(stride=(2, 1), groups=2, dilation=(1, 2))),
    (2, (2, 3, 3), (2, 2, 2, 2), dict(stride=3, output_padding=2)),
    (3, (1, 2, 2, 3, 2), (2, 2, 2, 2, 2), dict(stride=2, padding=(0, 1, 0))),
]


@pytest.mark.parametrize("nd,xs,ws,kw", TRANSPOSED)
def test_conv_transpose(nd, xs, ws, kw):
    channels = ws[1] * kw.get("groups", 1)
    check(
        lambda lib, x, w, b: getattr(F(lib), f"conv_transpose{nd}d")(x, w, b, **kw),
        randn(*xs),
        randn(*ws, seed=1),
        randn(channels, seed=2),
    )


def test_conv_grad_fn_and_top_level():
    x = jtorch.randn(1, 2, 4, 4, requires_grad=True)
    w = jtorch.randn(3, 2, 3, 3)
    assert jtorch.ops.conv.conv2d(x, w).grad_fn.name() == "ConvolutionBackward0"
    assert jtorch.ops.conv.conv_transpose2d(x, w.transpose(0, 1)).grad_fn.name() == (
        "ConvolutionBackward0"
    )
    assert jtorch.ops.conv.conv2d(x[0], w).grad_fn.name() == "SqueezeBackward1"
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose2d", "max_pool2d", "avg_pool1d"):
        assert name in jtorch.ops.conv.__all__
    assert "interpolate" not in jtorch.ops.conv.__all__


def test_conv_integer_input():
    check(
        lambda lib, x, w: F(lib).conv2d(x, w, padding=1),
        np.arange(18).reshape(1, 2, 3, 3),
        np.ones((1, 2, 2, 2), dtype="int64"),
        grad=False,
    )


def _second_order(lib, fn, arrays, seed=3):
    """Grads of sum(v * dL/dinputs) w.r.t. the inputs, where L = sum(u * fn(inputs))."""
    ins = [lib.tensor(a, requires_grad=True) for a in arrays]
    y = fn(lib, *ins)
    r = np.random.default_rng(seed)
    u = lib.tensor(r.standard_normal(tuple(y.shape)))
    grads = lib.autograd.grad((y * u).sum(), ins, create_graph=True)
    vs = [lib.tensor(r.standard_normal(tuple(g.shape))) for g in grads]
    total = sum((g * v).sum() for g, v in zip(grads, vs))
    return [to_numpy(g) for g in lib.autograd.grad(total, ins, allow_unused=True)]


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x, w: F(lib).conv2d(x, w, stride=2, padding=1, groups=2),
        lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2, padding=1),
    ],
)
def test_conv_double_backward(fn):
    x, w = randn(1, 4, 5, 5), randn(4, 2, 3, 3, seed=1)
    ours, theirs = _second_order(jtorch, fn, [x, w]), _second_order(torch, fn, [x, w])
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, atol=1e-10)
    gradgradcheck = getattr(jtorch.autograd, "gradgradcheck", None)
    if gradgradcheck is not None:
        xt, wt = jtorch.tensor(x[:, :, :3, :3], requires_grad=True), jtorch.tensor(w)
        wt.requires_grad_(True)
        assert gradgradcheck(lambda a, b: fn(jtorch, a, b), (xt, wt))


@pytest.mark.parametrize(
    "fn, shapes",
    [
        (lambda lib, x, w: F(lib).conv2d(x, w), [(1, 4, 5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w, groups=2), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w, groups=2), [(1, 4, 5, 5), (3, 2, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w), [(5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv1d(x, w), [(5,), (2, 1, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w), [(1, 3, 2, 2), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w, stride=0), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w, padding=-1), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (
            lambda lib, x, w: F(lib).conv2d(x, w, padding="same", stride=2),
            [(1, 3, 5, 5), (2, 3, 3, 3)],
        ),
        (lambda lib, x, w: F(lib).conv2d(x, w, padding="foo"), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w, stride=(1, 1, 1)), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv2d(x, w.float()), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (lambda lib, x, w: F(lib).conv_transpose2d(x, w), [(1, 3, 5, 5), (2, 3, 3, 3)]),
        (
            lambda lib, x, w: F(lib).conv_transpose2d(x, w, output_padding=1),
            [(1, 3, 5, 5), (3, 3, 3, 3)],
        ),
    ],
)
def test_conv_errors(fn, shapes):
    arrays = [randn(*s, seed=i) for i, s in enumerate(shapes)]
    with pytest.raises(RuntimeError) as theirs:
        fn(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(RuntimeError) as ours:
        fn(jtorch, *[jtorch.tensor(a) for a in arrays])
    assert str(ours.value) == str(theirs.value)


def test_conv_bias_errors():
    x, w = randn(1, 3, 5, 5), randn(2, 3, 3, 3)
    check_error(lambda lib, x, w, b: F(lib).conv2d(x, w, b), x, w, randn(3),
                match=r"expected bias to be 1-dimensional with 2 elements, but got bias of size \[3\]")  # fmt: skip
    check_error(lambda lib, x, w, b: F(lib).conv2d(x.float(), w.float(), b), x, w, randn(2),
                match=r"Input type \(float\) and bias type \(double\) should be the same")  # fmt: skip
