"""Transforms, TransformedDistribution and Independent against torch."""

import numpy as np
import pytest
from oracle import check, rand, randn

import jtorch

X = randn(2, 3, seed=1)
POS = rand(2, 3, low=0.5, high=2.0, seed=2)

# name -> (build(T, *params), parameter arrays, input inside the domain)
TRANSFORMS = {
    "Exp": (lambda T: T.ExpTransform(), (), X),
    "Affine": (lambda T, a, b: T.AffineTransform(a, b), (randn(3, seed=3), POS[0]), X),
    "AffineNumbers": (lambda T: T.AffineTransform(1.5, -2.0), (), X),
    "AffineEvent": (lambda T, a, b: T.AffineTransform(a, b, event_dim=1), (X[0], POS[0]), X),
    "Sigmoid": (lambda T: T.SigmoidTransform(), (), X),
    "Tanh": (lambda T: T.TanhTransform(), (), X),
    "Softplus": (lambda T: T.SoftplusTransform(), (), X),
    "Power": (lambda T, e: T.PowerTransform(e), (rand(3, low=0.5, high=2, seed=4),), POS),
    "StickBreaking": (lambda T: T.StickBreakingTransform(), (), X),
    "Compose": (
        lambda T, a: T.ComposeTransform([T.AffineTransform(a, 2.0), T.ExpTransform()]),
        (randn(3, seed=5),),
        X,
    ),
    "Inverse": (lambda T: T.ExpTransform().inv, (), POS),
    "Independent": (lambda T: T.IndependentTransform(T.SigmoidTransform(), 1), (), X),
    "Reshape": (lambda T: T.ReshapeTransform((3,), (3, 1)), (), X),
    "LowerCholesky": (lambda T: T.LowerCholeskyTransform(), (), randn(2, 3, 3, seed=6)),
}


def _t(lib, name, params):
    return TRANSFORMS[name][0](lib.distributions.transforms, *params)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_forward_inverse(name):
    _, params, x = TRANSFORMS[name]

    def fn(lib, x, *p):
        t = _t(lib, name, p)
        y = t(x)
        return y, t.inv(y)

    check(fn, x, *params)


@pytest.mark.parametrize("name", sorted(set(TRANSFORMS) - {"LowerCholesky"}))
def test_log_abs_det_jacobian(name):
    _, params, x = TRANSFORMS[name]

    def fn(lib, x, *p):
        t = _t(lib, name, p)
        return t.log_abs_det_jacobian(x, t(x))

    check(fn, x, *params)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_metadata(name):
    _, params, x = TRANSFORMS[name]
    ours = _t(jtorch, name, [jtorch.tensor(p) for p in params])
    import torch  # noqa: PLC0415

    theirs = _t(torch, name, [torch.tensor(p) for p in params])
    assert repr(ours) == repr(theirs)
    assert repr(ours.domain) == repr(theirs.domain)
    assert repr(ours.codomain) == repr(theirs.codomain)
    assert ours.domain.event_dim == theirs.domain.event_dim
    assert ours.codomain.event_dim == theirs.codomain.event_dim
    assert ours.bijective == theirs.bijective
    assert ours.forward_shape(x.shape) == theirs.forward_shape(x.shape)
    y_shape = theirs.forward_shape(x.shape)
    assert ours.inverse_shape(y_shape) == theirs.inverse_shape(y_shape)
    assert ours == ours and ours.inv.inv is ours or name == "Inverse"


def test_sign():
    T = jtorch.distributions.transforms
    assert T.ExpTransform().sign == 1 and T.ExpTransform().inv.sign == 1
    assert T.AffineTransform(0.0, -2.0).sign == -1
    assert T.ComposeTransform([T.AffineTransform(0.0, -2.0), T.ExpTransform()]).sign == -1
    check(lambda lib, s: lib.distributions.AffineTransform(0.0, s).sign, X, grad=False)
    with pytest.raises(NotImplementedError):
        T.AbsTransform().sign  # noqa: B018


def test_abs_transform():
    check(lambda lib, x: lib.distributions.AbsTransform()(x), X)
    check(lambda lib, x: lib.distributions.AbsTransform().inv(x), POS)


def test_cache():
    t = jtorch.distributions.TanhTransform(cache_size=1)
    x = jtorch.tensor([30.0])
    y = t(x)
    assert t.inv(y) is x  # atanh(1.0) would be inf
    assert t.with_cache(1) is t and t.with_cache(0)._cache_size == 0
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        jtorch.distributions.ExpTransform(cache_size=2)


def test_softmax_transform():
    check(lambda lib, x: lib.distributions.SoftmaxTransform()(x), X)
    check(lambda lib, y: lib.distributions.SoftmaxTransform().inv(y), POS)


def test_positive_definite_and_cdf_transforms():
    check(lambda lib, x: lib.distributions.PositiveDefiniteTransform()(x), randn(2, 3, 3))

    def fn(lib, x):
        t = lib.distributions.CumulativeDistributionTransform(lib.distributions.Normal(0.0, 1.0))
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y)

    check(fn, X)


# -- TransformedDistribution, LogNormal, Independent ---------------------------------------------
def test_transformed_distribution():
    def fn(lib, loc, scale, v):
        D = lib.distributions
        base = D.Normal(loc, scale)
        d = D.TransformedDistribution(base, [D.AffineTransform(1.0, -2.0), D.SigmoidTransform()])
        return d.log_prob(v), d.cdf(v), d.icdf(v)

    check(fn, randn(3), POS[0], rand(3, low=0.1, high=0.9, seed=7))


def test_transformed_shapes_and_support():
    import torch  # noqa: PLC0415

    for lib in (jtorch, torch):
        D = lib.distributions
        d = D.TransformedDistribution(D.Normal(lib.zeros(4, 3), 1.0), D.StickBreakingTransform())
        assert d.batch_shape == (4,) and d.event_shape == (4,)
        assert repr(d.support) == "Simplex()"
        assert d.sample((2,)).shape == (2, 4, 4)
        e = d.expand((5, 4))
        assert e.batch_shape == (5, 4) and e.base_dist.batch_shape == (5, 4)


def test_stick_breaking_log_prob():
    def fn(lib, loc):
        D = lib.distributions
        d = D.TransformedDistribution(D.Normal(loc, 1.0), D.StickBreakingTransform())
        v = lib.tensor([[0.2, 0.3, 0.1, 0.4]], dtype=loc.dtype)
        return d.log_prob(v)

    check(fn, randn(2, 3))


def test_lognormal_is_transformed():
    d = jtorch.distributions.LogNormal(0.0, 1.0)
    assert isinstance(d, jtorch.distributions.TransformedDistribution)
    assert repr(d.support) == "GreaterThan(lower_bound=0.0)"
    assert d.has_rsample


def test_independent():
    def fn(lib, loc, scale, v):
        D = lib.distributions
        d = D.Independent(D.Normal(loc, scale), 1)
        return d.log_prob(v), d.entropy(), d.mean, d.variance, d.batch_shape, d.event_shape

    check(fn, X, POS, randn(4, 2, 3, seed=8))
    import torch  # noqa: PLC0415

    for lib in (jtorch, torch):
        D = lib.distributions
        d = D.Independent(D.Bernoulli(lib.full((2, 3), 0.5)), 1)
        assert not d.has_enumerate_support and not d.has_rsample
        assert repr(d.support) == "IndependentConstraint(Boolean(), 1)"
        assert d.expand((4, 2)).batch_shape == (4, 2)
    assert repr(
        jtorch.distributions.Independent(jtorch.distributions.Normal(jtorch.zeros(2), 1.0), 1)
    ) == repr(torch.distributions.Independent(torch.distributions.Normal(torch.zeros(2), 1.0), 1))


def test_independent_errors():
    from oracle import check_error  # noqa: PLC0415

    check_error(
        lambda lib, x: lib.distributions.Independent(lib.distributions.Normal(x, 1.0), 2), X[0]
    )
    assert np.isfinite(
        jtorch.distributions.Independent(jtorch.distributions.Normal(jtorch.zeros(2), 1.0), 1)
        .log_prob(jtorch.zeros(2))
        .item()
    )
