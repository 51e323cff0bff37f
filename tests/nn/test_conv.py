"""Convolutions against torch 2.13: values, input/weight/bias grads, double backward, errors."""

import numpy as np
import pytest
from oracle import check, check_error, randn, to_numpy, torch

import jtorch
import jtorch.ops.conv


def F(lib):
    """``lib.nn.functional``."""
    return lib.nn.functional


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


def _same_module(lib, cls: str, *args, **kwargs):
    """``lib.nn.<cls>(*args)`` with the parameters of a seeded torch module."""
    torch.manual_seed(0)
    ref = getattr(torch.nn, cls)(*args, **kwargs).double()
    if lib is torch:
        return ref
    module = getattr(jtorch.nn, cls)(*args, **kwargs).double()
    module.load_state_dict(
        {k: jtorch.tensor(v.detach().numpy()) for k, v in ref.state_dict().items()}
    )
    return module


@pytest.mark.parametrize(
    "cls, args, kwargs, shape",
    [
        ("Conv1d", (2, 4, 3), dict(stride=2, padding=1), (2, 2, 7)),
        ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="reflect"), (1, 3, 5, 4)),
        (
            "Conv2d",
            (2, 2, (3, 2)),
            dict(padding="same", padding_mode="circular", groups=2),
            (1, 2, 4, 5),
        ),
        (
            "Conv2d",
            (2, 3, 2),
            dict(padding=(1, 2), padding_mode="replicate", bias=False),
            (2, 3, 3),
        ),
        ("Conv3d", (1, 2, 2), dict(dilation=(1, 2, 1)), (1, 1, 3, 4, 3)),
        ("ConvTranspose1d", (2, 3, 3), dict(stride=2, output_padding=1), (1, 2, 4)),
        ("ConvTranspose2d", (4, 2, 3), dict(stride=2, groups=2), (1, 4, 3, 3)),
        ("ConvTranspose3d", (1, 2, 2), dict(stride=(1, 2, 1)), (1, 1, 2, 2, 2)),
    ],
)
def test_conv_modules(cls, args, kwargs, shape):
    check(lambda lib, x: _same_module(lib, cls, *args, **kwargs)(x), randn(*shape),
          dtypes=("float64",))  # fmt: skip
    assert repr(_same_module(jtorch, cls, *args, **kwargs)) == repr(
        _same_module(torch, cls, *args, **kwargs)
    )


def test_conv_transpose_output_size():
    fn = lambda lib, x: _same_module(lib, "ConvTranspose2d", 2, 1, 3, stride=2)(  # noqa: E731
        x, output_size=(8, 7)
    )
    check(fn, randn(1, 2, 3, 3), dtypes=("float64",))
    check_error(
        lambda lib, x: _same_module(lib, "ConvTranspose2d", 2, 1, 3, stride=2)(
            x, output_size=(2, 2)
        ),
        randn(1, 2, 3, 3),
        match="requested an output size of",
    )


def test_conv_module_init_and_errors():
    m = jtorch.nn.Conv2d(4, 6, 3, groups=2)
    assert m.weight.shape == (6, 2, 3, 3) and m.bias.shape == (6,)
    bound = 1 / (2 * 9) ** 0.5  # kaiming_uniform(a=sqrt(5)) and the bias share 1/sqrt(fan_in)
    assert float(m.weight.abs().max()) <= bound and float(m.bias.abs().max()) <= bound
    assert float(m.weight.abs().max()) > bound / 2
    for kwargs in (dict(groups=0), dict(groups=3), dict(padding="full"), dict(padding_mode="x"),
                   dict(padding="same", stride=2)):  # fmt: skip
        with pytest.raises(ValueError) as theirs:
            torch.nn.Conv2d(4, 6, 3, **kwargs)
        with pytest.raises(ValueError) as ours:
            jtorch.nn.Conv2d(4, 6, 3, **kwargs)
        # NOTE: the messages print a Python set, whose order varies with the hash seed
        assert sorted(str(ours.value)) == sorted(str(theirs.value))
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported'):
        jtorch.nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


def test_lazy_conv():
    m = jtorch.nn.LazyConv2d(4, 3, padding=1)
    y = m(jtorch.ones(2, 3, 5, 5))
    assert y.shape == (2, 4, 5, 5) and type(m) is jtorch.nn.Conv2d
    assert repr(m) == "Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert jtorch.nn.LazyConv1d(2, 3)(jtorch.ones(1, 5, 4)).shape == (1, 2, 2)


def test_lazy_conv_uses_the_random_stream_as_torch():
    """Construction draws nothing; the first forward draws torch's initial weights."""
    weights = []
    for lib in (jtorch, torch):
        lib.manual_seed(0)
        m = lib.nn.LazyConv2d(4, 3, groups=2)
        m(lib.ones(1, 2, 5, 5))
        weights.append((m.weight.detach().numpy(), lib.rand(2).numpy()))
    for ours, theirs in zip(*weights):
        np.testing.assert_array_equal(ours, theirs)
