"""Samples of the further distributions: shapes, dtypes, support, and the mean/variance of
20k draws within a few standard errors."""

import numpy as np
import pytest

import jtorch

SAMPLED = {
    "Cauchy": ("D.Cauchy(lib.tensor([0.0, 1.0]), 1.0)", None),
    "HalfNormal": ("D.HalfNormal(lib.tensor([1.0, 3.0]))", "moments"),
    "Geometric": ("D.Geometric(lib.tensor([0.3, 0.8]))", "moments"),
    "Gumbel": ("D.Gumbel(lib.tensor([0.0, 1.0]), lib.tensor([1.0, 2.0]))", "moments"),
    "Weibull": ("D.Weibull(lib.tensor([1.0, 2.0]), lib.tensor([1.5, 3.0]))", "moments"),
    "Pareto": ("D.Pareto(lib.tensor([1.0, 2.0]), lib.tensor([5.0, 6.0]))", None),
    "Multinomial": ("D.Multinomial(6, lib.tensor([0.2, 0.3, 0.5]))", "moments"),
    "NegativeBinomial": (
        "D.NegativeBinomial(lib.tensor([3.0, 9.0]), lib.tensor([0.3, 0.6]))",
        "moments",
    ),
    "InverseGamma": ("D.InverseGamma(lib.tensor([5.0, 9.0]), lib.tensor([1.0, 2.0]))", None),
    "FisherSnedecor": ("D.FisherSnedecor(lib.tensor([5.0, 9.0]), lib.tensor([20.0, 30.0]))", None),
    "Kumaraswamy": ("D.Kumaraswamy(lib.tensor([1.5, 3.0]), lib.tensor([2.0, 1.0]))", "moments"),
    "ContinuousBernoulli": ("D.ContinuousBernoulli(lib.tensor([0.2, 0.5, 0.9]))", "moments"),
    "RelaxedBernoulli": ("D.RelaxedBernoulli(lib.tensor(0.5), lib.tensor([0.2, 0.9]))", None),
    "RelaxedOneHot": ("D.RelaxedOneHotCategorical(lib.tensor(0.5), lib.tensor([0.2, 0.8]))", None),
    "LogisticNormal": ("D.LogisticNormal(lib.zeros(2), 1.0)", None),
    "LowRankMVN": (
        "D.LowRankMultivariateNormal(lib.zeros(2), lib.ones(2, 1), lib.ones(2))",
        "moments",
    ),
    "Mixture": (
        "D.MixtureSameFamily(D.Categorical(lib.tensor([0.3, 0.7])), D.Normal(lib.tensor([-1.0, 2.0]), 1.0))",
        "moments",
    ),
}


@pytest.mark.parametrize("name", sorted(SAMPLED))
def test_samples(name):
    code, stats = SAMPLED[name]
    jtorch.manual_seed(0)
    d = eval(code, {"lib": jtorch, "D": jtorch.distributions})
    s = d.sample((20000,))
    assert s.shape == (20000,) + d.batch_shape + d.event_shape and s.dtype == jtorch.float32
    assert bool(d.support.check(s).all())
    if stats:
        x = s.numpy().astype(np.float64)
        mean, var = d.mean.numpy(), d.variance.numpy()
        assert np.all(np.abs(x.mean(0) - mean) < 5 * np.sqrt(var / len(x)))
        assert np.all(np.abs(x.var(0) / var - 1) < 0.1)
    if d.has_rsample:
        assert d.rsample((2,)).shape == (2,) + d.batch_shape + d.event_shape
