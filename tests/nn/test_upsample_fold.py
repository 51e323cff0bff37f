"""interpolate, pixel/channel shuffle and unfold/fold against torch 2.13."""

import numpy as np
import pytest
from oracle import check, randn, torch

import jtorch


def F(lib):
    """``lib.nn.functional``."""
    return lib.nn.functional


SHAPES = {1: (1, 2, 5), 2: (1, 2, 4, 3), 3: (1, 1, 3, 2, 3)}
MODES = [("nearest", 1), ("nearest", 2), ("nearest", 3), ("nearest-exact", 1),
         ("nearest-exact", 2), ("nearest-exact", 3), ("linear", 1), ("bilinear", 2),
         ("bicubic", 2), ("trilinear", 3), ("area", 1), ("area", 2), ("area", 3)]  # fmt: skip
SIZES = [
    dict(scale_factor=2),
    dict(scale_factor=1.7),
    dict(size=5),
    dict(scale_factor=0.6),
    dict(scale_factor=1.3, recompute_scale_factor=True),
    dict(scale_factor=2.2, align_corners=True),
    dict(size=3, align_corners=True),
]


# align_corners exists only for the interpolating modes: those pairs are not generated at all
INTERPOLATE_CASES = [
    (mode, nd, kw)
    for mode, nd in MODES
    for kw in SIZES
    if not ("align_corners" in kw and mode in ("nearest", "nearest-exact", "area"))
]


@pytest.mark.parametrize("mode,nd,kw", INTERPOLATE_CASES)
def test_interpolate(mode, nd, kw):
    check(lambda lib, x: F(lib).interpolate(x, mode=mode, **kw), randn(*SHAPES[nd]),
          gradcheck=kw.get("scale_factor") == 2)  # fmt: skip


def test_interpolate_float32_index_arithmetic():
    x = randn(1, 1, 10, 10, dtype="float32")
    for kw in (dict(size=(7, 3)), dict(scale_factor=0.3), dict(scale_factor=1.3)):
        for mode in ("nearest", "nearest-exact", "bilinear"):
            fn = lambda lib, x, mode=mode, kw=kw: F(lib).interpolate(x, mode=mode, **kw)  # noqa: E731
            check(fn, x, dtypes=("float32",))


def test_upsample_aliases_and_grad_fn():
    x = randn(1, 1, 2, 3)
    with pytest.warns(UserWarning, match="is deprecated"):
        check(lambda lib, x: F(lib).upsample(x, scale_factor=2, mode="bilinear"), x)
        check(lambda lib, x: F(lib).upsample_nearest(x, size=(3, 4)), x)
        check(lambda lib, x: F(lib).upsample_bilinear(x, scale_factor=2), x)
    t = jtorch.tensor(x, requires_grad=True)
    assert F(jtorch).interpolate(t, scale_factor=2).grad_fn.name() == "UpsampleNearest2DBackward0"
    y = F(jtorch).interpolate(t, scale_factor=2, mode="bicubic")
    assert y.grad_fn.name() == "UpsampleBicubic2DBackward0"
    (g,) = jtorch.autograd.grad(y.pow(2).sum(), t, create_graph=True)  # double backward
    (gg,) = jtorch.autograd.grad(g.pow(2).sum(), t)
    tt = torch.tensor(x, requires_grad=True)
    y = torch.nn.functional.interpolate(tt, scale_factor=2, mode="bicubic")
    (gt,) = torch.autograd.grad(y.pow(2).sum(), tt, create_graph=True)
    (ggt,) = torch.autograd.grad(gt.pow(2).sum(), tt)
    np.testing.assert_allclose(gg.numpy(), ggt.numpy(), atol=1e-10)


@pytest.mark.parametrize(
    "kw, match",
    [
        (dict(scale_factor=2, mode="nearest", align_corners=True), "align_corners option"),
        (dict(scale_factor=2, mode="linear"), "Got 4D input, but linear mode needs 3D input"),
        (dict(size=3, scale_factor=2), "only one of size or scale_factor"),
        ({}, "either size or scale_factor"),
        (dict(size=3, mode="foo"), "Input Error: Only 3D, 4D and 5D"),
        (dict(size=(3, 3, 3)), "Input and output must have the same number"),
    ],
)
def test_interpolate_errors(kw, match):
    x = randn(1, 2, 3, 3)
    with pytest.raises(Exception) as theirs:
        torch.nn.functional.interpolate(torch.tensor(x), **kw)
    with pytest.raises(theirs.type, match=match) as ours:
        F(jtorch).interpolate(jtorch.tensor(x), **kw)
    assert str(ours.value) == str(theirs.value)


def test_shuffles():
    x = randn(2, 8, 3, 2)
    check(lambda lib, x: F(lib).pixel_shuffle(x, 2), x)
    check(lambda lib, x: F(lib).pixel_shuffle(x[0], 2), x)
    check(lambda lib, x: F(lib).pixel_unshuffle(x, 1), x)
    check(lambda lib, x: F(lib).pixel_unshuffle(x, 2), randn(2, 2, 4, 6))
    check(lambda lib, x: F(lib).channel_shuffle(x, 4), x)
    check(lambda lib, x: F(lib).native_channel_shuffle(x, 2), x, grad=False)


@pytest.mark.parametrize(
    "fn, shape",
    [
        (lambda lib, x: F(lib).pixel_shuffle(x, 2), (1, 3, 2, 2)),
        (lambda lib, x: F(lib).pixel_unshuffle(x, 2), (1, 3, 3, 3)),
        (lambda lib, x: F(lib).channel_shuffle(x, 2), (1, 3, 3, 3)),
        (lambda lib, x: F(lib).fold(x, (4, 4), 2), (1, 5, 9)),
        (lambda lib, x: F(lib).fold(x, (4, 4), 2), (1, 4, 8)),
    ],
)
def test_rearrange_errors(fn, shape):
    x = randn(*shape)
    with pytest.raises(RuntimeError) as theirs:
        fn(torch, torch.tensor(x))
    with pytest.raises(RuntimeError) as ours:
        fn(jtorch, jtorch.tensor(x))
    assert str(ours.value) == str(theirs.value)


def test_unfold_fold():
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))
    check(lambda lib, x: F(lib).unfold(x, **kw), randn(2, 3, 6, 7))
    check(lambda lib, x: F(lib).unfold(x, 2), randn(3, 4, 3))
    kw = dict(kernel_size=(2, 3), padding=1, stride=(2, 1))
    check(lambda lib, x: F(lib).fold(x, (5, 6), **kw), randn(2, 12, 18))
    check(lambda lib, x: F(lib).fold(x, 3, 2), randn(8, 4))
    x = jtorch.tensor(randn(1, 2, 3, 3), requires_grad=True)
    y = F(jtorch).unfold(x, 2)
    assert y.grad_fn.name() == "Im2ColBackward0"
    assert F(jtorch).fold(y, 3, 2).grad_fn.name() == "Col2ImBackward0"


@pytest.mark.parametrize(
    "ctor, shape",
    [
        ("Upsample(scale_factor=2, mode='bilinear')", (1, 2, 3, 2)),
        ("Upsample(size=(3, 4))", (1, 1, 2, 2)),
        ("Upsample(scale_factor=(1.5, 2.0), mode='bicubic', align_corners=True)", (1, 1, 3, 3)),
        ("UpsamplingNearest2d(scale_factor=2)", (1, 1, 2, 3)),
        ("UpsamplingBilinear2d(size=3)", (1, 1, 2, 2)),
        ("PixelShuffle(2)", (1, 8, 2, 2)),
        ("PixelUnshuffle(2)", (1, 2, 4, 2)),
        ("ChannelShuffle(2)", (1, 4, 2, 2)),
        ("Fold((3, 3), 2)", (1, 4, 4)),
        ("Unfold((2, 3), padding=1)", (1, 2, 3, 3)),
        ("ZeroPad1d((1, 2))", (1, 2, 3)),
        ("ZeroPad2d(1)", (1, 2, 3)),
        ("ZeroPad3d((1, 0, 0, 1, 1, 0))", (1, 2, 2, 2)),
        ("ConstantPad1d(2, 3.5)", (1, 2, 3)),
        ("ConstantPad2d((1, 0, 2, 1), -1.0)", (1, 2, 3)),
        ("ConstantPad3d(1, 0.5)", (1, 2, 2, 2)),
        ("ReflectionPad1d(2)", (1, 2, 4)),
        ("ReflectionPad2d((1, 0, 2, 1))", (1, 1, 3, 3)),
        ("ReflectionPad3d(1)", (1, 1, 2, 2, 2)),
        ("ReplicationPad1d(2)", (1, 2, 3)),
        ("ReplicationPad2d(1)", (1, 1, 2, 3)),
        ("ReplicationPad3d((1, 0, 1, 0, 0, 1))", (1, 1, 2, 2, 2)),
        ("CircularPad1d(1)", (1, 2, 3)),
        ("CircularPad2d((1, 0, 2, 1))", (1, 1, 3, 3)),
        ("CircularPad3d(1)", (1, 1, 2, 2, 2)),
    ],
)
def test_modules(ctor, shape):
    check(lambda lib, x: eval(f"lib.nn.{ctor}")(x), randn(*shape))
    assert repr(eval(f"jtorch.nn.{ctor}")) == repr(eval(f"torch.nn.{ctor}"))
