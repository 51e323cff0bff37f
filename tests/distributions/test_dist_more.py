"""The further distributions (Cauchy ... MixtureSameFamily) against torch: densities, moments,
entropies, cdf/icdf and gradients; sample shapes and moments."""

import numpy as np
import pytest
from oracle import check, rand, randn

import jtorch

POS = rand(3, low=0.5, high=2.0, seed=1)
POS2 = rand(3, low=0.5, high=2.0, seed=2)
BIG = rand(3, low=5.0, high=8.0, seed=3)
UNIT = rand(3, low=0.1, high=0.9, seed=4)
R = randn(3, seed=5)

# name -> (build(D, *params), params, value inside the support, properties to compare)
MOMENTS = ["mean", "variance", "entropy"]
CASES = {
    "Cauchy": (lambda D, a, b: D.Cauchy(a, b), (R, POS), R * 2, ["cdf", "icdf", "entropy"]),
    "HalfNormal": (lambda D, s: D.HalfNormal(s), (POS,), POS2, MOMENTS + ["cdf", "icdf"]),
    "HalfCauchy": (lambda D, s: D.HalfCauchy(s), (POS,), POS2, ["cdf", "icdf", "entropy"]),
    "Geometric": (lambda D, p: D.Geometric(p), (UNIT,), None, MOMENTS),
    "GeometricLogits": (lambda D, p: D.Geometric(logits=p), (R,), None, MOMENTS),
    "Gumbel": (lambda D, a, b: D.Gumbel(a, b), (R, POS), R, MOMENTS),
    "Weibull": (lambda D, a, b: D.Weibull(a, b), (POS, POS2), POS2, MOMENTS + ["cdf", "icdf"]),
    "Pareto": (lambda D, a, b: D.Pareto(a, b + 2), (POS, POS2), None, MOMENTS),
    "NegativeBinomial": (lambda D, n, p: D.NegativeBinomial(n, p), (BIG, UNIT), None, MOMENTS[:2]),
    "InverseGamma": (lambda D, a, b: D.InverseGamma(a + 2, b), (POS, POS2), POS2, MOMENTS),
    "FisherSnedecor": (lambda D, a, b: D.FisherSnedecor(a, b), (BIG, BIG), POS, MOMENTS[:2]),
    "Kumaraswamy": (lambda D, a, b: D.Kumaraswamy(a, b), (POS, POS2), UNIT, MOMENTS),
    # NOTE: probs away from 0.5, where float32 moments cancel catastrophically (torch's own
    # float32 mean gradient is 2% off there).
    "ContinuousBernoulli": (
        lambda D, p: D.ContinuousBernoulli(p),
        (rand(3, low=0.1, high=0.4, seed=4),),
        UNIT[::-1].copy(),
        MOMENTS + ["cdf", "icdf"],
    ),
    "LogNormalVia": (lambda D, a, b: D.LogNormal(a, b), (R, POS), POS2, ["cdf", "icdf"]),
}
INTEGER_VALUES = np.array([0.0, 2.0, 5.0])


def _d(lib, name, params):
    return CASES[name][0](lib.distributions, *params)


@pytest.mark.parametrize("name", sorted(CASES))
def test_log_prob(name):
    _, params, value, _ = CASES[name]
    if value is None:  # discrete, or a support that depends on the parameters
        if name == "Pareto":
            check(lambda lib, *p: _d(lib, name, p).log_prob(p[0] * 1.5), *params)
        else:
            check(
                lambda lib, *p: _d(lib, name, p).log_prob(
                    lib.tensor(INTEGER_VALUES, dtype=p[0].dtype)
                ),
                *params,
            )
        return
    check(lambda lib, v, *p: _d(lib, name, p).log_prob(v), value, *params)


@pytest.mark.parametrize(
    ("name", "prop"), [(n, p) for n in sorted(CASES) for p in CASES[n][3]], ids=str
)
def test_properties(name, prop):
    _, params, _, _ = CASES[name]

    def fn(lib, *p):
        d = _d(lib, name, p)
        if prop == "entropy":
            return d.entropy()
        if prop == "cdf":
            return d.cdf(d.icdf(lib.tensor(UNIT, dtype=p[0].dtype)) * 0.9)
        if prop == "icdf":
            return d.icdf(lib.tensor(UNIT, dtype=p[0].dtype))
        return getattr(d, prop)

    check(fn, *params)


def test_multinomial():
    def fn(lib, logits):
        d = lib.distributions.Multinomial(5, logits=logits)
        v = lib.tensor([[1.0, 2.0, 2.0], [0.0, 0.0, 5.0]], dtype=logits.dtype)
        return d.log_prob(v), d.mean, d.variance, d.entropy()

    check(fn, randn(2, 3))
    check(
        lambda lib, p: lib.distributions.Multinomial(3, probs=p).log_prob(p.detach() * 0 + 1),
        rand(2, 3, seed=8),
    )


def test_lowrank_mvn():
    def fn(lib, loc, w, diag, v):
        d = lib.distributions.LowRankMultivariateNormal(loc, w, diag)
        return d.log_prob(v), d.entropy(), d.variance, d.covariance_matrix, d.precision_matrix

    check(fn, randn(2, 3), randn(3, 2, seed=6), POS, randn(4, 2, 3, seed=7))
    check(
        lambda lib, w, diag: (
            lib.distributions.LowRankMultivariateNormal(
                lib.zeros(3, dtype=w.dtype), w, diag
            ).scale_tril
        ),
        randn(3, 2, seed=6),
        POS,
    )


def test_mixture_same_family():
    def fn(lib, logits, loc, scale, v):
        D = lib.distributions
        d = D.MixtureSameFamily(D.Categorical(logits=logits), D.Normal(loc, scale))
        return d.log_prob(v), d.cdf(v), d.mean, d.variance

    check(fn, randn(2, 3), randn(2, 3, seed=1), rand(2, 3, low=0.5, high=2), randn(4, 2, seed=2))
    import torch  # noqa: PLC0415

    for lib in (jtorch, torch):
        D = lib.distributions
        d = D.MixtureSameFamily(
            D.Categorical(lib.ones(2)), D.Independent(D.Normal(lib.zeros(2, 3), 1.0), 1)
        )
        assert d.batch_shape == () and d.event_shape == (3,)
        assert d.sample((5,)).shape == (5, 3)
        assert repr(d.support) == "MixtureSameFamilyConstraint(IndependentConstraint(Real(), 1))"
    assert repr(
        jtorch.distributions.MixtureSameFamily(
            jtorch.distributions.Categorical(jtorch.ones(2)),
            jtorch.distributions.Normal(jtorch.zeros(2), 1.0),
        )
    ) == repr(
        torch.distributions.MixtureSameFamily(
            torch.distributions.Categorical(torch.ones(2)),
            torch.distributions.Normal(torch.zeros(2), 1.0),
        )
    )


def test_relaxed_and_logistic_normal():
    def fn(lib, t, logits, loc):
        D = lib.distributions
        v2 = lib.tensor([0.2, 0.9, 0.5], dtype=t.dtype)
        v3 = lib.tensor([0.2, 0.3, 0.5], dtype=t.dtype)
        return (
            D.RelaxedBernoulli(t[0], logits=logits).log_prob(v2),
            D.RelaxedOneHotCategorical(t[1], logits=logits).log_prob(v3),
            D.LogisticNormal(loc[:2], t[:2]).log_prob(v3),
        )

    check(fn, POS, R, randn(3, seed=9))
