"""Fractional max pooling, the *_with_indices spellings and F's torch-function helpers vs torch."""

import numpy as np
import pytest
from oracle import check, check_error, rand, randn, torch

import jtorch


def F(lib):
    return lib.nn.functional


FRACTIONAL = [
    (2, (2, 2, 7, 9), (2, 3), (5, 4)),
    (2, (3, 10, 10), 3, (6, 7)),  # unbatched
    (2, (1, 2, 30, 31), 3, (20, 1)),  # float32 interval arithmetic matters here
    (2, (2, 2, 7, 5), 2, (6, 4)),  # overlapping windows
    (3, (1, 2, 5, 6, 7), (2, 3, 2), (3, 3, 4)),
    (3, (2, 6, 5, 5), 2, 3),  # unbatched
]


@pytest.mark.parametrize("nd,shape,kernel,out", FRACTIONAL)
def test_fractional_max_pool_matches_torch_given_samples(nd, shape, kernel, out):
    n = shape[0] if len(shape) == nd + 2 else 1
    samples = rand(n, shape[-nd - 1], nd, seed=2)

    def fn(lib, x):
        s = lib.tensor(samples, dtype=x.dtype)
        f = getattr(F(lib), f"fractional_max_pool{nd}d")
        return f(x, kernel, output_size=out, return_indices=True, _random_samples=s)

    # NOTE: the 30x31 case is there for the float32 window arithmetic; gradcheck it would be slow
    check(fn, randn(*shape), gradcheck=shape[-1] < 30)
    fn_idx = getattr(F(jtorch), f"fractional_max_pool{nd}d_with_indices")
    x = jtorch.tensor(randn(*shape))
    ours = fn_idx(x, kernel, out, _random_samples=jtorch.tensor(samples))
    assert isinstance(ours, tuple) and ours[1].dtype == jtorch.int64


def test_fractional_max_pool_nan_and_grad_fn():
    x = randn(1, 2, 6, 6)
    x[0, 0, 1, 1] = x[0, 1, 3, 2] = np.nan
    samples = rand(1, 2, 2, seed=3)
    check(
        lambda lib, x: F(lib).fractional_max_pool2d(
            x, 2, output_size=3, return_indices=True, _random_samples=lib.tensor(samples)
        ),
        x,
        dtypes=("float64",),
        gradcheck=False,
    )
    y = F(jtorch).fractional_max_pool3d(jtorch.randn(1, 1, 4, 4, 4, requires_grad=True), 2, 2)
    assert type(y.grad_fn).__name__ == "FractionalMaxPool3DBackward0"
    y = F(jtorch).fractional_max_pool2d(jtorch.randn(1, 4, 4, requires_grad=True), 2, 2)
    assert type(y.grad_fn).__name__ == "FractionalMaxPool2DBackward0"


@pytest.mark.parametrize("nd", [2, 3])
def test_fractional_default_samples_follow_the_seed(nd):
    def run(lib):
        lib.manual_seed(7)
        x = (lib.arange(2 * 3 * 9**nd) * 7919 % 1013).float().reshape((2, 3) + (9,) * nd)
        ratio = (0.5, 0.6) if nd == 2 else 0.5  # NOTE: torch's 2-d function needs a sequence
        f = getattr(F(lib), f"fractional_max_pool{nd}d")
        y, idx = f(x, 2, output_ratio=ratio, return_indices=True)
        return y.numpy(), idx.numpy(), lib.rand(3).numpy()

    for a, b in zip(run(jtorch), run(torch)):
        np.testing.assert_array_equal(a, b)


def test_fractional_modules_match_torch():
    for lib_args in [
        ("FractionalMaxPool2d", (2,), dict(output_size=3), (2, 3, 8, 8)),
        ("FractionalMaxPool2d", ((2, 3),), dict(output_ratio=0.5, return_indices=True), (3, 8, 9)),
        ("FractionalMaxPool3d", (2,), dict(output_ratio=(0.5, 0.6, 0.7)), (1, 2, 6, 7, 8)),
    ]:
        name, args, kw, shape = lib_args
        x = randn(*shape)
        results = []
        for lib in (jtorch, torch):
            lib.manual_seed(0)
            m = getattr(lib.nn, name)(*args, **kw)
            assert repr(m) == f"{name}()" and list(m.state_dict()) == []
            out = m(lib.tensor(x))
            results.append([o.numpy() for o in (out if isinstance(out, tuple) else (out,))])
        for a, b in zip(*results):
            np.testing.assert_array_equal(a, b)
    samples = jtorch.full((1, 1, 2), 0.5)
    m = jtorch.nn.FractionalMaxPool2d(2, output_size=2, _random_samples=samples)
    assert list(m.state_dict()) == ["_random_samples"]


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib, x: F(lib).fractional_max_pool2d(x, 3, output_size=(7, 7)),
        lambda lib, x: F(lib).fractional_max_pool2d(x, 3),
        lambda lib, x: F(lib).fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5, 0.5)),
        lambda lib, x: F(lib).fractional_max_pool2d(x, 2, output_ratio=0.5),
        lambda lib, x: F(lib).fractional_max_pool2d(x, (3, 3, 3), output_size=(4, 4)),
        lambda lib, x: F(lib).fractional_max_pool2d(x, 3, output_size=(4, 4, 4)),
        lambda lib, x: F(lib).fractional_max_pool2d(x[0, 0], 3, output_size=(4, 4)),
        lambda lib, x: F(lib).fractional_max_pool2d(x, 2, output_size=(3, 9)),
        lambda lib, x: F(lib).fractional_max_pool2d(
            x, 2, output_size=3, _random_samples=lib.rand(2, 3, 3)
        ),
        lambda lib, x: F(lib).fractional_max_pool2d(
            x, 2, output_size=3, _random_samples=lib.rand(1, 3, 2)
        ),
        lambda lib, x: F(lib).fractional_max_pool2d(
            x, 2, output_size=3, _random_samples=lib.rand(2, 2, 2)
        ),
        lambda lib, x: F(lib).fractional_max_pool2d(
            x, 2, output_size=3, _random_samples=lib.rand(2, 3)
        ),
        lambda lib, x: F(lib).fractional_max_pool2d(
            x, 2, output_size=3, _random_samples=lib.rand(2, 3, 2, dtype=lib.float64)
        ),
        lambda lib, x: F(lib).fractional_max_pool2d(
            x[:, :0], 2, output_size=3, _random_samples=lib.rand(2, 0, 2)
        ),
        lambda lib, x: F(lib).fractional_max_pool3d(x.unsqueeze(2), 2, output_size=(3, 3, 3)),
        lambda lib, x: F(lib).fractional_max_pool3d(x[:, :, :4], 2, output_size=3),
        lambda lib, x: F(lib).fractional_max_pool3d(x, (2, 2), output_size=(3, 3, 3)),
        lambda lib, x: F(lib).fractional_max_pool3d(x, 2, output_size=(3, 3)),
        lambda lib, x: lib.nn.FractionalMaxPool2d(2),
        lambda lib, x: lib.nn.FractionalMaxPool2d(2, output_size=3, output_ratio=0.5),
        lambda lib, x: lib.nn.FractionalMaxPool2d(2, output_ratio=1.5),
        lambda lib, x: lib.nn.FractionalMaxPool3d((2, 0, 1), output_size=3),
        lambda lib, x: lib.nn.FractionalMaxPool3d(2, output_ratio=(0.5, 1.5, 0.5)),
    ],
)
def test_fractional_errors_match_torch(fn):
    check_error(fn, randn(2, 3, 8, 9, dtype="float32"))


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_adaptive_max_pool_with_indices(nd):
    shape = (2, 3) + (7, 5, 6)[:nd]
    f = f"adaptive_max_pool{nd}d_with_indices"
    check(lambda lib, x: getattr(F(lib), f)(x, (3, 2, 4)[:nd] if nd > 1 else 3), randn(*shape))


def test_torch_function_helpers():
    x = jtorch.ones(1)

    class Override:
        def __torch_function__(self, *args):
            return NotImplemented

    for lib, t in ((jtorch, x), (torch, torch.ones(1))):
        f = F(lib)
        assert f.has_torch_function((t, 2)) is False
        assert f.has_torch_function_unary(t) is False
        assert f.has_torch_function_variadic(t, None) is False
        assert f.has_torch_function_variadic(t, Override()) is True
        assert f.has_torch_function([Override()]) is True
        assert f.assert_int_or_pair(2, "k", "{} bad") is None
        with pytest.raises(AssertionError, match="k bad"):
            f.assert_int_or_pair((1, 2, 3), "k", "{} bad")


def test_functional_reexports_of_torch_functions():
    assert F(jtorch).pdist is jtorch.pdist and F(jtorch).conv_tbc is jtorch.conv_tbc
    check(lambda lib, x: F(lib).pdist(x), randn(4, 3))
